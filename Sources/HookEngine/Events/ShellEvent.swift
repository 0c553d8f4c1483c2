#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Something that happened in one shell, as a record of its spool: the glue
/// appends command records with a builtin `printf >>` (no fork), the export
/// appends enter, leave and loaded. A record is a kind letter and a fixed
/// number of fields, each ended by a NUL, so a command line may hold any
/// other byte; a record cut short at the end of the file is not read yet.
public enum ShellEvent: Sendable, Equatable {
    /// A command line is about to run (`B`; `b` when the line is bash's `history 1` output).
    case commandStarting(CommandLine)
    /// A command line ended (`A`, or `a` with bash's history line).
    case commandEnded(CommandLine, exitCode: Int32, pipeStatus: String, durationMilliseconds: Int64?)
    /// The shell entered or left a project, or its environment was applied (`E`).
    case lifecycle(point: HookPoint, root: String, directory: String, detail: String)
    /// An intercept rule decided something other than a plain continue at Enter (`I`), for the engine log.
    case interceptDecision(rule: String, action: String, line: String, detail: String, directory: String)

    /// A command line and where it ran.
    public struct CommandLine: Sendable, Equatable {
        /// The glue's number for the line, the same in its start and end records.
        public var id: String
        public var directory: String
        /// The project root the glue had loaded, as the shell spells it; empty outside one.
        public var root: String
        public var text: String
    }

    /// The record for the spool.
    var encoded: Bytes {
        let fields: [String]
        switch self {
        case .commandStarting(let line):
            fields = ["B", line.id, line.directory, line.root, line.text]
        case .commandEnded(let line, let exitCode, let pipeStatus, let duration):
            fields = ["A", line.id, "\(exitCode)", pipeStatus, duration.map(String.init) ?? "", line.directory, line.root, line.text]
        case .lifecycle(let point, let root, let directory, let detail):
            fields = ["E", point.rawValue, root, directory, detail]
        case .interceptDecision(let rule, let action, let line, let detail, let directory):
            fields = ["I", rule, action, line, detail, directory]
        }
        return fields.flatMap { Bytes($0.utf8).filter { $0 != 0 } + [0] }
    }

    /// How many fields follow the kind letter.
    private static func fieldCount(_ kind: UInt8) -> Int? {
        switch kind {
        case UInt8(ascii: "B"), UInt8(ascii: "b"): 4
        case UInt8(ascii: "A"), UInt8(ascii: "a"): 7
        case UInt8(ascii: "E"): 4
        case UInt8(ascii: "I"): 5
        default: nil
        }
    }

    /// The complete records of `bytes` from `offset`, each with the offset
    /// after it. A record of an unknown kind is skipped up to the next NUL.
    static func decode(_ bytes: Bytes, from offset: Int) -> [(event: ShellEvent?, end: Int)] {
        var records: [(ShellEvent?, Int)] = []
        var position = offset
        while position < bytes.count {
            // A kind is one letter then a NUL; anything else is noise to skip.
            guard let terminator = bytes[position...].firstIndex(of: 0) else { break }
            let kindBytes = bytes[position..<terminator]
            guard kindBytes.count == 1, let kind = kindBytes.first, let count = fieldCount(kind) else {
                position = terminator + 1
                records.append((nil, position))
                continue
            }
            var fields: [String] = []
            var cursor = terminator + 1
            while fields.count < count, let end = bytes[cursor...].firstIndex(of: 0) {
                fields.append(String(decoding: bytes[cursor..<end], as: UTF8.self))
                cursor = end + 1
            }
            guard fields.count == count else { break }
            records.append((event(kind: kind, fields), cursor))
            position = cursor
        }
        return records
    }

    private static func event(kind: UInt8, _ fields: [String]) -> ShellEvent? {
        let fromHistory = kind == UInt8(ascii: "b") || kind == UInt8(ascii: "a")
        switch kind {
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            return .commandStarting(CommandLine(id: fields[0], directory: fields[1], root: fields[2], text: text(fields[3], fromHistory)))
        case UInt8(ascii: "A"), UInt8(ascii: "a"):
            let line = CommandLine(id: fields[0], directory: fields[4], root: fields[5], text: text(fields[6], fromHistory))
            return .commandEnded(line, exitCode: Int32(fields[1]) ?? 0, pipeStatus: fields[2], durationMilliseconds: duration(fields[3]))
        case UInt8(ascii: "I"):
            return .interceptDecision(rule: fields[0], action: fields[1], line: fields[2], detail: fields[3], directory: fields[4])
        default:
            guard let point = HookPoint(rawValue: fields[0]), point.scope == .shell else { return nil }
            return .lifecycle(point: point, root: fields[1], directory: fields[2], detail: fields[3])
        }
    }

    /// Milliseconds, or bash's start in microseconds and end as `EPOCHREALTIME`
    /// prints it (`1767000123 1768.250000`, a comma where the locale says so),
    /// which the runner subtracts for it.
    private static func duration(_ field: String) -> Int64? {
        let parts = field.split(separator: " ")
        guard parts.count == 2 else { return Int64(field) }
        func microseconds(_ text: Substring) -> Int64? {
            let pieces = text.split(whereSeparator: { $0 == "." || $0 == "," })
            if pieces.count == 1 { return Int64(text) }
            guard pieces.count == 2, let seconds = Int64(pieces[0]), let fraction = Int64(pieces[1].prefix(6)) else { return nil }
            return seconds * 1_000_000 + fraction * Int64([1, 100_000, 10_000, 1000, 100, 10, 1][min(6, pieces[1].count)])
        }
        guard let start = microseconds(parts[0]), let end = microseconds(parts[1]), end >= start else { return nil }
        return (end - start) / 1000
    }

    /// The command line of a record: bash's `history 1` prints the entry's
    /// number, a space (`*` for an edited entry), a space, the line and a
    /// newline (`   42  make`, `  108* make`).
    private static func text(_ field: String, _ fromHistory: Bool) -> String {
        guard fromHistory else { return field }
        var rest = Substring(field).drop { $0 == " " }.drop { $0.isNumber }
        if rest.first == " " || rest.first == "*" { rest = rest.dropFirst() }
        if rest.first == " " { rest = rest.dropFirst() }
        if rest.hasSuffix("\n") { rest = rest.dropLast() }
        return String(rest)
    }
}

/// A shell's spool of events, and how far its runner has read it.
struct ShellEventSpool {
    let paths: StatePaths
    let shellPID: Int32

    var path: String { paths.events(shell: shellPID) }
    var offsetPath: String { path + ".offset" }

    /// Appends `events` in one write, so that they keep their order among the glue's records.
    func append(_ events: [ShellEvent]) {
        guard !events.isEmpty else { return }
        POSIX.appendFile(path, events.flatMap(\.encoded))
    }

    /// Where the runner stopped: every record before it has been handled.
    var offset: Int {
        guard let bytes = try? POSIX.readFile(offsetPath, limit: 64) else { return 0 }
        return Int(String(decoding: bytes, as: UTF8.self)) ?? 0
    }

    /// What was appended after `offset` (reset to 0 when the spool is shorter: it was replaced).
    func unread(from offset: inout Int) -> (bytes: Bytes, start: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return ([], offset) }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        if size < offset { offset = 0 }
        guard size > offset, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else { return ([], offset) }
        var bytes = Bytes(repeating: 0, count: size - offset)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            guard count > 0 else { break }
            filled += count
        }
        return (Array(bytes[0..<filled]), offset)
    }

    func record(offset: Int) {
        try? POSIX.replaceFile(offsetPath, Bytes("\(offset)".utf8), newFileMode: 0o600)
    }

    /// Removes the spool and its offset (the shell has gone).
    func remove() {
        unlink(path)
        unlink(offsetPath)
    }
}
