import Foundation
import Testing

@testable import HookEngine

@Suite struct JSONTests {
    @Test func escapesStrings() {
        let text = JSON.string("a\"b\\c\nd\re\tf\u{01}g\u{1f}h/é🙂\u{7f}").serialized()
        #expect(text == #""a\"b\\c\nd\re\tf\u0001g\u001fh/é🙂\#u{7f}""#)
    }

    @Test func serializesEveryKindInOrder() {
        let value = JSON.object([
            ("z", .number(-12)), ("a", .array([.null, .bool(true), .bool(false), .string("")])), ("m", .object([])), ("e", .array([])),
        ])
        #expect(value.serialized() == #"{"z": -12, "a": [null, true, false, ""], "m": {}, "e": []}"#)
    }

    @Test func controlCharactersRoundTripThroughAParser() throws {
        let original = String(decoding: (1...0x7f).map { UInt8($0) }, as: UTF8.self) + "é🙂\u{2028}"
        let text = JSON.array([.string(original)]).serialized()
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == [original])
    }
}
