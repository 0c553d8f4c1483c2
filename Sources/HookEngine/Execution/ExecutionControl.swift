/// `hookctl load`, `reload`, `cancel` and `shell hook`: the user's hands on
/// a project's onEnter execution.
public struct ExecutionControl {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// Starts the project's onEnter hooks in the background unless they are
    /// running or have completed for its current contents.
    public func load(directory: String?) throws -> String {
        let project = try approvedProject(directory)
        let launcher = try context.launcher
        if let current = try context.store.latestExecution(root: project.realRoot, point: .onEnter, fingerprint: project.fingerprint),
            try launcher.refresh(current).state == .running || current.state == .completed
        {
            return current.state == .completed
                ? "the hooks of \(project.root) already completed; run 'hookctl reload' to run them again"
                : "the hooks of \(project.root) are already running"
        }
        return try start(project)
    }

    /// Runs the project's onEnter hooks again, cancelling a running execution first.
    public func reload(directory: String?) throws -> String {
        let project = try approvedProject(directory)
        try context.launcher.cancelAll(realRoot: project.realRoot, wait: true)
        return try start(project)
    }

    /// Cancels the running execution and kills its hooks.
    public func cancel(directory: String?) throws -> String {
        let project = try Project.find(from: context.resolveDirectory(directory))
        let store = try context.store
        guard !(try store.runningExecutions(root: project.realRoot)).isEmpty else {
            throw HookctlError.noRunningExecution(directory: project.root)
        }
        try context.launcher.cancelAll(realRoot: project.realRoot, wait: true)
        try ShellMarkers(store: store, paths: context.paths).notify(realRoot: project.realRoot)
        return "cancelled the hooks of \(project.root)"
    }

    /// Runs the onEnter hooks in the foreground and returns their exports as
    /// `shell` code (for `eval "$(hookctl shell hook bash)"`), or why they did not complete.
    public func foregroundHook(shell: ShellKind, directory: String?) throws -> (code: Bytes, failure: String?) {
        let project = try approvedProject(directory)
        let store = try context.store
        let execution = try store.latestExecution(root: project.realRoot, point: .onEnter, fingerprint: project.fingerprint)
        if execution.map({ $0.state != .completed && $0.state != .running }) ?? true {
            _ = try context.launcher.start(project, point: .onEnter, environment: context.environment)
        }
        let report = try StatusQuery(context: context).waitForStatus(directory: project.root, timeoutSeconds: nil)
        guard let finished = report.execution, finished.state == .completed else {
            return ([], report.execution?.failure ?? "the hooks did not complete")
        }
        var plan = ExportPlan()
        for variable in try store.capturedEnvironment(execution: finished.id) where !ReservedNames.contains(variable.name) {
            plan.variables.append(PlannedVariable(name: variable.name, value: variable.value))
        }
        return (shell.render(plan), nil)
    }

    private func approvedProject(_ directory: String?) throws -> Project {
        let project = try Project.find(from: context.resolveDirectory(directory))
        guard try Approvals(context: context).state(of: project) == .approved else {
            throw HookctlError.notAllowed(config: project.config.path)
        }
        return project
    }

    private func start(_ project: Project) throws -> String {
        guard let execution = try context.launcher.start(project, point: .onEnter, environment: context.environment) else {
            return "the hooks of \(project.root) are already running"
        }
        try ShellMarkers(store: try context.store, paths: context.paths).notify(realRoot: project.realRoot)
        return execution.state == .completed
            ? "loaded \(project.root) (no hooks to run)"
            : "started the hooks of \(project.root) (execution \(execution.id))"
    }
}
