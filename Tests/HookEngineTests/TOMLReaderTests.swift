import Testing

@testable import HookEngine

@Suite struct TOMLReaderTests {
    private func parse(_ text: String) throws -> TOMLReader.Table {
        try TOMLReader.parse(Bytes(text.utf8))
    }

    private func expectError(_ text: String, line: Int, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try TOMLReader.parse(Bytes(text.utf8))
            Issue.record("expected a syntax error", sourceLocation: sourceLocation)
        } catch let error as TOMLReader.SyntaxError {
            #expect(error.line == line, "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func stringsOfEveryKind() throws {
        let table = try parse(
            #"""
            basic = "tab\there \"q\" \\ \u00e9 \U0001F600"
            literal = 'C:\no\escapes'
            multi = """
            first
              second\
                 joined"""
            raw = '''
            keep \n as is
            '''
            quotes = """two "" quotes"""""
            "quoted key" = 1
            'literal key' = 2
            """#)
        #expect(table["basic"]?.string == "tab\there \"q\" \\ é 😀")
        #expect(table["literal"]?.string == #"C:\no\escapes"#)
        #expect(table["multi"]?.string == "first\n  secondjoined")
        #expect(table["raw"]?.string == "keep \\n as is\n")
        #expect(table["quotes"]?.string == "two \"\" quotes\"\"")
        #expect(table["quoted key"]?.integer == 1)
        #expect(table["literal key"]?.integer == 2)
    }

    @Test func numbersBooleansAndDates() throws {
        let table = try parse(
            """
            a = 42
            b = -17
            c = 1_000
            d = 0xff
            e = 0o17
            f = 0b101
            g = 3.5
            h = 1e3
            i = -inf
            j = true
            k = false
            l = 1979-05-27T07:32:00Z
            m = 1979-05-27 07:32:00
            n = 07:32:00
            """)
        #expect([table["a"], table["b"], table["c"], table["d"], table["e"], table["f"]].map { $0?.integer } == [42, -17, 1000, 255, 15, 5])
        guard case .float(let g) = table["g"]?.value, case .float(let h) = table["h"]?.value, case .float(let i) = table["i"]?.value
        else { return #expect(Bool(false), "floats") }
        #expect(g == 3.5 && h == 1000 && i == -.infinity)
        #expect(table["j"]?.boolean == true && table["k"]?.boolean == false)
        for key in ["l", "m", "n"] {
            guard case .dateTime = table[key]?.value else { return #expect(Bool(false), "\(key) is a date-time") }
        }
    }

    @Test func tablesArraysAndLines() throws {
        let table = try parse(
            """
            # comment
            top = [ "a",  # trailing comment
              "b",
            ]

            [hooks]
            dotted.key = "x"

            [[hooks.onEnter]]
            id = "one"
            inline = { path = ".env", required = false }

            [[hooks.onEnter]]
            id = "two"

            [a.b.c]
            deep = 1
            """)
        #expect(table.keys == ["top", "hooks", "a"])
        #expect(table["top"]?.array?.compactMap(\.string) == ["a", "b"])
        #expect(table["top"]?.line == 2)
        let hooks = try #require(table["hooks"]?.table)
        #expect(hooks.line == 6)
        #expect(hooks["dotted"]?.table?["key"]?.string == "x")
        let entries = try #require(hooks["onEnter"]?.array)
        #expect(entries.map(\.line) == [9, 13])
        #expect(entries.compactMap { $0.table?["id"]?.string } == ["one", "two"])
        #expect(entries[0].table?["id"]?.line == 10)
        let inline = try #require(entries[0].table?["inline"]?.table)
        #expect(inline["path"]?.string == ".env" && inline["required"]?.boolean == false)
        #expect(table["a"]?.table?["b"]?.table?["c"]?.table?["deep"]?.line == 17)
    }

    @Test func crlfBomAndLineNumbers() throws {
        let table = try TOMLReader.parse([0xEF, 0xBB, 0xBF] + Bytes("a = 1\r\n\r\nb = \"two\"\r\nc = \"\"\"\r\nx\r\ny\"\"\"\r\nd = 4\r\n".utf8))
        #expect(table["a"]?.line == 1 && table["b"]?.line == 3 && table["d"]?.line == 7)
        #expect(table["b"]?.string == "two")
        #expect(table["c"]?.string == "x\ny")
        expectError("a = 1\r\nb = \r\n", line: 2, "expected value")
    }

    @Test func errorsSayWhereAndWhat() {
        expectError("a = 1\nb =\n", line: 2, "expected value")
        expectError("a = \"open\n", line: 1, "parsing string")
        expectError("a = 1\na = 2\n", line: 2, "defined twice")
        expectError("[t]\nx = 1\n[t]\n", line: 3, "table [t] is defined twice")
        expectError("a = 1\n[a]\n", line: 2, "defined twice")
        expectError("x = [1, 2\n", line: 2, "not closed")
        expectError("x = { a = 1,\n b = 2 }\n", line: 1, "expected a key")
        expectError("x = 1 y = 2\n", line: 1, "expected a line break")
        expectError("x = \"\\q\"\n", line: 1, "unknown escape")
        expectError("x = 01\n", line: 1, "expected value")
        expectError("x = 1__0\n", line: 1, "expected value")
        expectError("x = tru\n", line: 1, "expected value")
        expectError("[a]\nb = 1\n[[a.b]]\n", line: 3, "already an integer")
        expectError("p = { a = 1 }\np.b = 2\n", line: 2, "cannot add")
        expectError("ok = 1\nbad = \"\u{1}\"\n", line: 2, "control character")
        expectError("a = 1\r b = 2\n", line: 1, "carriage return")
    }

    @Test func invalidUTF8NamesItsLine() {
        do {
            _ = try TOMLReader.parse(Bytes("a = 1\nb = \"".utf8) + [0xFF] + Bytes("\"\n".utf8))
            Issue.record("expected an error")
        } catch let error as TOMLReader.SyntaxError {
            #expect(error.line == 2)
            #expect(error.message.contains("not valid UTF-8"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func manyHooksParseInOnePass() throws {
        let text = (1...10_000).map { "[[hooks.onEnter]]\nid = \"h\($0)\"\ncommand = \"true\"\n" }.joined()
        let config = try ConfigParser.parse(text, root: "/p")
        #expect(config.hooks(at: .onEnter).count == 10_000)
        #expect(config.hooks(at: .onEnter).last?.line == 29_999)
    }
}
