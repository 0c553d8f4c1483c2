import Testing

@testable import HookEngine

@Suite struct InterceptRuleTests {
    private func rules(_ toml: String) throws -> [InterceptRule] {
        try ConfigParser.parse(toml, root: "/p").interceptRules
    }

    private func error(_ toml: String) -> String? {
        do {
            _ = try ConfigParser.parse(toml, root: "/p")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func globsBecomeAnchoredExpressions() {
        #expect(InterceptRule.expression(forGlob: "git push*--force*") == "^git push.*--force.*$")
        #expect(InterceptRule.expression(forGlob: "a?c") == "^a.c$")
        #expect(InterceptRule.expression(forGlob: "make [!x]*") == "^make [^x].*$")
        #expect(InterceptRule.expression(forGlob: "cost $5 (a|b).+") == "^cost \\$5 \\(a\\|b\\)\\.\\+$")
        #expect(InterceptRule.expression(forGlob: "open [") == "^open \\[$")
    }

    @Test func globsBecomeShellPatternsWithEverythingElseLiteral() {
        let rule = { (glob: String) in InterceptRule(id: "r", matcher: .glob(glob), action: .continue).shellPattern }
        #expect(rule("git push*--force*") == "git push*\\-\\-force*")
        #expect(rule("make [!x]?") == "make [^x]?")
        #expect(rule("a(b|c)@") == "a\\(b\\|c\\)@")
        // Quotes, $, @ and the like stay as they are: zsh would keep a backslash before them.
        #expect(rule("echo 'a' \"$x\" {1,2}.") == "echo 'a' \"$x\" {1,2}.")
        #expect(rule("x<1>~^#=!\\") == "x\\<1\\>\\~\\^\\#\\=\\!\\\\")
        // Sets end where the ERE's do; an unclosed `[` is a literal one.
        #expect(rule("a[]b]c") == "a[]b]c")
        #expect(rule("a[b") == "a\\[b")
        #expect(InterceptRule(id: "r", matcher: .regex("a+"), action: .continue).shellPattern == nil)
    }

    @Test func matchingIsOnTheWholeLineForGlobsAndAnywhereForRegexes() throws {
        let parsed = try rules("""
            [[intercept]]
            match = "git push*--force*"
            action = "cancel"

            [[intercept]]
            regex = "rm +-rf"
            action = "confirm"
            """)
        #expect(parsed[0].matches("git push origin --force"))
        #expect(!parsed[0].matches("echo git push --force"))
        #expect(parsed[1].matches("sudo rm  -rf /tmp/x"))
        #expect(!parsed[1].matches("rm -r x"))
        #expect(parsed.map(\.id) == ["intercept.1", "intercept.2"])
    }

    @Test func everyActionAndItsFields() throws {
        let parsed = try rules("""
            [[intercept]]
            id = "k"
            match = "kubectl *"
            action = "rewrite"
            replace = { from = "kubectl", to = "kubectl --context=dev" }

            [[intercept]]
            match = "ls"
            action = "rewrite"
            with = "{line} -la"

            [[intercept]]
            match = "x"
            action = "run"
            command = ["./check"]
            timeout = "2s"

            [[intercept]]
            match = "terraform *"
            action = "wait"

            [[intercept]]
            match = "*"
            action = "continue"
            """)
        #expect(parsed[0].action == .replace(from: "kubectl", to: "kubectl --context=dev"))
        #expect(parsed[1].action == .rewrite(with: "{line} -la"))
        #expect(parsed[2].action == .run(command: ["./check"], timeoutMilliseconds: 2000))
        #expect(parsed[3].action == .wait)
        let fields = InterceptRules(user: UserConfig(), project: nil).fields
        #expect(fields.isEmpty)
        var user = UserConfig()
        user.interceptRules = parsed
        let flat = InterceptRules(user: user, project: nil).fields
        #expect(flat.count == parsed.count * InterceptRules.fieldsPerRule)
        #expect(Array(flat[0..<6]) == ["k", "kubectl *", "^kubectl .*$", "replace", "kubectl", "kubectl --context=dev"])
    }

    @Test func badRulesSayWhereAndWhat() {
        #expect(error("[[intercept]]\nregex = \"(a\"\naction = \"cancel\"\n")?.hasPrefix("hookctl.toml:2: invalid regex '(a'") == true)
        #expect(error("[[intercept]]\nmatch = \"*\"\naction = \"explode\"\n")?.hasPrefix("hookctl.toml:3: unknown action 'explode'") == true)
        #expect(error("[[intercept]]\naction = \"cancel\"\n")?.contains("has no 'match'") == true)
        #expect(error("[[intercept]]\nmatch = \"*\"\n")?.contains("has no 'action'") == true)
        #expect(error("[[intercept]]\nmatch = \"*\"\naction = \"run\"\n")?.contains("needs command") == true)
        #expect(error("[[intercept]]\nmatch = \"*\"\naction = \"rewrite\"\n")?.contains("needs replace") == true)
        #expect(error("[[intercept]]\nmatch = \"*\"\naction = \"cancel\"\ncolour = \"red\"\n")?.contains("unknown key 'colour'") == true)
        #expect(error("[[intercept]]\nid = \"a\"\nmatch = \"*\"\naction = \"cancel\"\n[[intercept]]\nid = \"a\"\nmatch = \"*\"\naction = \"cancel\"\n")?
            .contains("duplicate intercept id 'a'") == true)
    }
}
