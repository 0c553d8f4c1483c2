import Testing

@testable import HookEngine

@Suite struct RedactionTests {
    @Test(arguments: [
        "AUTH_TOKEN", "github_token", "Token", "MY_SECRET", "client_secret_id", "DB_PASSWORD", "password", "PASSWD",
        "AWS_CREDENTIALS", "credential", "API_KEY", "ssh_key_path", "KEYCHAIN",
    ])
    func secretNames(name: String) {
        #expect(Redaction.isSecretName(name))
    }

    @Test(arguments: ["PATH", "HOME", "DATABASE_HOST", "USER", "TOKE", "PASS", "KE_Y", ""])
    func ordinaryNames(name: String) {
        #expect(!Redaction.isSecretName(name))
    }

    @Test func configSecretsAddToTheNames() {
        var config = ProjectConfig(root: "/p")
        config.secretNames = ["DATABASE_URL"]
        #expect(config.isSecret("DATABASE_URL"))
        #expect(config.isSecret("API_KEY"))
        #expect(!config.isSecret("DATABASE_HOST"))
    }

    @Test func masksEveryOccurrence() {
        #expect(Redaction.mask == "****")
        #expect(Redaction.redact("token=abcd1234 and again abcd1234.", secrets: ["abcd1234"]) == "token=**** and again ****.")
        #expect(Redaction.redact("a: s3cr3t, b: hunter22", secrets: ["s3cr3t", "hunter22"]) == "a: ****, b: ****")
        #expect(Redaction.redact("nothing here", secrets: ["abcd1234"]) == "nothing here")
        #expect(Redaction.redact("nothing here", secrets: []) == "nothing here")
    }

    @Test func masksTheLongestSecretFirst() {
        #expect(Redaction.redact("x-abcdefgh-x abcdef", secrets: ["abcdef", "abcdefgh"]) == "x-****-x ****")
    }

    @Test func leavesShortValuesAlone() {
        #expect(Redaction.redact("on a bus", secrets: ["a", "on", "bus", ""]) == "on a bus")
        #expect(Redaction.redact("four", secrets: ["four"]) == "****")
    }

    @Test func masksUnicodeAndMultilineSecrets() {
        #expect(Redaction.redact("é🙂é🙂!", secrets: ["é🙂é🙂"]) == "****!")
        #expect(Redaction.redact("begin\nline1\nline2\nend", secrets: ["line1\nline2"]) == "begin\n****\nend")
        #expect(Redaction.redact("aaaaaaaa", secrets: ["aaaa"]) == "********")
    }

    @Test func assignedValuesFindSecretAssignmentsInHookOutput() {
        let output = Array("export API_TOKEN='tok en'\nPLAIN=visible\n  export DB_PASSWORD=\"pw\"\necho KEY=nope-not-an-assignment\n".utf8)
        let values = Redaction.assignedValues(in: output, isSecret: Redaction.isSecretName)
        #expect(values == ["tok en", "pw"])
    }
}
