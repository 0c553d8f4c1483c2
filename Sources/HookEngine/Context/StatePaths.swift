#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where hookctl keeps its state: `$HOOKCTL_STATE_DIR`, else
/// `$XDG_STATE_HOME/hookctl`, else `~/.local/state/hookctl` (mode 0700).
public struct StatePaths: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The state directory `environment` chooses.
    public init(environment: EnvironmentMap) {
        let value = { (name: String) in environment[name].map { String(decoding: $0, as: UTF8.self) } }
        if let explicit = value("HOOKCTL_STATE_DIR"), !explicit.isEmpty {
            root = explicit
        } else if let xdg = value("XDG_STATE_HOME"), xdg.hasPrefix("/") {
            root = Path.join(xdg, "hookctl")
        } else {
            root = Path.join(value("HOME") ?? "/tmp", ".local/state/hookctl")
        }
    }

    public var database: String { Path.join(root, "state.db") }
    public var engineLog: String { Path.join(root, "logs/hooks.log") }
    public var shellsDirectory: String { Path.join(root, "shells") }

    /// The file whose existence tells shell `pid` to run `hookctl export` at its next prompt.
    public func marker(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).changed") }
    /// A file whose mtime mirrors the config shell `pid` last saw; a newer config means a reload.
    public func stamp(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).stamp") }
    /// The files shell `pid` watches besides hookctl.toml (NUL-separated), with the newest one's mtime.
    public func watch(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).watch") }
    /// What `HOOKCTL_STATUS` of shell `pid` says while its hooks load (`loading 1/3`), one line.
    public func status(shell pid: Int32) -> String { Path.join(shellsDirectory, "\(pid).status") }
    /// Held for as long as it runs by the supervisor `key` names (a project root and hook point).
    func lock(key: String) -> String { Path.join(root, "locks/\(SHA256.hex(Bytes(key.utf8)).prefix(32)).lock") }
    func runDirectory(execution: String) -> String { Path.join(root, "runs/\(execution)") }
    func runLog(execution: String, hook: String) -> String { Path.join(runDirectory(execution: execution), "\(hook).log") }

    /// Creates the directory tree with private permissions.
    func prepare() throws {
        try POSIX.makeDirectories(root, mode: 0o700)
        guard chmod(root, 0o700) == 0 else { throw POSIX.fail(root) }
        for child in ["logs", "runs", "shells", "locks"] {
            try POSIX.makeDirectories(Path.join(root, child), mode: 0o700)
        }
    }
}
