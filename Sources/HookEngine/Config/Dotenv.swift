/// A dotenv file named in `[settings] dotenv`, relative to the project root.
public struct DotenvFile: Sendable, Equatable {
    public var path: String
    /// A required file that is missing is an error; an optional one is skipped.
    public var required = true
}

/// One `NAME=value` of a dotenv file, with its `${VAR}` references kept
/// until the environment they expand from is known.
struct DotenvEntry: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        /// `$NAME`, `${NAME}`, or `${NAME:-default}` (the default when unset or empty).
        case reference(String, fallback: String?)
    }

    var name: String
    var parts: [Part]

    /// The value, with references looked up in `scope`.
    func value(in scope: EnvironmentMap) -> Bytes {
        var value = Bytes()
        for part in parts {
            switch part {
            case .text(let text): value += Bytes(text.utf8)
            case .reference(let name, let fallback):
                let found = scope[name] ?? []
                value += found.isEmpty ? Bytes((fallback ?? "").utf8) : found
            }
        }
        return value
    }
}

/// Reads dotenv files without executing anything. The grammar:
/// - one `NAME=value` per line, optionally after `export `; blanks around
///   `=` are ignored; blank lines and lines starting with `#` are comments;
/// - an unquoted value ends at the line end or at ` #` (a comment), with
///   surrounding blanks trimmed;
/// - `'single quotes'` are literal and may span lines;
/// - `"double quotes"` may span lines and understand `\n`, `\t`, `\r`,
///   `\"`, `\\` and `\$` (any other backslash is kept);
/// - `$NAME`, `${NAME}` and `${NAME:-default}` expand, outside single
///   quotes, from earlier keys, then the environment; `$(...)` and
///   backticks are plain text, never run;
/// - CRLF line ends and a UTF-8 byte-order mark are accepted; NUL bytes,
///   invalid UTF-8 and reserved names are errors.
struct DotenvParser {
    /// What is wrong, and on which line.
    struct Failure: Error, Equatable {
        var line: Int
        var message: String
    }

    private let bytes: Bytes
    private var index = 0
    private var line = 1

    private init(_ bytes: Bytes) {
        self.bytes = bytes
    }

    /// The entries of a dotenv file, in file order.
    static func parse(_ bytes: Bytes) throws(Failure) -> [DotenvEntry] {
        guard !bytes.contains(0) else { throw Failure(line: Self.line(ofFirst: 0, in: bytes), message: "holds a NUL byte") }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Failure(line: 1, message: "is not UTF-8 text") }
        var parser = DotenvParser(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Bytes(bytes.dropFirst(3)) : bytes)
        return try parser.entries()
    }

    private static func line(ofFirst byte: UInt8, in bytes: Bytes) -> Int {
        guard let position = bytes.firstIndex(of: byte) else { return 1 }
        return bytes[..<position].filter { $0 == UInt8(ascii: "\n") }.count + 1
    }

    private mutating func entries() throws(Failure) -> [DotenvEntry] {
        var entries: [DotenvEntry] = []
        while index < bytes.count {
            skip(while: Self.isBlank)
            if index >= bytes.count { break }
            if bytes[index] == UInt8(ascii: "\n") {
                nextLine()
                continue
            }
            if bytes[index] == UInt8(ascii: "#") {
                skip { $0 != UInt8(ascii: "\n") }
                continue
            }
            entries.append(try entry())
        }
        return entries
    }

    private mutating func entry() throws(Failure) -> DotenvEntry {
        let entryLine = line
        var name = word()
        if name == "export" && index < bytes.count && Self.isBlank(bytes[index]) {
            skip(while: Self.isBlank)
            name = word()
        }
        skip(while: Self.isBlank)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
            let shown = name.isEmpty ? restOfLine() : name
            throw Failure(line: entryLine, message: "expected NAME=value, found '\(shown)'")
        }
        guard Environment.isValidName(name) else {
            throw Failure(line: entryLine, message: "'\(name)' is not a valid variable name; use letters, digits and '_'")
        }
        guard !ReservedNames.contains(name) else {
            throw Failure(line: entryLine, message: "\(name) cannot be set: hookctl or the shell depends on it; use another name")
        }
        index += 1
        skip(while: Self.isBlank)
        let parts: [DotenvEntry.Part]
        switch index < bytes.count ? bytes[index] : 0 {
        case UInt8(ascii: "'"): parts = [.text(try singleQuoted())]
        case UInt8(ascii: "\""): parts = try doubleQuoted()
        default: parts = unquoted()
        }
        skip(while: Self.isBlank)
        if index < bytes.count && bytes[index] == UInt8(ascii: "#") { skip { $0 != UInt8(ascii: "\n") } }
        guard index >= bytes.count || bytes[index] == UInt8(ascii: "\n") else {
            throw Failure(line: line, message: "unexpected '\(restOfLine())' after the closing quote of \(name)")
        }
        return DotenvEntry(name: name, parts: parts)
    }

    private mutating func word() -> String {
        let start = index
        skip(while: Environment.isNameByte)
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func singleQuoted() throws(Failure) -> String {
        let start = line
        index += 1
        let begin = index
        while index < bytes.count && bytes[index] != UInt8(ascii: "'") { advance() }
        guard index < bytes.count else { throw Failure(line: start, message: "the single quote opened here is never closed") }
        defer { index += 1 }
        return Self.text(bytes[begin..<index])
    }

    private mutating func doubleQuoted() throws(Failure) -> [DotenvEntry.Part] {
        let start = line
        index += 1
        var parts = PartsBuilder()
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") && index + 1 < bytes.count {
                let escaped: [UInt8: String] = [
                    UInt8(ascii: "n"): "\n", UInt8(ascii: "t"): "\t", UInt8(ascii: "r"): "\r", UInt8(ascii: "\""): "\"",
                    UInt8(ascii: "\\"): "\\", UInt8(ascii: "$"): "$",
                ]
                if let text = escaped[bytes[index + 1]] {
                    parts.append(.text(text))
                    index += 2
                    continue
                }
            }
            if byte == UInt8(ascii: "$"), let reference = reference() {
                parts.append(reference)
                continue
            }
            parts.append(byte)
            advance()
        }
        guard index < bytes.count else { throw Failure(line: start, message: "the double quote opened here is never closed") }
        index += 1
        return parts.finish()
    }

    /// Up to the line end or a ` #` comment, blanks trimmed.
    private mutating func unquoted() -> [DotenvEntry.Part] {
        var parts = PartsBuilder()
        var pendingBlanks = Bytes()
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") {
            let byte = bytes[index]
            if Self.isBlank(byte) {
                pendingBlanks.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "#") && !pendingBlanks.isEmpty { break }
            for blank in pendingBlanks { parts.append(blank) }
            pendingBlanks = []
            if byte == UInt8(ascii: "$"), let reference = reference() {
                parts.append(reference)
                continue
            }
            parts.append(byte)
            index += 1
        }
        return parts.finish()
    }

    /// `$NAME`, `${NAME}` or `${NAME:-default}` at `index`; nil (nothing read) when it is a plain `$`.
    private mutating func reference() -> DotenvEntry.Part? {
        let start = index
        index += 1
        let braced = index < bytes.count && bytes[index] == UInt8(ascii: "{")
        if braced { index += 1 }
        let name = word()
        guard Environment.isValidName(name) else {
            index = start
            return nil
        }
        guard braced else { return .reference(name, fallback: nil) }
        var fallback: String?
        if index + 1 < bytes.count && bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "-") {
            index += 2
            let begin = index
            while index < bytes.count && bytes[index] != UInt8(ascii: "}") && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            fallback = Self.text(bytes[begin..<index])
        }
        guard index < bytes.count && bytes[index] == UInt8(ascii: "}") else {
            index = start
            return nil
        }
        index += 1
        return .reference(name, fallback: fallback)
    }

    private mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") { line += 1 }
        index += 1
    }

    private mutating func nextLine() {
        index += 1
        line += 1
    }

    private mutating func skip(while predicate: (UInt8) -> Bool) {
        while index < bytes.count && predicate(bytes[index]) { index += 1 }
    }

    private func restOfLine() -> String {
        let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let text = Self.text(bytes[index..<end]).trimmingWhitespace()
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// Text with CRLF line ends made LF.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: SourceCapture.withoutCarriageReturns(Bytes(bytes)), as: UTF8.self)
    }
}

/// Collects literal bytes and references into parts.
private struct PartsBuilder {
    private var parts: [DotenvEntry.Part] = []
    private var literal = Bytes()

    mutating func append(_ byte: UInt8) { literal.append(byte) }

    mutating func append(_ part: DotenvEntry.Part) {
        flush()
        parts.append(part)
    }

    mutating func finish() -> [DotenvEntry.Part] {
        flush()
        return parts
    }

    private mutating func flush() {
        guard !literal.isEmpty else { return }
        parts.append(.text(String(decoding: SourceCapture.withoutCarriageReturns(literal), as: UTF8.self)))
        literal = []
    }
}
