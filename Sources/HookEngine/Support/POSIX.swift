import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the file-system calls hookctl needs, on
/// swift-system where it has them.
enum POSIX {
    static func errorMessage(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    static func fail(_ path: String, _ code: Int32 = errno) -> HookctlError {
        .fileSystem(path: path, message: errorMessage(code))
    }

    /// The bytes of `path`; a file larger than `limit` is an error, never a shorter result.
    static func readFile(_ path: String, limit: Int = 64 << 20) throws -> Bytes {
        var result = Bytes()
        var tooLarge = false
        try readChunks(path) { chunk in
            tooLarge = result.count + chunk.count > limit
            if !tooLarge { result += chunk }
            return !tooLarge
        }
        if tooLarge { throw HookctlError.fileSystem(path: path, message: "file is too large") }
        return result
    }

    /// Hands the bytes of `path` to `body` in chunks, to its end whatever its
    /// size, or until `body` returns false.
    static func readChunks(_ path: String, _ body: (ArraySlice<UInt8>) -> Bool) throws {
        do {
            let fd = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
            defer { try? fd.close() }
            // Not zero-filled: only what read(2) wrote is handed on (clearing 64 KiB
            // was a tenth of a prompt's work inside the bash builtin).
            var buffer = Bytes(unsafeUninitializedCapacity: 1 << 16) { _, count in count = 1 << 16 }
            while true {
                let count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
                if count == 0 || !body(buffer[0..<count]) { return }
            }
        } catch let error as Errno {
            throw fail(path, error.rawValue)
        }
    }

    /// The names in directory `path` (without `.` and `..`), sorted; empty when it cannot be read.
    static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Replaces the contents of `path` (created with mode 0600) with `bytes`.
    static func writeFile(_ path: String, _ bytes: Bytes) {
        guard
            let fd = try? FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: [.ownerReadWrite])
        else { return }
        _ = try? fd.writeAll(bytes)
        try? fd.close()
    }

    /// Creates `path` with `bytes` and `mode`; fails when it already exists.
    static func createFile(_ path: String, _ bytes: Bytes, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw fail(path) }
        defer { close(fd) }
        guard writeAll(fd, bytes) else { throw fail(path) }
    }

    /// Replaces `path` with `bytes` in one step (written beside it, then
    /// renamed over it), keeping its mode; a new file gets `newFileMode`.
    static func replaceFile(_ path: String, _ bytes: Bytes, newFileMode: mode_t = 0o644) throws {
        let temporary = path + ".hookctl-\(randomHex())"
        let mode = fileStatus(path).map { $0.rawValue.st_mode & 0o7777 } ?? newFileMode
        try createFile(temporary, bytes, mode: mode)
        chmod(temporary, mode)
        guard rename(temporary, path) == 0 else {
            let error = fail(path)
            unlink(temporary)
            throw error
        }
    }

    /// Appends `bytes` to `path`, creating it with mode 0600.
    static func appendFile(_ path: String, _ bytes: Bytes) {
        guard
            let fd = try? FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .append, .closeOnExec], permissions: [.ownerReadWrite])
        else { return }
        _ = try? fd.writeAll(bytes)
        try? fd.close()
    }

    /// Writes all of `bytes` to descriptor `fd`; false when the write failed.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: Bytes) -> Bool {
        (try? FileDescriptor(rawValue: fd).writeAll(bytes)) != nil
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        writeAll(fd, Bytes(text.utf8))
    }

    /// What `stat` says of `path` (following symlinks), or nil.
    static func fileStatus(_ path: String) -> Stat? {
        try? Stat(FilePath(path))
    }

    static func isRegularFile(_ path: String) -> Bool {
        fileStatus(path)?.type == .regular
    }

    static func isDirectory(_ path: String) -> Bool {
        fileStatus(path)?.type == .directory
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates `path` and its parents; the last component gets `mode`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        if isDirectory(path) { return }
        let parent = Path.parent(of: path)
        if parent != path { try makeDirectories(parent, mode: 0o755) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw fail(path) }
    }

    /// Creates `path` (mode 0600) if missing and sets its modification time to `time`.
    static func touch(_ path: String, to time: timespec? = nil) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        if let time {
            var times = [time, time]
            futimens(fd, &times)
        } else {
            futimens(fd, nil)
        }
        close(fd)
    }

    /// The system's monotonic clock in milliseconds, for the short waits of
    /// low-level helpers; everything recorded or shown uses the context's clock.
    static func monotonicMilliseconds() -> Int64 {
        SystemClock().monotonic()
    }

    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Sixteen random hex digits.
    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// String path helpers that never touch the file system.
enum Path {
    static func join(_ base: String, _ component: String) -> String {
        if component.hasPrefix("/") { return component }
        return base.hasSuffix("/") ? base + component : base + "/" + component
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Whether `path` is `root` or below it (both absolute, normalized).
    static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }
}

enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = Bytes()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
