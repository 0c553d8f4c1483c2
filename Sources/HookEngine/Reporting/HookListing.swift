/// `hookctl hooks`: every hook point with its hooks in the order they run,
/// where each one comes from, and the scripts that were skipped.
public struct HookListing: Sendable {
    public struct Entry: Sendable {
        public var point: HookPoint
        public var id: String
        public var origin: String
    }

    public var entries: [Entry] = []
    public var warnings: [String] = []
    /// The project the listing is for; nil outside one.
    public var project: String?

    /// One block per point that has hooks, then the warnings.
    public func text() -> String {
        var lines: [String] = [project.map { "Project: \($0)" } ?? "No project here: only your own hooks apply."]
        let width = entries.map(\.id.count).max() ?? 0
        for point in HookPoint.all {
            let hooks = entries.filter { $0.point == point }
            guard !hooks.isEmpty else { continue }
            lines.append("\(point)")
            lines += hooks.map { "  \($0.id.padded(to: width))  \($0.origin)" }
        }
        if entries.isEmpty { lines.append("No hooks are configured here.") }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The hooks of every point where a directory is, as status, logs and the
/// listing see them: onEnter and onExit from hookctl.toml, the per-shell
/// points from the `.d` directories and hookctl.toml.
struct PointHooks {
    let catalog: ShellHookCatalog
    /// Why the user's config.toml was not read, when it could not be.
    let configProblem: String?

    /// Reads the user's config.toml once for every question asked of this value.
    init(context: EngineContext) {
        let user = UserPaths(environment: context.environment)
        var config = UserConfig()
        do {
            config = try ConfigParser.loadUserConfig(path: user.config)
            configProblem = nil
        } catch {
            configProblem = "\(error)"
        }
        catalog = ShellHookCatalog(user: user, userConfig: config, userID: context.userID)
    }

    /// The hooks of `point` for `project` (nil outside one), in run order.
    func hooks(at point: HookPoint, project: Project?) -> ShellHookSet {
        guard point.scope == .shell else {
            let specs = project?.config.hooks(at: point) ?? []
            return ShellHookSet(hooks: specs.map { ShellHook(spec: $0, origin: .projectConfig(path: project!.config.path, line: $0.line)) })
        }
        var set = catalog.hooks(at: point, project: project)
        set.warnings = (configProblem.map { [$0] } ?? []) + set.warnings
        return set
    }

    /// Every hook id where `project` is (the user's own outside one), for completion and `logs --hook`.
    func ids(project: Project?) -> [String] {
        HookPoint.all.flatMap { hooks(at: $0, project: project).hooks.map(\.spec.id) }
    }

    /// The listing for `hookctl hooks`.
    func listing(project: Project?) -> HookListing {
        var listing = HookListing(project: project?.root)
        for point in HookPoint.all {
            let set = hooks(at: point, project: project)
            listing.entries += set.hooks.map { HookListing.Entry(point: point, id: $0.spec.id, origin: $0.origin.description) }
            for warning in set.warnings where !listing.warnings.contains(warning) { listing.warnings.append(warning) }
        }
        return listing
    }
}
