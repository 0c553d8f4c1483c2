/// Hides secret values wherever hookctl prints or logs them.
public enum Redaction {
    public static let mask = "****"
    private static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "KEY"]

    /// Whether a variable name marks its value as secret.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()[...]
        return secretMarkers.contains { upper.firstRange(ofUTF8: $0) != nil }
    }

    /// Values that assignment lines in `output` (`export NAME=value`,
    /// `NAME='value'`) give to secret names, so a source hook's own output is
    /// masked before its exports are captured, and also when it fails.
    static func assignedValues(in output: Bytes, isSecret: (String) -> Bool) -> [String] {
        var values: [String] = []
        for line in output.split(separator: UInt8(ascii: "\n")) {
            var text = String(decoding: line, as: UTF8.self).trimmingWhitespace()
            if text.hasPrefix("export ") { text = String(text.dropFirst(7)).trimmingWhitespace() }
            guard let equals = text.firstIndex(of: "="), Environment.isValidName(String(text[..<equals])),
                isSecret(String(text[..<equals]))
            else { continue }
            var value = String(text[text.index(after: equals)...])
            if value.count >= 2, let quote = value.first, quote == value.last, quote == "\"" || quote == "'" {
                value = String(value.dropFirst().dropLast())
            }
            values.append(value)
        }
        return values
    }

    /// `text` with every occurrence of each secret value replaced by the mask.
    /// Values shorter than four bytes are left alone: masking them would hide
    /// ordinary text without protecting anything.
    public static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.utf8.count >= 4 {
            result = result.replacingAll(secret, with: mask)
        }
        return result
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(ofUTF8: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func firstRange(ofUTF8 target: String) -> Range<Substring.Index>? {
        let needle = Array(target.utf8)
        let haystack = utf8
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = haystack.startIndex
        while index != haystack.endIndex {
            if haystack[index] == first, haystack[index...].starts(with: needle) {
                let end = haystack.index(index, offsetBy: needle.count)
                return index..<end
            }
            index = haystack.index(after: index)
        }
        return nil
    }
}
