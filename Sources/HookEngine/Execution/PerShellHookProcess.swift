#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs one per-shell hook to its end: in its own process group, its output
/// kept (up to a limit) for its run log, killed with its whole group at its
/// timeout or when the shell it serves has gone. Whatever the hook left in
/// its group (a daemon it forked) is killed when it exits.
struct PerShellHookProcess {
    /// What a run log keeps of a hook's output; the rest is counted, not kept.
    static let outputLimit = 1 << 20
    /// How long a timed-out group has between TERM and KILL.
    static let killGraceMilliseconds: Int64 = 1000

    struct Outcome {
        var state: HookState
        var exitCode: Int32?
        /// Why it did not succeed, one sentence.
        var message: String?
        var output: Bytes
    }

    let processes = HookProcesses()
    let clock: any EngineClock
    /// Whether the shell is still there; checked while the hook runs.
    let shellIsAlive: () -> Bool

    func run(_ spec: HookSpec, executable: String, environment: EnvironmentMap, directory: String) -> Outcome {
        let child: ProcessSpawner.Child
        do {
            child = try processes.spawn(executable, spec.args, environment: environment, directory: directory)
        } catch {
            return Outcome(state: .failed, message: "\(error)", output: [])
        }
        var output = Bytes()
        var dropped = 0
        var open = [child.stdout, child.stderr].compactMap { $0 }
        let deadline = clock.monotonic() + spec.timeoutMilliseconds
        var killAt: Int64?
        var state: HookState?
        var exitCode: Int32?
        var buffer = Bytes(repeating: 0, count: 65536)

        func drain(_ fd: Int32) -> Bool {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let room = max(0, Self.outputLimit - output.count)
                output += buffer[0..<min(count, room)]
                dropped += max(0, count - room)
                return true
            }
            return count < 0 && (errno == EAGAIN || errno == EINTR)
        }

        while exitCode == nil {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), 100)
            for entry in fds where entry.revents != 0 && !drain(entry.fd) {
                close(entry.fd)
                open.removeAll { $0 == entry.fd }
            }
            if let code = processes.reap(child.pid) {
                exitCode = code
                break
            }
            let now = clock.monotonic()
            if let killAt, now >= killAt {
                processes.kill(group: child.pid)
            } else if killAt == nil, now >= deadline {
                state = .timedOut
                processes.terminate(group: child.pid)
                killAt = now + Self.killGraceMilliseconds
            } else if killAt == nil, !shellIsAlive() {
                state = .cancelled
                processes.kill(group: child.pid)
                killAt = now
            }
        }
        // What is already in the pipes belongs to the hook; a child it left holding them does not.
        for fd in open {
            while drain(fd) && output.count < Self.outputLimit {
                var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&probe, 1, 0) <= 0 { break }
            }
            close(fd)
        }
        processes.kill(group: child.pid)
        if dropped > 0 { output += Bytes("\n[hookctl: \(dropped) more bytes of output were not kept]\n".utf8) }
        switch state {
        case .timedOut:
            return Outcome(state: .timedOut, exitCode: exitCode, message: "timed out after \(spec.timeoutMilliseconds / 1000) s and was killed", output: output)
        case .cancelled:
            return Outcome(state: .cancelled, exitCode: exitCode, message: "stopped: the shell exited", output: output)
        default:
            guard exitCode == 0 else {
                return Outcome(state: .failed, exitCode: exitCode, message: "exited with status \(exitCode ?? -1)", output: output)
            }
            return Outcome(state: .succeeded, exitCode: 0, output: output)
        }
    }
}
