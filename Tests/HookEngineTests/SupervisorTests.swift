import CShims
import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The scheduler on its own: no process is started.
@Suite struct HookSchedulerTests {
    private func started(_ decisions: [HookScheduler.Decision]) -> [String] {
        decisions.compactMap { if case .start(let hook) = $0 { hook.id } else { nil } }
    }

    private func skipped(_ decisions: [HookScheduler.Decision]) -> [String] {
        decisions.compactMap { if case .skip(let hook, _) = $0 { hook.id } else { nil } }
    }

    @Test func independentHooksStartTogetherUpToTheLimit() {
        var scheduler = HookScheduler(hooks: ["a", "b", "c"].map { HookSpec.make($0) }, concurrency: 2)
        #expect(started(scheduler.next()) == ["a", "b"])
        #expect(scheduler.next().isEmpty)
        scheduler.finished("a", .satisfied)
        #expect(started(scheduler.next()) == ["c"])
        #expect(!scheduler.isFinished)
        scheduler.finished("b", .satisfied)
        scheduler.finished("c", .satisfied)
        #expect(scheduler.isFinished)
    }

    @Test func aHookWaitsForItsDependencies() {
        var scheduler = HookScheduler(
            hooks: [HookSpec.make("a"), HookSpec.make("b"), HookSpec.make("c", dependsOn: ["a", "b"])], concurrency: 16)
        #expect(started(scheduler.next()) == ["a", "b"])
        scheduler.finished("a", .satisfied)
        #expect(scheduler.next().isEmpty)
        scheduler.finished("b", .satisfied)
        #expect(started(scheduler.next()) == ["c"])
    }

    @Test func aBrokenDependencySkipsEverythingBehindIt() {
        var scheduler = HookScheduler(
            hooks: [HookSpec.make("a"), HookSpec.make("b", dependsOn: ["a"]), HookSpec.make("c", dependsOn: ["b"]), HookSpec.make("d")],
            concurrency: 16)
        #expect(started(scheduler.next()) == ["a", "d"])
        scheduler.finished("a", .broken)
        let decisions = scheduler.next()
        #expect(skipped(decisions) == ["b", "c"])
        #expect(decisions.first == .skip(HookSpec.make("b", dependsOn: ["a"]), reason: "dependency 'a' did not succeed"))
        #expect(!scheduler.isFinished)
        scheduler.finished("d", .satisfied)
        #expect(scheduler.isFinished)
    }

    @Test func cancellingStartsNothingMore() {
        var scheduler = HookScheduler(hooks: [HookSpec.make("a"), HookSpec.make("b", dependsOn: ["a"])], concurrency: 16)
        #expect(started(scheduler.next()) == ["a"])
        scheduler.cancel()
        scheduler.finished("a", .satisfied)
        #expect(scheduler.next().isEmpty)
        #expect(scheduler.isFinished)
        #expect(scheduler.pending == ["b"])
    }

    @Test func dependenciesComeTransitivelyInOrder() {
        let hooks = [HookSpec.make("a"), HookSpec.make("b", dependsOn: ["a"]), HookSpec.make("c", dependsOn: ["b", "a"])]
        let scheduler = HookScheduler(hooks: hooks, concurrency: 1)
        #expect(scheduler.dependencies(of: hooks[2]).map(\.id) == ["a", "b"])
        #expect(scheduler.dependencies(of: hooks[0]).isEmpty)
    }
}

/// What a running hook does with its output, without a process.
@Suite struct RunningHookTests {
    private func entry(source: Bool, log: Int32 = -1) -> RunningHook {
        var spec = HookSpec.make("h")
        spec.source = source
        return RunningHook(spec: spec, log: log, environment: [:], directory: "/", deadline: 0)
    }

    @Test func sourceStdoutIsKeptAndNeverLogged() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let log = open(directory + "/h.log", O_WRONLY | O_CREAT, 0o600)
        var hook = entry(source: true, log: log)
        hook.receive(Bytes("export TOKEN=abcd1234\n".utf8)[...], fromStdout: true, redacting: [])
        hook.receive(Bytes("note abcd1234\npartial".utf8)[...], fromStdout: false, redacting: ["abcd1234"])
        hook.closePipes(redacting: ["abcd1234"])
        close(log)
        #expect(hook.stdout == Bytes("export TOKEN=abcd1234\n".utf8))
        #expect(String(decoding: try POSIX.readFile(directory + "/h.log"), as: UTF8.self) == "note ****\npartial\n")
    }

    @Test func tooMuchSourceOutputIsFlagged() {
        var hook = entry(source: true)
        hook.receive(Bytes(repeating: UInt8(ascii: "x"), count: SourceCapture.outputLimit)[...], fromStdout: true, redacting: [])
        #expect(!hook.exceededOutputLimit)
        hook.receive(Bytes("y".utf8)[...], fromStdout: true, redacting: [])
        #expect(hook.exceededOutputLimit)
        #expect(hook.stdout.count == SourceCapture.outputLimit)
    }
}

/// The loop run in this process with real, tiny hooks and a temporary store.
@Suite(.serialized) struct SupervisorLoopTests {
    private struct Fixture {
        let base: String
        let paths: StatePaths
        let store: StateStore
        let project: Project
        let execution: ExecutionRecord
        let wake: [Int32]

        init(_ toml: String, files: [String: String] = [:]) throws {
            base = try TestSupport.makeTemporaryDirectory()
            paths = StatePaths(root: base + "/state")
            store = try StateStore(paths: paths)
            try POSIX.makeDirectories(base + "/project", mode: 0o755)
            try TestSupport.write(base + "/project/hookctl.toml", toml)
            for (name, text) in files {
                try POSIX.makeDirectories(Path.parent(of: base + "/project/" + name), mode: 0o755)
                try TestSupport.write(base + "/project/" + name, text, mode: 0o755)
            }
            project = try Project.load(root: base + "/project")
            execution = ExecutionRecord(
                id: "e1", root: project.realRoot, fingerprint: project.fingerprint, point: .onEnter, state: .running,
                startedAt: SystemClock().now())
            try store.insertExecution(execution, hooks: project.config.hooks(at: .onEnter))
            var ends: [Int32] = [0, 0]
            pipe2(&ends, O_CLOEXEC | O_NONBLOCK)
            wake = ends
        }

        func loop(path: String = "/usr/bin:/bin") -> SupervisorLoop {
            let recorder = RunRecorder(
                store: store, paths: paths, execution: execution, hooks: project.config.hooks(at: .onEnter),
                logger: EngineContext(workingDirectory: base, environment: [:], executable: "/bin/false", paths: paths)
                    .logger(label: "test"))
            return SupervisorLoop(
                execution: execution, project: project, environment: ["PATH": Bytes(path.utf8)], recorder: recorder,
                wakeFD: wake[0], clock: SystemClock())
        }

        func states() throws -> [String: HookState] {
            Dictionary(uniqueKeysWithValues: try store.hookRuns(execution: "e1").map { ($0.hookID, $0.state) })
        }

        func cleanUp() {
            wake.forEach { close($0) }
            TestSupport.remove(base)
        }
    }

    @Test func runsTheGraphCapturesAndStoresTheEnvironment() throws {
        let fixture = try Fixture(
            """
            [env]
            STATIC = "s"

            [[hooks.onEnter]]
            id = "first"
            command = "sh"
            args = ["-c", "echo export FIRST=1"]
            source = true

            [[hooks.onEnter]]
            id = "second"
            command = "sh"
            args = ["-c", "echo export SECOND=$FIRST$STATIC"]
            source = true
            dependsOn = ["first"]

            [[hooks.onEnter]]
            id = "broken"
            command = "sh"
            args = ["-c", "exit 3"]

            [[hooks.onEnter]]
            id = "behind"
            command = "true"
            dependsOn = ["broken"]

            [[hooks.onEnter]]
            id = "unmet"
            command = "true"
            condition = "false"
            """)
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .failed)
        #expect(
            try fixture.states() == ["first": .succeeded, "second": .succeeded, "broken": .failed, "behind": .skipped, "unmet": .skipped])
        let execution = try #require(try fixture.store.execution(id: "e1"))
        #expect(execution.state == .failed)
        #expect(execution.failure == "hook 'broken' exited with status 3")
        // A failed execution leaves no environment to apply.
        #expect(try fixture.store.capturedEnvironment(execution: "e1").isEmpty)
    }

    @Test func aCompletedRunStoresEnvAndCaptures() throws {
        let fixture = try Fixture(
            """
            [env]
            STATIC = "s"

            [[hooks.onEnter]]
            command = "sh"
            args = ["-c", "echo export FIRST=1"]
            source = true
            """)
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .completed)
        let variables = try fixture.store.capturedEnvironment(execution: "e1")
        #expect(variables.map(\.name) == ["FIRST", "STATIC"])
        #expect(variables.map(\.value) == [Bytes("1".utf8), Bytes("s".utf8)])
    }

    @Test func aTimeoutStopsTheWholeProcessGroup() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "slow"
            command = "sh"
            args = ["-c", "sleep 30 & sleep 30"]
            timeout = "200ms"
            """)
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .failed)
        #expect(try fixture.states() == ["slow": .timedOut])
        let run = try #require(try fixture.store.hookRuns(execution: "e1").first)
        #expect(run.message == "timed out after 0.2 s")
        let group = try #require(run.pid)
        let deadline = SystemClock().monotonic() + 3000
        while !TestSupport.liveMembers(ofGroup: group).isEmpty && SystemClock().monotonic() < deadline { POSIX.sleep(milliseconds: 20) }
        #expect(TestSupport.liveMembers(ofGroup: group).isEmpty, "the hook's process group is gone")
    }

    @Test func aDependentHookWhoseScriptChangedDoesNotRun() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "first"
            command = "sh"
            args = ["-c", "echo 'touch ran' >> second.sh"]

            [[hooks.onEnter]]
            id = "second"
            command = "./second.sh"
            dependsOn = ["first"]
            """, files: ["second.sh": "#!/bin/sh\n"])
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .failed)
        #expect(try fixture.states() == ["first": .succeeded, "second": .failed])
        let run = try #require(try fixture.store.hookRuns(execution: "e1").last)
        #expect(run.message == "hookctl.toml or a file it runs changed after the approval; run 'hookctl allow' to trust it")
        #expect(!POSIX.exists(fixture.base + "/project/ran"))
    }

    @Test func aSecretPrintedOnStderrBeforeATimeoutIsMasked() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "leaky"
            command = "sh"
            args = ["-c", "echo s3cr3t-val >&2; sleep 0.1; echo export API_TOKEN=s3cr3t-val; sleep 30"]
            source = true
            timeout = "500ms"
            """)
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .failed)
        let log = String(decoding: try POSIX.readFile(fixture.paths.runLog(execution: "e1", hook: "leaky")), as: UTF8.self)
        #expect(!log.contains("s3cr3t-val"), "\(log)")
        #expect(log.contains("****"))
    }

    @Test func aSlowCaptureTimesOutLikeAnyHook() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "exports"
            command = "/bin/sh"
            args = ["-c", "echo export A=1"]
            source = true
            timeout = "300ms"
            """, files: ["fake/bash": "#!/bin/sh\nexec sleep 30\n"])
        defer { fixture.cleanUp() }
        #expect(fixture.loop(path: fixture.base + "/project/fake:/usr/bin:/bin").run() == .failed)
        #expect(try fixture.states() == ["exports": .timedOut])
        #expect(!POSIX.exists(fixture.paths.runDirectory(execution: "e1") + "/exports.exports"), "the exports file is gone")
    }

    @Test func aCommandAnEarlierHookPointsIntoTheProjectIsRefused() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "path"
            command = "sh"
            args = ["-c", "echo export PATH=$HOOKCTL_PROJECT_DIR/bin:$PATH"]
            source = true

            [[hooks.onEnter]]
            id = "tool"
            command = "tool"
            dependsOn = ["path"]
            """, files: ["bin/tool": "#!/bin/sh\ntouch ran\n"])
        defer { fixture.cleanUp() }
        #expect(fixture.loop().run() == .failed)
        #expect(try fixture.states() == ["path": .succeeded, "tool": .failed])
        let message = try #require(try fixture.store.hookRuns(execution: "e1").last?.message)
        #expect(message.hasPrefix("'tool' is \(fixture.base)/project/bin/tool inside the project, which the approval does not cover"))
        #expect(!POSIX.exists(fixture.base + "/project/ran"))
    }

    @Test func aWakeupOtherThanSIGCHLDCancels() throws {
        let fixture = try Fixture(
            """
            [[hooks.onEnter]]
            id = "long"
            command = "sleep"
            args = ["30"]

            [[hooks.onEnter]]
            id = "after"
            command = "true"
            dependsOn = ["long"]
            """)
        defer { fixture.cleanUp() }
        var byte = UInt8(SIGTERM)
        #expect(write(fixture.wake[1], &byte, 1) == 1)
        #expect(fixture.loop().run() == .cancelled)
        #expect(try fixture.states() == ["long": .cancelled, "after": .cancelled])
    }
}

/// What keeps the state small: capped run logs, pruned executions, a size limit on hookctl.toml.
@Suite struct StateLimitTests {
    @Test func aRunLogKeepsItsTail() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let path = directory + "/h.log"
        let log = open(path, O_RDWR | O_CREAT | O_APPEND, 0o600)
        var hook = RunningHook(spec: HookSpec.make("h"), log: log, environment: [:], directory: "/", deadline: 0)
        let line = Bytes(repeating: UInt8(ascii: "x"), count: 1023) + [UInt8(ascii: "\n")]
        for index in 0..<3000 {
            hook.receive((index == 2999 ? Bytes("the last line\n".utf8) : line)[...], fromStdout: false, redacting: [])
        }
        hook.closePipes(redacting: [])
        close(log)
        let text = String(decoding: try POSIX.readFile(path), as: UTF8.self)
        #expect(text.utf8.count <= 2 * RunningHook.logLimit + 100)
        #expect(text.hasPrefix("hookctl: earlier output was dropped; a hook's log keeps its last 1 MiB\n"))
        #expect(text.hasSuffix("the last line\n"))
    }

    @Test func onlyTheNewestFinishedExecutionsAreKept() throws {
        let base = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(base) }
        let store = try StateStore(paths: StatePaths(root: base + "/state"))
        for index in 0..<25 {
            let record = ExecutionRecord(
                id: "e\(index)", root: "/p", fingerprint: "f", point: .onEnter, state: index == 0 ? .running : .completed,
                startedAt: Int64(index))
            try store.insertExecution(record, hooks: [HookSpec.make("a")])
        }
        try store.insertExecution(
            ExecutionRecord(id: "exit", root: "/p", fingerprint: "f", point: .onExit, state: .completed, startedAt: 0), hooks: [])
        let pruned = try store.pruneExecutions(root: "/p", point: .onEnter, keep: 20)
        #expect(Set(pruned) == Set((1...4).map { "e\($0)" }), "the running one and the 20 newest stay")
        #expect(try store.execution(id: "e0") != nil && store.execution(id: "e24") != nil && store.execution(id: "exit") != nil)
        #expect(try store.hookRuns(execution: "e1").isEmpty, "their hook runs go with them")
    }

    @Test func aHugeConfigIsRefused() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(root + "/hookctl.toml", "# " + String(repeating: "x", count: Project.configSizeLimit) + "\n")
        #expect(throws: HookctlError.invalidConfig(line: nil, message: "the file is larger than 4 MiB; hookctl reads no config that large")) {
            try Project.load(root: root)
        }
    }
}

@Suite struct ProcessIdentityTests {
    @Test func aProcessIsKnownByItsStartTime() throws {
        let started = try #require(ProcessIdentity.startTime(of: getpid()))
        #expect(ProcessIdentity.isSame(getpid(), startedAt: started))
        #expect(!ProcessIdentity.isSame(getpid(), startedAt: started + 1), "another process with this pid")
        #expect(!ProcessIdentity.isSame(getpid(), startedAt: nil), "no recorded start time proves nothing")
        #expect(ProcessIdentity.startTime(of: 0) == nil && ProcessIdentity.startTime(of: -1) == nil)
    }
}
