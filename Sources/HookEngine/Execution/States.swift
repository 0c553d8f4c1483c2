/// The state of one hook in an execution, as `status --json` spells it.
public enum HookState: String, Sendable, CaseIterable {
    case pending
    case running
    case succeeded
    case failed
    case skipped
    case cancelled
    case timedOut = "timed_out"

    public var isFinished: Bool { self != .pending && self != .running }
}

/// The state of an execution, as `status --json` spells it.
public enum ExecutionState: String, Sendable {
    case running
    case completed
    case failed
    case cancelled
}
