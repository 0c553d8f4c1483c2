/// A variable an export sets (`value`) or unsets (`nil`).
public struct PlannedVariable: Sendable, Equatable {
    public var name: String
    public var value: Bytes?

    public init(name: String, value: Bytes?) {
        self.name = name
        self.value = value
    }
}

/// What a shell must do at this prompt, as data: what happened, the
/// variables to set and unset, and the messages to show. Each shell dialect
/// renders it as code; a host that sets variables itself (the bash
/// builtin) applies `variables` directly.
public struct ExportPlan: Sendable, Equatable {
    /// What this export saw happen, in order.
    public enum Transition: Sendable, Equatable {
        /// The shell left the project at this root.
        case left(root: String)
        /// The shell entered the project at this root.
        case entered(root: String)
        /// The project's environment was taken out of the shell.
        case unloaded(root: String)
        /// The project's hooks are running; their environment comes later.
        case waiting(execution: String)
        /// The environment of this execution was applied.
        case applied(execution: String, root: String)
    }

    public var transitions: [Transition] = []
    /// Sorted by name; each name at most once.
    public var variables: [PlannedVariable] = []
    /// One line each, without the `hookctl: ` prefix.
    public var messages: [String] = []
    /// The files besides hookctl.toml whose change the shell must notice at
    /// its next prompt (what the approval covers); nil: keep what it watches.
    public var watchedFiles: [String]?
    /// What the glue hands over to the per-shell runner where the shell is
    /// now: `before` and `after` (command lines), `runner` (events wait in
    /// the spool); empty for nothing; nil: keep what it does.
    public var commandEvents: String?
    /// The intercept rules where the shell is now, as the glue's flat array
    /// (`InterceptRules.fields`); nil: keep them.
    public var interceptRules: [String]?

    public init(transitions: [Transition] = [], variables: [PlannedVariable] = [], messages: [String] = []) {
        self.transitions = transitions
        self.variables = variables
        self.messages = messages
    }

    /// Whether the shell has nothing to do.
    public var isEmpty: Bool { variables.isEmpty && messages.isEmpty }
}
