import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A state directory in a fresh temporary directory, removed by `cleanUp()`.
private struct TemporaryState {
    let base: String
    let paths: StatePaths

    init() throws {
        base = try TestSupport.makeTemporaryDirectory()
        paths = StatePaths(root: base + "/state")
    }

    func cleanUp() { TestSupport.remove(base) }
}

@Suite struct MigrationTests {
    @Test func migratesToTheNewestVersionAndReopens() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        _ = try StateStore(paths: state.paths)
        #expect(try Database(path: state.paths.database).userVersion == Migrations.all.count)
        _ = try StateStore(paths: state.paths)
        let database = try Database(path: state.paths.database)
        #expect(try database.userVersion == Migrations.all.count)
        try Migrations.migrate(database)
        #expect(try database.userVersion == Migrations.all.count)
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0].text }
        #expect(tables == ["approvals", "captured_environment", "executions", "hook_runs", "shells"])
    }

    @Test func runsOnlyTheMigrationsNotYetApplied() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        try state.paths.prepare()
        let database = try Database(path: state.paths.database)
        try database.execute(Migrations.all[0])
        try database.execute("PRAGMA user_version = 1")
        try database.query("INSERT INTO approvals (root, fingerprint, approved_at) VALUES ('/p', 'f', 1)")
        try Migrations.migrate(database)
        #expect(try database.userVersion == Migrations.all.count)
        #expect(try database.query("SELECT fingerprint FROM approvals").first?.first?.text == "f")
        #expect(try database.query("SELECT count(*) FROM executions").first?.first?.integer == 0)
    }

    @Test func usesWriteAheadLogging() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        _ = try StateStore(paths: state.paths)
        let database = try Database(path: state.paths.database)
        #expect(try database.query("PRAGMA journal_mode").first?.first?.text == "wal")
    }
}

@Suite struct StatePermissionTests {
    @Test func directoryIs0700AndDatabase0600() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        try store.approve(root: "/p", fingerprint: "f")
        #expect(TestSupport.mode(state.paths.root) == 0o700)
        #expect(TestSupport.mode(state.paths.database) == 0o600)
        #expect(TestSupport.mode(state.paths.database + "-wal") == 0o600)
        for child in ["logs", "runs", "shells", "locks"] {
            #expect(POSIX.isDirectory(state.paths.root + "/" + child), "\(child)")
        }
    }

    @Test func tightensAnExistingDirectoryAndDatabase() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        #expect(mkdir(state.paths.root, 0o755) == 0)
        #expect(chmod(state.paths.root, 0o755) == 0)
        try TestSupport.write(state.paths.database, "", mode: 0o644)
        #expect(chmod(state.paths.database, 0o644) == 0)
        #expect(TestSupport.mode(state.paths.root) == 0o755)
        _ = try StateStore(paths: state.paths)
        #expect(TestSupport.mode(state.paths.root) == 0o700)
        #expect(TestSupport.mode(state.paths.database) == 0o600)
    }

    @Test func createsMissingParents() throws {
        let base = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(base) }
        let paths = StatePaths(root: base + "/a/b/hookctl")
        _ = try StateStore(paths: paths)
        #expect(TestSupport.mode(paths.root) == 0o700)
        #expect(TestSupport.mode(paths.database) == 0o600)
    }
}

@Suite struct ApprovalStoreTests {
    @Test func approveRevokeAndRead() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        #expect(try store.approvedFingerprint(root: "/p") == nil)
        try store.approve(root: "/p", fingerprint: "f1")
        #expect(try store.approvedFingerprint(root: "/p") == "f1")
        try store.approve(root: "/p", fingerprint: "f2")
        #expect(try store.approvedFingerprint(root: "/p") == "f2")
        try store.approve(root: "/q", fingerprint: "g")
        try store.revoke(root: "/p")
        #expect(try store.approvedFingerprint(root: "/p") == nil)
        #expect(try store.approvedFingerprint(root: "/q") == "g")
        // The approval survives reopening the store.
        #expect(try StateStore(paths: state.paths).approvedFingerprint(root: "/q") == "g")
    }

    @Test func engineApprovalStates() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let root = state.base + "/project"
        try POSIX.makeDirectories(root, mode: 0o755)
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"./setup.sh\"\n")
        try TestSupport.write(root + "/setup.sh", "#!/bin/sh\n", mode: 0o755)
        let context = EngineContext(workingDirectory: root, environment: [:], executable: "/bin/false", paths: state.paths)
        let engine = Approvals(context: context)

        #expect(try engine.state(of: Project.load(root: root)) == .notApproved)
        #expect(try engine.allow(directory: root) == "allowed \(root)/hookctl.toml")
        #expect(try engine.state(of: Project.load(root: root)) == .approved)
        #expect(try context.store.approvedFingerprint(root: root) == Project.load(root: root).fingerprint)

        try TestSupport.write(root + "/setup.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        #expect(try engine.state(of: Project.load(root: root)) == .requiresApproval)
        _ = try engine.allow(directory: root)
        #expect(try engine.state(of: Project.load(root: root)) == .approved)

        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"./setup.sh\"\nargs = [\"x\"]\n")
        #expect(try engine.state(of: Project.load(root: root)) == .requiresApproval)

        #expect(try engine.deny(directory: root) == "denied \(root)/hookctl.toml")
        #expect(try engine.state(of: Project.load(root: root)) == .notApproved)
        #expect(ApprovalState.requiresApproval.rawValue == "requires_approval")
        #expect(ApprovalState.notApproved.rawValue == "not_approved")
    }
}

@Suite struct ExecutionStoreTests {
    private func record(_ id: String, root: String = "/p", fingerprint: String = "f", startedAt: Int64 = 1000) -> ExecutionRecord {
        ExecutionRecord(id: id, root: root, fingerprint: fingerprint, point: .onEnter, state: .running, supervisorPID: 42, startedAt: startedAt)
    }

    @Test func insertAndFinishExecutions() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        let first = record("e1")
        try store.insertExecution(first, hooks: [])
        #expect(try store.execution(id: "e1") == first)
        #expect(try store.execution(id: "missing") == nil)
        #expect(try store.runningExecutions(root: "/p").map(\.id) == ["e1"])

        #expect(try store.finishExecution("e1", state: .failed, failure: "hook 'a' failed"))
        let finished = try #require(try store.execution(id: "e1"))
        #expect(finished.state == .failed)
        #expect(finished.failure == "hook 'a' failed")
        #expect(finished.finishedAt != nil)
        #expect(try store.runningExecutions(root: "/p").isEmpty)

        // Only a running execution can finish.
        #expect(try !store.finishExecution("e1", state: .completed))
        #expect(try store.execution(id: "e1")?.state == .failed)
        #expect(try !store.finishExecution("missing", state: .completed))

        try store.setSupervisor(execution: "e1", pid: 77)
        #expect(try store.execution(id: "e1")?.supervisorPID == 77)
    }

    @Test func latestExecutionByFingerprint() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        try store.insertExecution(record("old", fingerprint: "f1", startedAt: 1), hooks: [])
        try store.insertExecution(record("new", fingerprint: "f2", startedAt: 2), hooks: [])
        try store.insertExecution(record("other", root: "/q", startedAt: 3), hooks: [])
        #expect(try store.latestExecution(root: "/p", point: .onEnter)?.id == "new")
        #expect(try store.latestExecution(root: "/p", point: .onEnter, fingerprint: "f1")?.id == "old")
        #expect(try store.latestExecution(root: "/p", point: .onEnter, fingerprint: "f3") == nil)
        #expect(try store.latestExecution(root: "/p", point: .onExit) == nil)
    }

    @Test func hookRunsStartAndFinish() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        var described = HookSpec.make("b", command: "./b.sh")
        described.description = "Doing b"
        try store.insertExecution(record("e1"), hooks: [HookSpec.make("a", command: "echo"), described, HookSpec.make("c")])

        let pending = try store.hookRuns(execution: "e1")
        #expect(pending.map(\.hookID) == ["a", "b", "c"])
        #expect(pending.map(\.description) == ["echo", "Doing b", "true"])
        #expect(pending.allSatisfy { $0.state == .pending && $0.pid == nil && $0.startedAt == nil && $0.durationMilliseconds == nil })

        try store.startHookRun(execution: "e1", hook: "a", pid: 1234)
        try store.startHookRun(execution: "e1", hook: "b", pid: nil)
        var runs = try store.hookRuns(execution: "e1")
        #expect(runs[0].state == .running)
        #expect(runs[0].pid == 1234)
        #expect(runs[0].startedAt != nil)
        #expect(runs[0].durationMilliseconds == nil)

        try store.finishHookRun(execution: "e1", hook: "a", state: .succeeded, exitCode: 0)
        try store.finishUnfinishedHookRuns(execution: "e1", state: .cancelled, message: "cancelled by the user")
        runs = try store.hookRuns(execution: "e1")
        #expect(runs.map(\.state) == [.succeeded, .cancelled, .cancelled])
        #expect(runs[0].exitCode == 0)
        #expect(runs[0].message == nil)
        #expect((runs[0].durationMilliseconds ?? -1) >= 0)
        #expect(runs[1].message == "cancelled by the user")
        #expect(runs[1].exitCode == nil)

        try store.finishHookRun(execution: "e1", hook: "c", state: .failed, exitCode: 3, message: "exit 3")
        let last = try store.hookRuns(execution: "e1")[2]
        #expect(last.state == .failed && last.exitCode == 3 && last.message == "exit 3" && last.finishedAt != nil)
        #expect(try store.hookRuns(execution: "missing").isEmpty)
    }

    @Test func capturedEnvironmentRoundTripsBytes() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        try store.insertExecution(record("e1"), hooks: [])
        let variables = [
            CapturedVariable(name: "ZETA", value: Bytes("last name first".utf8)),
            CapturedVariable(name: "BINARY", value: [0xff, 0xfe, 0x00, 0x0a, 0x80, 0x41]),
            CapturedVariable(name: "EMPTY", value: []),
            CapturedVariable(name: "UNSET", value: nil),
            CapturedVariable(name: "UTF8", value: Bytes("é🙂".utf8)),
            CapturedVariable(name: "ALL", value: (1...255).map { UInt8($0) }),
        ]
        try store.storeEnvironment(execution: "e1", variables: variables)
        let stored = try store.capturedEnvironment(execution: "e1")
        #expect(stored == variables)
        #expect(stored[2].value == [])
        #expect(stored[3].value == nil)
        #expect(try store.capturedEnvironment(execution: "missing").isEmpty)
    }
}

@Suite struct ShellStoreTests {
    /// A pid no process can have (above the kernel's pid_max).
    private let deadPID: Int32 = 2_000_000_000

    @Test func enterReportAndRemove() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        let pid = getpid()
        #expect(try store.shell(pid: pid) == nil)
        try store.enterShell(pid: pid, root: "/p")
        #expect(try store.shell(pid: pid) == ShellRecord(pid: pid, root: "/p", reportedExecution: nil))
        try store.setReported(pid: pid, execution: "e1")
        #expect(try store.shell(pid: pid)?.reportedExecution == "e1")
        // Entering the same project again keeps what was reported; another project resets it.
        try store.enterShell(pid: pid, root: "/p")
        #expect(try store.shell(pid: pid)?.reportedExecution == "e1")
        try store.enterShell(pid: pid, root: "/q")
        #expect(try store.shell(pid: pid) == ShellRecord(pid: pid, root: "/q", reportedExecution: nil))
        try store.removeShell(pid: pid)
        #expect(try store.shell(pid: pid) == nil)
    }

    @Test func onlyAShellThatIsStillTheSameProcessIsIdentified() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        try store.enterShell(pid: getpid(), root: "/p")
        #expect(try store.identifiedShells(root: "/p") == [getpid()])
        // A pid with no process (or, after reuse, another start time) is never signalled.
        try store.enterShell(pid: Int32.max - 1, root: "/p")
        #expect(try store.identifiedShells(root: "/p") == [getpid()])
        // A shell that said HOOKCTL_PUSH=0 is never signalled.
        try store.enterShell(pid: getpid(), root: "/p", push: false)
        #expect(try store.identifiedShells(root: "/p").isEmpty)
    }

    @Test func liveShellsDropsDeadPids() throws {
        let state = try TemporaryState()
        defer { state.cleanUp() }
        let store = try StateStore(paths: state.paths)
        let pid = getpid()
        try store.enterShell(pid: pid, root: "/p")
        try store.enterShell(pid: deadPID, root: "/p")
        try store.enterShell(pid: getppid(), root: "/q")
        #expect(!POSIX.isAlive(deadPID))
        #expect(try store.liveShells(root: "/p") == [pid])
        #expect(try store.shell(pid: deadPID) == nil)
        #expect(try store.liveShells(root: "/q") == [getppid()])
        #expect(try store.liveShells(root: "/none").isEmpty)
    }
}
