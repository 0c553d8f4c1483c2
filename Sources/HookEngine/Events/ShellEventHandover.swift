#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The export's side of the per-shell hook points: it appends the shell's
/// enter, leave and loaded events to its spool, opens the `fail_fast` gate
/// of `enter`, passes on what the runner left for the prompt, and tells the
/// glue which command events to hand over where the shell is now.
struct ShellEventHandover {
    let context: EngineContext
    let shellPID: Int32

    private let user: UserPaths
    /// The user's config.toml, read once per handover; an invalid one counts as empty (the runner reports it).
    let userConfig: UserConfig

    init(context: EngineContext, shellPID: Int32) {
        self.context = context
        self.shellPID = shellPID
        user = UserPaths(environment: context.environment)
        userConfig = (try? ConfigParser.loadUserConfig(path: user.config)) ?? UserConfig()
    }

    private func catalog(_ config: UserConfig) -> ShellHookCatalog {
        ShellHookCatalog(user: user, userConfig: config, userID: context.userID)
    }

    /// Whether entering `project` must wait for its `enter` hooks (`fail_fast`
    /// with enter hooks configured); opens the gate when so.
    func openGateIfNeeded(entering project: Project) {
        let config = userConfig
        guard project.config.failFast ?? config.failFast, !catalog(config).hooks(at: .enter, project: project).hooks.isEmpty else { return }
        EnterGate(paths: context.paths, shellPID: shellPID).open(root: project.root)
    }

    /// What the runner left for this prompt, one message per line; consumed.
    func takeNotices() -> [String] {
        let path = context.paths.notices(shell: shellPID)
        guard let bytes = try? POSIX.readFile(path, limit: 1 << 20) else { return [] }
        unlink(path)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Spools the lifecycle events of `session` that have hooks, and returns
    /// the glue's setting for where the shell is now: `before` and `after`
    /// (the command events to hand over), `rules` (bind Enter to the
    /// intercept rules) and `runner` (events are waiting).
    func handOver(_ session: ExportSession) -> String {
        let config = userConfig
        let catalog = catalog(config)
        let request = session.request
        var events: [ShellEvent] = []
        for transition in session.transitions {
            switch transition {
            case .left(let root):
                if !catalog.hooks(at: .leave, project: Self.approvedProject(root, context: context)).hooks.isEmpty {
                    events.append(.lifecycle(point: .leave, root: root, directory: request.directory, detail: request.directory))
                }
                EnterGate(paths: context.paths, shellPID: shellPID).remove()
            case .entered(let root):
                if !catalog.hooks(at: .enter, project: session.approvedProject).hooks.isEmpty {
                    let previous = request.environment["OLDPWD"].map { String(decoding: $0, as: UTF8.self) } ?? ""
                    events.append(.lifecycle(point: .enter, root: root, directory: request.directory, detail: previous))
                }
            case .applied(_, let root):
                if !catalog.hooks(at: .loaded, project: session.approvedProject).hooks.isEmpty {
                    events.append(.lifecycle(point: .loaded, root: root, directory: request.directory, detail: session.loadedNames.joined(separator: " ")))
                }
            case .unloaded, .waiting:
                break
            }
        }
        ShellEventSpool(paths: context.paths, shellPID: shellPID).append(events)
        var words = commandEvents(project: session.approvedProject)
        if !events.isEmpty { words += words.isEmpty ? "runner" : " runner" }
        return words
    }

    /// `before` and `after`: the command events the glue hands over inside
    /// the approved `project` (or outside any project).
    func commandEvents(project: Project?) -> String {
        let config = userConfig
        let catalog = catalog(config)
        var words: [String] = []
        if !catalog.hooks(at: .beforeCommand, project: project).hooks.isEmpty { words.append("before") }
        if (project?.config.notify ?? config.notify) != nil || catalog.anyHooks([.commandFailed, .afterCommand], project: project) {
            words.append("after")
        }
        if !InterceptRules(user: config, project: project).rules.isEmpty { words.append("rules") }
        return words.joined(separator: " ")
    }

    /// The glue's `_hookctl_rules` for where the shell is now.
    func interceptFields(project: Project?) -> [String] {
        InterceptRules(user: userConfig, project: project).fields
    }

    /// The project at `root`, when it is valid and approved as it is now.
    static func approvedProject(_ root: String, context: EngineContext) -> Project? {
        guard !root.isEmpty, let project = try? Project.load(root: root),
            (try? Approvals(context: context).state(of: project)) == .approved
        else { return nil }
        return project
    }
}
