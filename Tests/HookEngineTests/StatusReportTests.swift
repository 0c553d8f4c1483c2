import Foundation
import Testing

@testable import HookEngine

@Suite struct StatusReportTests {
    private func parse(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    private var report: StatusReport {
        StatusReport(
            directory: "/abs/project", config: "/abs/project/hookctl.toml", approval: .approved,
            execution: ExecutionRecord(
                id: "20261121T180000-1a2b3c4d", root: "/abs/project", fingerprint: "f", point: .onEnter, state: .running,
                startedAt: 1_700_000_000_123),
            hooks: [
                HookStatus(id: "auth", point: .onEnter, description: "Fetching \"AWS\" credentials", state: .running),
                HookStatus(id: "db", point: .onEnter, description: "db", state: .succeeded, exitCode: 0, durationMilliseconds: 1234),
                HookStatus(id: "lint", point: .onEnter, description: "lint", state: .timedOut),
                HookStatus(id: "onExit.1", point: .onExit, description: "./stop.sh", state: .pending),
            ])
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let text = report.json()
        #expect(text.hasPrefix(#"{"version": 1, "directory": "/abs/project", "config": "/abs/project/hookctl.toml", "approval": "approved", "execution": {"#))
        let object = try parse(text)
        #expect(Set(object.keys) == ["version", "directory", "config", "approval", "execution", "hooks", "counts"])
        #expect(object["version"] as? Int == 1)
        #expect(object["directory"] as? String == "/abs/project")
        #expect(object["config"] as? String == "/abs/project/hookctl.toml")
        #expect(object["approval"] as? String == "approved")

        let execution = try #require(object["execution"] as? [String: Any])
        #expect(Set(execution.keys) == ["id", "state", "started_at", "finished_at"])
        #expect(execution["id"] as? String == "20261121T180000-1a2b3c4d")
        #expect(execution["state"] as? String == "running")
        #expect(execution["started_at"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(execution["finished_at"] is NSNull)

        let hooks = try #require(object["hooks"] as? [[String: Any]])
        #expect(hooks.count == 4)
        #expect(hooks.allSatisfy { Set($0.keys) == ["id", "event", "description", "state", "exit_code", "duration_ms", "message"] })
        #expect(hooks.map { $0["id"] as? String } == ["auth", "db", "lint", "onExit.1"])
        #expect(hooks[0]["description"] as? String == "Fetching \"AWS\" credentials")
        #expect(hooks[0]["exit_code"] is NSNull)
        #expect(hooks[0]["duration_ms"] is NSNull)
        #expect(hooks[1]["state"] as? String == "succeeded")
        #expect(hooks[1]["exit_code"] as? Int == 0)
        #expect(hooks[1]["duration_ms"] as? Int == 1234)
        #expect(hooks[2]["state"] as? String == "timed_out")
        #expect(hooks[3]["event"] as? String == "onExit")

        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts == ["pending": 1, "running": 1, "succeeded": 1, "failed": 0, "skipped": 0, "cancelled": 0, "timed_out": 1])
    }

    @Test func jsonOutsideAProject() throws {
        let object = try parse(StatusReport().json())
        #expect(object["version"] as? Int == 1)
        for key in ["directory", "config", "approval", "execution"] {
            #expect(object[key] is NSNull, "\(key)")
        }
        #expect((object["hooks"] as? [Any])?.isEmpty == true)
        #expect((object["counts"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true)
        #expect((object["counts"] as? [String: Int])?.count == 7)
    }

    @Test func jsonOfAFinishedExecution() throws {
        var finished = report
        finished.execution?.state = .completed
        finished.execution?.finishedAt = 1_700_000_001_000
        let execution = try #require(try parse(finished.json())["execution"] as? [String: Any])
        #expect(execution["state"] as? String == "completed")
        #expect(execution["finished_at"] as? String == "2023-11-14T22:13:21.000Z")
    }

    @Test func textStartsWithTheSummary() {
        let text = report.text(verbose: false)
        #expect(text.hasPrefix("Hooks Status: 1 running, 2 completed\nProject: /abs/project (approved)\n"))
        #expect(text.contains("  db        succeeded  1.2s  db\n"))
        #expect(text.contains("./stop.sh (onExit)"))
        #expect(StatusReport().text(verbose: false) == "Hooks Status: 0 running, 0 completed\nNo hookctl.toml here or in any parent directory.\n")
    }

    @Test func timestamps() {
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        let id = Timestamp.executionID(at: 1_700_000_000_123)
        #expect(id.count == 24)
        #expect(id.dropFirst(8).first == "T")
        #expect(id.dropFirst(15).first == "-")
    }
}

@Suite struct PromptStatusTests {
    private func execution(_ state: ExecutionState) -> ExecutionRecord {
        ExecutionRecord(id: "e", root: "/p", fingerprint: "f", point: .onEnter, state: state, startedAt: 0)
    }

    @Test func wordsForEveryState() {
        let hooks: [(id: String, state: HookState)] = [("auth", .succeeded), ("db", .running), ("api", .pending)]
        #expect(PromptStatus.of(execution(.running), hooks: hooks).text == "loading 1/3")
        #expect(PromptStatus.of(execution(.completed), hooks: []).text == "loaded")
        #expect(PromptStatus.of(execution(.failed), hooks: [("auth", .succeeded), ("db", .timedOut), ("api", .failed)]).text == "failed: db")
        #expect(PromptStatus.of(execution(.cancelled), hooks: hooks).text == "cancelled")
        #expect(PromptStatus.requiresApproval.text == "requires approval")
    }

    @Test func fromAReport() {
        #expect(PromptStatus(StatusReport()) == nil)
        var report = StatusReport(directory: "/p", config: "/p/hookctl.toml", approval: .requiresApproval)
        #expect(PromptStatus(report) == .requiresApproval)
        report.approval = .approved
        #expect(PromptStatus(report) == .loading(finished: 0, total: 0))
        report.problem = ".env:1: bad"
        #expect(PromptStatus(report) == .invalidConfig)
    }
}
