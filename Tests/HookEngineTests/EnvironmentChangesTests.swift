import Testing

import ExtrasBase64
@testable import HookEngine

private func bytes(_ text: String) -> Bytes { Bytes(text.utf8) }

@Suite struct EnvironmentChangesTests {
    private let original: EnvironmentMap = [
        "KEEP": bytes("k"), "OLD": bytes("old"), "GONE": bytes("g"), "SAME": bytes("s"), "EMPTY": [], "PATH": bytes("/usr/bin"),
    ]

    private let captured = [
        CapturedVariable(name: "NEW", value: bytes("n")),
        CapturedVariable(name: "OLD", value: bytes("new")),
        CapturedVariable(name: "GONE", value: nil),
        CapturedVariable(name: "SAME", value: bytes("s")),
        CapturedVariable(name: "EMPTY", value: bytes("now set")),
        CapturedVariable(name: "NEVER", value: nil),
        CapturedVariable(name: "BLANK", value: []),
        CapturedVariable(name: "PATH", value: bytes("/opt/bin:/usr/bin")),
        CapturedVariable(name: "HOOKCTL_EXECUTION_ID", value: bytes("ignored")),
    ]

    @Test func applySetsValuesAndSummarizes() throws {
        var changes = EnvironmentChanges(current: original)
        #expect(changes.isEmpty)
        let summary = changes.apply(captured, executionID: "e1", root: "/project")
        #expect(summary == ["+BLANK", "~EMPTY", "-GONE", "+NEW", "~OLD", "~PATH"])
        #expect(!changes.isEmpty)
        let working = changes.working
        #expect(working["NEW"] == bytes("n"))
        #expect(working["OLD"] == bytes("new"))
        #expect(working["GONE"] == nil)
        #expect(working["NEVER"] == nil)
        #expect(working["BLANK"] == [])
        #expect(working["KEEP"] == bytes("k"))
        #expect(working["HOOKCTL_EXECUTION_ID"] == nil)
        #expect(working[EnvironmentChanges.directoryVariable] == bytes("/project"))

        let diff = try #require(working[EnvironmentChanges.diffVariable])
        let loaded = try #require(LoadedState(encoded: String(decoding: diff, as: UTF8.self)))
        #expect(loaded.executionID == "e1")
        #expect(loaded.entries.map(\.name) == ["NEW", "OLD", "GONE", "SAME", "EMPTY", "NEVER", "BLANK", "PATH"])
        let previous = Dictionary(uniqueKeysWithValues: loaded.entries.map { ($0.name, $0.previous) })
        #expect(previous["NEW"]! == nil)
        #expect(previous["OLD"]! == bytes("old"))
        #expect(previous["GONE"]! == bytes("g"))
        #expect(previous["EMPTY"]! == [])
        #expect(previous["NEVER"]! == nil)
    }

    @Test func revertRestoresTheEnvironmentBeforeTheLoad() throws {
        var load = EnvironmentChanges(current: original)
        _ = load.apply(captured, executionID: "e1", root: "/project")
        let diff = try #require(load.working[EnvironmentChanges.diffVariable])
        let loaded = try #require(LoadedState(encoded: String(decoding: diff, as: UTF8.self)))

        var unload = EnvironmentChanges(current: load.working)
        unload.revert(loaded)
        #expect(unload.working == original)
    }

    @Test func revertAfterTheUserChangedAVariable() throws {
        var load = EnvironmentChanges(current: original)
        _ = load.apply(captured, executionID: "e1", root: "/project")
        let loaded = try #require(LoadedState(encoded: String(decoding: load.working["HOOKCTL_DIFF"]!, as: UTF8.self)))
        var current = load.working
        current["NEW"] = bytes("edited by the user")
        current["UNRELATED"] = bytes("u")
        var unload = EnvironmentChanges(current: current)
        unload.revert(loaded)
        var expected = original
        expected["UNRELATED"] = bytes("u")
        #expect(unload.working == expected)
    }

    @Test func renderWritesOnlyTheChangesSortedByName() {
        var changes = EnvironmentChanges(current: ["B": bytes("1"), "A": bytes("x")])
        changes.set("B", nil)
        changes.set("C", bytes("it's"))
        changes.set("A", bytes("x"))
        let plan = ExportPlan(variables: changes.planned)
        #expect(String(decoding: ShellKind.bash.render(plan), as: UTF8.self) == "export A='x';\nunset B;\nexport C='it'\\''s';\n")
        #expect(String(decoding: ShellKind.fish.render(plan), as: UTF8.self) == "set -gx A 'x';\nset -e -g B;\nset -gx C 'it\\'s';\n")
        #expect(ShellKind.zsh.render(ExportPlan(variables: EnvironmentChanges(current: [:]).planned)).isEmpty)
    }

    @Test func applyWithoutVariablesStillMarksTheProject() throws {
        var changes = EnvironmentChanges(current: [:])
        #expect(changes.apply([], executionID: "e2", root: "/p").isEmpty)
        #expect(changes.working["HOOKCTL_DIR"] == bytes("/p"))
        let loaded = try #require(LoadedState(encoded: String(decoding: changes.working["HOOKCTL_DIFF"]!, as: UTF8.self)))
        #expect(loaded == LoadedState(executionID: "e2", entries: []))
    }
}

@Suite struct LoadedStateTests {
    @Test func roundTripsBinaryValues() {
        let state = LoadedState(
            executionID: "20261121T180000-1a2b3c4d",
            entries: [
                .init(name: "UNSET", previous: nil),
                .init(name: "EMPTY", previous: []),
                .init(name: "ALL", previous: (0...255).map { UInt8($0) }),
                .init(name: "INVALID", previous: [0xff, 0xfe, 0x00]),
                .init(name: "LONG", previous: Bytes(repeating: 0x41, count: 20_000)),
                .init(name: "UTF8", previous: Bytes("é🙂\n".utf8)),
            ])
        let encoded = state.encoded()
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "'") })
        #expect(LoadedState(encoded: encoded) == state)
        #expect(LoadedState(encoded: LoadedState(executionID: "", entries: []).encoded()) == LoadedState(executionID: "", entries: []))
    }

    @Test(arguments: ["", "garbage!", "not base64 at all", "AAAA", "////", "é", Base64.encodeToString(bytes: [2, 0]), Base64.encodeToString(bytes: [1])])
    func garbageDecodesToNil(text: String) {
        #expect(LoadedState(encoded: text) == nil)
    }

    @Test func truncatedStateDecodesToNil() throws {
        let encoded = LoadedState(executionID: "e1", entries: [.init(name: "A", previous: Bytes("value".utf8))]).encoded()
        var raw = try #require(try? Base64.decode(string: encoded))
        raw.removeLast()
        #expect(LoadedState(encoded: Base64.encodeToString(bytes: raw)) == nil)
        raw.removeLast(6)  // ends after the name: the flag byte is missing
        #expect(LoadedState(encoded: Base64.encodeToString(bytes: raw)) == nil)
        #expect(LoadedState(encoded: Base64.encodeToString(bytes: [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])) == nil)
    }
}

