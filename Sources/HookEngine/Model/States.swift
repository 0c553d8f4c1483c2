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

/// Whether the user trusts a project's current contents.
public enum ApprovalState: String, Sendable {
    case approved
    /// Approved once, changed since.
    case requiresApproval = "requires_approval"
    /// Never approved, or denied.
    case notApproved = "not_approved"
}
