/// Trust: `hookctl allow` and `hookctl deny`, and whether a project is trusted now.
public struct Approvals {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// Trusts the project's current contents; returns the message to show.
    public func allow(directory: String?) throws -> String {
        let project = try Project.find(from: context.resolveDirectory(directory))
        let store = try context.store
        try store.approve(root: project.realRoot, fingerprint: project.fingerprint)
        try ShellMarkers(store: store, paths: context.paths).notify(realRoot: project.realRoot)
        return "allowed \(project.config.path)"
    }

    /// Revokes the approval, cancels running hooks and makes the shells unload.
    public func deny(directory: String?) throws -> String {
        let directory = try context.resolveDirectory(directory)
        guard let root = ConfigLocator.projectRoot(from: directory) else { throw HookctlError.noProject(directory: directory) }
        let realRoot = POSIX.realPath(root) ?? root
        let store = try context.store
        try store.revoke(root: realRoot)
        try context.launcher.cancelAll(realRoot: realRoot, wait: true)
        try ShellMarkers(store: store, paths: context.paths).notify(realRoot: realRoot)
        return "denied \(Path.join(root, ProjectConfig.fileName))"
    }

    /// Whether the project is trusted for what it holds now.
    func state(of project: Project) throws -> ApprovalState {
        switch try context.store.approvedFingerprint(root: project.realRoot) {
        case nil: .notApproved
        case project.fingerprint: .approved
        default: .requiresApproval
        }
    }
}
