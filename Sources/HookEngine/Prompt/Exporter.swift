#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The prompt entry point: unloads a project the shell left, reports
/// approval, starts or attaches to the hooks of the project it is in, and
/// applies their environment once they have succeeded, as an `ExportPlan`.
public struct Exporter {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// The longest the prompt waits for a database lock another process holds.
    static let databaseWaitMilliseconds: Int32 = 100

    /// What the shell of `request` must do now.
    public func plan(_ request: ExportRequest) throws -> ExportPlan {
        do {
            return try planWaitingBriefly(request)
        } catch where StateStore.isBusy(error) {
            // Degrade, never stall the prompt: the next prompt tries again.
            POSIX.touch(context.paths.marker(shell: request.shellPID))
            let message = "the state database is busy (another process holds a lock on it); the environment stays as it is until a later prompt"
            return ExportPlan(messages: request.quiet ? [] : [message])
        }
    }

    private func planWaitingBriefly(_ request: ExportRequest) throws -> ExportPlan {
        var session = ExportSession(request: request)
        let root = ConfigLocator.projectRoot(from: request.directory)
        if !request.waitForHooks && isUnchanged(root: root, session: session) { return ExportPlan() }
        let store: StateStore
        do {
            store = try context.store
        } catch {
            // Leaving needs only HOOKCTL_DIFF: the shell unloads whatever the database's state.
            guard let loadedRoot = session.loadedRoot, loadedRoot != root else { throw error }
            session.unload()
            session.messages.append("\(error)")
            return session.result()
        }
        let handover = ShellEventHandover(context: context, shellPID: request.shellPID)
        var plan = try store.waitingAtMost(milliseconds: Self.databaseWaitMilliseconds) {
            try self.plan(session: &session, root: root, store: store, handover: handover)
        }
        plan.commandEvents = handover.handOver(session)
        plan.interceptRules = handover.interceptFields(project: session.approvedProject)
        // While the hooks load, the glue reads the status from a file the supervisor keeps current.
        ShellMarkers.show(session.status, shell: request.shellPID, paths: context.paths)
        return plan
    }

    private func plan(session: inout ExportSession, root: String?, store: StateStore, handover: ShellEventHandover) throws -> ExportPlan {
        let request = session.request
        if let aside = store.recoveredFrom {
            session.messages.append(
                "the state database could not be read; it was moved to \(aside) and a new one started: run 'hookctl allow' again in your projects")
        }
        let paths = context.paths
        unlink(paths.marker(shell: request.shellPID))
        session.messages += handover.takeNotices()
        let realRoot = root.map { POSIX.realPath($0) ?? $0 }
        let previous = try store.shell(pid: request.shellPID)

        if let loadedRoot = session.loadedRoot, loadedRoot != root {
            session.unload()
        }
        if let previous, previous.root != realRoot {
            try store.removeShell(pid: request.shellPID)
            session.transitions.append(.left(root: previous.root))
            try ProjectExit(context: context).shellLeft(realRoot: previous.root, environment: session.changes.working)
        }
        guard let root, let realRoot else {
            unlink(paths.stamp(shell: request.shellPID))
            watch([], pid: request.shellPID, session: &session)
            return session.result()
        }
        let entering = previous?.root != realRoot
        if entering {
            try store.enterShell(pid: request.shellPID, root: realRoot, push: request.push)
            session.transitions.append(.entered(root: root))
        }
        if let modified = POSIX.fileStatus(Path.join(root, ProjectConfig.fileName))?.st_mtim {
            POSIX.touch(paths.stamp(shell: request.shellPID), to: modified)
        }

        let project: Project
        do {
            project = try Project.load(root: root)
        } catch let error as HookctlError {
            session.unload(ifLoaded: root)
            session.status = .invalidConfig
            session.messages.append(error.description)
            watch([], pid: request.shellPID, session: &session)
            return session.result()
        }
        watch(project.watchedFiles, pid: request.shellPID, session: &session)
        if case .failure(let error) = project.dotenv {
            session.unload(ifLoaded: root)
            session.status = .invalidConfig
            session.messages.append(error.description)
            return session.result()
        }
        guard try Approvals(context: context).state(of: project) == .approved else {
            session.unload(ifLoaded: root)
            session.status = .requiresApproval
            session.messages.append(HookctlError.notAllowed(config: project.config.path).description)
            return session.result()
        }

        session.approvedProject = project
        if entering { handover.openGateIfNeeded(entering: project) }
        session.status = .loading(finished: 0, total: project.config.hooks(at: .onEnter).count)
        guard var execution = try currentExecution(of: project, restartCancelled: entering, environment: session.changes.working) else {
            return session.result()
        }
        if execution.state == .running, let progress = request.progress {
            execution = try ForegroundWait(context: context, progress: progress).wait(for: execution, project: project, session: &session)
            // What the wait saw end is applied now; the marker its end left is stale.
            unlink(paths.marker(shell: request.shellPID))
        }
        try settle(execution, project: project, previous: entering ? nil : previous, session: &session)
        return session.result()
    }

    /// Whether nothing can have changed since this shell's last export, told
    /// from the file system alone (the same test the glue makes): no marker,
    /// and either no project now or before, or the loaded project's config
    /// still has the modification time this shell last saw.
    private func isUnchanged(root: String?, session: ExportSession) -> Bool {
        let pid = session.request.shellPID
        let paths = context.paths
        guard !POSIX.exists(paths.marker(shell: pid)) else { return false }
        guard let root else { return session.loadedRoot == nil && !POSIX.exists(paths.stamp(shell: pid)) }
        guard root == session.loadedRoot, let config = POSIX.fileStatus(Path.join(root, ProjectConfig.fileName)),
            let stamp = POSIX.fileStatus(paths.stamp(shell: pid))
        else { return false }
        return config.st_mtim.tv_sec == stamp.st_mtim.tv_sec && config.st_mtim.tv_nsec == stamp.st_mtim.tv_nsec
            && !watchedFileChanged(pid: pid)
    }

    /// Records what shell `pid` must watch besides hookctl.toml: the list,
    /// in a file whose mtime is the newest of theirs, and in the plan for the glue.
    private func watch(_ files: [String], pid: Int32, session: inout ExportSession) {
        let path = context.paths.watch(shell: pid)
        session.watchedFiles = files
        guard !files.isEmpty else {
            unlink(path)
            return
        }
        let newest = files.compactMap { POSIX.fileStatus($0)?.st_mtim }.max { ($0.tv_sec, $0.tv_nsec) < ($1.tv_sec, $1.tv_nsec) }
        POSIX.writeFile(path, Bytes(files.joined(separator: "\0").utf8))
        if let newest { POSIX.touch(path, to: newest) }
    }

    /// Whether a file the shell watches was modified after what it last saw.
    private func watchedFileChanged(pid: Int32) -> Bool {
        let path = context.paths.watch(shell: pid)
        guard let stamp = POSIX.fileStatus(path)?.st_mtim, let list = try? POSIX.readFile(path) else { return false }
        return list.split(separator: 0).contains { file in
            guard let modified = POSIX.fileStatus(String(decoding: file, as: UTF8.self))?.st_mtim else { return false }
            return (modified.tv_sec, modified.tv_nsec) > (stamp.tv_sec, stamp.tv_nsec)
        }
    }

    /// The execution that decides the project's environment now, started if
    /// there is none for the current fingerprint (or, on entry, only a cancelled one).
    private func currentExecution(of project: Project, restartCancelled: Bool, environment: EnvironmentMap) throws -> ExecutionRecord? {
        let store = try context.store
        let launcher = try context.launcher
        var execution = try store.latestExecution(root: project.realRoot, point: .onEnter, fingerprint: project.fingerprint)
        if let running = execution, running.state == .running {
            execution = try launcher.refresh(running)
        }
        if execution == nil || (restartCancelled && execution?.state == .cancelled) {
            execution =
                try launcher.start(project, point: .onEnter, environment: environment)
                ?? store.latestExecution(root: project.realRoot, point: .onEnter, fingerprint: project.fingerprint)
        }
        return execution
    }

    /// Applies a completed execution, or reports a failed or cancelled one once per shell.
    private func settle(_ execution: ExecutionRecord, project: Project, previous: ShellRecord?, session: inout ExportSession) throws {
        let store = try context.store
        session.status = .of(execution, hooks: try store.hookRuns(execution: execution.id).map { ($0.hookID, $0.state) })
        switch execution.state {
        case .running:
            session.transitions.append(.waiting(execution: execution.id))
        case .completed:
            if let gate = EnterGate(paths: context.paths, shellPID: session.request.shellPID).state(root: project.root), gate != .passed {
                try hold(execution, behind: gate, project: project, session: &session)
                return
            }
            guard session.loaded?.executionID != execution.id || session.loadedRoot != project.root else { return }
            let variables = try store.capturedEnvironment(execution: execution.id)
            session.load(variables, executionID: execution.id, root: project.root)
        case .failed, .cancelled:
            session.unload(ifLoaded: project.root)
            guard previous?.reportedExecution != execution.id else { return }
            try store.setReported(pid: session.request.shellPID, execution: execution.id)
            let reason = execution.failure ?? "the hooks \(execution.state == .failed ? "failed" : "were cancelled")"
            let next = execution.state == .failed ? "run 'hookctl status' for details" : "run 'hookctl reload' to run them again"
            session.messages.append("\(reason); \(next)")
        }
    }

    /// With `fail_fast`, a completed execution waits for the shell's `enter`
    /// hooks; when one of them failed, nothing is applied (said once).
    private func hold(_ execution: ExecutionRecord, behind gate: EnterGate.State, project: Project, session: inout ExportSession) throws {
        switch gate {
        case .waiting:
            session.status = .loading(finished: project.config.hooks(at: .onEnter).count, total: project.config.hooks(at: .onEnter).count)
            session.transitions.append(.waiting(execution: execution.id))
        case .failed(let hook, let reported):
            session.unload(ifLoaded: project.root)
            session.status = .failed(hook: hook)
            guard !reported else { return }
            EnterGate(paths: context.paths, shellPID: session.request.shellPID).markReported(root: project.root)
            session.messages.append("the enter hook '\(hook)' failed and fail_fast is set, so nothing was loaded; run 'hookctl logs --hook \(hook)', then 'cd .' after a fix")
        case .passed:
            break
        }
    }
}

/// The state one export builds up: variable changes, transitions and messages.
struct ExportSession {
    let request: ExportRequest
    var changes: EnvironmentChanges
    var transitions: [ExportPlan.Transition] = []
    var messages: [String] = []
    var watchedFiles: [String]?
    /// What `HOOKCTL_STATUS` says after this export; nil (unset) outside a project.
    var status: PromptStatus?
    /// The project the shell is in, once it proved approved: its per-shell hooks may run.
    var approvedProject: Project?
    /// The names the latest load set, for the `loaded` point.
    var loadedNames: [String] = []
    private(set) var loaded: LoadedState?
    private(set) var loadedRoot: String?

    init(request: ExportRequest) {
        self.request = request
        changes = EnvironmentChanges(current: request.environment)
        (loaded, loadedRoot) = Self.loadedProject(in: request.environment)
        if loaded == nil, request.environment[EnvironmentChanges.diffVariable] != nil {
            // Not written by hookctl (edited, or from another version): drop it, evaluate nothing of it.
            changes.set(EnvironmentChanges.diffVariable, nil)
            changes.set(EnvironmentChanges.directoryVariable, nil)
            messages.append("HOOKCTL_DIFF was not written by this hookctl; dropped it without restoring anything")
        }
    }

    /// What `HOOKCTL_DIFF` and `HOOKCTL_DIR` say is loaded; nothing unless both are valid.
    private static func loadedProject(in environment: EnvironmentMap) -> (LoadedState?, String?) {
        guard let diff = environment[EnvironmentChanges.diffVariable],
            let state = LoadedState(encoded: String(decoding: diff, as: UTF8.self)),
            let root = environment[EnvironmentChanges.directoryVariable]
        else { return (nil, nil) }
        return (state, String(decoding: root, as: UTF8.self))
    }

    /// Restores what the loaded project changed.
    mutating func unload(ifLoaded root: String? = nil) {
        guard let loaded, let loadedRoot, root == nil || root == loadedRoot else { return }
        changes.revert(loaded)
        transitions.append(.unloaded(root: loadedRoot))
        messages.append("unloaded \(loadedRoot)")
        self.loaded = nil
        self.loadedRoot = nil
    }

    /// Replaces whatever is loaded with `variables`.
    mutating func load(_ variables: [CapturedVariable], executionID: String, root: String) {
        if let loaded, loadedRoot == root {
            changes.revert(loaded)
        } else {
            unload()
        }
        let refused = variables.map(\.name).filter(ReservedNames.contains)
        if !refused.isEmpty {
            messages.append("refused to set \(refused.joined(separator: ", ")): hookctl or the shell depends on \(refused.count == 1 ? "it" : "them")")
        }
        let summary = changes.apply(variables, executionID: executionID, root: root)
        loadedNames = variables.filter { $0.value != nil && !ReservedNames.contains($0.name) }.map(\.name)
        transitions.append(.applied(execution: executionID, root: root))
        messages.append("loaded \(root)" + (summary.isEmpty ? "" : " (\(summary.joined(separator: " ")))"))
        (loaded, loadedRoot) = Self.loadedProject(in: changes.working)
    }

    func result() -> ExportPlan {
        var changes = self.changes
        let statusText = status.map { Bytes($0.text.utf8) }
        if request.environment[EnvironmentChanges.statusVariable] != statusText { changes.set(EnvironmentChanges.statusVariable, statusText) }
        var plan = ExportPlan(transitions: transitions, variables: changes.planned, messages: request.quiet ? [] : messages.map(TerminalText.sanitized))
        plan.watchedFiles = watchedFiles
        return plan
    }
}
