#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where a per-shell hook comes from.
public enum HookOrigin: Sendable, Equatable, CustomStringConvertible {
    /// An executable in the user's `hooks/POINT.d/`.
    case userDirectory(String)
    /// An executable in the project's `.hookctl/hooks/POINT.d/`.
    case projectDirectory(String)
    /// A `[[hooks.POINT]]` entry of the project's hookctl.toml (with its line).
    case projectConfig(path: String, line: Int?)

    public var description: String {
        switch self {
        case .userDirectory(let path), .projectDirectory(let path): path
        case .projectConfig(let path, let line): line.map { "\(path):\($0)" } ?? path
        }
    }
}

/// One hook of a per-shell point, with where it came from.
public struct ShellHook: Sendable {
    public var spec: HookSpec
    public var origin: HookOrigin
}

/// The hooks of one per-shell point for where a shell is, in the order they
/// run: the user's `POINT.d` scripts, then the project's, then the
/// project's `[[hooks.POINT]]` entries; and what was skipped, and why.
public struct ShellHookSet: Sendable {
    public var hooks: [ShellHook] = []
    /// One sentence per skipped file: not executable, not owned by the user, writable by others.
    public var warnings: [String] = []
}

/// Finds the per-shell hooks of a point. Each `POINT.d` directory is read in
/// byte order of its names; dotfiles and `*~` backups are skipped silently,
/// anything else that cannot run with a warning.
public struct ShellHookCatalog {
    let user: UserPaths
    let userConfig: UserConfig
    /// The user's uid: a user script owned by anyone else is skipped. nil: not checked.
    let userID: UInt32?

    public init(user: UserPaths, userConfig: UserConfig, userID: UInt32?) {
        self.user = user
        self.userConfig = userConfig
        self.userID = userID
    }

    /// The hooks of `point`: the user's, and the approved `project`'s when there is one.
    func hooks(at point: HookPoint, project: Project?) -> ShellHookSet {
        var set = ShellHookSet()
        let timeout = project?.config.defaultTimeoutMilliseconds ?? userConfig.defaultTimeoutMilliseconds
        scripts(in: user.hookDirectory(point), point: point, timeout: timeout, userOwned: true, into: &set)
        guard let project else { return set }
        let directory = Path.join(project.root, "\(Fingerprint.hookDirectory)/\(point).d")
        scripts(in: directory, point: point, timeout: timeout, userOwned: false, into: &set)
        for spec in project.config.hooks(at: point) {
            set.hooks.append(ShellHook(spec: unique(spec, in: set), origin: .projectConfig(path: project.config.path, line: spec.line)))
        }
        return set
    }

    /// Whether any per-shell point has a hook where the shell is.
    func anyHooks(_ points: [HookPoint], project: Project?) -> Bool {
        points.contains { !hooks(at: $0, project: project).hooks.isEmpty }
    }

    private func scripts(in directory: String, point: HookPoint, timeout: Int64, userOwned: Bool, into set: inout ShellHookSet) {
        guard let status = POSIX.fileStatus(directory) else { return }
        guard status.type == .directory else {
            set.warnings.append("\(directory) is not a directory; hooks of \(point) are read from a directory of that name")
            return
        }
        for name in POSIX.directoryEntries(directory).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            guard !name.hasPrefix("."), !name.hasSuffix("~") else { continue }
            let path = Path.join(directory, name)
            guard let file = POSIX.fileStatus(path), file.type == .regular else { continue }
            guard access(path, X_OK) == 0 else {
                set.warnings.append("\(path) is not executable, so it was skipped; chmod +x it to run it")
                continue
            }
            if userOwned {
                if let userID, file.userID.rawValue != userID {
                    set.warnings.append("\(path) is not owned by you, so it was skipped; chown it to run it")
                    continue
                }
                if file.permissions.contains(.groupWrite) || file.permissions.contains(.otherWrite) {
                    set.warnings.append("\(path) is writable by others, so it was skipped; chmod go-w it to run it")
                    continue
                }
            }
            var spec = HookSpec(id: name, point: point, command: path, timeoutMilliseconds: timeout)
            spec.dir = "."
            spec = unique(spec, in: set)
            set.hooks.append(ShellHook(spec: spec, origin: userOwned ? .userDirectory(directory) : .projectDirectory(directory)))
        }
    }

    /// `spec` with an id no earlier hook of the set has (`NAME-2`, `NAME-3`, ...).
    private func unique(_ spec: HookSpec, in set: ShellHookSet) -> HookSpec {
        var spec = spec
        let taken = Set(set.hooks.map(\.spec.id))
        var candidate = spec.id
        var number = 2
        while taken.contains(candidate) {
            candidate = "\(spec.id)-\(number)"
            number += 1
        }
        spec.id = candidate
        return spec
    }
}
