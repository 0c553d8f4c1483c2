#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A hook the supervisor is running: its process, pipes, log and deadline.
struct RunningHook {
    enum Phase {
        /// `/bin/sh -c condition` runs first.
        case condition
        case command
        /// A bash evaluates what a source hook printed.
        case capture
    }

    let spec: HookSpec
    /// The hook's log file; output is written there with secrets masked.
    let log: Int32
    let environment: EnvironmentMap
    let directory: String
    var deadline: Int64
    var phase = Phase.command
    var child = ProcessSpawner.Child(pid: 0)
    /// A source hook's stdout, kept for capture.
    var stdout = Bytes()
    /// What the capture bash prints: the environment before and after.
    var captureStdout = Bytes()
    var captureStderr = Bytes()
    /// The exports the capture bash reads; removed when it ends.
    var exportsFile: String?
    /// The hook command's own exit code, kept while its exports are captured.
    var commandExitCode: Int32?
    var exceededOutputLimit = false
    /// Set once the supervisor decided to stop the hook.
    var termination: (state: HookState, message: String)?
    var killAt: Int64?
    /// A source hook's message lines, read as they are printed.
    private var messageStream = SourceOutput.Stream()
    /// How many message lines the log holds.
    private var loggedMessages = 0
    /// The latest message line (secrets masked), and whether the store has yet to hear of it.
    private(set) var latestMessage: String?
    var latestMessageIsNew = false
    /// When the store may next hear of a message (they are written at most a few times a second).
    var nextMessageWrite: Int64 = 0
    private var pendingLines: [Bool: Bytes] = [:]
    /// Bytes written to the log since it was last cut.
    private var loggedBytes = 0

    init(spec: HookSpec, log: Int32, environment: EnvironmentMap, directory: String, deadline: Int64) {
        self.spec = spec
        self.log = log
        self.environment = environment
        self.directory = directory
        self.deadline = deadline
    }

    /// Takes output: a source hook's stdout is kept for capture (never logged);
    /// everything else goes to the log, line by line, with secrets masked.
    mutating func receive(_ bytes: ArraySlice<UInt8>, fromStdout: Bool, redacting secrets: [String]) {
        if phase == .capture {
            // Two listings of the environment; kept whole, never logged (they hold every value).
            if fromStdout { captureStdout += bytes } else if captureStderr.count < 65536 { captureStderr += bytes }
            return
        }
        if fromStdout && spec.source && phase == .command {
            if stdout.count + bytes.count > SourceCapture.outputLimit {
                exceededOutputLimit = true
            } else {
                stdout += bytes
                for message in messageStream.messages(in: stdout) { note(message, secrets) }
            }
            return
        }
        var buffer = pendingLines[fromStdout, default: []] + bytes
        if let lastNewline = buffer.lastIndex(of: UInt8(ascii: "\n")) {
            writeLog(buffer[...lastNewline], secrets)
            buffer = Bytes(buffer[(lastNewline + 1)...])
        }
        if buffer.count > 65536 {
            writeLog(buffer[...], secrets)
            buffer = []
        }
        pendingLines[fromStdout] = buffer
    }

    /// Reads what the process has written so far, without blocking; a pipe
    /// that reached its end is closed.
    mutating func drain(redacting secrets: [String]) {
        for isStdout in [true, false] {
            guard let fd = isStdout ? child.stdout : child.stderr else { continue }
            var buffer = Bytes(repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    receive(buffer[0..<count], fromStdout: isStdout, redacting: secrets)
                    continue
                }
                if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(fd)
                    if isStdout { child.stdout = nil } else { child.stderr = nil }
                }
                break
            }
        }
    }

    /// Logs the message lines of the hook's whole output that were not yet
    /// logged while it printed (a line at the very end, or one only the end decided).
    mutating func noteRemainingMessages(_ messages: [SourceOutput.Message], redacting secrets: [String]) {
        for message in messages.dropFirst(loggedMessages) { note(message, secrets) }
    }

    private mutating func note(_ message: SourceOutput.Message, _ secrets: [String]) {
        writeLog(Bytes((message.text + "\n").utf8)[...], secrets)
        loggedMessages += 1
        latestMessage = Redaction.redact(message.text, secrets: secrets)
        latestMessageIsNew = true
    }

    /// Closes the pipes and flushes partial lines to the log.
    mutating func closePipes(redacting secrets: [String]) {
        for fd in [child.stdout, child.stderr].compactMap({ $0 }) { close(fd) }
        child.stdout = nil
        child.stderr = nil
        for (_, rest) in pendingLines where !rest.isEmpty { writeLog(rest[...] + [UInt8(ascii: "\n")], secrets) }
        pendingLines = [:]
    }

    /// A hook's log keeps its last MiB: past twice that, the older half goes.
    static let logLimit = 1 << 20

    private mutating func writeLog(_ bytes: ArraySlice<UInt8>, _ secrets: [String]) {
        guard log >= 0 else { return }
        let text = Redaction.redact(String(decoding: bytes, as: UTF8.self), secrets: secrets)
        POSIX.writeAll(log, text)
        loggedBytes += text.utf8.count
        if loggedBytes > 2 * Self.logLimit { keepLogTail() }
    }

    /// Cuts the log to its last `logLimit` bytes, saying so in its first line.
    private mutating func keepLogTail() {
        var info = stat()
        guard fstat(log, &info) == 0 else { return }
        let start = max(0, Int(info.st_size) - Self.logLimit)
        var tail = Bytes(repeating: 0, count: Int(info.st_size) - start)
        let count = tail.withUnsafeMutableBytes { pread(log, $0.baseAddress, $0.count, off_t(start)) }
        guard count > 0 else { return }
        ftruncate(log, 0)
        let note = "hookctl: earlier output was dropped; a hook's log keeps its last 1 MiB\n"
        POSIX.writeAll(log, Bytes(note.utf8) + tail[0..<count])
        loggedBytes = note.utf8.count + count
    }
}
