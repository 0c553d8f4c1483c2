import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Time as the engine sees it. Hosts pass `SystemClock`; tests may pass their own.
public protocol EngineClock: Sendable {
    /// Milliseconds since the Unix epoch, for records and timestamps.
    func now() -> Int64
    /// Milliseconds on a clock that never goes back, for timeouts.
    func monotonic() -> Int64
}

/// The system's real-time and monotonic clocks.
public struct SystemClock: EngineClock {
    public init() {}

    public func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    public func monotonic() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// Everything the engine knows about the host that drives it: the only way
/// process state enters the library. The CLI builds one from its own
/// process, the C API from what its caller passes, the bash builtin from
/// the shell's variables; the engine never reads `getcwd`, `environ`,
/// `getenv` or `/proc/self/exe` itself.
public struct EngineContext {
    /// The directory commands act on, as the shell spells it (symlinks kept).
    public var workingDirectory: String
    /// The host's exported variables, byte-exact.
    public var environment: EnvironmentMap
    /// The interactive shell the host serves, when there is one.
    public var shellPID: Int32?
    /// The hookctl executable, started again as `hookctl __supervise ID`.
    public let executable: String
    public let paths: StatePaths
    /// The user the host runs as: the user's own hook scripts must belong to
    /// this uid. nil when the host cannot tell; ownership is then not checked.
    public var userID: UInt32?
    public let clock: any EngineClock
    /// The state database, opened on first use and shared by copies of this context.
    let connection: StateConnection

    public init(
        workingDirectory: String, environment: EnvironmentMap, shellPID: Int32? = nil, executable: String,
        paths: StatePaths? = nil, userID: UInt32? = nil, clock: any EngineClock = SystemClock()
    ) {
        self.userID = userID
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.shellPID = shellPID
        self.executable = executable
        let paths = paths ?? StatePaths(environment: environment)
        self.paths = paths
        self.clock = clock
        connection = StateConnection(paths: paths, clock: clock)
    }

    /// The state database.
    var store: StateStore {
        get throws { try connection.store() }
    }

    /// Starts, inspects and cancels executions.
    var launcher: ExecutionLauncher {
        get throws { ExecutionLauncher(store: try store, paths: paths, executable: executable, clock: clock) }
    }

    /// The value of an environment variable as text.
    func variable(_ name: String) -> String? {
        environment[name].map { String(decoding: $0, as: UTF8.self) }
    }

    /// The directory a command was pointed at: `directory` (relative to the
    /// working directory) or the working directory itself.
    func resolveDirectory(_ directory: String?) throws -> String {
        guard let directory, !directory.isEmpty else {
            guard POSIX.isDirectory(workingDirectory) else {
                throw HookctlError.fileSystem(path: workingDirectory, message: "the working directory does not exist")
            }
            return workingDirectory
        }
        let joined = Path.join(workingDirectory, directory)
        guard POSIX.isDirectory(joined) else { throw HookctlError.fileSystem(path: directory, message: "not a directory") }
        return POSIX.realPath(joined) ?? joined
    }

    /// A logger writing to the engine log; `HOOKCTL_LOG=debug` (or trace,
    /// info, warning, error) in the environment sets the level.
    func logger(label: String) -> Logger {
        let level = variable("HOOKCTL_LOG").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let path = paths.engineLog
        let clock = clock
        return Logger(label: label) { label in FileLogHandler(path: path, label: label, logLevel: level, clock: clock) }
    }
}

/// Opens the state database the first time something needs it, so a prompt
/// that has nothing to do never touches SQLite.
final class StateConnection {
    private let paths: StatePaths
    private let clock: any EngineClock
    private var opened: StateStore?

    init(paths: StatePaths, clock: any EngineClock) {
        self.paths = paths
        self.clock = clock
    }

    func store() throws -> StateStore {
        if let opened { return opened }
        let store = try StateStore(paths: paths, clock: clock)
        opened = store
        return store
    }
}
