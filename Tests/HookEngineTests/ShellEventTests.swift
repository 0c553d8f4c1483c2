import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@Suite struct ShellEventTests {
    private let line = ShellEvent.CommandLine(id: "7", directory: "/work", root: "/work", text: "printf 'a\nb' | tr a é")

    @Test func recordsRoundTripWithAnyByteButNUL() {
        let events: [ShellEvent] = [
            .commandStarting(line),
            .commandEnded(line, exitCode: 1, pipeStatus: "0 1", durationMilliseconds: 1500),
            .commandEnded(line, exitCode: 0, pipeStatus: "", durationMilliseconds: nil),
            .lifecycle(point: .enter, root: "/work", directory: "/work/src", detail: "/home"),
        ]
        let bytes = events.flatMap(\.encoded)
        let decoded = ShellEvent.decode(bytes, from: 0)
        #expect(decoded.map(\.event) == events)
        #expect(decoded.last?.end == bytes.count)
    }

    @Test func aRecordCutShortWaitsForTheRest() {
        let bytes = ShellEvent.commandStarting(line).encoded
        #expect(ShellEvent.decode(Array(bytes.dropLast(3)), from: 0).isEmpty)
        let two = bytes + Array(bytes.prefix(5))
        #expect(ShellEvent.decode(two, from: 0).map(\.end) == [bytes.count])
    }

    @Test func bashHistoryLinesLoseTheirNumber() {
        let record = Bytes("b\u{0}3\u{0}/w\u{0}\u{0}   42  make test\n\u{0}".utf8)
        let edited = Bytes("a\u{0}3\u{0}2\u{0}2\u{0}10\u{0}/w\u{0}\u{0}  108* for i in 1 2\ndo :; done\n\u{0}".utf8)
        let decoded = ShellEvent.decode(record + edited, from: 0).compactMap(\.event)
        guard case .commandStarting(let started) = decoded[0], case .commandEnded(let ended, 2, "2", 10) = decoded[1] else {
            Issue.record("unexpected \(decoded)")
            return
        }
        #expect(started.text == "make test")
        #expect(ended.text == "for i in 1 2\ndo :; done")
    }

    @Test func noiseIsSkippedNotFatal() {
        let good = ShellEvent.commandStarting(line).encoded
        let decoded = ShellEvent.decode(Bytes("garbage\u{0}".utf8) + good, from: 0)
        #expect(decoded.compactMap(\.event) == [.commandStarting(line)])
    }
}

@Suite struct NotifySettingsTests {
    @Test func afterOnlyAndNever() throws {
        let config = try ConfigParser.parseUserConfig(
            bytes: Bytes("[notify]\nafter = \"10s\"\nonly = [\"make*\", \"cargo *\"]\nnever = [\"make watch*\"]\n".utf8))
        let notify = try #require(config.notify)
        #expect(notify.applies(to: "make test", durationMilliseconds: 12_000))
        #expect(!notify.applies(to: "make test", durationMilliseconds: 9_000))
        #expect(!notify.applies(to: "make watch", durationMilliseconds: 60_000))
        #expect(!notify.applies(to: "sleep 20", durationMilliseconds: 20_000))
        #expect(notify.delivery == .terminal)
    }

    @Test func viaCommandNeedsACommand() throws {
        let config = try ConfigParser.parseUserConfig(bytes: Bytes("[notify]\nvia = \"command\"\ncommand = [\"notify-send\", \"done\"]\n".utf8))
        #expect(config.notify?.delivery == .command(["notify-send", "done"]))
        #expect(throws: HookctlError.self) { try ConfigParser.parseUserConfig(bytes: Bytes("[notify]\nvia = \"command\"\n".utf8)) }
        #expect(throws: HookctlError.self) { try ConfigParser.parseUserConfig(bytes: Bytes("[notify]\nvia = \"mail\"\n".utf8)) }
        #expect(throws: HookctlError.self) { try ConfigParser.parseUserConfig(bytes: Bytes("[notify]\nafter = \"soon\"\n".utf8)) }
        #expect(throws: HookctlError.self) { try ConfigParser.parseUserConfig(bytes: Bytes("[intercepts]\n".utf8)) }
    }

    @Test func projectSettingsWinAndFailFastParses() throws {
        let config = try ConfigParser.parse("[settings]\nfail_fast = true\n\n[notify]\nafter = \"1s\"\n", root: "/p")
        #expect(config.failFast == true)
        #expect(config.notify?.afterMilliseconds == 1000)
        #expect(try ConfigParser.parse("[env]\nA = \"1\"\n", root: "/p").failFast == nil)
    }

    @Test func terminalSequencesOrABell() {
        let notification = CommandNotification(line: "make\u{1B}]0;x\u{07} test", exitCode: 0, durationMilliseconds: 12_300)
        let osc = String(decoding: notification.sequence(environment: ["TERM_PROGRAM": Bytes("WezTerm".utf8)]), as: UTF8.self)
        #expect(osc.hasPrefix("\u{1B}]777;notify;hookctl: command finished;make ]0,x  test took 12.3 s\u{07}") == false)
        #expect(osc.hasPrefix("\u{1B}]777;notify;hookctl: command finished;"))
        #expect(osc.contains("\u{1B}]9;"))
        // The command line's own escape sequences never reach the terminal.
        #expect(osc.filter { $0 == "\u{1B}" }.count == 2)
        #expect(notification.sequence(environment: ["TERM": Bytes("linux".utf8)]) == [0x07])
    }
}

@Suite struct ShellHookCatalogTests {
    @Test func userThenProjectThenConfigInByteOrder() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        let user = UserPaths(root: Path.join(root, "config"))
        let userDirectory = user.hookDirectory(.afterCommand)
        try POSIX.makeDirectories(userDirectory)
        for name in ["50-b.sh", "01-a.sh", "B.sh", ".hidden", "x.sh~"] { try TestSupport.write(Path.join(userDirectory, name), "#!/bin/sh\n", mode: 0o700) }
        try TestSupport.write(Path.join(userDirectory, "60-off.sh"), "#!/bin/sh\n", mode: 0o600)
        try TestSupport.write(Path.join(userDirectory, "70-open.sh"), "#!/bin/sh\n", mode: 0o777)
        chmod(Path.join(userDirectory, "70-open.sh"), 0o777)
        let project = Path.join(root, "project")
        try POSIX.makeDirectories(Path.join(project, ".hookctl/hooks/afterCommand.d"))
        try TestSupport.write(Path.join(project, ".hookctl/hooks/afterCommand.d/01-a.sh"), "#!/bin/sh\n", mode: 0o700)
        try TestSupport.write(Path.join(project, "hookctl.toml"), "[[hooks.afterCommand]]\nid = \"toml\"\ncommand = \"true\"\n")
        let loaded = try Project.load(root: project)
        let set = ShellHookCatalog(user: user, userConfig: UserConfig(), userID: getuid()).hooks(at: .afterCommand, project: loaded)
        #expect(set.hooks.map(\.spec.id) == ["01-a.sh", "50-b.sh", "B.sh", "01-a.sh-2", "toml"])
        #expect(set.hooks.map(\.origin) == [
            .userDirectory(userDirectory), .userDirectory(userDirectory), .userDirectory(userDirectory),
            .projectDirectory(Path.join(project, ".hookctl/hooks/afterCommand.d")), .projectConfig(path: loaded.config.path, line: 2),
        ])
        #expect(set.warnings.count == 2)
        #expect(set.warnings[0].contains("60-off.sh is not executable"))
        #expect(set.warnings[1].contains("70-open.sh is writable by others"))
        let elsewhere = ShellHookCatalog(user: user, userConfig: UserConfig(), userID: getuid() + 1).hooks(at: .afterCommand, project: nil)
        #expect(elsewhere.hooks.isEmpty)
        #expect(elsewhere.warnings.allSatisfy { $0.contains("not owned by you") || $0.contains("not executable") })
    }
}
