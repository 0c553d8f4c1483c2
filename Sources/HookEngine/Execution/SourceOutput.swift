/// Splits what a source hook printed into the assignments a capture bash
/// evaluates and the *message lines* it shows. A command is an assignment
/// when it is `export ...`, `unset ...`, `declare ...`/`typeset ...`, or a
/// list of `NAME=value` words; quotes, `$(...)`, `${...}` and backticks are
/// followed so that values may hold any text (what runs inside them runs in
/// the capturing bash, as the hook's own code would). Any other line, such
/// as `Fetching environment from vault...`, is a message: it is shown and
/// logged, and blanked out of what bash reads, so it never runs.
struct SourceOutput: Equatable {
    /// A line of output that is not an assignment.
    struct Message: Equatable {
        var line: Int
        var text: String
    }

    /// The output with every message line made empty (line numbers kept).
    var exports: Bytes
    var messages: [Message]

    /// Splits all of `output`, as printed by a hook that has ended.
    init(_ output: Bytes) {
        var scanner = Scanner(output)
        var exports = Bytes()
        var messages: [Message] = []
        exports.reserveCapacity(output.count)
        while let piece = scanner.next(final: true) {
            switch piece {
            case .assignments(let range): exports += output[range]
            case .message(let message, let lineEnd):
                messages.append(message)
                if lineEnd { exports.append(UInt8(ascii: "\n")) }
            }
        }
        self.exports = exports
        self.messages = messages
    }

    /// Reads the messages of a hook that is still printing, as far as its
    /// output can be decided: a line that may still continue waits.
    struct Stream {
        private var offset = 0
        private var line = 1

        /// The messages found in `output` since the last call; `output` only grows.
        mutating func messages(in output: Bytes) -> [Message] {
            var scanner = Scanner(output, from: offset, line: line)
            var found: [Message] = []
            while let piece = scanner.next(final: false) {
                if case .message(let message, _) = piece { found.append(message) }
                offset = scanner.index
                line = scanner.line
            }
            return found
        }
    }
}

/// The scanner behind `SourceOutput`: one logical line (a command list up to
/// an unquoted newline) at a time.
private struct Scanner {
    enum Piece {
        /// Bytes of only assignments, its line end included.
        case assignments(Range<Int>)
        /// A message line, and whether it ended in a newline.
        case message(SourceOutput.Message, lineEnd: Bool)
    }

    private static let declarationCommands: Set<String> = ["export", "unset", "declare", "typeset"]

    private let bytes: Bytes
    private(set) var index: Int
    private(set) var line: Int

    init(_ bytes: Bytes, from index: Int = 0, line: Int = 1) {
        self.bytes = bytes
        self.index = index
        self.line = line
    }

    /// The next piece, or nil at the end (before `final`, also at a line
    /// that the output may still complete).
    mutating func next(final: Bool) -> Piece? {
        guard index < bytes.count else { return nil }
        let start = index
        let startLine = line
        switch scanLogicalLine(final: final) {
        case .assignments: return .assignments(start..<index)
        case .incomplete:
            index = start
            line = startLine
            return nil
        case .message:
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            if end == nil && !final {
                index = start
                line = startLine
                return nil
            }
            index = end.map { $0 + 1 } ?? bytes.count
            line = startLine + 1
            let text = String(decoding: bytes[start..<(end ?? bytes.count)], as: UTF8.self)
            return .message(.init(line: startLine, text: text.trimmingWhitespace()), lineEnd: end != nil)
        }
    }

    private enum Outcome { case assignments, message, incomplete }

    private mutating func scanLogicalLine(final: Bool) -> Outcome {
        var words: [String] = []
        while true {
            skipBlanks()
            let atEnd = index >= bytes.count
            if atEnd && !final { return .incomplete }
            if atEnd || isSeparator(bytes[index]) {
                if !Self.isAssignment(command: words) { return .message }
                words = []
                if atEnd { return .assignments }
                let separator = bytes[index]
                index += 1
                if separator == UInt8(ascii: "\n") {
                    line += 1
                    return .assignments
                }
                continue
            }
            if bytes[index] == UInt8(ascii: "#") {  // `#` at the start of a word begins a comment
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            // A command that starts with neither a declaration nor `NAME=` is
            // a message, decided before its first word is even complete.
            if words.isEmpty && !startsAssignmentOrDeclaration() { return .message }
            guard let word = scanWord(), final || index < bytes.count else { return final ? .message : .incomplete }
            words.append(word)
        }
    }

    /// Whether the word at `index` begins with `NAME=`, `NAME+=` or is a
    /// declaration command (`export`, `unset`, ...) followed by a blank or an end.
    private func startsAssignmentOrDeclaration() -> Bool {
        var end = index
        while end < bytes.count && Environment.isNameByte(bytes[end]) { end += 1 }
        guard end > index else { return false }
        let name = String(decoding: bytes[index..<end], as: UTF8.self)
        guard end < bytes.count else { return true }  // the word may still become either
        let next = bytes[end]
        if next == UInt8(ascii: "=") || (next == UInt8(ascii: "+") && end + 1 < bytes.count && bytes[end + 1] == UInt8(ascii: "=")) {
            return Environment.isValidName(name)
        }
        if next == UInt8(ascii: "+") && end + 1 == bytes.count { return true }
        return Self.declarationCommands.contains(name)
            && (next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\r") || isSeparator(next))
    }

    private static func isAssignment(command words: [String]) -> Bool {
        guard let first = words.first else { return true }
        return declarationCommands.contains(first) || words.allSatisfy(isAssignment)
    }

    private static func isAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "=") else { return false }
        var name = word[..<equals]
        if name.hasSuffix("+") { name = name.dropLast() }
        return Environment.isValidName(String(name))
    }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "|")
    }

    private mutating func skipBlanks() {
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") || bytes[index] == UInt8(ascii: "\r") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") {
                index += 2
                line += 1
            } else {
                return
            }
        }
    }

    /// One word up to an unquoted blank or separator; nil when a quote never closes.
    private mutating func scanWord() -> String? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || isSeparator(byte) { break }
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") {
                // Subshells and function definitions are code, not assignments.
                index += 1
                return "("
            }
            guard skipQuotedOrPlain() else { return nil }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Advances over one character, escape, quoted string or substitution.
    private mutating func skipQuotedOrPlain() -> Bool {
        let byte = bytes[index]
        let next = index + 1 < bytes.count ? bytes[index + 1] : 0
        switch byte {
        case UInt8(ascii: "\\"):
            index += 2
            return index <= bytes.count
        case UInt8(ascii: "'"):
            return skip(past: UInt8(ascii: "'"), from: index + 1, escapes: false)
        case UInt8(ascii: "\""):
            return skipDoubleQuoted()
        case UInt8(ascii: "`"):
            return skip(past: UInt8(ascii: "`"), from: index + 1, escapes: true)
        case UInt8(ascii: "$") where next == UInt8(ascii: "'"):
            return skip(past: UInt8(ascii: "'"), from: index + 2, escapes: true)
        case UInt8(ascii: "$") where next == UInt8(ascii: "(") || next == UInt8(ascii: "{"):
            return skipNested(from: index + 2, open: next, close: next == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}"))
        default:
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += 1
            return true
        }
    }

    private mutating func skip(past terminator: UInt8, from start: Int, escapes: Bool) -> Bool {
        index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if escapes && bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == terminator {
                index += 1
                return true
            }
            index += 1
        }
        return false
    }

    private mutating func skipDoubleQuoted() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "\\") {
                if byte == UInt8(ascii: "$") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "'") {
                    index += 1  // $' has no special meaning inside double quotes
                    continue
                }
                guard skipQuotedOrPlain() else { return false }
                continue
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        return false
    }

    private mutating func skipNested(from start: Int, open: UInt8, close: UInt8) -> Bool {
        index = start
        var depth = 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == close {
                depth -= 1
                index += 1
                if depth == 0 { return true }
                continue
            }
            if byte == open { depth += 1 }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "\\")
                || byte == UInt8(ascii: "$")
            {
                guard skipQuotedOrPlain() else { return false }
                continue
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        return false
    }
}
