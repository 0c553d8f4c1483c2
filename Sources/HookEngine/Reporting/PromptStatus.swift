/// Where the project a shell is in stands, in the few words a prompt shows:
/// `HOOKCTL_STATUS` in the shell, and `hookctl status --short`.
public enum PromptStatus: Sendable, Equatable {
    /// The onEnter hooks run; `finished` of `total` have ended.
    case loading(finished: Int, total: Int)
    case loaded
    /// The hooks failed; `hook` is the first that did.
    case failed(hook: String?)
    case cancelled
    /// The project was never allowed, was denied, or changed since it was allowed.
    case requiresApproval
    /// hookctl.toml or a dotenv file cannot be read.
    case invalidConfig

    /// What the prompt shows.
    public var text: String {
        switch self {
        case .loading(let finished, let total): "loading \(finished)/\(total)"
        case .loaded: "loaded"
        case .failed(let hook): hook.map { "failed: \($0)" } ?? "failed"
        case .cancelled: "cancelled"
        case .requiresApproval: "requires approval"
        case .invalidConfig: "invalid config"
        }
    }

    /// The status of an approved project's onEnter execution and its hooks.
    static func of(_ execution: ExecutionRecord, hooks: [(id: String, state: HookState)]) -> PromptStatus {
        switch execution.state {
        case .running: .loading(finished: hooks.filter { $0.state.isFinished }.count, total: hooks.count)
        case .completed: .loaded
        case .failed: .failed(hook: hooks.first { $0.state == .failed || $0.state == .timedOut }?.id)
        case .cancelled: .cancelled
        }
    }

    /// The status `report` shows; nil outside a project.
    public init?(_ report: StatusReport) {
        guard report.directory != nil, let approval = report.approval else { return nil }
        guard report.problem == nil else {
            self = .invalidConfig
            return
        }
        guard approval == .approved else {
            self = .requiresApproval
            return
        }
        guard let execution = report.execution else {
            self = .loading(finished: 0, total: report.hooks.filter { $0.point == .onEnter }.count)
            return
        }
        self = Self.of(execution, hooks: report.hooks.filter { $0.point == .onEnter }.map { ($0.id, $0.state) })
    }
}
