extension Engine {
    /// How long hooks may take before anything is drawn.
    static let quietMilliseconds: Int64 = 300

    /// Waits for a running execution at the terminal, drawing progress, until
    /// it ends or the user presses `b` (background) or `c`/Ctrl-C (cancel).
    /// Returns the execution as it then stands. Nothing waits when every
    /// onEnter hook is `preload` or there is no terminal.
    func waitInForeground(for execution: ExecutionRecord, project: Project, session: inout ExportSession) throws -> ExecutionRecord {
        guard project.config.onEnter.contains(where: { !$0.preload }) else { return execution }
        var current = execution
        let quietUntil = POSIX.monotonicMilliseconds() + Self.quietMilliseconds
        while POSIX.monotonicMilliseconds() < quietUntil {
            POSIX.sleep(milliseconds: 20)
            current = try refreshed(current)
            if current.state != .running { return current }
        }
        guard let terminal = TerminalSession() else { return current }
        defer { terminal.restore() }
        var display = ProgressDisplay(environment: session.request.environment)
        while true {
            display.draw(try store.hookRuns(execution: current.id), now: POSIX.nowMilliseconds(), width: terminal.columns, on: terminal)
            switch terminal.nextEvent(within: 100) {
            case .key(UInt8(ascii: "b")), .key(UInt8(ascii: "B")), .hangup:
                display.clear(on: terminal)
                session.messages.append("the hooks continue in the background; their environment loads at a later prompt")
                return current
            case .key(UInt8(ascii: "c")), .key(UInt8(ascii: "C")), .key(3), .interrupt:
                display.clear(on: terminal)
                try launcher.cancelAll(realRoot: project.realRoot, wait: true)
                try notifyShells(realRoot: project.realRoot)
                return try refreshed(current)
            default:
                current = try refreshed(current)
                if current.state != .running {
                    display.clear(on: terminal)
                    return current
                }
            }
        }
    }

    private func refreshed(_ execution: ExecutionRecord) throws -> ExecutionRecord {
        try launcher.refresh(try store.execution(id: execution.id) ?? execution)
    }
}
