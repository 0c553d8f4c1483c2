#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The public entry point of the engine: every CLI command and the C API
/// call into an `Engine`.
public final class Engine {
    public let paths: StatePaths
    /// The hookctl executable, started again as the supervisor.
    public let executable: String
    private var openedStore: StateStore?

    public init(paths: StatePaths = .fromEnvironment(), executable: String? = nil) {
        self.paths = paths
        self.executable = executable ?? POSIX.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
    }

    var store: StateStore {
        get throws {
            if let openedStore { return openedStore }
            let store = try StateStore(paths: paths)
            openedStore = store
            return store
        }
    }

    /// The working directory as the shell spells it (`$PWD` when it is accurate).
    public static func workingDirectory() throws -> String {
        guard let physical = POSIX.currentDirectory() else {
            throw HookctlError.fileSystem(path: ".", message: "the current directory no longer exists")
        }
        if let pwd = POSIX.environmentValue("PWD"), pwd.hasPrefix("/"), pwd == physical || POSIX.realPath(pwd) == physical {
            return pwd
        }
        return physical
    }

    /// The directory a command was pointed at: `directory` or the working directory.
    static func resolveDirectory(_ directory: String?) throws -> String {
        let current = try workingDirectory()
        guard let directory, !directory.isEmpty else { return current }
        let joined = Path.join(current, directory)
        guard POSIX.isDirectory(joined) else { throw HookctlError.fileSystem(path: directory, message: "not a directory") }
        return POSIX.realPath(joined) ?? joined
    }

    func approvalState(of project: Project) throws -> ApprovalState {
        switch try store.approvedFingerprint(root: project.realRoot) {
        case nil: .notApproved
        case project.fingerprint: .approved
        default: .requiresApproval
        }
    }

    /// Tells every shell inside the project to run `hookctl export` at its next prompt.
    func notifyShells(realRoot: String) throws {
        for pid in try store.liveShells(root: realRoot) {
            POSIX.touch(paths.marker(shell: pid))
        }
    }
}
