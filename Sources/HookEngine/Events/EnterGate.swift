#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// With `fail_fast`, a project's environment waits for the shell's `enter`
/// hooks, and a failing one means nothing is applied. The export opens the
/// gate's file when the shell enters; the runner closes it with the result
/// and tells the shell (marker, and SIGWINCH when it takes pushes).
struct EnterGate {
    enum State: Equatable {
        case waiting
        case passed
        /// `reported`: the shell has said so already.
        case failed(hook: String, reported: Bool)
    }

    let paths: StatePaths
    let shellPID: Int32

    private var path: String { paths.enterGate(shell: shellPID) }

    /// The shell entered the project at `root` whose `enter` hooks decide its load.
    func open(root: String) {
        try? POSIX.replaceFile(path, Bytes("waiting\n\(root)\n".utf8), newFileMode: 0o600)
    }

    /// The shell left, or nothing waits any more.
    func remove() {
        unlink(path)
    }

    /// Where the gate stands for `root`; nil when none is open for it.
    func state(root: String) -> State? {
        guard let bytes = try? POSIX.readFile(path, limit: 1 << 16) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2, lines[1] == root else { return nil }
        switch lines[0] {
        case "waiting": return .waiting
        case "failed", "reported": return .failed(hook: lines.count > 2 ? lines[2] : "", reported: lines[0] == "reported")
        default: return .passed
        }
    }

    /// The shell has told its user about the failure.
    func markReported(root: String) {
        guard case .failed(let hook, false) = state(root: root) else { return }
        try? POSIX.replaceFile(path, Bytes("reported\n\(root)\n\(hook)\n".utf8), newFileMode: 0o600)
    }

    /// The `enter` hooks for `root` ended; `failedHook` stopped them under `fail_fast`.
    func finish(root: String, failedHook: String?, push: Bool) {
        guard state(root: root) == .waiting else { return }
        let text = failedHook.map { "failed\n\(root)\n\($0)\n" } ?? "passed\n\(root)\n"
        try? POSIX.replaceFile(path, Bytes(text.utf8), newFileMode: 0o600)
        POSIX.touch(paths.marker(shell: shellPID))
        if push { kill(shellPID, SIGWINCH) }
    }
}
