import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Writes what happens in one execution to the state database, the hooks'
/// run logs and the engine log, with secrets masked.
final class RunRecorder {
    private let store: StateStore
    private let paths: StatePaths
    private let execution: ExecutionRecord
    private let hooks: [HookSpec]
    private let logger: Logger
    /// Why hooks failed or timed out, in the order they did.
    private(set) var failures: [String] = []
    /// How many hooks have ended, for the shells' loading status.
    private var finishedHooks = 0

    init(store: StateStore, paths: StatePaths, execution: ExecutionRecord, hooks: [HookSpec], logger: Logger) {
        self.store = store
        self.paths = paths
        self.execution = execution
        self.hooks = hooks
        self.logger = logger
    }

    /// Creates the run directory and logs the start.
    func begin(root: String) {
        try? POSIX.makeDirectories(paths.runDirectory(execution: execution.id))
        logger.info("execution started", metadata: ["execution": "\(execution.id)", "root": "\(root)", "point": "\(execution.point)"])
    }

    /// Opens `hook`'s run log for appending, and reading to keep its tail (mode 0600); -1 when it cannot.
    func openLog(for hook: HookSpec) -> Int32 {
        open(paths.runLog(execution: execution.id, hook: hook.id), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }

    func started(_ hook: HookSpec, pid: Int32, phase: RunningHook.Phase) {
        persist("the start of hook '\(hook.id)'") { try store.startHookRun(execution: execution.id, hook: hook.id, pid: pid) }
        logger.debug("hook started", metadata: ["hook": "\(hook.id)", "pid": "\(pid)", "phase": "\(phase)"])
    }

    /// The private file a source hook's exports are evaluated from.
    func exportsFile(for hook: HookSpec) -> String {
        Path.join(paths.runDirectory(execution: execution.id), "\(hook.id).exports")
    }

    /// The latest message line `hook` printed, for the progress display and status.
    func said(_ hook: HookSpec, _ message: String) {
        persist("the message of hook '\(hook.id)'") { try store.setHookMessage(execution: execution.id, hook: hook.id, message: message) }
    }

    /// The bash evaluating `hook`'s exports is what stops with the hook now.
    func capturing(_ hook: HookSpec, pid: Int32) {
        persist("the capture of hook '\(hook.id)'") { try store.setHookProcess(execution: execution.id, hook: hook.id, pid: pid) }
        logger.debug("capturing exports", metadata: ["hook": "\(hook.id)", "pid": "\(pid)"])
    }

    /// Records how `hook` ended; a message also goes to its log, which is closed.
    func finished(_ hook: HookSpec, _ state: HookState, exitCode: Int32? = nil, message: String? = nil, log: Int32 = -1) {
        if log >= 0 {
            if let message { POSIX.writeAll(log, "hookctl: \(hook.id) \(message)\n") }
            close(log)
        }
        if state == .failed || state == .timedOut {
            failures.append("hook '\(hook.id)' \(message ?? "failed")")
        }
        persist("the end of hook '\(hook.id)'") {
            try store.finishHookRun(execution: execution.id, hook: hook.id, state: state, exitCode: exitCode, message: message)
        }
        logger.info("hook finished", metadata: ["hook": "\(hook.id)", "state": "\(state.rawValue)", "detail": "\(message ?? "")"])
        finishedHooks += 1
        if execution.point.loadsEnvironment {
            let status = PromptStatus.loading(finished: finishedHooks, total: hooks.count)
            persist("the shells' loading status") { try ShellMarkers(store: store, paths: paths).showStatus(status, realRoot: execution.root) }
        }
    }

    func debug(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        logger.debug(message, metadata: metadata)
    }

    func cancelled() {
        logger.info("execution cancelled", metadata: ["execution": "\(execution.id)"])
    }

    /// Ends the execution: hooks that never ran, the state, the environment a
    /// completed execution at a loading point leaves, and the shells' markers.
    func finish(cancelled: Bool, environment: [CapturedVariable]) -> ExecutionState {
        let leftover: HookState = cancelled ? .cancelled : .skipped
        persist("the hooks that did not run") {
            try store.finishUnfinishedHookRuns(execution: execution.id, state: leftover, message: cancelled ? "cancelled" : "not started")
        }
        let state: ExecutionState = cancelled ? .cancelled : failures.isEmpty ? .completed : .failed
        persist("the end of the execution") {
            try store.transaction {
                if state == .completed && execution.point.loadsEnvironment {
                    try store.storeEnvironment(execution: execution.id, variables: environment)
                }
                try store.finishExecution(execution.id, state: state, failure: cancelled ? "the hooks were cancelled" : failures.first)
            }
        }
        persist("the shells' markers") { try ShellMarkers(store: store, paths: paths).push(realRoot: execution.root) }
        logger.info("execution finished", metadata: ["execution": "\(execution.id)", "state": "\(state.rawValue)"])
        return state
    }

    /// How long a write waits, in all, for a database another process keeps locked.
    static let persistMilliseconds: Int64 = 120_000

    /// Writes to the store, trying again while another process holds it
    /// locked: a record the supervisor could not make is retried, not lost.
    private func persist(_ what: String, _ write: () throws -> Void) {
        let deadline = SystemClock().monotonic() + Self.persistMilliseconds
        while true {
            do {
                return try write()
            } catch where StateStore.isBusy(error) && SystemClock().monotonic() < deadline {
                logger.warning("the state database is busy; retrying", metadata: ["record": "\(what)"])
            } catch {
                logger.error("could not record \(what)", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Masks `secrets` in what the run logs already hold (a hook may have
    /// printed a value before a capture made it a secret).
    func redactLogs(_ secrets: [String]) {
        for hook in hooks {
            let path = paths.runLog(execution: execution.id, hook: hook.id)
            guard let bytes = try? POSIX.readFile(path) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            let redacted = Redaction.redact(text, secrets: secrets)
            guard redacted != text else { continue }
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { continue }
            POSIX.writeAll(fd, redacted)
            close(fd)
        }
    }
}
