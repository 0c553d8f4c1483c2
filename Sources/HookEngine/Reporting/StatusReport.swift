/// One hook's line in `hookctl status`.
public struct HookStatus: Sendable {
    public var id: String
    public var point: HookPoint
    public var description: String
    public var state: HookState
    public var exitCode: Int32?
    public var durationMilliseconds: Int64?
    public var startedAt: Int64?
    /// Why it failed or was skipped.
    public var message: String?
    /// The latest message line of a source hook.
    public var latestMessage: String?
    public var pid: Int32?
}

/// Where a project stands: approval, its execution and every hook.
public struct StatusReport: Sendable {
    public var directory: String?
    public var config: String?
    public var approval: ApprovalState?
    public var execution: ExecutionRecord?
    public var hooks: [HookStatus] = []
    /// Why the project cannot load as it is (a dotenv file that cannot be read).
    public var problem: String?
    /// The run logs of the execution, by hook id (for --verbose).
    public var logDirectory: String?

    public var counts: [(state: HookState, count: Int)] {
        HookState.allCases.map { state in (state, hooks.filter { $0.state == state }.count) }
    }

    /// One JSON object (version 1): directory, config, approval, the onEnter
    /// execution, every hook with its point and state, and the count per state.
    public func json() -> String {
        let execution: JSON = self.execution.map { execution in
            .object([
                ("id", .string(execution.id)), ("state", .string(execution.state.rawValue)),
                ("started_at", .string(Timestamp.iso8601(execution.startedAt))),
                ("finished_at", execution.finishedAt.map { .string(Timestamp.iso8601($0)) } ?? .null),
            ])
        } ?? .null
        let hooks: [JSON] = self.hooks.map { hook in
            .object([
                ("id", .string(hook.id)), ("event", .string(hook.point.rawValue)), ("description", .string(hook.description)),
                ("state", .string(hook.state.rawValue)), ("exit_code", hook.exitCode.map { .number(Int64($0)) } ?? .null),
                ("duration_ms", hook.durationMilliseconds.map { .number($0) } ?? .null),
                ("message", hook.latestMessage.map(JSON.string) ?? .null),
            ])
        }
        return JSON.object([
            ("version", .number(1)), ("directory", directory.map(JSON.string) ?? .null), ("config", config.map(JSON.string) ?? .null),
            ("approval", approval.map { .string($0.rawValue) } ?? .null), ("execution", execution), ("hooks", .array(hooks)),
            ("counts", .object(counts.map { ($0.state.rawValue, .number(Int64($0.count))) })),
        ]).serialized()
    }

    /// The text form: a summary line, the project, then one line per hook.
    public func text(verbose: Bool) -> String {
        let running = hooks.filter { $0.state == .running }.count
        let finished = hooks.filter { $0.state.isFinished }.count
        var lines = ["Hooks Status: \(running) running, \(finished) completed"]
        guard let directory, let approval else { return (lines + ["No hookctl.toml here or in any parent directory."]).joined(separator: "\n") + "\n" }
        lines.append("Project: \(directory) (\(approval.rawValue.replacingAll("_", with: " ")))")
        if let problem { lines.append("Problem: \(problem)") }
        if approval != .approved { lines.append("Run 'hookctl allow' to trust it.") }
        if let execution {
            var line = "Execution: \(execution.id) \(execution.state.rawValue), started \(Timestamp.iso8601(execution.startedAt))"
            if let finished = execution.finishedAt { line += ", finished \(Timestamp.iso8601(finished))" }
            lines.append(line)
            if let failure = execution.failure, execution.state != .completed { lines.append("  \(failure)") }
        } else if approval == .approved {
            lines.append("Execution: none yet")
        }
        let width = hooks.map(\.id.count).max() ?? 0
        for hook in hooks {
            var line = "  \(hook.id.padded(to: width))  \(hook.state.rawValue.padded(to: 9))"
            if let duration = hook.durationMilliseconds { line += "  \((Double(duration) / 1000).oneDecimal)s" }
            line += "  \(hook.description)"
            if hook.point != .onEnter { line += " (\(hook.point))" }
            lines.append(line)
            if verbose {
                if let said = hook.latestMessage { lines.append("      says: \(TerminalText.sanitized(said))") }
                if let message = hook.message { lines.append("      \(message)") }
                if let exitCode = hook.exitCode { lines.append("      exit code \(exitCode)") }
                if let pid = hook.pid, hook.state == .running { lines.append("      pid \(pid)") }
                if let logDirectory { lines.append("      log \(Path.join(logDirectory, hook.id + ".log"))") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

extension Double {
    var oneDecimal: String {
        let tenths = Int64((self * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
