import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Helpers shared by the unit tests: temporary directories, files and child processes.
enum TestSupport {
    /// A new, empty directory under /tmp, as a real path.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/hookctl-tests-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else { throw POSIX.fail("/tmp") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return POSIX.realPath(path) ?? path
    }

    /// Removes `path` and everything below it.
    static func remove(_ path: String) {
        _ = try? ProcessRunner.run("/bin/rm", ["-rf", path], environment: [:], timeoutMilliseconds: 10_000)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        try writeBytes(path, Bytes(text.utf8), mode: mode)
    }

    /// Creates or replaces `path` with `bytes` and the permission bits `mode`.
    static func writeBytes(_ path: String, _ bytes: Bytes, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIX.fail(path) }
        defer { close(fd) }
        guard POSIX.writeAll(fd, bytes), fchmod(fd, mode) == 0 else { throw POSIX.fail(path) }
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) -> mode_t? {
        POSIX.fileStatus(path).map { mode_t($0.permissions.rawValue) & 0o777 }
    }

    /// The absolute path of `command` on the usual system PATH.
    static func which(_ command: String) -> String? {
        ProcessSpawner.resolve(command, directory: "/", path: "/usr/local/bin:/usr/bin:/bin")
    }

    /// Pids of processes in process group `group` that are not zombies
    /// (orphans' zombies stay: PID 1 does not reap them here).
    static func liveMembers(ofGroup group: Int32) -> [Int32] {
        var members: [Int32] = []
        for name in POSIX.directoryEntries("/proc") {
            guard let pid = Int32(name), let stat = try? POSIX.readFile("/proc/\(pid)/stat") else { continue }
            // pid (comm) state ppid pgrp ...: split after the last ')'.
            guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = stat[(close + 2)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 2, fields[0].first != UInt8(ascii: "Z"), Int32(String(decoding: fields[2], as: UTF8.self)) == group
            else { continue }
            members.append(pid)
        }
        return members
    }

    /// Runs `executable` with `arguments` and waits for it.
    static func run(_ executable: String, _ arguments: [String], environment: EnvironmentMap, input: Bytes = []) throws
        -> ProcessRunner.Result
    {
        try ProcessRunner.run(executable, arguments, environment: environment, input: input, timeoutMilliseconds: 30_000)
    }
}

/// A small deterministic generator (SplitMix64), so random inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

extension HookSpec {
    /// An onEnter hook with the given id and dependencies, for graph and store tests.
    static func make(_ id: String, dependsOn: [String] = [], command: String = "true") -> HookSpec {
        var hook = HookSpec(id: id, point: .onEnter, command: command, timeoutMilliseconds: 1000)
        hook.dependsOn = dependsOn
        return hook
    }
}
