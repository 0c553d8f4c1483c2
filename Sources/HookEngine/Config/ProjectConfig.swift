/// When a hook runs.
public enum HookEvent: String, Sendable, CaseIterable {
    case onEnter
    case onExit
}

/// One `[[hooks.onEnter]]` or `[[hooks.onExit]]` entry of hookctl.toml.
public struct HookSpec: Sendable, Equatable {
    public var id: String
    public var event: HookEvent
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
    public var description: String?
    public var timeoutMilliseconds: Int64

    /// What progress and status show for the hook.
    public var displayName: String {
        description ?? ([command] + args).joined(separator: " ")
    }
}

/// A parsed and validated hookctl.toml.
public struct ProjectConfig: Sendable {
    public static let fileName = "hookctl.toml"
    public static let defaultTimeoutMilliseconds: Int64 = 5 * 60 * 1000

    /// The directory holding hookctl.toml.
    public var root: String
    /// Static variables of `[env]`, sorted by name.
    public var environment: [(name: String, value: String)] = []
    public var defaultTimeoutMilliseconds = ProjectConfig.defaultTimeoutMilliseconds
    /// Names listed in `[settings] secrets`.
    public var secretNames: Set<String> = []
    public var onEnter: [HookSpec] = []
    public var onExit: [HookSpec] = []

    public var path: String { Path.join(root, Self.fileName) }

    public func hooks(for event: HookEvent) -> [HookSpec] {
        event == .onEnter ? onEnter : onExit
    }

    /// Whether the value of variable `name` must never be shown.
    public func isSecret(_ name: String) -> Bool {
        Redaction.isSecretName(name) || secretNames.contains(name)
    }
}
