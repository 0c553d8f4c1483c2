import Testing

@testable import HookEngine

/// ShellKind's assignments and unsets, evaluated by the real bash, zsh and fish.
@Suite struct ShellQuotingTests {
    static let trickyValues: [Bytes] = {
        let texts = [
            "", " ", "plain", "it's", "''", "'", "\"double\"", "\"", "back\\slash", "\\", "\\\\", "\\'", "'\\", "\\n",
            "$HOME", "${HOME}", "$(echo injected)", "`echo injected`", "$'a'", "a\nb", "\n", "trailing\n", "\n\n",
            "\r", "a\r\nb", "tab\there", "\t", "é🙂", "  leading and trailing  ", "*", "?", "~", "~root", "#hash",
            "a;b|c&d", "!", "!!", "{a,b}", "[ab]", "%s%d", "-e", "--", "-n", "\u{7f}", "a:b::c", ":",
            "set -e -g V; echo pwned", "'; echo pwned; '", "end\\",
        ]
        var values = texts.map { Bytes($0.utf8) }
        values.append((1...255).map { UInt8($0) })
        values.append([0xff, 0xfe])
        values.append([0x80])
        values.append([0xc3])
        values.append([0x61, 0xed, 0xa0, 0x80, 0x62])  // an encoded surrogate
        values.append([0xf4, 0x90, 0x80, 0x80])  // above U+10FFFF
        values.append([0x83, 0x9f, 0xa0, 0x5c, 0x27])
        return values
    }()

    /// 50 byte strings without NUL from a fixed seed: most uniform, some made of shell metacharacters.
    static let randomValues: [Bytes] = {
        var generator = SeededGenerator(seed: 0x686f_6f6b_6374_6c)
        let special = Bytes("'\"\\$`\n\r\t :;|&()*?~#!{}[]<>%=".utf8)
        return (0..<50).map { index in
            let length = Int.random(in: 0...48, using: &generator)
            return (0..<length).map { _ in
                index < 35 ? UInt8.random(in: 1...255, using: &generator) : special.randomElement(using: &generator)!
            }
        }
    }()

    static let pathValues: [Bytes] = ["", ":", "a:b::c", "/usr/bin:/bin", ":leading", "trailing:", "it's:a \"path\"", "x\\:y", "é:🙂"]
        .map { Bytes($0.utf8) }

    /// Runs `script` with `shell` and returns the environment it exports at the end.
    private func exportedEnvironment(_ shell: ShellKind, script: Bytes, inherited: EnvironmentMap = [:]) throws -> EnvironmentMap? {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let executable = try #require(TestSupport.which(shell.rawValue), "\(shell.rawValue) is not installed")
        let file = directory + "/script"
        try TestSupport.writeBytes(file, script + Bytes("env -0\n".utf8))
        let arguments: [String] = switch shell {
        case .bash: ["--norc", "--noprofile", file]
        case .zsh: ["-f", file]
        case .fish: ["--no-config", file]
        }
        var environment: EnvironmentMap = [
            "LC_ALL": Bytes("C.UTF-8".utf8), "PATH": Bytes("/usr/bin:/bin".utf8), "HOME": Bytes(directory.utf8),
            "XDG_CONFIG_HOME": Bytes((directory + "/config").utf8), "XDG_DATA_HOME": Bytes((directory + "/data").utf8),
        ]
        environment.merge(inherited) { $1 }
        let result = try TestSupport.run(executable, arguments, environment: environment)
        #expect(result.status == 0, "\(shell): \(String(decoding: result.stderr, as: UTF8.self))")
        #expect(result.stderr.isEmpty, "\(shell): \(String(decoding: result.stderr, as: UTF8.self))")
        guard result.status == 0 else { return nil }
        return Environment.parseNullSeparated(result.stdout)
    }

    private func expectRoundTrip(_ shell: ShellKind, name: (Int) -> String, values: [Bytes]) throws {
        var script = Bytes()
        for (index, value) in values.enumerated() {
            #expect(!value.contains(0))
            script += shell.assignment(name(index), value)
        }
        guard let environment = try exportedEnvironment(shell, script: script) else { return }
        for (index, value) in values.enumerated() {
            #expect(environment[name(index)] == value, "\(shell) \(name(index)): expected \(Hex.encode(value)), got \(environment[name(index)].map { Hex.encode($0) } ?? "unset")")
        }
    }

    @Test(arguments: ShellKind.allCases)
    func trickyValuesRoundTrip(shell: ShellKind) throws {
        try expectRoundTrip(shell, name: { "V\($0)" }, values: Self.trickyValues)
    }

    @Test(arguments: ShellKind.allCases)
    func randomValuesRoundTrip(shell: ShellKind) throws {
        try expectRoundTrip(shell, name: { "V\($0)" }, values: Self.randomValues)
    }

    /// fish keeps `*PATH` variables as lists; the colons must come back as they were.
    @Test(arguments: ShellKind.allCases)
    func pathValuesRoundTrip(shell: ShellKind) throws {
        try expectRoundTrip(shell, name: { "MY\($0)_PATH" }, values: Self.pathValues + Self.trickyValues.suffix(12))
    }

    @Test(arguments: ShellKind.allCases)
    func eachValueAloneAsV(shell: ShellKind) throws {
        for value in [Bytes("it's \"$V\"\n".utf8), (1...255).map { UInt8($0) }, []] {
            let environment = try exportedEnvironment(shell, script: shell.assignment("V", value))
            #expect(environment?["V"] == value, "\(shell)")
        }
    }

    @Test(arguments: ShellKind.allCases)
    func unsetRemovesTheVariable(shell: ShellKind) throws {
        let script = shell.unset("INHERITED") + shell.assignment("LOCAL", Bytes("1".utf8)) + shell.unset("LOCAL")
            + shell.unset("NEVER_SET") + shell.unset("MY_PATH")
        let inherited: EnvironmentMap = ["INHERITED": Bytes("x".utf8), "KEPT": Bytes("y".utf8), "MY_PATH": Bytes("/a:/b".utf8)]
        let environment = try #require(try exportedEnvironment(shell, script: script, inherited: inherited))
        #expect(environment["INHERITED"] == nil)
        #expect(environment["LOCAL"] == nil)
        #expect(environment["NEVER_SET"] == nil)
        #expect(environment["MY_PATH"] == nil)
        #expect(environment["KEPT"] == Bytes("y".utf8))
    }

    @Test(arguments: ShellKind.allCases)
    func overridesAnInheritedValue(shell: ShellKind) throws {
        let script = shell.assignment("INHERITED", Bytes("new".utf8)) + shell.assignment("OTHER_PATH", Bytes("/c".utf8))
        let inherited: EnvironmentMap = ["INHERITED": Bytes("old".utf8), "OTHER_PATH": Bytes("/a:/b".utf8)]
        let environment = try #require(try exportedEnvironment(shell, script: script, inherited: inherited))
        #expect(environment["INHERITED"] == Bytes("new".utf8))
        #expect(environment["OTHER_PATH"] == Bytes("/c".utf8))
    }

    /// A control for the harness: text that is not quoted is expanded, and the check sees it.
    @Test(arguments: ShellKind.allCases)
    func harnessSeesExpansion(shell: ShellKind) throws {
        let code = shell == .fish ? "set -gx V \"x$HOME\"\n" : "export V=\"x$HOME\"\n"
        let environment = try #require(try exportedEnvironment(shell, script: Bytes(code.utf8)))
        let home = try #require(environment["HOME"])
        #expect(environment["V"] == Bytes("x".utf8) + home)
        #expect(environment["V"] != Bytes("x$HOME".utf8))
    }

    @Test func renderedText() {
        #expect(String(decoding: ShellKind.bash.assignment("A", Bytes("it's".utf8)), as: UTF8.self) == "export A='it'\\''s';\n")
        #expect(String(decoding: ShellKind.zsh.unset("A"), as: UTF8.self) == "unset A;\n")
        #expect(String(decoding: ShellKind.fish.assignment("A", Bytes("a\\'b".utf8)), as: UTF8.self) == "set -gx A 'a\\\\\\'b';\n")
        #expect(String(decoding: ShellKind.fish.assignment("MY_PATH", Bytes("a::b".utf8)), as: UTF8.self) == "set -gx MY_PATH 'a' '' 'b';\n")
        #expect(String(decoding: ShellKind.fish.unset("A"), as: UTF8.self) == "set -e -g A;\n")
    }

    @Test func shellNames() throws {
        #expect(try ShellKind(name: "zsh") == .zsh)
        #expect(throws: HookctlError.unsupportedShell(name: "tcsh")) { try ShellKind(name: "tcsh") }
    }
}
