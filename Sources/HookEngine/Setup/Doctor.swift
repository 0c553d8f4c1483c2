#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `hookctl doctor`: checks the set-up one thing at a time and says, for
/// each, what to do when it is wrong.
public struct Doctor {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// One check's outcome.
    public struct Check: Sendable, Equatable {
        public enum Outcome: String, Sendable {
            case ok
            /// Works, but could be better.
            case note
            case problem
        }

        public var name: String
        public var outcome: Outcome
        /// What was found, and for a problem what to do.
        public var detail: String

        /// `ok       name: detail`, one line.
        public var line: String {
            "\(outcome.rawValue.padded(to: 8)) \(name): \(detail)"
        }
    }

    /// Every check, in the order a user would fix things.
    public func run() -> [Check] {
        [shellIntegration(), executableOnPath(), stateDirectory(), database(), bashBuiltin()] + project()
    }

    private func shellIntegration() -> Check {
        let shell = context.variable("SHELL").map { String($0.split(separator: "/").last ?? "") } ?? ""
        if context.variable("HOOKCTL_SHELL_INTEGRATION") == "1" {
            return Check(name: "shell integration", outcome: .ok, detail: "loaded in this shell")
        }
        let setup =
            switch shell {
            case "zsh": #"add eval "$(hookctl shell init zsh)" to ~/.zshrc"#
            case "fish": "add hookctl shell init fish | source to ~/.config/fish/conf.d/hookctl.fish"
            default: #"add eval "$(hookctl shell init bash)" to ~/.bashrc"#
            }
        return Check(name: "shell integration", outcome: .problem, detail: "not loaded in this shell; \(setup) (make install does it), then open a new shell")
    }

    private func executableOnPath() -> Check {
        let path = context.variable("PATH") ?? ""
        let found = ProcessSpawner.resolve("hookctl", directory: context.workingDirectory, path: path).flatMap(POSIX.realPath)
        let this = POSIX.realPath(context.executable) ?? context.executable
        guard let found else {
            return Check(name: "hookctl on PATH", outcome: .problem, detail: "not found; add \(Path.parent(of: this)) to PATH")
        }
        guard found == this else {
            return Check(name: "hookctl on PATH", outcome: .note, detail: "PATH finds \(found), not this \(this); remove the one you do not use")
        }
        return Check(name: "hookctl on PATH", outcome: .ok, detail: found)
    }

    private func stateDirectory() -> Check {
        let root = context.paths.root
        guard let info = POSIX.fileStatus(root) else {
            return Check(name: "state directory", outcome: .ok, detail: "\(root) (created at first use)")
        }
        guard info.rawValue.st_uid == getuid() else {
            return Check(name: "state directory", outcome: .problem, detail: "\(root) belongs to another user; set HOOKCTL_STATE_DIR to a directory of yours")
        }
        guard info.rawValue.st_mode & 0o077 == 0 else {
            return Check(name: "state directory", outcome: .problem, detail: "\(root) is open to others (mode \(octal(info.rawValue.st_mode))); run chmod 700 \(root)")
        }
        let exposed = privateFiles(in: root).filter { (POSIX.fileStatus($0)?.rawValue.st_mode ?? 0) & 0o077 != 0 }
        guard exposed.isEmpty else {
            return Check(
                name: "state directory", outcome: .problem,
                detail: "\(exposed.count) file(s) readable by others, such as \(exposed[0]); run chmod -R go= \(root)")
        }
        return Check(name: "state directory", outcome: .ok, detail: "\(root) (private)")
    }

    /// The files hookctl keeps private: the database, its journal, and every log.
    private func privateFiles(in root: String) -> [String] {
        var files = ["state.db", "state.db-wal", "state.db-shm", "logs/hooks.log"].map { Path.join(root, $0) }.filter(POSIX.exists)
        let runs = Path.join(root, "runs")
        for execution in POSIX.directoryEntries(runs) {
            files += POSIX.directoryEntries(Path.join(runs, execution)).map { Path.join(runs, execution + "/" + $0) }
        }
        return files
    }

    private func database() -> Check {
        let path = context.paths.database
        guard POSIX.exists(path) else { return Check(name: "state database", outcome: .ok, detail: "none yet (created at first use)") }
        if let problem = StateStore.inspect(context.paths) {
            return Check(
                name: "state database", outcome: .problem,
                detail: "\(path): \(problem); the next hookctl command moves it aside and starts a new one (approvals must be given again)")
        }
        return Check(name: "state database", outcome: .ok, detail: path)
    }

    private func bashBuiltin() -> Check {
        let path = BashBuiltin.path(context: context)
        guard let info = POSIX.fileStatus(path) else {
            return Check(name: "bash builtin", outcome: .note, detail: "not installed; bash prompts use the glue alone (it needs Debian's bash-builtins to build)")
        }
        guard info.rawValue.st_uid == getuid() || info.rawValue.st_uid == 0, info.rawValue.st_mode & 0o022 == 0 else {
            return Check(name: "bash builtin", outcome: .problem, detail: "\(path) can be changed by others; reinstall it with make install")
        }
        return Check(name: "bash builtin", outcome: .ok, detail: path)
    }

    /// The project of the working directory, if any: its config, dotenv files and approval.
    private func project() -> [Check] {
        guard let root = ConfigLocator.projectRoot(from: context.workingDirectory) else { return [] }
        let project: Project
        do {
            project = try Project.load(root: root)
        } catch {
            return [Check(name: "project", outcome: .problem, detail: "\(Path.join(root, ProjectConfig.fileName)): \(error)")]
        }
        if case .failure(let error) = project.dotenv {
            return [Check(name: "project", outcome: .problem, detail: error.description)]
        }
        guard let approval = try? Approvals(context: context).state(of: project) else {
            return [Check(name: "project", outcome: .problem, detail: "\(root): its approval cannot be read from the state database")]
        }
        guard approval == .approved else {
            return [Check(name: "project", outcome: .problem, detail: "\(root) is not allowed as it is; run 'hookctl allow' to trust it")]
        }
        return [Check(name: "project", outcome: .ok, detail: "\(root) (approved)")]
    }

    private func octal(_ mode: mode_t) -> String {
        String(mode & 0o7777, radix: 8)
    }
}
