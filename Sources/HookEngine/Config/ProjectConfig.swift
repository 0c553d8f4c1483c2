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
    /// The `[[hooks.POINT]]` entries of each point, in file order.
    public var hooksByPoint: [HookPoint: [HookSpec]] = [:]

    public var path: String { Path.join(root, Self.fileName) }

    /// The hooks configured at `point`, in file order.
    public func hooks(at point: HookPoint) -> [HookSpec] {
        hooksByPoint[point] ?? []
    }

    /// Every hook of every point, points in `HookPoint.all` order.
    public var allHooks: [HookSpec] {
        HookPoint.all.flatMap { hooks(at: $0) }
    }

    /// Whether the value of variable `name` must never be shown.
    public func isSecret(_ name: String) -> Bool {
        Redaction.isSecretName(name) || secretNames.contains(name)
    }
}
