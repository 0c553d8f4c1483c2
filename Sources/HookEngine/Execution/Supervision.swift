import CShims

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The write end of the pipe that turns the supervisor's signals into poll events.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The body of the detached supervisor process (`hookctl __supervise ID`):
/// checks the execution is still what was approved, takes over its signals
/// and runs the loop. Only a supervisor process calls this; a host that
/// embeds the engine (the C API, the bash builtin) never does.
public struct Supervision {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// Runs execution `executionID` to its end; returns the process exit code.
    public func run(executionID: String) throws -> Int32 {
        let store = try context.store
        guard let execution = try store.execution(id: executionID) else { throw HookctlError.unknownExecution(id: executionID) }
        let logger = context.logger(label: "supervisor")
        let project = try Project.load(root: execution.root)
        guard project.fingerprint == execution.fingerprint else {
            try store.finishUnfinishedHookRuns(execution: execution.id, state: .cancelled, message: "hookctl.toml changed")
            try store.finishExecution(execution.id, state: .failed, failure: "hookctl.toml changed before the hooks started")
            return 1
        }
        if case .failure(let error) = project.dotenv {
            try store.finishUnfinishedHookRuns(execution: execution.id, state: .cancelled, message: "a dotenv file cannot be read")
            try store.finishExecution(execution.id, state: .failed, failure: error.description)
            return 1
        }
        let wakeFD = installSignalHandlers()
        let recorder = RunRecorder(
            store: store, paths: context.paths, execution: execution, hooks: project.config.hooks(at: execution.point), logger: logger)
        // Hooks started for shells stop when those shells are gone, however they went.
        let servesShells = try execution.point.servesShellsInside && !store.liveShells(root: execution.root).isEmpty
        let loop = SupervisorLoop(
            execution: execution, project: project, environment: context.environment, recorder: recorder, wakeFD: wakeFD,
            clock: context.clock, shellsGone: servesShells ? { (try? store.liveShells(root: execution.root).isEmpty) ?? false } : nil)
        let state = loop.run()
        if loop.shellsLeft {
            try ProjectExit(context: context).shellLeft(realRoot: execution.root, environment: context.environment)
        }
        return state == .completed ? 0 : 1
    }

    /// Routes TERM, INT, HUP and CHLD into a pipe; returns its read end.
    private func installSignalHandlers() -> Int32 {
        // The lock inherited as descriptor 3 must not leak into hooks.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        var ends: [Int32] = [0, 0]
        pipe2(&ends, O_CLOEXEC | O_NONBLOCK)
        signalPipeWriteEnd = ends[1]
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] {
            signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
        return ends[0]
    }
}
