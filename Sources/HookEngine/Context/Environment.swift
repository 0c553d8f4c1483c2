#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Reading and describing process environments.
public enum Environment {
    /// The variables of a NULL-terminated array of `NAME=value` C strings
    /// (`environ`, or what a C host passes), byte-exact; the first of two
    /// entries with the same name wins, as in `getenv`.
    public static func parse(_ entries: UnsafePointer<UnsafePointer<CChar>?>) -> EnvironmentMap {
        var result = EnvironmentMap()
        var pointer = entries
        while let entry = pointer.pointee {
            let bytes = Bytes(UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry)))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                if result[name] == nil { result[name] = Bytes(bytes[(equals + 1)...]) }
            }
            pointer += 1
        }
        return result
    }

    /// Parses `NAME=value` entries separated by NUL bytes, as `env -0` prints them.
    static func parseNullSeparated(_ bytes: some Collection<UInt8>) -> EnvironmentMap {
        var result = EnvironmentMap()
        for entry in bytes.split(separator: 0) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: entry[entry.startIndex..<equals], as: UTF8.self)
            guard isValidName(name) else { continue }
            result[name] = Bytes(entry[entry.index(after: equals)...])
        }
        return result
    }

    /// Whether `name` is a portable variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy(isNameByte)
    }

    /// Whether `byte` may stand in a variable name: `[A-Za-z0-9_]`.
    static func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || isLetter(byte) || (byte >= 48 && byte <= 57)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
