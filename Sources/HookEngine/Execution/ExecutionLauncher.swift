#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Starts, inspects and cancels executions: one supervisor per project and
/// hook point, detached from the shell, found alive or dead through its lock.
struct ExecutionLauncher {
    let store: StateStore
    let paths: StatePaths
    /// The hookctl binary, run as `hookctl __supervise ID`.
    let executable: String
    let clock: any EngineClock

    /// The lock of the supervisor running `point`'s hooks for the project.
    /// (onEnter keeps the plain root as its key, as before points were open.)
    func lock(realRoot: String, point: HookPoint) -> SupervisorLock {
        SupervisorLock(path: paths.lock(key: point == .onEnter ? realRoot : realRoot + "#" + point.rawValue))
    }

    /// Starts `point`'s hooks of `project` in a new supervisor with
    /// `environment` as the base environment. Returns nil when a supervisor
    /// already runs for the project (the caller attaches to it instead).
    /// Without hooks the execution completes at once, without a supervisor.
    func start(_ project: Project, point: HookPoint, environment: EnvironmentMap) throws -> ExecutionRecord? {
        let variables = try project.environment(over: environment)
        let projectLock = lock(realRoot: project.realRoot, point: point)
        guard let lockFD = try projectLock.acquire() else { return nil }
        defer { close(lockFD) }
        let hooks = project.config.hooks(at: point)
        let now = clock.now()
        var record = ExecutionRecord(
            id: Timestamp.executionID(at: now), root: project.realRoot, fingerprint: project.fingerprint, point: point,
            state: hooks.isEmpty ? .completed : .running, startedAt: now)
        if hooks.isEmpty { record.finishedAt = record.startedAt }
        try store.transaction {
            for stale in try store.runningExecutions(root: project.realRoot) where stale.point == point {
                try markDead(stale)
            }
            // What the progress display shows: a command line may carry a secret of [env].
            let secrets = project.secretValues
            let shown = hooks.map { hook in
                var shown = hook
                shown.description = Redaction.redact(hook.displayName, secrets: secrets)
                return shown
            }
            try store.insertExecution(record, hooks: shown)
            if hooks.isEmpty && point.loadsEnvironment {
                try store.storeEnvironment(execution: record.id, variables: variables.map { CapturedVariable(name: $0.name, value: $0.value) })
            }
        }
        try prune(realRoot: project.realRoot, point: point)
        guard !hooks.isEmpty else { return record }

        var options = ProcessSpawner.Options(environment: environment.filter { !$0.key.hasPrefix("HOOKCTL_") || $0.key == "HOOKCTL_STATE_DIR" || $0.key == "HOOKCTL_LOG" })
        options.environment["HOOKCTL_STATE_DIR"] = Bytes(paths.root.utf8)
        options.directory = project.realRoot
        options.newSession = true
        options.passDescriptor = lockFD
        do {
            let child = try ProcessSpawner.spawn(executable, ["__supervise", record.id], options)
            record.supervisorPID = child.pid
            try store.setSupervisor(execution: record.id, pid: child.pid)
        } catch {
            try store.finishUnfinishedHookRuns(execution: record.id, state: .failed, message: "the supervisor could not start")
            try store.finishExecution(record.id, state: .failed, failure: "the supervisor could not start (\(error))")
            throw error
        }
        return record
    }

    /// `execution` as it stands now; a running one whose supervisor is gone is marked failed first.
    func refresh(_ execution: ExecutionRecord) throws -> ExecutionRecord {
        guard execution.state == .running, !lock(realRoot: execution.root, point: execution.point).isHeld else { return execution }
        try store.transaction { try markDead(execution) }
        return try store.execution(id: execution.id) ?? execution
    }

    /// Asks every running supervisor of the project to cancel; with `wait`,
    /// returns once they have killed their hooks and exited.
    func cancelAll(realRoot: String, wait: Bool) throws {
        for execution in try store.runningExecutions(root: realRoot) {
            let supervisorLock = lock(realRoot: realRoot, point: execution.point)
            if supervisorLock.isHeld, let pid = execution.supervisorPID, ProcessIdentity.isSame(pid, startedAt: execution.supervisorStarted) {
                kill(pid, SIGTERM)
                if wait {
                    let deadline = POSIX.monotonicMilliseconds() + 10_000
                    while supervisorLock.isHeld && POSIX.monotonicMilliseconds() < deadline { POSIX.sleep(milliseconds: 20) }
                }
            }
            if wait { _ = try refresh(execution) }
        }
    }

    /// How many finished executions (and their `runs/` logs) each project keeps per point.
    static let keptExecutions = 20

    /// Forgets all but the newest finished executions of the project, so the
    /// state stays small however long hookctl is used.
    private func prune(realRoot: String, point: HookPoint) throws {
        for id in try store.pruneExecutions(root: realRoot, point: point, keep: Self.keptExecutions) {
            paths.removeRunDirectory(execution: id)
        }
    }

    /// Fails an execution whose supervisor died, killing what its hooks left behind.
    private func markDead(_ execution: ExecutionRecord) throws {
        for run in try store.hookRuns(execution: execution.id) where run.state == .running {
            // Only a group whose leader is provably the hook: its pid may belong to another process by now.
            if let pid = run.pid, ProcessIdentity.isSame(pid, startedAt: run.pidStarted) { killpg(pid, SIGKILL) }
        }
        try store.finishUnfinishedHookRuns(execution: execution.id, state: .failed, message: "the supervisor died")
        let pid = execution.supervisorPID.map { " (pid \($0))" } ?? ""
        try store.finishExecution(execution.id, state: .failed, failure: "the hook supervisor\(pid) died")
    }
}
