/// Decides, for one execution, which hooks start now and which can never
/// run, from their `dependsOn` graph and the outcomes so far, with at most
/// `concurrency` running at once. Pure: it starts no process.
struct HookScheduler {
    enum Decision: Equatable {
        case start(HookSpec)
        /// A dependency did not succeed, so the hook can never run.
        case skip(HookSpec, reason: String)
    }

    let hooks: [HookSpec]
    let concurrency: Int
    private(set) var pending: Set<String>
    private(set) var running: Set<String> = []
    private(set) var outcomes: [String: HookGraph.Outcome] = [:]
    private(set) var isCancelled = false

    init(hooks: [HookSpec], concurrency: Int) {
        self.hooks = hooks
        self.concurrency = max(1, concurrency)
        pending = Set(hooks.map(\.id))
    }

    /// What to do now, in file order: skips first, then as many starts as
    /// the concurrency limit allows. Each decision is already taken into
    /// account when this returns (a started hook counts as running).
    mutating func next() -> [Decision] {
        guard !isCancelled else { return [] }
        var decisions: [Decision] = []
        var changed = true
        while changed {
            changed = false
            for hook in HookGraph.blocked(hooks, pending: pending, outcomes: outcomes) {
                pending.remove(hook.id)
                outcomes[hook.id] = .broken
                let broken = hook.dependsOn.filter { outcomes[$0] == .broken }.joined(separator: "', '")
                decisions.append(.skip(hook, reason: "dependency '\(broken)' did not succeed"))
                changed = true
            }
            for hook in HookGraph.ready(hooks, pending: pending, outcomes: outcomes) where running.count < concurrency {
                pending.remove(hook.id)
                running.insert(hook.id)
                decisions.append(.start(hook))
            }
        }
        return decisions
    }

    /// Records how a hook that `next()` started (or could not start) ended.
    mutating func finished(_ id: String, _ outcome: HookGraph.Outcome) {
        running.remove(id)
        pending.remove(id)
        outcomes[id] = outcome
    }

    /// Starts nothing more; what runs is left for the caller to stop.
    mutating func cancel() {
        isCancelled = true
    }

    /// Whether nothing runs and nothing more can start.
    var isFinished: Bool {
        running.isEmpty && (isCancelled || HookGraph.ready(hooks, pending: pending, outcomes: outcomes).isEmpty)
    }

    /// `hook`'s dependencies, transitively, each before the hooks that need it.
    func dependencies(of hook: HookSpec) -> [HookSpec] {
        var seen: Set<String> = []
        var ordered: [HookSpec] = []
        func visit(_ id: String) {
            guard seen.insert(id).inserted, let spec = hooks.first(where: { $0.id == id }) else { return }
            spec.dependsOn.forEach(visit)
            ordered.append(spec)
        }
        hook.dependsOn.forEach(visit)
        return ordered
    }
}
