/// A TOML 1.0 reader that keeps the line of every key and table, so that
/// validation can say `hookctl.toml:LINE` for any of them, in one linear
/// pass over the bytes.
///
/// Written here instead of using TOMLKit 0.6.0: TOMLKit never frees a parsed
/// document (its C layer exposes no destructor for the toml++ table) nor the
/// strings, keys and booleans it reads out (strdup/malloc without free).
/// Measured with valgrind on libhookengine.so: about 2 KB lost per parse of
/// a ten-line hookctl.toml (2,196 bytes definitely and 15,378 indirectly lost
/// over nine parses), growing without bound inside a long-lived bash that
/// hosts the engine. TOMLKit also keeps no positions, which made line
/// numbers a second, heuristic pass over the text.
enum TOMLReader {
    /// A TOML value. Dates and times are kept as written.
    indirect enum Value {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case dateTime(String)
        case array([Node])
        case table(Table)

        /// How a message names this kind of value.
        var kind: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a float"
            case .boolean: "a boolean"
            case .dateTime: "a date-time"
            case .array: "an array"
            case .table: "a table"
            }
        }
    }

    /// A value and the 1-based line of the key (or table header) that defines it.
    struct Node {
        var value: Value
        var line: Int
        /// The tables of a `[[header]]` array, which later headers extend in
        /// place (its `value` is then an empty array).
        fileprivate var tableArray: TableArray?

        var string: String? { if case .string(let text) = value { text } else { nil } }
        var boolean: Bool? { if case .boolean(let flag) = value { flag } else { nil } }
        var integer: Int64? { if case .integer(let number) = value { number } else { nil } }
        var array: [Node]? {
            if let tableArray { return tableArray.items }
            if case .array(let items) = value { return items }
            return nil
        }
        var table: Table? { if case .table(let table) = value { table } else { nil } }
    }

    /// The growing element list of a `[[header]]` array; a class, so that
    /// appending the ten-thousandth hook copies nothing.
    fileprivate final class TableArray {
        var items: [Node] = []
    }

    /// A table: its keys in the order written.
    final class Table {
        /// How the table came to be, which decides what may still add to it.
        fileprivate enum Origin {
            /// Named as the parent of a header (`[a.b]` makes `a`); a header may still define it.
            case implicit
            case header
            /// Made by a dotted key (`a.b = 1` makes `a`).
            case dotted
            /// `{ ... }`: complete as written.
            case inline
        }

        private(set) var keys: [String] = []
        private var entries: [String: Node] = [:]
        fileprivate var origin: Origin
        fileprivate(set) var line: Int

        fileprivate init(origin: Origin, line: Int) {
            self.origin = origin
            self.line = line
        }

        subscript(key: String) -> Node? { entries[key] }

        fileprivate func set(_ key: String, _ node: Node) {
            if entries[key] == nil { keys.append(key) }
            entries[key] = node
        }
    }

    /// A syntax error at `line`.
    struct SyntaxError: Error, Equatable {
        var line: Int
        var message: String
    }

    /// Parses `bytes` (UTF-8, an optional byte-order mark, LF or CRLF line ends).
    static func parse(_ bytes: Bytes) throws -> Table {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }
}

private struct Parser {
    typealias Node = TOMLReader.Node
    typealias Table = TOMLReader.Table

    let bytes: Bytes
    var index = 0
    var line = 1

    init(bytes: Bytes) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    // MARK: Document

    mutating func document() throws -> Table {
        try checkEncoding()
        let root = Table(origin: .header, line: 1)
        var current = root
        while true {
            skipSpaces()
            guard let byte = peek() else { return root }
            switch byte {
            case UInt8(ascii: "#"):
                try skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try newline()
            case UInt8(ascii: "["):
                current = try header(root)
                try endOfLine()
            default:
                try keyValue(into: current)
                try endOfLine()
            }
        }
    }

    /// Every line must be UTF-8; the first that is not is the error's line.
    private func checkEncoding() throws {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        var number = 1
        for chunk in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil {
                throw TOMLReader.SyntaxError(line: number, message: "the file is not valid UTF-8; save it as UTF-8")
            }
            number += 1
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the table that the lines after it fill.
    private mutating func header(_ root: Table) throws -> Table {
        let headerLine = line
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        skipSpaces()
        let path = try keyPath()
        skipSpaces()
        try expect("]", "expected ']' to close the table header")
        if isArray { try expect("]", "expected ']]' to close the array-of-tables header") }
        let name = path.joined(separator: ".")
        var table = root
        for segment in path.dropLast() {
            table = try descend(table, segment, name: name)
        }
        let last = path[path.count - 1]
        if isArray {
            let element = Table(origin: .header, line: headerLine)
            if let existing = table[last] {
                guard let tables = existing.tableArray else {
                    throw error("cannot define [[\(name)]]: '\(name)' is already \(existing.value.kind)", at: headerLine)
                }
                tables.items.append(Node(value: .table(element), line: headerLine))
            } else {
                var node = Node(value: .array([]), line: headerLine)
                node.tableArray = TOMLReader.TableArray()
                node.tableArray?.items.append(Node(value: .table(element), line: headerLine))
                table.set(last, node)
            }
            return element
        }
        if let existing = table[last] {
            guard case .table(let defined) = existing.value, defined.origin == .implicit else {
                throw error("table [\(name)] is defined twice", at: headerLine)
            }
            defined.origin = .header
            defined.line = headerLine
            table.set(last, Node(value: .table(defined), line: headerLine))
            return defined
        }
        let created = Table(origin: .header, line: headerLine)
        table.set(last, Node(value: .table(created), line: headerLine))
        return created
    }

    /// The table `segment` names inside `table`, created as an implicit parent when missing.
    private func descend(_ table: Table, _ segment: String, name: String) throws -> Table {
        guard let existing = table[segment] else {
            let created = Table(origin: .implicit, line: line)
            table.set(segment, Node(value: .table(created), line: line))
            return created
        }
        switch existing.value {
        case .table(let child) where child.origin != .inline:
            return child
        case .array where existing.tableArray != nil:
            if let last = existing.tableArray?.items.last?.table { return last }
        default:
            break
        }
        throw error("cannot define [\(name)]: '\(segment)' is already \(existing.value.kind)")
    }

    /// `key = value` (the key possibly dotted) into `table`.
    private mutating func keyValue(into table: Table) throws {
        let keyLine = line
        let path = try keyPath()
        skipSpaces()
        try expect("=", "expected '=' after the key '\(path.joined(separator: "."))'")
        skipSpaces()
        let value = try self.value()
        var target = table
        for segment in path.dropLast() {
            if let existing = target[segment] {
                guard case .table(let child) = existing.value, child.origin == .dotted || child.origin == .implicit
                else {
                    throw error("cannot add to '\(segment)': it is already \(existing.value.kind)", at: keyLine)
                }
                target = child
            } else {
                let created = Table(origin: .dotted, line: keyLine)
                target.set(segment, Node(value: .table(created), line: keyLine))
                target = created
            }
        }
        let last = path[path.count - 1]
        guard target[last] == nil else {
            throw error("the key '\(path.joined(separator: "."))' is defined twice", at: keyLine)
        }
        target.set(last, Node(value: value, line: keyLine))
    }

    // MARK: Keys

    private mutating func keyPath() throws -> [String] {
        var path = [try simpleKey()]
        while true {
            let mark = index
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else {
                index = mark
                return path
            }
            index += 1
            skipSpaces()
            path.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws -> String {
        switch peek() {
        case UInt8(ascii: "\""): return try basicString()
        case UInt8(ascii: "'"): return try literalString()
        default:
            let start = index
            while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
            guard index > start else { throw error("expected a key") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func value() throws -> TOMLReader.Value {
        guard let byte = peek() else { throw error("expected value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(bytes[index...].starts(with: Array("\"\"\"".utf8)) ? try multilineString(quote: byte) : try basicString())
        case UInt8(ascii: "'"):
            return .string(bytes[index...].starts(with: Array("'''".utf8)) ? try multilineString(quote: byte) : try literalString())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if word("true") { return .boolean(true) }
            if word("false") { return .boolean(false) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try numberOrDate()
        default:
            break
        }
        throw error("expected value, found '\(describe(byte))'")
    }

    /// Consumes `text` when it stands here as a whole word.
    private mutating func word(_ text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard bytes[index...].starts(with: pattern) else { return false }
        let end = index + pattern.count
        if end < bytes.count, Self.isBareKeyByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { return false }
        index = end
        return true
    }

    private mutating func numberOrDate() throws -> TOMLReader.Value {
        let start = index
        while let byte = peek(), Self.isNumberByte(byte) || (byte == UInt8(ascii: " ") && isDateTimeSpace(start)) {
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if let number = Self.integer(text) { return .integer(number) }
        if let number = Self.float(text) { return .float(number) }
        if Self.isDateTime(text) { return .dateTime(text) }
        throw error("expected value, found '\(text)'", at: line)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// A space between a date and a time (`1979-05-27 07:32:00`) belongs to the value.
    private func isDateTimeSpace(_ start: Int) -> Bool {
        let sofar = bytes[start..<index]
        return sofar.count == 10 && sofar.filter({ $0 == UInt8(ascii: "-") }).count == 2 && index + 1 < bytes.count
            && (0x30...0x39).contains(bytes[index + 1])
    }

    private static func integer(_ text: String) -> Int64? {
        var body = Substring(text)
        var radix = 10
        var negative = false
        if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
            radix = body.hasPrefix("0x") ? 16 : body.hasPrefix("0o") ? 8 : 2
            body = body.dropFirst(2)
        } else {
            if body.first == "+" || body.first == "-" {
                negative = body.first == "-"
                body = body.dropFirst()
            }
            if body.count > 1 && body.first == "0" { return nil }
        }
        guard validUnderscores(body), !body.isEmpty else { return nil }
        let digits = body.filter { $0 != "_" }
        guard let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    private static func float(_ text: String) -> Double? {
        var body = Substring(text)
        let sign: Double = body.first == "-" ? -1 : 1
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        if body == "inf" { return sign * .infinity }
        if body == "nan" { return .nan }
        guard body.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), validUnderscores(body) else { return nil }
        let integerPart = body.prefix { $0.isNumber || $0 == "_" }
        guard !integerPart.isEmpty, integerPart == "0" || integerPart.first != "0" else { return nil }
        if let dot = body.firstIndex(of: ".") {
            let after = body[body.index(after: dot)...]
            guard let first = after.first, first.isNumber else { return nil }
        }
        return Double(String(body.filter { $0 != "_" })).map { sign * $0 }
    }

    /// Underscores only between two digits.
    private static func validUnderscores(_ text: Substring) -> Bool {
        let characters = Array(text)
        for (position, character) in characters.enumerated() where character == "_" {
            guard position > 0, position < characters.count - 1, characters[position - 1].isHexDigit,
                characters[position + 1].isHexDigit
            else { return false }
        }
        return true
    }

    private static func isDateTime(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        return digits >= 6 && text.first?.isNumber == true && (text.contains("-") || text.contains(":"))
            && text.allSatisfy { $0.isNumber || "-:.TtZz+ ".contains($0) }
    }

    private mutating func array() throws -> TOMLReader.Value {
        let arrayLine = line
        index += 1
        var items: [Node] = []
        while true {
            try skipBlank()
            guard let byte = peek() else { throw error("the array opened on line \(arrayLine) is not closed; add ']'") }
            if byte == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            let itemLine = line
            items.append(Node(value: try value(), line: itemLine))
            try skipBlank()
            if peek() == nil {
                throw error("the array opened on line \(arrayLine) is not closed; add ']'")
            } else if peek() == UInt8(ascii: ",") {
                index += 1
            } else if peek() != UInt8(ascii: "]") {
                throw error("expected ',' or ']' in the array")
            }
        }
    }

    private mutating func inlineTable() throws -> TOMLReader.Value {
        index += 1
        let table = Table(origin: .header, line: line)
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            index += 1
            table.origin = .inline
            return .table(table)
        }
        while true {
            skipSpaces()
            try keyValue(into: table)
            skipSpaces()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                table.origin = .inline
                return .table(table)
            default:
                throw error("expected ',' or '}' in the inline table (inline tables stay on one line)")
            }
        }
    }

    // MARK: Strings

    private mutating func basicString() throws -> String {
        index += 1
        var out = Bytes()
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else {
                throw error("error while parsing string: it is not closed; add '\"' before the end of the line")
            }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                out += try escape()
            default:
                try checkStringByte(byte)
                out.append(byte)
            }
        }
    }

    /// `"""..."""` (with escapes and line-ending backslashes) or `'''...'''` (as written).
    private mutating func multilineString(quote: UInt8) throws -> String {
        let isBasic = quote == UInt8(ascii: "\"")
        let openLine = line
        index += 3
        try skipFirstNewline()
        var out = Bytes()
        while true {
            guard let byte = peek() else {
                let delimiter = String(repeating: Character(Unicode.Scalar(quote)), count: 3)
                throw error("error while parsing string: the string opened on line \(openLine) is not closed; add \(delimiter)")
            }
            if let extra = closingQuotes(quote) {
                return String(decoding: out + Bytes(repeating: quote, count: extra), as: UTF8.self)
            }
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                try newline()
                out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "\\") where isBasic:
                index += 1
                if let next = peek(), [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(next) {
                    // A line-ending backslash removes the line break and the blanks after it.
                    skipSpaces()
                    guard peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") else {
                        throw error("error while parsing string: only a line break may follow '\\' here")
                    }
                    while let blank = peek(), [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(blank) {
                        if blank == UInt8(ascii: "\n") || blank == UInt8(ascii: "\r") { try newline() } else { index += 1 }
                    }
                } else {
                    out += try escape()
                }
            default:
                try checkStringByte(byte)
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func literalString() throws -> String {
        index += 1
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            guard byte != UInt8(ascii: "\n") else {
                throw error("error while parsing string: it is not closed; add \"'\" before the end of the line")
            }
            try checkStringByte(byte)
            index += 1
        }
        guard peek() != nil else { throw error("error while parsing string: it is not closed; add \"'\"") }
        index += 1
        return String(decoding: bytes[start..<index - 1], as: UTF8.self)
    }

    /// At three or more `quote`s, the end of a multi-line string: consumes
    /// them (up to five) and returns how many belong to the content (0 to 2).
    private mutating func closingQuotes(_ quote: UInt8) -> Int? {
        guard bytes[index...].starts(with: [quote, quote, quote]) else { return nil }
        var quotes = 0
        while peek() == quote && quotes < 5 {
            index += 1
            quotes += 1
        }
        return quotes - 3
    }

    private mutating func skipFirstNewline() throws {
        if peek() == UInt8(ascii: "\n") || (peek() == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) {
            try newline()
        }
    }

    /// The bytes an escape after `\` stands for.
    private mutating func escape() throws -> Bytes {
        guard let byte = peek() else { throw error("error while parsing string: it ends in an escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "e"): return [0x1B]
        case UInt8(ascii: "\""): return [UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): return [UInt8(ascii: "\\")]
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(code)
            else { throw error("error while parsing string: '\\\(Character(Unicode.Scalar(byte)))' needs \(count) hex digits of a Unicode scalar") }
            index += count
            return Bytes(String(Character(scalar)).utf8)
        default:
            throw error("error while parsing string: unknown escape '\\\(describe(byte))'")
        }
    }

    /// Control characters other than tab must be escaped in strings.
    private func checkStringByte(_ byte: UInt8) throws {
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error("error while parsing string: control character \(describe(byte)) must be escaped")
        }
    }

    // MARK: Blanks and lines

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    private mutating func skipComment() throws {
        while let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
            if byte < 0x20 && byte != 0x09 || byte == 0x7F { throw error("control character \(describe(byte)) in a comment") }
            index += 1
        }
    }

    /// `\n` or `\r\n`; a lone carriage return is an error.
    private mutating func newline() throws {
        if peek() == UInt8(ascii: "\r") {
            guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") else {
                throw error("a carriage return must be followed by a line feed")
            }
            index += 1
        }
        index += 1
        line += 1
    }

    /// Blanks, comments and line breaks, as arrays allow between values.
    private mutating func skipBlank() throws {
        while true {
            skipSpaces()
            switch peek() {
            case UInt8(ascii: "#"): try skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try newline()
            default: return
            }
        }
    }

    /// After a value or header: blanks, a comment, then a line break or the end.
    private mutating func endOfLine() throws {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let byte = peek() else { return }
        guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
            throw error("expected a line break after the value, found '\(describe(byte))'")
        }
        try newline()
    }

    private mutating func expect(_ character: Character, _ message: String) throws {
        guard peek() == character.asciiValue else { throw error(message) }
        index += 1
    }

    private func error(_ message: String, at line: Int? = nil) -> TOMLReader.SyntaxError {
        TOMLReader.SyntaxError(line: line ?? self.line, message: message)
    }

    /// A byte as a message shows it: itself when printable, else its code.
    private func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "U+\(String(byte, radix: 16, uppercase: true))"
    }
}
