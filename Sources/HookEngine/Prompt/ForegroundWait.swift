/// Waits for a running execution while a person watches, through a
/// `ProgressObserver`, until it ends or they send it to the background or
/// cancel it. Nothing is shown when the hooks finish within the quiet time.
struct ForegroundWait {
    /// How long hooks may take before anything is drawn.
    static let quietMilliseconds: Int64 = 300

    let context: EngineContext
    let progress: any ProgressObserver

    /// The execution as it stands when the wait ends. Nothing waits when
    /// every onEnter hook is `preload` or the observer has no terminal.
    func wait(for execution: ExecutionRecord, project: Project, session: inout ExportSession) throws -> ExecutionRecord {
        guard project.config.hooks(at: .onEnter).contains(where: { !$0.preload }) else { return execution }
        let clock = context.clock
        var current = execution
        let quietUntil = clock.monotonic() + Self.quietMilliseconds
        while clock.monotonic() < quietUntil {
            POSIX.sleep(milliseconds: 20)
            current = try refreshed(current)
            if current.state != .running { return current }
        }
        guard progress.begin() else { return current }
        defer { progress.end() }
        let store = try context.store
        while true {
            switch progress.show(try store.hookRuns(execution: current.id), now: clock.now(), waitingUpTo: 100) {
            case .background:
                session.messages.append("the hooks continue in the background; their environment loads at a later prompt")
                return current
            case .cancel:
                try context.launcher.cancelAll(realRoot: project.realRoot, wait: true)
                try ShellMarkers(store: store, paths: context.paths).notify(realRoot: project.realRoot)
                return try refreshed(current)
            case nil:
                current = try refreshed(current)
                if current.state != .running { return current }
            }
        }
    }

    private func refreshed(_ execution: ExecutionRecord) throws -> ExecutionRecord {
        try context.launcher.refresh(try context.store.execution(id: execution.id) ?? execution)
    }
}
