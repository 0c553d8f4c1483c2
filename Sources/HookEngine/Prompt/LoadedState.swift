import ExtrasBase64

/// What a shell has loaded, carried in `HOOKCTL_DIFF`: the execution whose
/// environment is applied and each variable's value before the load (nil:
/// it was unset). Opaque to users: length-prefixed fields in base64.
struct LoadedState: Equatable {
    struct Entry: Equatable {
        var name: String
        var previous: Bytes?
    }

    static let formatVersion: UInt8 = 1

    var executionID: String
    var entries: [Entry]

    func encoded() -> String {
        var bytes: Bytes = [Self.formatVersion]
        Self.appendField(Bytes(executionID.utf8), to: &bytes)
        for entry in entries {
            Self.appendField(Bytes(entry.name.utf8), to: &bytes)
            if let previous = entry.previous {
                bytes.append(1)
                Self.appendField(previous, to: &bytes)
            } else {
                bytes.append(0)
            }
        }
        return Base64.encodeToString(bytes: bytes)
    }

    /// Decodes `HOOKCTL_DIFF`; nil when it is missing or not ours.
    init?(encoded text: String) {
        guard let bytes = try? Base64.decode(string: text), bytes.first == Self.formatVersion else { return nil }
        var reader = FieldReader(bytes: bytes, offset: 1)
        guard let execution = reader.field() else { return nil }
        executionID = String(decoding: execution, as: UTF8.self)
        entries = []
        while !reader.isAtEnd {
            guard let name = reader.field(), let flag = reader.byte() else { return nil }
            var previous: Bytes?
            if flag == 1 {
                guard let value = reader.field() else { return nil }
                previous = value
            }
            // Names are rendered into shell code on unload: only plain names
            // that a load could have written are accepted.
            let text = String(decoding: name, as: UTF8.self)
            guard Environment.isValidName(text), !ReservedNames.contains(text) else { return nil }
            entries.append(Entry(name: text, previous: previous))
        }
    }

    init(executionID: String, entries: [Entry]) {
        self.executionID = executionID
        self.entries = entries
    }

    private static func appendField(_ field: Bytes, to bytes: inout Bytes) {
        var length = field.count
        repeat {
            let low = UInt8(length & 0x7f)
            length >>= 7
            bytes.append(length > 0 ? low | 0x80 : low)
        } while length > 0
        bytes += field
    }

    private struct FieldReader {
        let bytes: Bytes
        var offset: Int

        var isAtEnd: Bool { offset >= bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func field() -> Bytes? {
            var length = 0
            var shift = 0
            while true {
                guard let next = byte(), shift < 35 else { return nil }
                length |= Int(next & 0x7f) << shift
                if next & 0x80 == 0 { break }
                shift += 7
            }
            guard length <= bytes.count - offset else { return nil }
            defer { offset += length }
            return Bytes(bytes[offset..<offset + length])
        }
    }
}
