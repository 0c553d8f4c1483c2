import Testing

@testable import HookEngine

@Suite struct DotenvTests {
    /// The variables of `text`, expanded over `base`, as text.
    private func values(_ text: String, base: EnvironmentMap = [:]) throws -> [String: String] {
        var scope = base
        var result: [String: String] = [:]
        for entry in try DotenvParser.parse(Bytes(text.utf8)) {
            let value = entry.value(in: scope)
            scope[entry.name] = value
            result[entry.name] = String(decoding: value, as: UTF8.self)
        }
        return result
    }

    private func failure(_ bytes: Bytes) -> DotenvParser.Failure? {
        do {
            _ = try DotenvParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func failure(_ text: String) -> DotenvParser.Failure? { failure(Bytes(text.utf8)) }

    @Test func plainValuesCommentsAndExport() throws {
        let text = """
            # a comment
            PLAIN=value
            export EXPORTED=yes
              SPACED = around the equals sign  
            EMPTY=
            HASH=a#b
            COMMENTED=value # a comment
            URL=https://example.com/?a=1&b=2

            """
        #expect(
            try values(text) == [
                "PLAIN": "value", "EXPORTED": "yes", "SPACED": "around the equals sign", "EMPTY": "", "HASH": "a#b",
                "COMMENTED": "value", "URL": "https://example.com/?a=1&b=2",
            ])
    }

    @Test func singleQuotesAreLiteral() throws {
        #expect(try values("A='$HOME \\n # not a comment'\n") == ["A": "$HOME \\n # not a comment"])
        #expect(try values("A='line one\nline two'\n") == ["A": "line one\nline two"])
        #expect(failure("A='it''s'")?.line == 1)  // no shell-style concatenation of quoted parts
    }

    @Test func doubleQuotesUnderstandEscapesAndSpanLines() throws {
        #expect(try values(#"A="tab\tnewline\nquote\"backslash\\dollar\$x other\q""#) == ["A": "tab\tnewline\nquote\"backslash\\dollar$x other\\q"])
        #expect(try values("KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\n") == ["KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1"])
        #expect(try values("A=\"value\" # comment\n") == ["A": "value"])
    }

    @Test func referencesExpandFromEarlierKeysThenTheEnvironment() throws {
        let text = """
            HOST=db.local
            URL=postgres://${HOST}:$PORT/app
            QUOTED="${HOST}/x"
            LITERAL='${HOST}'
            FALLBACK=${MISSING:-default value}
            UNSET=[$MISSING]
            DOLLAR=cost $5 and $ alone
            """
        #expect(
            try values(text, base: ["PORT": Bytes("5432".utf8)]) == [
                "HOST": "db.local", "URL": "postgres://db.local:5432/app", "QUOTED": "db.local/x", "LITERAL": "${HOST}",
                "FALLBACK": "default value", "UNSET": "[]", "DOLLAR": "cost $5 and $ alone",
            ])
    }

    @Test func commandSubstitutionIsNeverRun() throws {
        #expect(try values("A=$(touch /tmp/hookctl-dotenv-ran)\nB=`id`\nC=\"$(id)\"\n") == ["A": "$(touch /tmp/hookctl-dotenv-ran)", "B": "`id`", "C": "$(id)"])
    }

    @Test func crlfAndAByteOrderMark() throws {
        let bytes: Bytes = [0xEF, 0xBB, 0xBF] + Bytes("A=1\r\nB=\"two\r\nlines\"\r\nC='x'\r\n".utf8)
        var result: [String: String] = [:]
        for entry in try DotenvParser.parse(bytes) { result[entry.name] = String(decoding: entry.value(in: [:]), as: UTF8.self) }
        #expect(result == ["A": "1", "B": "two\nlines", "C": "x"])
    }

    @Test func aLaterValueReplacesAnEarlierOne() throws {
        #expect(try values("A=1\nA=2\nB=$A\n") == ["A": "2", "B": "2"])
    }

    @Test func errorsNameTheirLine() {
        #expect(failure("A=1\nB=\"open\nC=3\n") == .init(line: 2, message: "the double quote opened here is never closed"))
        #expect(failure("A='open") == .init(line: 1, message: "the single quote opened here is never closed"))
        #expect(failure("A=1\njust words\n")?.line == 2)
        #expect(failure("A=1\n1BAD=x\n")?.message.contains("not a valid variable name") == true)
        #expect(failure("A=\"x\" trailing\n") == .init(line: 1, message: "unexpected 'trailing' after the closing quote of A"))
        #expect(failure("PROMPT_COMMAND=x\n")?.message.contains("cannot be set") == true)
        #expect(failure(Bytes("A=1\nB=".utf8) + [0]) == .init(line: 2, message: "holds a NUL byte"))
        #expect(failure(Bytes("A=".utf8) + [0xff]) == .init(line: 1, message: "is not UTF-8 text"))
    }

    @Test func settingsNameFilesRequiredOrNot() throws {
        let config = try ConfigParser.parse(
            """
            [settings]
            dotenv = [".env", { path = ".env.local", required = false }]
            """, root: "/p")
        #expect(config.dotenvFiles == [DotenvFile(path: ".env"), DotenvFile(path: ".env.local", required: false)])
        #expect(try ConfigParser.parse("[settings]\ndotenv = \".env\"\n", root: "/p").dotenvFiles == [DotenvFile(path: ".env")])
        #expect(throws: HookctlError.invalidConfig(line: 2, message: "unknown key 'optional' in a dotenv entry; expected path or required")) {
            try ConfigParser.parse("[settings]\ndotenv = [{ path = \".env\", optional = true }]\n", root: "/p")
        }
        #expect(throws: HookctlError.self) { try ConfigParser.parse("[settings]\ndotenv = 3\n", root: "/p") }
    }

    @Test func aProjectReadsItsDotenvFilesAfterEnvAndCoversThem() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(
            root + "/hookctl.toml", "[env]\nA = \"from env\"\nB = \"kept\"\n[settings]\ndotenv = [\".env\", { path = \".env.local\", required = false }]\n")
        try TestSupport.write(root + "/.env", "A=from dotenv\nC=${B}-${HOME}\nAPI_TOKEN=s3cret\n")
        let project = try Project.load(root: root)
        let variables = try project.environment(over: ["HOME": Bytes("/home/x".utf8)])
        #expect(variables.map(\.name) == ["A", "API_TOKEN", "B", "C"])
        #expect(variables.map { String(decoding: $0.value, as: UTF8.self) } == ["from dotenv", "s3cret", "kept", "kept-/home/x"])
        #expect(project.secretValues == ["s3cret"])
        #expect(project.coveredFiles.contains { $0.hasSuffix("/.env") })
        // The optional file is absent: its directory is watched, so creating it is noticed.
        #expect(project.watchedFiles.contains(root))

        try TestSupport.write(root + "/.env.local", "A=local\n")
        let withLocal = try Project.load(root: root)
        #expect(withLocal.fingerprint != project.fingerprint)
        #expect(try withLocal.environment(over: [:]).first { $0.name == "A" }.map { String(decoding: $0.value, as: UTF8.self) } == "local")
    }

    @Test func aMissingRequiredFileOrABadLineLoadsNothing() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(root + "/hookctl.toml", "[settings]\ndotenv = [\".env\"]\n")
        let missing = try Project.load(root: root)
        #expect(throws: HookctlError.invalidDotenv(file: ".env", line: nil, message: "the file does not exist (set required = false if it is optional)")) {
            try missing.environment(over: [:])
        }
        try TestSupport.write(root + "/.env", "A=1\nB='open\n")
        #expect(throws: HookctlError.invalidDotenv(file: ".env", line: 2, message: "the single quote opened here is never closed")) {
            try Project.load(root: root).environment(over: [:])
        }
        #expect(HookctlError.invalidDotenv(file: ".env", line: 2, message: "m").description.hasPrefix(".env:2: m; "))
    }
}
