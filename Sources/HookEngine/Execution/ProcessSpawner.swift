import CShims
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Starts child processes with posix_spawn: no fork of a multi-threaded
/// Swift process, and the exec error comes back as a Swift error.
enum ProcessSpawner {
    // From <spawn.h>; only visible to C with _GNU_SOURCE.
    private static let setSessionFlag: Int32 = 0x80

    /// Where a child's standard stream goes.
    enum Stream {
        case null
        case inherit
        /// A new pipe; the parent's end comes back in `Child`.
        case pipe
        case file(Int32)
    }

    struct Options {
        var directory: String?
        var environment: EnvironmentMap
        var stdin: Stream = .null
        var stdout: Stream = .null
        var stderr: Stream = .null
        /// Start in a new process group (so the whole group can be killed).
        var newProcessGroup = false
        /// Start in a new session, detached from the terminal.
        var newSession = false
        /// A descriptor handed to the child as descriptor 3.
        var passDescriptor: Int32?
    }

    struct Child {
        var pid: Int32
        /// The parent's ends of the pipes that were asked for.
        var stdin: Int32?
        var stdout: Int32?
        var stderr: Int32?
    }

    /// The executable `command` names: a path (relative to `directory`) when it
    /// contains a slash, else the first match on `PATH`.
    static func resolve(_ command: String, directory: String, path: String?) -> String? {
        if command.utf8.contains(UInt8(ascii: "/")) {
            let candidate = Path.join(directory, command)
            return access(candidate, X_OK) == 0 && POSIX.isRegularFile(candidate) ? candidate : nil
        }
        for entry in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = Path.join(entry.isEmpty ? directory : String(entry), command)
            if access(candidate, X_OK) == 0 && POSIX.isRegularFile(candidate) { return candidate }
        }
        return nil
    }

    static func spawn(_ executable: String, _ arguments: [String], _ options: Options) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var child = Child(pid: 0)
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        let streams: [(Stream, Int32, WritableKeyPath<Child, Int32?>)] = [
            (options.stdin, 0, \.stdin), (options.stdout, 1, \.stdout), (options.stderr, 2, \.stderr),
        ]
        for (stream, target, parentEnd) in streams {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit:
                break
            case .file(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard pipe2(&ends, O_CLOEXEC) == 0 else { throw HookctlError.spawnFailed(command: executable, message: POSIX.errorMessage()) }
                let (childEnd, ourEnd) = target == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
                childEnds.append(childEnd)
                child[keyPath: parentEnd] = ourEnd
            }
        }
        if let passed = options.passDescriptor {
            posix_spawn_file_actions_adddup2(&actions, passed, 3)
        }
        if let directory = options.directory {
            posix_spawn_file_actions_addchdir_np(&actions, directory)
        }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if options.newProcessGroup { flags |= Int32(POSIX_SPAWN_SETPGROUP) }
        if options.newSession { flags |= setSessionFlag }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // Every signal back to its default: a hook must not inherit what the
        // shell, the supervisor or whatever started them ignores (an ignored
        // SIGSEGV or SIGPIPE changes how a script fails).
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = options.environment.sorted { $0.key < $1.key }.map { entry -> UnsafeMutablePointer<CChar>? in
            let bytes = Bytes(entry.key.utf8) + [UInt8(ascii: "=")] + entry.value + [0]
            return bytes.withUnsafeBufferPointer { strdup(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
        }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let status = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            (envp + [nil]).withUnsafeBufferPointer { envpPointer in
                posix_spawn(&child.pid, executable, &actions, &attributes, argvPointer.baseAddress!, envpPointer.baseAddress!)
            }
        }
        guard status == 0 else {
            [child.stdin, child.stdout, child.stderr].compactMap { $0 }.forEach { close($0) }
            throw HookctlError.spawnFailed(command: executable, message: POSIX.errorMessage(status))
        }
        return child
    }
}

/// Runs a short-lived child to completion, feeding stdin and collecting
/// stdout and stderr without deadlock, and kills its process group at the
/// deadline.
enum ProcessRunner {
    struct Result {
        /// Exit status, or nil when the deadline (or the output limit) killed it.
        var status: Int32?
        /// Whether it printed more than the limit and was killed for it.
        var overflowed = false
        var stdout: Bytes
        var stderr: Bytes
    }

    static func run(_ executable: String, _ arguments: [String], environment: EnvironmentMap, directory: String? = nil,
                    input: Bytes = [], timeoutMilliseconds: Int64, outputLimit: Int = .max) throws -> Result {
        var options = ProcessSpawner.Options(environment: environment)
        options.directory = directory
        options.stdin = .pipe
        options.stdout = .pipe
        options.stderr = .pipe
        options.newProcessGroup = true
        let child = try ProcessSpawner.spawn(executable, arguments, options)
        var stdinFD = child.stdin
        var readers: [Int32: Bytes] = [child.stdout!: [], child.stderr!: []]
        var open = Set(readers.keys)
        var written = 0
        let deadline = POSIX.monotonicMilliseconds() + timeoutMilliseconds
        var timedOut = false
        var overflowed = false
        if let fd = stdinFD { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        if input.isEmpty, let fd = stdinFD { close(fd); stdinFD = nil }

        while !open.isEmpty || stdinFD != nil {
            let remaining = deadline - POSIX.monotonicMilliseconds()
            if remaining <= 0 {
                timedOut = true
                killpg(child.pid, SIGKILL)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let fd = stdinFD { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1000))) < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let count = input.withUnsafeBytes { writeWithoutSIGPIPE(entry.fd, $0.baseAddress! + written, $0.count - written) }
                    if count > 0 { written += count }
                    if count < 0 && errno != EAGAIN || written >= input.count {
                        close(entry.fd)
                        stdinFD = nil
                    }
                    continue
                }
                var buffer = Bytes(repeating: 0, count: 65536)
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    readers[entry.fd]! += buffer[0..<count]
                    if readers[entry.fd]!.count > outputLimit {
                        overflowed = true
                        killpg(child.pid, SIGKILL)
                        open.removeAll()
                        if let fd = stdinFD { close(fd) }
                        stdinFD = nil
                        break
                    }
                } else if count == 0 || errno != EINTR && errno != EAGAIN {
                    open.remove(entry.fd)
                }
            }
        }
        if let fd = stdinFD { close(fd) }
        readers.keys.forEach { close($0) }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        return Result(
            status: timedOut || overflowed ? nil : ExitStatus.code(status), overflowed: overflowed, stdout: readers[child.stdout!]!,
            stderr: readers[child.stderr!]!)
    }
}

extension ProcessRunner {
    /// `write` with SIGPIPE blocked in this thread: a child that exits before
    /// reading its input gives EPIPE here instead of a signal that kills the
    /// host (hookctl, or bash with the builtin loaded). A SIGPIPE this write
    /// raised is taken off the pending set before the mask is restored.
    static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var pending = sigset_t()
        sigpending(&pending)
        let alreadyPending = sigismember(&pending, SIGPIPE) == 1
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        let written = write(fd, bytes, count)
        let error = errno
        if written < 0 && error == EPIPE && !alreadyPending {
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeOnly, nil, &now) < 0 && errno == EINTR {}
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        errno = error
        return written
    }
}

/// Decoding of waitpid statuses.
enum ExitStatus {
    /// The exit code, or 128 + signal number for a process killed by a signal.
    static func code(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
