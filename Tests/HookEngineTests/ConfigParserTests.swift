import Testing

@testable import HookEngine

@Suite struct ConfigParserTests {
    /// Parses `text` expecting `invalidConfig` at `line` with a message containing `fragment`.
    private func expectInvalid(_ text: String, line: Int?, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let config = try ConfigParser.parse(text, root: "/project")
            Issue.record("expected an invalid config, parsed \(config.hooks(at: .onEnter).count) onEnter hooks", sourceLocation: sourceLocation)
        } catch let error as HookctlError {
            guard case .invalidConfig(let actualLine, let message) = error else {
                Issue.record("expected invalidConfig, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(actualLine == line, "message: \(message)", sourceLocation: sourceLocation)
            #expect(message.contains(fragment), "message: \(message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected HookctlError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func parsesAFullConfig() throws {
        let text = """
            [env]
            DATABASE_HOST = "localhost"
            API_URL = "https://example.test"

            [settings]
            timeout = "2m"
            secrets = ["API_URL"]

            [[hooks.onEnter]]
            id = "aws"
            command = "aws-login"

            [[hooks.onEnter]]
            id = "auth"
            command = "./authenticate.sh"
            args = ["--region", "eu"]
            dir = "scripts"
            source = true
            preload = true
            condition = "test -z \\"$AUTH_TOKEN\\""
            dependsOn = ["aws"]
            description = "Fetching AWS credentials"
            timeout = "30s"

            [[hooks.onExit]]
            command = "./stop-services.sh"
            """
        let config = try ConfigParser.parse(text, root: "/project")
        #expect(config.root == "/project")
        #expect(config.path == "/project/hookctl.toml")
        #expect(config.environment.map(\.name) == ["API_URL", "DATABASE_HOST"])
        #expect(config.environment.map(\.value) == ["https://example.test", "localhost"])
        #expect(config.defaultTimeoutMilliseconds == 120_000)
        #expect(config.secretNames == ["API_URL"])
        #expect(config.isSecret("API_URL"))
        #expect(!config.isSecret("DATABASE_HOST"))

        #expect(config.hooks(at: .onEnter).map(\.id) == ["aws", "auth"])
        let aws = config.hooks(at: .onEnter)[0]
        #expect(aws.command == "aws-login")
        #expect(aws.args == [])
        #expect(aws.dir == ".")
        #expect(!aws.source && !aws.preload)
        #expect(aws.condition == nil)
        #expect(aws.timeoutMilliseconds == 120_000)
        #expect(aws.displayName == "aws-login")

        let auth = config.hooks(at: .onEnter)[1]
        #expect(auth.point == .onEnter)
        #expect(auth.command == "./authenticate.sh")
        #expect(auth.args == ["--region", "eu"])
        #expect(auth.dir == "scripts")
        #expect(auth.source)
        #expect(auth.preload)
        #expect(auth.condition == "test -z \"$AUTH_TOKEN\"")
        #expect(auth.dependsOn == ["aws"])
        #expect(auth.description == "Fetching AWS credentials")
        #expect(auth.displayName == "Fetching AWS credentials")
        #expect(auth.timeoutMilliseconds == 30_000)

        #expect(config.hooks(at: .onExit).count == 1)
        #expect(config.hooks(at: .onExit)[0].id == "onExit.1")
        #expect(config.hooks(at: .onExit)[0].point == .onExit)
        #expect(config.hooks(at: .onExit)[0].command == "./stop-services.sh")
        #expect(config.hooks(at: .onExit) == config.hooks(at: .onExit))
    }

    @Test func anEmptyFileIsAProjectWithoutHooks() throws {
        let config = try ConfigParser.parse("", root: "/project")
        #expect(config.allHooks.isEmpty && config.environment.isEmpty)
        #expect(config.defaultTimeoutMilliseconds == ProjectConfig.defaultTimeoutMilliseconds)
        #expect(ProjectConfig.defaultTimeoutMilliseconds == 300_000)
    }

    @Test func hooksWithoutIdGetPositionalIds() throws {
        let text = """
            [[hooks.onEnter]]
            command = "one"

            [[hooks.onEnter]]
            command = "two"
            args = ["x"]

            [[hooks.onEnter]]
            id = "named"
            command = "three"

            [[hooks.onEnter]]
            command = "four"

            [[hooks.onExit]]
            command = "bye"
            """
        let config = try ConfigParser.parse(text, root: "/project")
        #expect(config.hooks(at: .onEnter).map(\.id) == ["onEnter.1", "onEnter.2", "named", "onEnter.4"])
        #expect(config.hooks(at: .onEnter)[1].displayName == "two x")
        #expect(config.hooks(at: .onExit).map(\.id) == ["onExit.1"])
    }

    @Test func dependsOnAPositionalId() throws {
        let text = """
            [[hooks.onEnter]]
            command = "one"

            [[hooks.onEnter]]
            command = "two"
            dependsOn = ["onEnter.1"]
            """
        let config = try ConfigParser.parse(text, root: "/project")
        #expect(config.hooks(at: .onEnter)[1].dependsOn == ["onEnter.1"])
    }

    @Test func integerTimeoutsAreSeconds() throws {
        let text = """
            [settings]
            timeout = 90

            [[hooks.onEnter]]
            command = "a"
            timeout = 5
            """
        let config = try ConfigParser.parse(text, root: "/project")
        #expect(config.defaultTimeoutMilliseconds == 90_000)
        #expect(config.hooks(at: .onEnter)[0].timeoutMilliseconds == 5_000)
    }

    @Test func settingsTimeoutAppliesWhereverSettingsAppear() throws {
        let text = """
            [[hooks.onEnter]]
            command = "a"

            [settings]
            timeout = "45s"
            """
        let config = try ConfigParser.parse(text, root: "/project")
        #expect(config.hooks(at: .onEnter)[0].timeoutMilliseconds == 45_000)
    }

    // MARK: Errors: reported as hookctl.toml:LINE before anything runs

    @Test func tomlSyntaxErrorHasTheParserLine() {
        expectInvalid(
            """
            [env]
            A = "1"
            B =
            C = "3"
            """, line: 3, "expected value")
        expectInvalid(
            """
            # comment

            [[hooks.onEnter]]
            command = "unterminated
            """, line: 4, "parsing string")
    }

    @Test func idsMadeOfDotsAreRefused() {
        for id in [".", "..", "..."] {
            expectInvalid("[[hooks.onEnter]]\nid = \"\(id)\"\ncommand = \"true\"\n", line: 2, "hook id '\(id)' may only contain")
        }
    }

    @Test func aReservedNameInEnvIsRefused() {
        expectInvalid("[env]\nOK = \"1\"\nLD_PRELOAD = \"/x.so\"\n", line: 3, "env.LD_PRELOAD cannot be set")
        expectInvalid("[env]\nHOOKCTL_DIR = \"/\"\n", line: 2, "env.HOOKCTL_DIR cannot be set")
    }

    @Test func unknownTopLevelKey() {
        expectInvalid(
            """
            [env]
            A = "1"

            [setings]
            timeout = "1m"
            """, line: 4, "unknown key 'setings'")
        expectInvalid(
            """
            # a comment
            hook = "x"

            [env]
            A = "1"
            """, line: 2, "unknown key 'hook'")
    }

    @Test func unknownHookEvent() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "a"

            [[hooks.onLeave]]
            command = "b"
            """, line: 4, "unknown hook point 'hooks.onLeave'")
    }

    @Test func unknownKeyInAHook() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "a"
            command = "x"

            [[hooks.onEnter]]
            command = "y"
            comand = "z"
            """, line: 7, "unknown key 'comand' in hook 2 of hooks.onEnter")
    }

    @Test func unknownKeyInSettings() {
        expectInvalid(
            """
            [env]
            A = "1"

            [settings]
            timeout = "1m"
            timout = "2m"
            """, line: 6, "unknown key 'timout' in [settings]")
    }

    @Test func missingCommand() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "a"

            [[hooks.onEnter]]
            id = "b"
            """, line: 4, "hook 2 of hooks.onEnter has no 'command'")
        expectInvalid(
            """
            [[hooks.onExit]]
            command = ""
            """, line: 2, "empty 'command'")
    }

    @Test func duplicateId() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "a"
            command = "x"

            [[hooks.onEnter]]
            id = "a"
            command = "y"
            """, line: 6, "duplicate hook id 'a'")
    }

    @Test func duplicateIdAcrossEvents() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "a"
            command = "x"

            [[hooks.onExit]]
            command = "y"
            id = "a"
            """, line: 7, "duplicate hook id 'a'")
    }

    @Test func explicitIdCollidingWithAPositionalId() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "onEnter.2"
            command = "x"

            [[hooks.onEnter]]
            command = "y"
            """, line: 5, "duplicate hook id 'onEnter.2'")
    }

    @Test func malformedId() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"

            [[hooks.onEnter]]
            command = "y"
            id = "a b"
            """, line: 6, "hook id 'a b' may only contain")
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = ""
            command = "x"
            """, line: 2, "hook id ''")
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "é"
            command = "x"
            """, line: 2, "may only contain")
    }

    @Test func acceptsEveryIdCharacter() throws {
        let config = try ConfigParser.parse(
            """
            [[hooks.onEnter]]
            id = "Az09_.-"
            command = "x"
            """, root: "/project")
        #expect(config.hooks(at: .onEnter)[0].id == "Az09_.-")
    }

    @Test func dependsOnUnknownId() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "db"
            command = "x"

            [[hooks.onEnter]]
            id = "auth"
            command = "y"
            dependsOn = ["db", "aws"]
            """, line: 8, "dependsOn names unknown hook 'aws'")
    }

    @Test func dependsOnAHookOfTheOtherEventIsUnknown() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "a"
            command = "x"

            [[hooks.onExit]]
            id = "b"
            command = "y"
            dependsOn = ["a"]
            """, line: 8, "dependsOn names unknown hook 'a'")
    }

    @Test func dependencyCycle() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "a"
            command = "x"
            dependsOn = ["b"]

            [[hooks.onEnter]]
            id = "b"
            command = "y"
            dependsOn = ["a"]
            """, line: 4, "dependency cycle: a -> b -> a")
    }

    @Test func selfCycle() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            id = "ok"
            command = "w"

            [[hooks.onEnter]]
            id = "a"
            command = "x"
            dependsOn = ["a"]
            """, line: 8, "dependency cycle: a -> a")
    }

    @Test func invalidTimeout() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"
            timeout = "soon"
            """, line: 3, "invalid timeout")
        expectInvalid(
            """
            [settings]
            timeout = "0s"
            """, line: 2, "invalid timeout")
        expectInvalid(
            """
            [settings]
            timeout = -5
            """, line: 2, "invalid timeout")
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"
            timeout = true
            """, line: 3, "invalid timeout")
    }

    @Test func nonStringEnvValue() {
        expectInvalid(
            """
            [env]
            HOST = "localhost"
            PORT = 5432
            """, line: 3, "env.PORT must be a string")
    }

    @Test func invalidEnvName() {
        expectInvalid(
            """
            [env]
            GOOD = "1"
            "BAD-NAME" = "x"
            """, line: 3, "'BAD-NAME' is not a valid variable name")
        expectInvalid(
            """
            [env]
            1ABC = "x"
            """, line: 2, "'1ABC' is not a valid variable name")
    }

    @Test func wrongValueTypes() {
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"
            source = "yes"
            """, line: 3, "'source' must be true or false")
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"
            args = "--flag"
            """, line: 3, "'args' must be an array of strings")
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = "x"
            dependsOn = [1]
            """, line: 3, "'dependsOn' must be an array of strings")
        expectInvalid(
            """
            [[hooks.onEnter]]
            command = 7
            """, line: 2, "'command' must be a string")
        expectInvalid(
            """
            env = "x"
            """, line: 1, "'env' must be a table")
        expectInvalid(
            """
            [settings]
            secrets = "TOKEN"
            """, line: 2, "'secrets' must be an array of strings")
    }

    @Test func invalidConfigDescription() {
        let error = HookctlError.invalidConfig(line: 7, message: "dependsOn names unknown hook 'aws'")
        #expect(error.description == "hookctl.toml:7: dependsOn names unknown hook 'aws'")
        #expect(HookctlError.invalidConfig(line: nil, message: "bad").description == "hookctl.toml: bad")
    }

    @Test func loadReadsTheFileOfTheRoot() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"./a.sh\"\n")
        let config = try ConfigParser.load(root: root)
        #expect(config.root == root)
        #expect(config.hooks(at: .onEnter).map(\.command) == ["./a.sh"])
    }
}

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000), ("1h30m", 5_400_000), ("250ms", 250),
        ("10", 10_000), (" 10 ", 10_000), ("1m5s", 65_000), ("2h1m1s1ms", 7_261_001), ("5ms", 5),
    ] as [(String, Int64)])
    func valid(text: String, milliseconds: Int64) {
        #expect(DurationParser.milliseconds(text) == milliseconds)
    }

    @Test(arguments: [
        "", " ", "abc", "10x", "s", "ms", "0", "0s", "-5", "-5s", "5 m", "1.5h", "1m30", "h1", "30S",
        "99999999999999999999", "9223372036854775807h", "9223372036854775807", "9000000000000000000ms1h",
    ])
    func invalid(text: String) {
        #expect(DurationParser.milliseconds(text) == nil)
    }
}

@Suite struct ProjectEnvironmentTests {
    @Test func pathVariablesExpandAndResolveAgainstTheRoot() throws {
        let config = try ConfigParser.parse(
            """
            [env]
            PATH = "./bin:tools:${HOME}/.local/bin:$PATH::/opt/x"
            MANPATH = "$UNSET_THING:man"
            LITERAL = "$HOME stays ${PATH}"
            """, root: "/proj")
        let base: EnvironmentMap = ["PATH": Bytes("/usr/bin:/bin".utf8), "HOME": Bytes("/home/me".utf8)]
        let resolved = Dictionary(uniqueKeysWithValues: config.environment(over: base).map { ($0.name, String(decoding: $0.value, as: UTF8.self)) })
        #expect(resolved["PATH"] == "/proj/bin:/proj/tools:/home/me/.local/bin:/usr/bin:/bin::/opt/x")
        #expect(resolved["MANPATH"] == ":/proj/man")
        #expect(resolved["LITERAL"] == "$HOME stays ${PATH}")
    }
}
