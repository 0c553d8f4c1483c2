import Testing

@testable import HookEngine

@Suite struct AssignmentScannerTests {
    private func violation(_ text: String) -> AssignmentScanner.Violation? {
        AssignmentScanner.firstViolation(in: Bytes(text.utf8))
    }

    @Test(arguments: [
        "",
        "\n\n",
        "export A=1",
        "export A=1\n",
        "A=1 B=2",
        "A+=more",
        "export X=\"$(echo hi)\"",
        "export Y='a;b|c'",
        "export M=\"line one\nline two; not a command\necho still quoted\"\n",
        "# a comment\nexport A=1\n",
        "   # indented comment; with separators | & \n",
        "export A=1 # trailing comment\n",
        "A=1 # trailing comment with 'quote\n",
        "\n\nexport A=1\n\n\nexport B=2\n",
        "unset A",
        "unset -v A B",
        "declare -x A=1",
        "typeset -x A=1",
        "export Z=$'a\\nb'",
        "export Q=$'it\\'s'",
        "export B=`echo hi`",
        "export C=\"`echo \\\"hi\\\"`\"",
        "export D=${HOME:-/tmp}",
        "export E=\"${A:-$(echo \"nested ) paren\")}\"",
        "export F=$(echo $(echo deep))",
        "export A=1; export B=2",
        "export A=1 && export B=2",
        "A=1\r\nB=2\r\n",
        "export A=1 \\\n  B=2\n",
        "export K=a\\ b",
        "export L=\"a\\\"b\"",
        "export N='\n'\nexport O=2",
    ])
    func accepts(output: String) {
        #expect(violation(output) == nil)
    }

    @Test func rejectsACommand() {
        #expect(violation("echo hi") == .init(line: 1, text: "echo hi"))
    }

    @Test func rejectsAnAssignmentPrefixBeforeACommand() {
        #expect(violation("A=1 rm -rf /tmp/x\n") == .init(line: 1, text: "A=1 rm -rf /tmp/x"))
    }

    @Test func rejectsACommandAfterASemicolon() {
        #expect(violation("export A=1; ls") == .init(line: 1, text: "ls"))
        #expect(violation("export A=1 | sh") == .init(line: 1, text: "sh"))
        #expect(violation("export A=1 && rm x") == .init(line: 1, text: "rm x"))
    }

    @Test func rejectsASubshell() {
        #expect(violation("(A=1)")?.line == 1)
        #expect(violation("export A=1\nf() { :; }\n")?.line == 2)
        #expect(violation("export A=1\n$(rm -rf /tmp/x)\n") == .init(line: 2, text: "$(rm -rf /tmp/x)"))
    }

    @Test func rejectsAnUnterminatedQuote() {
        #expect(violation("export A=1\nexport B=\"abc\n") == .init(line: 2, text: "unterminated quote or substitution"))
        #expect(violation("export A='abc") == .init(line: 1, text: "unterminated quote or substitution"))
        #expect(violation("export A=$(echo") == .init(line: 1, text: "unterminated quote or substitution"))
        #expect(violation("export A=`echo") == .init(line: 1, text: "unterminated quote or substitution"))
    }

    @Test func countsLinesThroughQuotesCommentsAndBlankLines() {
        let output = """
            export A="x
            y"
            # comment

            export B='1
            2' C=$(echo "
            ")
            echo hi
            """
        #expect(violation(output) == .init(line: 8, text: "echo hi"))
        #expect(violation("export A=1 \\\n B=2\ncat /etc/passwd\n") == .init(line: 3, text: "cat /etc/passwd"))
    }

    @Test func rejectsEvalAndSource() {
        #expect(violation("eval \"$X\"")?.line == 1)
        #expect(violation(". ./other.sh")?.line == 1)
        #expect(violation("A=1 export B=2")?.line == 1)
        #expect(violation("1A=2")?.line == 1)
    }
}
