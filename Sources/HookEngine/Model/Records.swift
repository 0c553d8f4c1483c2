/// One run of a project's hooks at one point, as stored.
public struct ExecutionRecord: Sendable, Equatable {
    public var id: String
    public var root: String
    public var fingerprint: String
    public var point: HookPoint
    public var state: ExecutionState
    public var supervisorPID: Int32?
    public var startedAt: Int64
    public var finishedAt: Int64?
    /// Why the execution failed or was cancelled, for the one-line message.
    public var failure: String?
    /// The supervisor's start time, so a reused pid is never signalled.
    public var supervisorStarted: UInt64? = nil
}

/// One hook inside an execution, as stored.
public struct HookRunRecord: Sendable, Equatable {
    public var hookID: String
    public var description: String
    public var state: HookState
    public var pid: Int32?
    public var exitCode: Int32?
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var message: String?
    /// The hook process's start time, so a reused pid is never signalled.
    public var pidStarted: UInt64? = nil
    /// The latest line a source hook printed that was not an assignment.
    public var latestMessage: String? = nil

    public var durationMilliseconds: Int64? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt - startedAt
    }
}

/// A variable an execution sets (`value`) or unsets (`nil`).
public struct CapturedVariable: Sendable, Equatable {
    public var name: String
    public var value: Bytes?
}

/// A shell that is inside a project.
struct ShellRecord: Equatable {
    var pid: Int32
    var root: String
    var reportedExecution: String?
}
