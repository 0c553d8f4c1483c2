extension Engine {
    /// The output of the latest execution's hooks, secrets masked. With
    /// `follow`, `emit` keeps receiving new output until the execution ends.
    public func logs(directory: String?, hook: String?, follow: Bool, emit: (String) -> Void) throws {
        let project = try Project.find(from: Self.resolveDirectory(directory))
        if let hook, !(project.config.onEnter + project.config.onExit).contains(where: { $0.id == hook }) {
            throw HookctlError.unknownHook(id: hook)
        }
        guard var execution = try store.latestExecution(root: project.realRoot, event: .onEnter) else {
            throw HookctlError.noExecution(directory: project.root)
        }
        let hooks = project.config.onEnter.map(\.id).filter { hook == nil || $0 == hook }
        var offsets: [String: Int] = [:]
        while true {
            let secrets = try secretValues(project: project, execution: execution.id)
            for id in hooks {
                let path = paths.runLog(execution: execution.id, hook: id)
                guard let bytes = try? POSIX.readFile(path), bytes.count > offsets[id, default: 0] else { continue }
                let text = String(decoding: bytes[offsets[id, default: 0]...], as: UTF8.self)
                offsets[id] = bytes.count
                let prefix = hook == nil ? "[\(id)] " : ""
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
                    emit(prefix + Redaction.redact(String(line), secrets: secrets))
                }
            }
            execution = try launcher.refresh(try store.execution(id: execution.id) ?? execution)
            guard follow, execution.state == .running else { return }
            POSIX.sleep(milliseconds: 200)
        }
    }

    /// Every value hookctl must not print for this project and execution.
    private func secretValues(project: Project, execution: String) throws -> [String] {
        let captured = try store.capturedEnvironment(execution: execution).compactMap { variable in
            project.config.isSecret(variable.name) ? variable.value.map { String(decoding: $0, as: UTF8.self) } : nil
        }
        return captured + project.config.environment.filter { project.config.isSecret($0.name) }.map(\.value)
    }
}
