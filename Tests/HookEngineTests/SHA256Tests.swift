import Testing

@testable import HookEngine

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(SHA256.hex(Bytes(message.utf8)) == digest)
        var hasher = SHA256()
        hasher.update(message)
        #expect(hasher.finalize() == digest)
    }

    @Test func oneMillionA() {
        let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(Bytes(repeating: UInt8(ascii: "a"), count: 1_000_000)) == digest)
        var hasher = SHA256()
        let thousand = Bytes(repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        #expect(hasher.finalize() == digest)
    }

    @Test func chunkedUpdatesEqualOneShot() {
        var generator = SeededGenerator(seed: 42)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = SHA256.hex(message)
            for chunkSize in [1, 3, 7, 63, 64, 65] {
                var hasher = SHA256()
                var offset = 0
                while offset < message.count {
                    let end = min(offset + chunkSize, message.count)
                    hasher.update(message[offset..<end])
                    offset = end
                }
                #expect(hasher.finalize() == expected, "length \(length), chunks of \(chunkSize)")
            }
        }
    }

    @Test func emptyUpdatesChangeNothing() {
        var hasher = SHA256()
        hasher.update(Bytes())
        hasher.update("ab")
        hasher.update(Bytes())
        hasher.update("c")
        #expect(hasher.finalize() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Every length around the padding boundaries, against coreutils' sha256sum.
    @Test func matchesSha256sum() throws {
        let sha256sum = try #require(TestSupport.which("sha256sum"))
        var generator = SeededGenerator(seed: 7)
        for length in 0...130 {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let result = try TestSupport.run(sha256sum, [], environment: [:], input: message)
            let expected = String(decoding: result.stdout.prefix(64), as: UTF8.self)
            #expect(SHA256.hex(message) == expected, "length \(length)")
        }
    }
}
