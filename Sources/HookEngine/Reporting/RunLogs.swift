/// `hookctl logs`: what the hooks of the latest executions printed, secrets masked.
public struct RunLogs {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// The output of the latest execution of each point, or of the point
    /// `hook` belongs to. With `follow`, `emit` keeps receiving new output
    /// until those executions end.
    ///
    /// Outside a project, the user's own per-shell hooks that ran there.
    public func logs(directory: String?, hook: String?, follow: Bool, emit: (String) -> Void) throws {
        let resolved = try context.resolveDirectory(directory)
        let project = try ConfigLocator.projectRoot(from: resolved).map { try Project.load(root: $0) }
        guard project != nil || hook != nil else { throw HookctlError.noProject(directory: resolved) }
        let store = try context.store
        let launcher = try context.launcher
        let pointHooks = PointHooks(context: context)
        if let hook, !pointHooks.ids(project: project).contains(hook) {
            throw HookctlError.unknownHook(id: hook)
        }
        var executions: [(execution: ExecutionRecord, hooks: [String])] = []
        for point in HookPoint.all {
            let ids = pointHooks.hooks(at: point, project: project).hooks.map(\.spec.id).filter { hook == nil || $0 == hook }
            guard !ids.isEmpty, let execution = try store.latestExecution(root: project?.realRoot ?? "", point: point) else { continue }
            executions.append((execution, ids))
        }
        guard !executions.isEmpty else { throw HookctlError.noExecution(directory: project?.root ?? resolved) }
        var offsets: [String: Int] = [:]
        while true {
            var anyRunning = false
            for (index, entry) in executions.enumerated() {
                let secrets = try project.map { try ProjectSecrets.values(of: $0, store: store, execution: entry.execution.id) } ?? []
                for id in entry.hooks {
                    let path = context.paths.runLog(execution: entry.execution.id, hook: id)
                    guard let bytes = try? POSIX.readFile(path), bytes.count > offsets[id, default: 0] else { continue }
                    let text = String(decoding: bytes[offsets[id, default: 0]...], as: UTF8.self)
                    offsets[id] = bytes.count
                    let prefix = hook == nil ? "[\(id)] " : ""
                    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
                        emit(prefix + Redaction.redact(String(line), secrets: secrets))
                    }
                }
                let latest = try store.execution(id: entry.execution.id) ?? entry.execution
                let refreshed = latest.point.scope == .project ? try launcher.refresh(latest) : latest
                executions[index].execution = refreshed
                anyRunning = anyRunning || refreshed.state == .running
            }
            guard follow, anyRunning else { return }
            POSIX.sleep(milliseconds: 200)
        }
    }
}
