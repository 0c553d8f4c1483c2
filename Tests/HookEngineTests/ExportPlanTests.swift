import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The export plan computed in-process for a project that configures every hook point.
@Suite(.serialized) struct ExportPlanTests {
    private static let everyPoint = HookPoint.all.map { point in
        """
        [[hooks.\(point)]]
        id = "\(point)-hook"
        command = "./\(point).sh"

        """
    }.joined()

    private struct Fixture {
        let base: String
        let root: String
        let paths: StatePaths

        init() throws {
            base = try TestSupport.makeTemporaryDirectory()
            root = base + "/project"
            paths = StatePaths(root: base + "/state")
            try POSIX.makeDirectories(root, mode: 0o755)
            try TestSupport.write(root + "/hookctl.toml", "[env]\nSTATIC = \"yes\"\n\n" + ExportPlanTests.everyPoint)
            for point in HookPoint.all { try TestSupport.write(root + "/\(point).sh", "#!/bin/sh\n", mode: 0o755) }
        }

        /// A context for a shell (this test process) in `directory`; supervisors are `/bin/true`.
        func context(in directory: String, environment: EnvironmentMap = [:]) -> EngineContext {
            EngineContext(workingDirectory: directory, environment: environment, shellPID: getpid(), executable: "/bin/true", paths: paths)
        }

        func cleanUp() { TestSupport.remove(base) }
    }

    @Test func everyPointKeepsItsOwnHooks() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let config = try Project.load(root: fixture.root).config
        for point in HookPoint.all {
            #expect(config.hooks(at: point).map(\.id) == ["\(point)-hook"], "\(point)")
            #expect(config.hooks(at: point).allSatisfy { $0.point == point })
        }
        #expect(config.allHooks.count == HookPoint.all.count)
        #expect(HookPoint(rawValue: "onLeave") == nil)
        #expect(HookPoint.all.filter(\.loadsEnvironment) == [.onEnter])
    }

    @Test func enteringStartsOnlyOnEnterAndPlansNothingYet() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let context = fixture.context(in: fixture.root)
        _ = try Approvals(context: context).allow(directory: nil)
        let plan = try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
        let store = try context.store
        let execution = try #require(try store.latestExecution(root: fixture.root, point: .onEnter))
        #expect(plan.transitions == [.entered(root: fixture.root), .waiting(execution: execution.id)])
        // Only the prompt status changes until the hooks are done.
        #expect(plan.variables == [PlannedVariable(name: "HOOKCTL_STATUS", value: Bytes("loading 0/1".utf8))])
        #expect(try store.hookRuns(execution: execution.id).map(\.hookID) == ["onEnter-hook"])
        for point in HookPoint.all where point != .onEnter {
            #expect(try store.latestExecution(root: fixture.root, point: point) == nil, "\(point) must not run on entry")
        }
    }

    @Test func storedDescriptionsMaskSecretsOfEnv() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try TestSupport.write(
            fixture.root + "/hookctl.toml",
            "[env]\nAPI_TOKEN = \"s3cr3t-t0ken\"\n\n[[hooks.onEnter]]\ncommand = \"echo\"\nargs = [\"s3cr3t-t0ken\"]\n")
        let context = fixture.context(in: fixture.root)
        _ = try Approvals(context: context).allow(directory: nil)
        _ = try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
        let execution = try #require(try context.store.latestExecution(root: fixture.root, point: .onEnter))
        #expect(try context.store.hookRuns(execution: execution.id).map(\.description) == ["echo ****"])
    }

    @Test func aProjectWithoutHooksAppliesAtOnceAndLeavingRestores() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try TestSupport.write(fixture.root + "/hookctl.toml", "[env]\nSTATIC = \"yes\"\n")
        var context = fixture.context(in: fixture.root, environment: ["STATIC": Bytes("before".utf8)])
        _ = try Approvals(context: context).allow(directory: nil)
        let entered = try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
        let execution = try #require(try context.store.latestExecution(root: fixture.root, point: .onEnter))
        #expect(entered.transitions == [.entered(root: fixture.root), .applied(execution: execution.id, root: fixture.root)])
        #expect(entered.variables.map(\.name) == ["HOOKCTL_DIFF", "HOOKCTL_DIR", "HOOKCTL_STATUS", "STATIC"])
        #expect(entered.variables.last?.value == Bytes("yes".utf8))
        #expect(entered.messages == ["loaded \(fixture.root) (~STATIC)"])

        for variable in entered.variables { context.environment[variable.name] = variable.value }
        context.workingDirectory = fixture.base
        let left = try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
        #expect(left.transitions == [.unloaded(root: fixture.root), .left(root: fixture.root)])
        #expect(left.variables == [
            PlannedVariable(name: "HOOKCTL_DIFF", value: nil), PlannedVariable(name: "HOOKCTL_DIR", value: nil),
            PlannedVariable(name: "HOOKCTL_STATUS", value: nil), PlannedVariable(name: "STATIC", value: Bytes("before".utf8)),
        ])
        #expect(left.messages == ["unloaded \(fixture.root)"])
    }

    @Test func quietAndBackgroundComeFromTheContext() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        final class NeverShown: ProgressObserver {
            func begin() -> Bool { true }
            func show(_ runs: [HookRunRecord], now: Int64, waitingUpTo milliseconds: Int32) -> ProgressChoice? { nil }
            func end() {}
        }
        let quiet = fixture.context(in: fixture.root, environment: ["HOOKCTL_QUIET": Bytes("1".utf8), "HOOKCTL_MODE": Bytes("background".utf8)])
        let request = try ExportRequest(context: quiet, progress: NeverShown())
        #expect(request.quiet)
        #expect(request.progress == nil)
        let plan = try Exporter(context: quiet).plan(request)
        #expect(plan.messages.isEmpty, "the not-allowed line is silenced")
        let loud = try ExportRequest(context: fixture.context(in: fixture.root), progress: NeverShown())
        #expect(!loud.quiet && loud.progress != nil)
        #expect(throws: HookctlError.self) {
            try ExportRequest(
                context: EngineContext(workingDirectory: "/", environment: [:], executable: "/bin/true", paths: fixture.paths),
                progress: nil)
        }
    }
}

/// A state database that cannot be read or opened.
@Suite(.serialized) struct BrokenStateTests {
    @Test func anUnreadableDatabaseIsMovedAsideAndRecreated() throws {
        let base = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(base) }
        let paths = StatePaths(root: base + "/state")
        try POSIX.makeDirectories(paths.root)
        try TestSupport.write(paths.database, String(repeating: "not sqlite at all ", count: 400), mode: 0o600)
        let store = try StateStore(paths: paths)
        let aside = try #require(store.recoveredFrom)
        #expect(aside.hasPrefix(paths.database + ".broken-"))
        #expect(String(decoding: try POSIX.readFile(aside), as: UTF8.self).hasPrefix("not sqlite at all"))
        try store.approve(root: "/p", fingerprint: "f")
        #expect(try StateStore(paths: paths).recoveredFrom == nil, "the new database is fine")
    }

    @Test func leavingUnloadsWithoutTheDatabase() throws {
        let base = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(base) }
        let diff = LoadedState(executionID: "e1", entries: [.init(name: "LOADED", previous: nil)]).encoded()
        // A state directory that cannot be created.
        let context = EngineContext(
            workingDirectory: base,
            environment: ["LOADED": Bytes("1".utf8), "HOOKCTL_DIR": Bytes("/gone/project".utf8), "HOOKCTL_DIFF": Bytes(diff.utf8)],
            shellPID: getpid(), executable: "/bin/false", paths: StatePaths(root: "/proc/no-state-here"))
        let plan = try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
        #expect(plan.variables.map(\.name) == ["HOOKCTL_DIFF", "HOOKCTL_DIR", "LOADED"])
        #expect(plan.variables.allSatisfy { $0.value == nil })
        #expect(plan.messages.first == "unloaded /gone/project")
        #expect(plan.messages.count == 2, "and why the database could not be used")
    }
}
