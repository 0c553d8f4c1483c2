/// Where the user's own hookctl settings live:
/// `${XDG_CONFIG_HOME:-~/.config}/hookctl`.
public struct UserPaths: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The directory `environment` chooses.
    public init(environment: EnvironmentMap) {
        let value = { (name: String) in environment[name].map { String(decoding: $0, as: UTF8.self) } }
        if let xdg = value("XDG_CONFIG_HOME"), xdg.hasPrefix("/") {
            root = Path.join(xdg, "hookctl")
        } else {
            root = Path.join(value("HOME") ?? "/", ".config/hookctl")
        }
    }

    /// `config.toml`: `[settings]` and `[notify]` for every directory.
    public var config: String { Path.join(root, UserConfig.fileName) }
    /// `hooks/POINT.d/`: the user's hook-point scripts, run in every directory.
    public func hookDirectory(_ point: HookPoint) -> String { Path.join(root, "hooks/\(point).d") }
}
