extension Engine {
    /// Trusts the project's current contents; returns the message to show.
    public func allow(directory: String?) throws -> String {
        let project = try Project.find(from: Self.resolveDirectory(directory))
        try store.approve(root: project.realRoot, fingerprint: project.fingerprint)
        try notifyShells(realRoot: project.realRoot)
        return "allowed \(project.config.path)"
    }

    /// Revokes the approval, cancels running hooks and makes the shells unload.
    public func deny(directory: String?) throws -> String {
        let directory = try Self.resolveDirectory(directory)
        guard let root = ConfigLocator.projectRoot(from: directory) else { throw HookctlError.noProject(directory: directory) }
        let realRoot = POSIX.realPath(root) ?? root
        try store.revoke(root: realRoot)
        try launcher.cancelAll(realRoot: realRoot, wait: true)
        try notifyShells(realRoot: realRoot)
        return "denied \(Path.join(root, ProjectConfig.fileName))"
    }
}
