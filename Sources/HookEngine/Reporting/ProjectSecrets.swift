/// The values hookctl must never print for a project: its secret `[env]`
/// and dotenv values and what an execution captured under a secret name.
enum ProjectSecrets {
    static func values(of project: Project, store: StateStore, execution: String?) throws -> [String] {
        let config = project.config
        let captured = try execution.map { try store.capturedEnvironment(execution: $0) } ?? []
        return captured.compactMap { variable in
            config.isSecret(variable.name) ? variable.value.map { String(decoding: $0, as: UTF8.self) } : nil
        } + project.secretValues
    }
}
