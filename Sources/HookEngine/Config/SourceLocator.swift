/// Finds the line of a table or key in hookctl.toml, so that validation
/// errors can say `hookctl.toml:LINE`. TOMLKit keeps no positions for
/// values, so this reads the text; keys written in inline tables are not
/// found and the error then has no line.
struct SourceLocator {
    private let lines: [String]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    /// The 1-based line of the `occurrence`-th (0-based) `[header]` or `[[header]]`.
    func line(ofTable header: String, occurrence: Int = 0) -> Int? {
        var seen = 0
        for (index, line) in lines.enumerated() where Self.tableName(line) == header {
            if seen == occurrence { return index + 1 }
            seen += 1
        }
        return nil
    }

    /// The line of `key` inside the given table, or at the top level when `header` is nil.
    func line(ofKey key: String, inTable header: String? = nil, occurrence: Int = 0) -> Int? {
        var start = 0
        if let header {
            guard let tableLine = line(ofTable: header, occurrence: occurrence) else { return nil }
            start = tableLine
        }
        for index in start..<lines.count {
            let line = lines[index].trimmingWhitespace()
            if line.hasPrefix("[") { break }
            if Self.keyName(line) == key { return index + 1 }
        }
        return header.flatMap { line(ofTable: $0, occurrence: occurrence) }
    }

    private static func tableName(_ line: String) -> String? {
        var text = line.trimmingWhitespace()
        if let comment = text.firstIndex(of: "#") { text = String(text[..<comment]).trimmingWhitespace() }
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        return String(text.filter { $0 != "[" && $0 != "]" && $0 != " " && $0 != "\t" && $0 != "\"" })
    }

    private static func keyName(_ line: String) -> String? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let key = String(line[..<equals]).trimmingWhitespace()
        return String(key.filter { $0 != "\"" && $0 != "'" })
    }
}
