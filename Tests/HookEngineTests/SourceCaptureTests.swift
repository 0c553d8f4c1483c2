import Testing

@testable import HookEngine

private func bytes(_ text: String) -> Bytes { Bytes(text.utf8) }

@Suite struct SourceCaptureTests {
    private let baseEnvironment: EnvironmentMap = [
        "PATH": bytes("/usr/bin:/bin"), "KEEP": bytes("k"), "CHANGE": bytes("old"), "DROP": bytes("d"), "SHLVL": bytes("1"),
        "LC_ALL": bytes("C.UTF-8"),
    ]

    private func capture(_ output: String, environment: EnvironmentMap? = nil, timeout: Int64 = 20_000) -> Result<[CapturedVariable], CaptureFailure> {
        capture(bytes(output), environment: environment, timeout: timeout)
    }

    private func capture(_ output: Bytes, environment: EnvironmentMap? = nil, timeout: Int64 = 20_000) -> Result<[CapturedVariable], CaptureFailure> {
        // The supervisor's three steps, run here in one blocking call.
        let environment = environment ?? baseEnvironment
        let checked: Bytes
        switch SourceCapture.check(output) {
        case .success(let split): checked = split.exports
        case .failure(let failure): return .failure(failure)
        }
        let bash: String
        switch SourceCapture.bash(environment: environment, directory: "/") {
        case .success(let found): bash = found
        case .failure(let failure): return .failure(failure)
        }
        guard let scratch = try? TestSupport.makeTemporaryDirectory() else { return .failure(CaptureFailure("no scratch directory")) }
        defer { TestSupport.remove(scratch) }
        POSIX.writeFile(scratch + "/exports", checked)
        guard
            let run = try? ProcessRunner.run(
                bash, SourceCapture.arguments(file: scratch + "/exports"), environment: environment, directory: "/",
                timeoutMilliseconds: timeout)
        else { return .failure(CaptureFailure("could not start bash")) }
        return SourceCapture.result(stdout: run.stdout, stderr: run.stderr, status: run.status)
    }

    /// The failure message, recording an issue when the capture succeeded.
    private func failureMessage(_ result: Result<[CapturedVariable], CaptureFailure>, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        switch result {
        case .success(let variables):
            Issue.record("expected a failure, captured \(variables.map(\.name))", sourceLocation: sourceLocation)
            return ""
        case .failure(let failure):
            return failure.message
        }
    }

    @Test func capturesExportsChangesAndUnsets() throws {
        let output = """
            export NEW=hello
            export CHANGE="new value"
            unset DROP
            export EMPTY=
            NOT_EXPORTED=1
            KEEP=k
            export MULTI="a
            b"
            export BINARY=$'\\xff\\xfe'
            export QUOTED='it'\\''s'
            export PWD=/elsewhere OLDPWD=/before
            export SHLVL=9
            export _=underscore

            """
        let variables = try capture(output).get()
        #expect(variables == [
            CapturedVariable(name: "BINARY", value: [0xff, 0xfe]),
            CapturedVariable(name: "CHANGE", value: bytes("new value")),
            CapturedVariable(name: "DROP", value: nil),
            CapturedVariable(name: "EMPTY", value: []),
            CapturedVariable(name: "MULTI", value: bytes("a\nb")),
            CapturedVariable(name: "NEW", value: bytes("hello")),
            CapturedVariable(name: "QUOTED", value: bytes("it's")),
        ])
    }

    @Test func assigningAnExportedVariableChangesIt() throws {
        #expect(try capture("CHANGE=plain\n").get() == [CapturedVariable(name: "CHANGE", value: bytes("plain"))])
    }

    @Test func noOutputCapturesNothing() throws {
        #expect(try capture("").get().isEmpty)
        #expect(try capture("# only a comment\n\n").get().isEmpty)
    }

    @Test func substitutionsRunInTheCapturingBash() throws {
        let variables = try capture("export FROM_SUB=\"$(printf '%s' \"$KEEP-x\")\"\nexport BACK=`echo b`\n").get()
        #expect(variables == [CapturedVariable(name: "BACK", value: bytes("b")), CapturedVariable(name: "FROM_SUB", value: bytes("k-x"))])
    }

    @Test func refusesMoreThanOneMebibyte() {
        let output = Bytes("export A=".utf8) + Bytes(repeating: UInt8(ascii: "a"), count: SourceCapture.outputLimit)
        #expect(failureMessage(capture(output)).contains("more than 1 MiB"))
        #expect(SourceCapture.outputLimit == 1_048_576)
    }

    @Test func refusesNulBytes() {
        #expect(failureMessage(capture(Bytes("export A=1".utf8) + [0] + Bytes("\n".utf8))).contains("NUL"))
    }

    @Test func refusesInvalidUTF8() {
        #expect(failureMessage(capture(Bytes("export A=".utf8) + [0xff, 0xfe, 0x0a])).contains("not UTF-8"))
    }

    @Test func messageLinesAreKeptOutOfWhatBashReads() throws {
        let output = try SourceCapture.check(Bytes("Fetching...\r\nexport A=1\r\necho hi\n".utf8)).get()
        #expect(output.exports == Bytes("\nexport A=1\n\n".utf8))
        #expect(output.messages.map(\.text) == ["Fetching...", "echo hi"])
    }

    @Test func reportsWhatBashCouldNotEvaluate() {
        let message = failureMessage(capture("export 'A B=1'\n"))
        #expect(message.contains("could not evaluate"))
        #expect(message.contains("not a valid identifier"))
    }

    @Test func timesOut() {
        let started = POSIX.monotonicMilliseconds()
        let message = failureMessage(capture("export A=$(sleep 10)\n", timeout: 300))
        #expect(message.contains("timeout"))
        #expect(POSIX.monotonicMilliseconds() - started < 5_000)
    }

    @Test func needsBash() {
        let message = failureMessage(capture("export A=1\n", environment: ["PATH": bytes("/nonexistent")]))
        #expect(message.contains("bash was not found"))
    }

    @Test func differenceBetweenEnvironments() {
        let before: EnvironmentMap = [
            "A": bytes("1"), "B": bytes("2"), "C": bytes("3"), "E": [], "PWD": bytes("/a"), "OLDPWD": bytes("/"), "_": bytes("x"),
        ]
        let after: EnvironmentMap = [
            "A": bytes("1"), "B": bytes("22"), "D": bytes("4"), "E": bytes("now"), "F": [], "PWD": bytes("/b"), "SHLVL": bytes("2"),
        ]
        #expect(SourceCapture.difference(before: before, after: after) == [
            CapturedVariable(name: "B", value: bytes("22")),
            CapturedVariable(name: "C", value: nil),
            CapturedVariable(name: "D", value: bytes("4")),
            CapturedVariable(name: "E", value: bytes("now")),
            CapturedVariable(name: "F", value: []),
        ])
        #expect(SourceCapture.difference(before: before, after: before).isEmpty)
    }

    @Test(arguments: ["unset PATH\n", "export PATH=/opt/tool/bin\n", "export PATH=\n", "IFS=x\nexport IFS\n"])
    func exportsThatBreakProgramsStillCaptureExactly(output: String) throws {
        let variables = try capture(output + "export ALSO=1\n").get()
        #expect(variables.contains(CapturedVariable(name: "ALSO", value: bytes("1"))))
        // Only what the hook changed: KEEP, CHANGE, DROP and LC_ALL are untouched.
        #expect(variables.map(\.name).allSatisfy { ["PATH", "IFS", "ALSO"].contains($0) }, "\(variables)")
    }

    @Test func aValueOverTheExecLimitIsCapturedWhole() throws {
        let big = String(repeating: "v", count: 200 * 1024)
        let variables = try capture("export BIG=\(big)\n").get()
        #expect(variables == [CapturedVariable(name: "BIG", value: bytes(big))])
    }

    @Test func crlfLineEndsLeaveNoCarriageReturn() throws {
        let variables = try capture("export A=one\r\nexport B='two'\r\n").get()
        #expect(variables == [CapturedVariable(name: "A", value: bytes("one")), CapturedVariable(name: "B", value: bytes("two"))])
    }
}
