#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where hookctl keeps its state: `$HOOKCTL_STATE_DIR`, else
/// `$XDG_STATE_HOME/hookctl`, else `~/.local/state/hookctl` (mode 0700).
public struct StatePaths: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The state directory `environment` chooses.
    public init(environment: EnvironmentMap) {
        let value = { (name: String) in environment[name].map { String(decoding: $0, as: UTF8.self) } }
        if let explicit = value("HOOKCTL_STATE_DIR"), !explicit.isEmpty {
            root = explicit
        } else if let xdg = value("XDG_STATE_HOME"), xdg.hasPrefix("/") {
            root = Path.join(xdg, "hookctl")
        } else {
            root = Path.join(value("HOME") ?? "/tmp", ".local/state/hookctl")
        }
    }

    public var database: String { Path.join(root, "state.db") }
    public var engineLog: String { Path.join(root, "logs/hooks.log") }
    public var shellsDirectory: String { Path.join(root, "shells") }

    /// The file whose existence tells shell `pid` to run `hookctl export` at its next prompt.
    public func marker(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).changed") }
    /// A file whose mtime mirrors the config shell `pid` last saw; a newer config means a reload.
    public func stamp(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).stamp") }
    /// The files shell `pid` watches besides hookctl.toml (NUL-separated), with the newest one's mtime.
    public func watch(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).watch") }
    /// What `HOOKCTL_STATUS` of shell `pid` says while its hooks load (`loading 1/3`), one line.
    public func status(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).status") }
    /// The events of shell `pid` for its runner: command lines, enter, leave, loaded.
    public func events(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).events") }
    /// The pid of shell `pid`'s runner, a file the runner holds a lock on while it runs.
    public func runner(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).runner") }
    /// Lines the runner leaves for shell `pid`'s next prompt (a hook point that failed).
    func notices(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).notices") }
    /// How the `enter` hooks of shell `pid` went, when `fail_fast` makes the load wait for them.
    func enterGate(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).enter") }
    /// Held for as long as it runs by the supervisor `key` names (a project root and hook point).
    func lock(key: String) -> String { Path.join(root, "locks/\(SHA256.hex(Bytes(key.utf8)).prefix(32)).lock") }
    func runDirectory(execution: String) -> String { Path.join(root, "runs/\(execution)") }
    /// Removes the run logs of an execution that is no longer kept.
    func removeRunDirectory(execution: String) {
        let directory = runDirectory(execution: execution)
        for name in POSIX.directoryEntries(directory) { unlink(Path.join(directory, name)) }
        rmdir(directory)
    }
    func runLog(execution: String, hook: String) -> String { Path.join(runDirectory(execution: execution), "\(hook).log") }

    /// Creates the directory tree with private permissions.
    func prepare() throws {
        try POSIX.makeDirectories(root, mode: 0o700)
        guard chmod(root, 0o700) == 0 else { throw POSIX.fail(root) }
        for child in ["logs", "runs", "shells", "locks"] {
            try POSIX.makeDirectories(Path.join(root, child), mode: 0o700)
        }
    }
}
