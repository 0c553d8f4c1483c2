/// A parsed and validated hookctl.toml.
public struct ProjectConfig: Sendable {
    public static let fileName = "hookctl.toml"
    public static let defaultTimeoutMilliseconds: Int64 = 5 * 60 * 1000

    /// The directory holding hookctl.toml.
    public var root: String
    /// Static variables of `[env]`, sorted by name.
    public var environment: [(name: String, value: String)] = []
    public var defaultTimeoutMilliseconds = ProjectConfig.defaultTimeoutMilliseconds
    /// The files of `[settings] dotenv`, in the order they are read.
    public var dotenvFiles: [DotenvFile] = []
    /// Names listed in `[settings] secrets`.
    public var secretNames: Set<String> = []
    /// `[settings] fail_fast`: a failing per-shell hook stops the rest of its point; nil when not set here.
    public var failFast: Bool?
    /// `[notify]`, which inside the project replaces the user's own.
    public var notify: NotifySettings?
    /// `[[intercept]]` rules, which apply inside the project after the user's own.
    public var interceptRules: [InterceptRule] = []
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

    /// `[env]` as hooks and shells get it, on top of `base` (the environment
    /// the hooks start from). In a variable whose name ends in `PATH`,
    /// `$NAME` and `${NAME}` expand from `base` and relative entries are
    /// resolved against the project root: `PATH = "./bin:$PATH"` puts the
    /// project's `bin` first. Every other value is taken as written.
    public func environment(over base: EnvironmentMap) -> [(name: String, value: Bytes)] {
        environment.map { entry in
            guard entry.name.hasSuffix("PATH") else { return (entry.name, Bytes(entry.value.utf8)) }
            let entries = entry.value.split(separator: ":", omittingEmptySubsequences: false).map { part -> String in
                let text = String(part)
                if text.hasPrefix("$") { return Self.expand(text, from: base) }
                if text.isEmpty || text.hasPrefix("/") { return text }
                return Path.join(root, text.hasPrefix("./") ? String(text.dropFirst(2)) : text)
            }
            return (entry.name, Bytes(entries.joined(separator: ":").utf8))
        }
    }

    /// `text` with `$NAME` and `${NAME}` replaced by their values in `base` (empty when unset).
    private static func expand(_ text: String, from base: EnvironmentMap) -> String {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            var name = rest[rest.index(after: dollar)...]
            var after: Substring
            if name.first == "{", let close = name.firstIndex(of: "}") {
                after = name[name.index(after: close)...]
                name = name[name.index(after: name.startIndex)..<close]
            } else {
                let end = name.firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) } ?? name.endIndex
                after = name[end...]
                name = name[..<end]
            }
            guard Environment.isValidName(String(name)) else {
                result += "$"
                rest = rest[rest.index(after: dollar)...]
                continue
            }
            result += base[String(name)].map { String(decoding: $0, as: UTF8.self) } ?? ""
            rest = after
        }
        return result + rest
    }

    /// Whether the value of variable `name` must never be shown.
    public func isSecret(_ name: String) -> Bool {
        Redaction.isSecretName(name) || secretNames.contains(name)
    }
}
