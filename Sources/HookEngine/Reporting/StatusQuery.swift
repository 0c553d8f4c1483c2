/// `hookctl status`: approval, the latest execution and every hook's state.
public struct StatusQuery {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// Where the project containing `directory` stands.
    public func status(directory: String?) throws -> StatusReport {
        let directory = try context.resolveDirectory(directory)
        guard ConfigLocator.projectRoot(from: directory) != nil else { return StatusReport() }
        let project = try Project.find(from: directory)
        var report = StatusReport(
            directory: project.root, config: project.config.path, approval: try Approvals(context: context).state(of: project))
        if case .failure(let error) = project.dotenv { report.problem = error.description }
        let store = try context.store
        let launcher = try context.launcher
        let pointHooks = PointHooks(context: context)
        for point in HookPoint.all {
            let hooks = pointHooks.hooks(at: point, project: project).hooks.map(\.spec)
            // A per-shell point's latest run, in any shell; the project's own points for its current contents.
            var execution = try store.latestExecution(
                root: project.realRoot, point: point, fingerprint: point.scope == .project ? project.fingerprint : nil)
            if let current = execution, point.scope == .project { execution = try launcher.refresh(current) }
            if point == .onEnter {
                report.execution = execution
                report.logDirectory = execution.map { context.paths.runDirectory(execution: $0.id) }
            }
            let runs = try execution.map { try store.hookRuns(execution: $0.id) } ?? []
            // A command line may carry a secret as an argument: masked like everything else shown.
            let secrets = try ProjectSecrets.values(of: project, store: store, execution: execution?.id)
            for hook in hooks {
                let run = runs.first { $0.hookID == hook.id }
                report.hooks.append(
                    HookStatus(
                        id: hook.id, point: point, description: Redaction.redact(hook.displayName, secrets: secrets),
                        state: run?.state ?? .pending, exitCode: run?.exitCode, durationMilliseconds: run?.durationMilliseconds,
                        startedAt: run?.startedAt, message: run?.message.map { Redaction.redact($0, secrets: secrets) },
                        latestMessage: run?.latestMessage.map { Redaction.redact($0, secrets: secrets) }, pid: run?.pid))
            }
        }
        return report
    }

    /// The ids of the project's hooks, every point, in file order; none
    /// outside a project or when hookctl.toml is invalid (for completion).
    public func hookIDs(directory: String?) -> [String] {
        guard let directory = try? context.resolveDirectory(directory) else { return [] }
        let project = ConfigLocator.projectRoot(from: directory).flatMap { try? Project.load(root: $0) }
        return PointHooks(context: context).ids(project: project)
    }

    /// Every point's hooks where `directory` is, with where each comes from (`hookctl hooks`).
    public func hookListing(directory: String?) throws -> HookListing {
        let directory = try context.resolveDirectory(directory)
        let project = try ConfigLocator.projectRoot(from: directory).map { try Project.load(root: $0) }
        return PointHooks(context: context).listing(project: project)
    }

    /// Blocks until the project's onEnter execution has ended, then reports it.
    public func waitForStatus(directory: String?, timeoutSeconds: Double?) throws -> StatusReport {
        let clock = context.clock
        let deadline = timeoutSeconds.map { clock.monotonic() + Int64($0 * 1000) }
        while true {
            let report = try status(directory: directory)
            if report.execution?.state != .running { return report }
            if let deadline, clock.monotonic() >= deadline { throw HookctlError.waitTimedOut(seconds: timeoutSeconds ?? 0) }
            POSIX.sleep(milliseconds: 50)
        }
    }
}
