/// `hookctl logs`: what the hooks of the latest executions printed, secrets masked.
public struct RunLogs {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// The output of the latest execution of each point, or of the point
    /// `hook` belongs to. With `follow`, `emit` keeps receiving new output
    /// until those executions end.
    public func logs(directory: String?, hook: String?, follow: Bool, emit: (String) -> Void) throws {
        let project = try Project.find(from: context.resolveDirectory(directory))
        let store = try context.store
        let launcher = try context.launcher
        if let hook, !project.config.allHooks.contains(where: { $0.id == hook }) {
            throw HookctlError.unknownHook(id: hook)
        }
        var executions: [(execution: ExecutionRecord, hooks: [String])] = []
        for point in HookPoint.all {
            let ids = project.config.hooks(at: point).map(\.id).filter { hook == nil || $0 == hook }
            guard !ids.isEmpty, let execution = try store.latestExecution(root: project.realRoot, point: point) else { continue }
            executions.append((execution, ids))
        }
        guard !executions.isEmpty else { throw HookctlError.noExecution(directory: project.root) }
        var offsets: [String: Int] = [:]
        while true {
            var anyRunning = false
            for (index, entry) in executions.enumerated() {
                let secrets = try ProjectSecrets.values(of: project, store: store, execution: entry.execution.id)
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
                let refreshed = try launcher.refresh(try store.execution(id: entry.execution.id) ?? entry.execution)
                executions[index].execution = refreshed
                anyRunning = anyRunning || refreshed.state == .running
            }
            guard follow, anyRunning else { return }
            POSIX.sleep(milliseconds: 200)
        }
    }
}
