/// Parses durations such as `30s`, `5m`, `1h30m`, `250ms` or a bare number of seconds.
enum DurationParser {
    /// The longest duration accepted, so that a deadline computed from it cannot overflow.
    static let maximumMilliseconds: Int64 = 1 << 60

    static func milliseconds(_ text: String) -> Int64? {
        let units: [(suffix: String, factor: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        var rest = Substring(text.trimmingWhitespace())
        if let seconds = Int64(rest), seconds > 0 { return seconds <= maximumMilliseconds / 1000 ? seconds * 1000 : nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }), number <= maximumMilliseconds / unit.factor else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += number * unit.factor
            if total > maximumMilliseconds { return nil }
        }
        return total > 0 ? total : nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
