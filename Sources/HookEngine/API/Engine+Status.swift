extension Engine {
    /// Approval, execution and per-hook state of the project containing `directory`.
    public func status(directory: String?) throws -> StatusReport {
        let directory = try Self.resolveDirectory(directory)
        guard ConfigLocator.projectRoot(from: directory) != nil else { return StatusReport() }
        let project = try Project.find(from: directory)
        var report = StatusReport(directory: project.root, config: project.config.path, approval: try approvalState(of: project))
        let launcher = try launcher
        for event in HookEvent.allCases {
            var execution = try store.latestExecution(root: project.realRoot, event: event, fingerprint: project.fingerprint)
            if let current = execution { execution = try launcher.refresh(current) }
            if event == .onEnter {
                report.execution = execution
                report.logDirectory = execution.map { paths.runDirectory(execution: $0.id) }
            }
            let runs = try execution.map { try store.hookRuns(execution: $0.id) } ?? []
            for hook in project.config.hooks(for: event) {
                let run = runs.first { $0.hookID == hook.id }
                report.hooks.append(
                    HookStatus(
                        id: hook.id, event: event, description: hook.displayName, state: run?.state ?? .pending,
                        exitCode: run?.exitCode, durationMilliseconds: run?.durationMilliseconds, startedAt: run?.startedAt,
                        message: run?.message, pid: run?.pid))
            }
        }
        return report
    }

    /// Blocks until the project's onEnter execution has ended, then reports it.
    public func waitForStatus(directory: String?, timeoutSeconds: Double?) throws -> StatusReport {
        let deadline = timeoutSeconds.map { POSIX.monotonicMilliseconds() + Int64($0 * 1000) }
        while true {
            let report = try status(directory: directory)
            if report.execution?.state != .running { return report }
            if let deadline, POSIX.monotonicMilliseconds() >= deadline { throw HookctlError.waitTimedOut(seconds: timeoutSeconds ?? 0) }
            POSIX.sleep(milliseconds: 50)
        }
    }
}
