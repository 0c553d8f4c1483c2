/// Checks that a source hook printed only variable assignments: every
/// command is `export ...`, `unset ...`, `declare ...`/`typeset ...`, or a
/// list of `NAME=value` words. Quotes, `$(...)`, `${...}` and backticks are
/// followed so that values may hold any text; what runs inside them runs in
/// the capturing bash, as the hook's own code would.
struct AssignmentScanner {
    /// The first command that is not an assignment.
    struct Violation: Equatable {
        var line: Int
        var text: String
    }

    private static let declarationCommands: Set<String> = ["export", "unset", "declare", "typeset"]

    private let bytes: Bytes
    private var index = 0
    private var line = 1

    private init(_ bytes: Bytes) {
        self.bytes = bytes
    }

    /// Nil when the output is only assignments.
    static func firstViolation(in output: Bytes) -> Violation? {
        var scanner = AssignmentScanner(output)
        return scanner.scan()
    }

    private mutating func scan() -> Violation? {
        var words: [String] = []
        var commandLine = 1
        while true {
            skipBlanks()
            let atEnd = index >= bytes.count
            if atEnd || isSeparator(bytes[index]) {
                if let violation = check(words, line: commandLine) { return violation }
                words = []
                if atEnd { return nil }
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                index += 1
                commandLine = line
                continue
            }
            if words.isEmpty { commandLine = line }
            if bytes[index] == UInt8(ascii: "#") {  // `#` at the start of a word begins a comment
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            guard let word = scanWord() else { return Violation(line: commandLine, text: "unterminated quote or substitution") }
            words.append(word)
        }
    }

    private func check(_ words: [String], line: Int) -> Violation? {
        guard let first = words.first else { return nil }
        if Self.declarationCommands.contains(first) || words.allSatisfy(Self.isAssignment) { return nil }
        return Violation(line: line, text: words.joined(separator: " "))
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
