/// `[notify]`: a notification when a command line ran longer than `after`.
/// The per-shell runner sends it after the command ended, so the prompt
/// never waits for it.
public struct NotifySettings: Sendable, Equatable {
    /// How the notification is delivered.
    public enum Delivery: Sendable, Equatable {
        /// OSC 777 and OSC 9 on the shell's terminal (a bell where neither is understood).
        case terminal
        /// A command run with the command line's context in its environment.
        case command([String])
    }

    public var afterMilliseconds: Int64 = 10_000
    /// Globs on the whole command line; when not empty, only matching lines notify.
    public var only: [String] = []
    /// Globs of command lines that never notify (editors, remote shells).
    public var never: [String] = []
    public var delivery: Delivery = .terminal

    public init() {}

    /// Whether a command line `line` that ran `duration` ms is worth a notification.
    public func applies(to line: String, durationMilliseconds duration: Int64) -> Bool {
        guard duration >= afterMilliseconds else { return false }
        let trimmed = line.trimmingWhitespace()
        if never.contains(where: { Glob.matches($0, trimmed) }) { return false }
        return only.isEmpty || only.contains { Glob.matches($0, trimmed) }
    }
}

/// The user's own settings, `${XDG_CONFIG_HOME:-~/.config}/hookctl/config.toml`:
/// what applies in every directory unless a project's hookctl.toml says otherwise.
public struct UserConfig: Sendable {
    public static let fileName = "config.toml"

    public var defaultTimeoutMilliseconds = ProjectConfig.defaultTimeoutMilliseconds
    public var failFast = false
    public var notify: NotifySettings?
    /// `[[intercept]]` rules, which apply everywhere, before a project's.
    public var interceptRules: [InterceptRule] = []

    public init() {}
}
