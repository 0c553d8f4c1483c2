#if canImport(Glibc)
@preconcurrency import Glibc
#endif

extension Engine {
    /// Starts the project's onEnter hooks in the background unless they are
    /// running or have completed for its current contents.
    public func load(directory: String?) throws -> String {
        let project = try approvedProject(directory)
        if let current = try store.latestExecution(root: project.realRoot, event: .onEnter, fingerprint: project.fingerprint),
            try launcher.refresh(current).state == .running || current.state == .completed
        {
            return current.state == .completed ? "the hooks of \(project.root) already completed; run 'hookctl reload' to run them again" : "the hooks of \(project.root) are already running"
        }
        return try start(project)
    }

    /// Runs the project's onEnter hooks again, cancelling a running execution first.
    public func reload(directory: String?) throws -> String {
        let project = try approvedProject(directory)
        try launcher.cancelAll(realRoot: project.realRoot, wait: true)
        return try start(project)
    }

    /// Cancels the running execution and kills its hooks.
    public func cancel(directory: String?) throws -> String {
        let directory = try Self.resolveDirectory(directory)
        let project = try Project.find(from: directory)
        guard !(try store.runningExecutions(root: project.realRoot)).isEmpty else {
            throw HookctlError.noRunningExecution(directory: project.root)
        }
        try launcher.cancelAll(realRoot: project.realRoot, wait: true)
        try notifyShells(realRoot: project.realRoot)
        return "cancelled the hooks of \(project.root)"
    }

    /// The body of the detached supervisor process (`hookctl __supervise ID`).
    public func supervise(executionID: String) throws -> Int32 {
        guard let execution = try store.execution(id: executionID) else { throw HookctlError.unknownExecution(id: executionID) }
        let logger = makeLogger(label: "supervisor")
        let project = try Project.load(root: execution.root)
        guard project.fingerprint == execution.fingerprint else {
            try store.finishUnfinishedHookRuns(execution: execution.id, state: .cancelled, message: "hookctl.toml changed")
            try store.finishExecution(execution.id, state: .failed, failure: "hookctl.toml changed before the hooks started")
            return 1
        }
        try store.setSupervisor(execution: execution.id, pid: getpid())
        return Supervisor(store: try store, paths: paths, execution: execution, project: project, logger: logger).run()
    }

    /// Runs the onEnter hooks in the foreground and returns their exports as
    /// `shell` code (for `eval "$(hookctl shell hook bash)"`).
    public func foregroundHook(shell: ShellKind, directory: String?) throws -> (code: Bytes, failure: String?) {
        let project = try approvedProject(directory)
        var execution = try store.latestExecution(root: project.realRoot, event: .onEnter, fingerprint: project.fingerprint)
        if execution.map({ $0.state != .completed && $0.state != .running }) ?? true {
            execution = try launcher.start(project, event: .onEnter, environment: Environment.current()) ?? execution
        }
        let report = try waitForStatus(directory: project.root, timeoutSeconds: nil)
        guard let finished = report.execution, finished.state == .completed else {
            return ([], report.execution?.failure ?? "the hooks did not complete")
        }
        var code = Bytes()
        for variable in try store.capturedEnvironment(execution: finished.id) {
            code += variable.value.map { shell.assignment(variable.name, $0) } ?? shell.unset(variable.name)
        }
        return (code, nil)
    }

    private func approvedProject(_ directory: String?) throws -> Project {
        let project = try Project.find(from: Self.resolveDirectory(directory))
        guard try approvalState(of: project) == .approved else { throw HookctlError.notAllowed(config: project.config.path) }
        return project
    }

    private func start(_ project: Project) throws -> String {
        guard let execution = try launcher.start(project, event: .onEnter, environment: Environment.current()) else {
            return "the hooks of \(project.root) are already running"
        }
        try notifyShells(realRoot: project.realRoot)
        return execution.state == .completed ? "loaded \(project.root) (no hooks to run)" : "started the hooks of \(project.root) (execution \(execution.id))"
    }
}
