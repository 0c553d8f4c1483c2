/// One `[[hooks.POINT]]` entry of hookctl.toml.
public struct HookSpec: Sendable, Equatable {
    public var id: String
    public var point: HookPoint
    public var command: String
    public var args: [String] = []
    /// Working directory, relative to the project root.
    public var dir: String = "."
    /// Whether stdout carries `export NAME=value` lines to capture.
    public var source = false
    /// Whether the hook starts in the background without anyone waiting for it.
    public var preload = false
    /// A /bin/sh condition; a non-zero exit skips the hook.
    public var condition: String?
    public var dependsOn: [String] = []
    /// Globs (relative to `dir`) of more files the approval covers: what the hook reads.
    public var inputs: [String] = []
    public var description: String?
    public var timeoutMilliseconds: Int64
    /// The line of hookctl.toml that names the hook (its `id`, else its table header).
    public var line: Int?
    /// The line of its `dependsOn`, for errors about dependencies.
    public var dependsOnLine: Int?

    public init(id: String, point: HookPoint, command: String, timeoutMilliseconds: Int64) {
        self.id = id
        self.point = point
        self.command = command
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// What progress and status show for the hook: its description, or the command line on one line (an inline script's
    /// newlines and indentation shown as single spaces).
    public var displayName: String {
        description ?? ([command] + args).joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
