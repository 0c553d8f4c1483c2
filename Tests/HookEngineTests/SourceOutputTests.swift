import Testing

@testable import HookEngine

@Suite struct SourceOutputTests {
    private func messages(_ text: String) -> [SourceOutput.Message] {
        SourceOutput(Bytes(text.utf8)).messages
    }

    private func message(_ line: Int, _ text: String) -> SourceOutput.Message {
        .init(line: line, text: text)
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
    func assignmentsPassWhole(output: String) {
        let split = SourceOutput(Bytes(output.utf8))
        #expect(split.messages.isEmpty)
        #expect(split.exports == Bytes(output.utf8))
    }

    @Test func aCommandIsAMessage() {
        #expect(messages("echo hi") == [message(1, "echo hi")])
        #expect(messages("Fetching environment from vault...\nexport A=1\n") == [message(1, "Fetching environment from vault...")])
    }

    @Test func messageLinesAreBlankedOutOfTheExports() {
        let split = SourceOutput(Bytes("Fetching...\nexport A=1\ntouch /tmp/x\nexport B=2".utf8))
        #expect(split.exports == Bytes("\nexport A=1\n\nexport B=2".utf8))
        #expect(split.messages == [message(1, "Fetching..."), message(3, "touch /tmp/x")])
    }

    @Test func anAssignmentPrefixBeforeACommandIsAMessage() {
        #expect(messages("A=1 rm -rf /tmp/x\n") == [message(1, "A=1 rm -rf /tmp/x")])
    }

    @Test func aLineWithAnyCommandIsAMessageWhole() {
        for line in ["export A=1; ls", "export A=1 | sh", "export A=1 && rm x"] {
            let split = SourceOutput(Bytes(line.utf8))
            #expect(split.messages == [message(1, line)])
            #expect(split.exports.isEmpty)
        }
    }

    @Test func subshellsAndFunctionsAreMessages() {
        #expect(messages("(A=1)") == [message(1, "(A=1)")])
        #expect(messages("export A=1\nf() { :; }\n") == [message(2, "f() { :; }")])
        #expect(messages("export A=1\n$(rm -rf /tmp/x)\n") == [message(2, "$(rm -rf /tmp/x)")])
    }

    @Test func anUnterminatedQuoteMakesOnlyItsFirstLineAMessage() {
        #expect(messages("export A=1\nexport B=\"abc\n") == [message(2, "export B=\"abc")])
        #expect(messages("export A='abc") == [message(1, "export A='abc")])
        #expect(messages("export A=$(echo") == [message(1, "export A=$(echo")])
        #expect(messages("Fetching user's data\nexport A='x'\n") == [message(1, "Fetching user's data")])
        let split = SourceOutput(Bytes("say \"hello\ntouch /tmp/x\n\"\n".utf8))
        #expect(split.messages.map(\.text) == ["say \"hello", "touch /tmp/x", "\""])
        #expect(split.exports == Bytes("\n\n\n".utf8))
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
        #expect(messages(output) == [message(8, "echo hi")])
        #expect(messages("export A=1 \\\n B=2\ncat /etc/passwd\n") == [message(3, "cat /etc/passwd")])
    }

    @Test func evalSourceAndBadNamesAreMessages() {
        #expect(messages("eval \"$X\"").count == 1)
        #expect(messages(". ./other.sh").count == 1)
        #expect(messages("A=1 export B=2").count == 1)
        #expect(messages("1A=2").count == 1)
    }

    @Test func aStreamReportsEachMessageOnceItsLineIsDecided() {
        var stream = SourceOutput.Stream()
        var output = Bytes("Fetching environment".utf8)
        #expect(stream.messages(in: output).isEmpty)  // the line may go on
        output += Bytes(" from vault...\nexport A=\"multi".utf8)
        #expect(stream.messages(in: output) == [message(1, "Fetching environment from vault...")])
        output += Bytes("\nline\"\nstep two\n".utf8)
        #expect(stream.messages(in: output) == [message(4, "step two")])
        #expect(stream.messages(in: output).isEmpty)
        output += Bytes("it's done\n".utf8)
        #expect(stream.messages(in: output) == [message(5, "it's done")])
        #expect(SourceOutput(output).messages.map(\.line) == [1, 4, 5])
    }
}
