/// What happens when the last shell has left a project, whether it changed
/// directory or exited: its running onEnter hooks are cancelled and its
/// onExit hooks start.
struct ProjectExit {
    let context: EngineContext

    /// When no live shell is inside the project at `realRoot` any more, cancels
    /// what runs there and starts the onExit hooks with `environment`.
    func shellLeft(realRoot: String, environment: EnvironmentMap) throws {
        let store = try context.store
        guard try store.liveShells(root: realRoot).isEmpty else { return }
        let launcher = try context.launcher
        try launcher.cancelAll(realRoot: realRoot, wait: false)
        guard let project = try? Project.load(root: realRoot), !project.config.hooks(at: .onExit).isEmpty,
            try Approvals(context: context).state(of: project) == .approved
        else { return }
        _ = try launcher.start(project, point: .onExit, environment: environment)
    }
}
