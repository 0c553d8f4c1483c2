#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The operating-system side of running hooks: each hook in its own process
/// group with its output on non-blocking pipes, stopped as a whole group.
struct HookProcesses {
    /// How long a group has between TERM and KILL.
    static let killGraceMilliseconds: Int64 = 2000

    /// The executable `command` names, relative to `directory` or on the PATH of `environment`.
    func resolve(_ command: String, directory: String, environment: EnvironmentMap) -> String? {
        ProcessSpawner.resolve(command, directory: directory, path: environment["PATH"].map { String(decoding: $0, as: UTF8.self) })
    }

    /// Starts `executable` in a new process group, stdout and stderr on pipes.
    func spawn(_ executable: String, _ arguments: [String], environment: EnvironmentMap, directory: String) throws -> ProcessSpawner.Child {
        var options = ProcessSpawner.Options(environment: environment)
        options.directory = directory
        options.stdout = .pipe
        options.stderr = .pipe
        options.newProcessGroup = true
        let child = try ProcessSpawner.spawn(executable, arguments, options)
        for fd in [child.stdout, child.stderr].compactMap({ $0 }) { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        return child
    }

    /// Asks the whole group led by `pid` to stop.
    func terminate(group pid: Int32) {
        killpg(pid, SIGTERM)
    }

    /// Kills the whole group led by `pid`.
    func kill(group pid: Int32) {
        killpg(pid, SIGKILL)
    }

    /// The exit code of `pid` (128 + signal when killed) once it has ended; nil while it runs.
    func reap(_ pid: Int32) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? ExitStatus.code(status) : nil
    }

    /// A message for a command that cannot be started.
    func missingCommandMessage(_ hook: HookSpec, directory: String) -> String {
        let path = Path.join(directory, hook.command)
        if hook.command.utf8.contains(UInt8(ascii: "/")) && POSIX.exists(path) {
            return "'\(hook.command)' is not executable; run chmod +x on it"
        }
        return "command '\(hook.command)' was not found; check 'command' in hookctl.toml"
    }
}
