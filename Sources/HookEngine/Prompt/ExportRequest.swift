/// Shows a running execution to a person and reads their choice. The CLI
/// implements it on the terminal; hosts without one pass none.
public protocol ProgressObserver: AnyObject {
    /// Takes the terminal; false when there is none to take.
    func begin() -> Bool
    /// Shows `runs` and waits up to `milliseconds` for the person's choice.
    func show(_ runs: [HookRunRecord], now: Int64, waitingUpTo milliseconds: Int32) -> ProgressChoice?
    /// Removes what was drawn and gives the terminal back.
    func end()
}

/// What the person watching hooks run asked for.
public enum ProgressChoice: Sendable {
    /// Leave the hooks running and give the prompt back.
    case background
    /// Stop the hooks.
    case cancel
}

/// What `hookctl export SHELL` (or a host acting for a shell) asks for.
public struct ExportRequest {
    /// The shell whose marker and stamp files this export reads and writes.
    public var shellPID: Int32
    /// The shell's working directory (`$PWD`).
    public var directory: String
    /// The shell's exported variables.
    public var environment: EnvironmentMap
    /// Shows progress when hooks must run while a person waits; nil: never wait.
    public var progress: (any ProgressObserver)?
    /// `HOOKCTL_QUIET=1`: no messages.
    public var quiet: Bool
    /// Whether the shell wants SIGWINCH when its hooks finish; `HOOKCTL_PUSH=0`
    /// (set by glue that cannot redraw, or by the user) says no.
    public var push: Bool
    /// `HOOKCTL_WAIT=1` (an intercept rule's `wait`): look again even if
    /// nothing changed, and show the progress of running hooks until they end.
    public var waitForHooks: Bool

    /// The request every host makes: the shell, directory and environment of
    /// `context`, `HOOKCTL_MODE=background` (no waiting) and
    /// `HOOKCTL_QUIET=1` (no messages) honoured alike by all of them.
    public init(context: EngineContext, progress: (any ProgressObserver)?) throws {
        guard let shellPID = context.shellPID else {
            throw HookctlError.invalidRequest(message: "an export needs the pid of the shell it is for")
        }
        self.shellPID = shellPID
        directory = context.workingDirectory
        environment = context.environment
        waitForHooks = context.variable("HOOKCTL_WAIT") == "1"
        self.progress = context.variable("HOOKCTL_MODE") == "background" && !waitForHooks ? nil : progress
        quiet = context.variable("HOOKCTL_QUIET") == "1"
        push = context.variable("HOOKCTL_PUSH") != "0"
    }
}
