import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The CLI as a host of the engine: the one place that reads this process's
/// working directory, environment and executable path.
enum ProcessContext {
    /// The context of this hookctl process; `shellPID` for the prompt path.
    static func current(shellPID: Int32? = nil) throws -> EngineContext {
        let environment = Environment.parse(UnsafeRawPointer(environ).assumingMemoryBound(to: UnsafePointer<CChar>?.self))
        return EngineContext(
            workingDirectory: try workingDirectory(environment: environment), environment: environment, shellPID: shellPID,
            executable: executablePath(), userID: getuid())
    }

    /// The working directory as the shell spells it (`$PWD` when it is accurate).
    static func workingDirectory(environment: EnvironmentMap) throws -> String {
        guard let cwd = getcwd(nil, 0) else {
            throw HookctlError.fileSystem(path: ".", message: "the current directory no longer exists")
        }
        let physical = String(cString: cwd)
        free(cwd)
        if let pwd = environment["PWD"].map({ String(decoding: $0, as: UTF8.self) }), pwd.hasPrefix("/"),
            pwd == physical || realPath(pwd) == physical
        {
            return pwd
        }
        return physical
    }

    /// This executable's real path, for starting supervisors and writing the glue.
    static func executablePath() -> String {
        realPath("/proc/self/exe") ?? CommandLine.arguments[0]
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
