/// The `dependsOn` graph of one event's hooks.
enum HookGraph {
    /// A dependency cycle as a path that returns to its start (`a -> b -> a`), or nil.
    static func findCycle(_ hooks: [HookSpec]) -> [String]? {
        let dependencies = Dictionary(hooks.map { ($0.id, $0.dependsOn) }, uniquingKeysWith: { first, _ in first })
        var finished: Set<String> = []
        var path: [String] = []

        func visit(_ id: String) -> [String]? {
            if finished.contains(id) { return nil }
            if let start = path.firstIndex(of: id) { return Array(path[start...]) + [id] }
            path.append(id)
            for dependency in dependencies[id] ?? [] {
                if let cycle = visit(dependency) { return cycle }
            }
            path.removeLast()
            finished.insert(id)
            return nil
        }

        for hook in hooks {
            if let cycle = visit(hook.id) { return cycle }
        }
        return nil
    }

    /// What a finished hook means for the hooks that depend on it.
    enum Outcome {
        /// Succeeded, or skipped because its condition said so.
        case satisfied
        /// Failed, timed out, was cancelled, or was skipped because a dependency broke.
        case broken
    }

    /// Pending hooks whose dependencies are all satisfied, in file order.
    static func ready(_ hooks: [HookSpec], pending: Set<String>, outcomes: [String: Outcome]) -> [HookSpec] {
        hooks.filter { hook in
            pending.contains(hook.id) && hook.dependsOn.allSatisfy { outcomes[$0] == .satisfied }
        }
    }

    /// Pending hooks that can never run because a dependency broke.
    static func blocked(_ hooks: [HookSpec], pending: Set<String>, outcomes: [String: Outcome]) -> [HookSpec] {
        hooks.filter { hook in
            pending.contains(hook.id) && hook.dependsOn.contains { outcomes[$0] == .broken }
        }
    }
}
