#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `hookctl edit`, as `visudo` does it: hookctl.toml is edited as a draft
/// beside it, checked when the editor closes, and only a valid draft
/// replaces it; then the approval's changes are listed so they can be allowed.
public struct ConfigEditor {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// One edit in progress.
    public struct Draft: Sendable {
        /// The hookctl.toml being edited.
        public let config: String
        /// The copy the editor works on.
        public let path: String
        let root: String
        /// What the approval covered before the edit: real path → SHA-256.
        let before: [String: String]
        let original: Bytes
    }

    /// A file the approval covers now and did not, or no longer, or with other contents.
    public struct Change: Sendable, Equatable {
        public enum Kind: String, Sendable { case added, removed, edited }
        public var kind: Kind
        public var path: String
    }

    /// Starts editing the project's hookctl.toml (found from `directory`, default the working directory).
    public func begin(directory: String?) throws -> Draft {
        let start = try context.resolveDirectory(directory)
        guard let root = ConfigLocator.projectRoot(from: start) else { throw HookctlError.noProject(directory: start) }
        let config = Path.join(root, ProjectConfig.fileName)
        let original = try POSIX.readFile(config, limit: Project.configSizeLimit)
        let path = Path.join(root, ".hookctl.toml.edit-\(POSIX.randomHex().prefix(8)).toml")
        try POSIX.createFile(path, original, mode: 0o600)
        return Draft(config: config, path: path, root: root, before: Self.covered(bytes: original, root: root), original: original)
    }

    /// The editor command line: `$VISUAL`, else `$EDITOR`, else `vi`, run by
    /// /bin/sh so that `EDITOR="code --wait"` works, with the draft as its argument.
    public func editorArguments(for draft: Draft) -> [String] {
        ["/bin/sh", "-c", editor + " \"$1\"", "hookctl-edit", draft.path]
    }

    /// `$VISUAL`, else `$EDITOR`, else `vi`.
    private var editor: String {
        [context.variable("VISUAL"), context.variable("EDITOR")].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
    }

    /// Runs the editor on the draft on this process's terminal and waits for it.
    public func runEditor(on draft: Draft) throws {
        let arguments = editorArguments(for: draft)
        var options = ProcessSpawner.Options(environment: context.environment)
        options.directory = draft.root
        (options.stdin, options.stdout, options.stderr) = (.inherit, .inherit, .inherit)
        let child: ProcessSpawner.Child
        do {
            child = try ProcessSpawner.spawn(arguments[0], Array(arguments.dropFirst()), options)
        } catch {
            throw HookctlError.editorFailed(command: editor, message: "could not be started (\(error))")
        }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        let code = ExitStatus.code(status)
        guard code == 0 else { throw HookctlError.editorFailed(command: editor, message: "exited with status \(code)") }
    }

    /// Whether the draft still holds what hookctl.toml held.
    public func isUnchanged(_ draft: Draft) -> Bool {
        (try? POSIX.readFile(draft.path, limit: Project.configSizeLimit)) == draft.original
    }

    /// What is wrong with the draft, as `hookctl.toml:LINE: message`; nil when it is valid.
    public func problem(in draft: Draft) -> String? {
        do {
            _ = try ConfigParser.parse(bytes: POSIX.readFile(draft.path, limit: Project.configSizeLimit), root: draft.root)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Replaces hookctl.toml with the valid draft; returns what the approval covers differently now.
    public func save(_ draft: Draft) throws -> [Change] {
        let edited = try POSIX.readFile(draft.path, limit: Project.configSizeLimit)
        try POSIX.replaceFile(draft.config, edited)
        discard(draft)
        let after = Self.covered(bytes: edited, root: draft.root)
        var changes: [Change] = []
        for path in Set(draft.before.keys).union(after.keys).sorted() {
            switch (draft.before[path], after[path]) {
            case (nil, .some): changes.append(Change(kind: .added, path: path))
            case (.some, nil): changes.append(Change(kind: .removed, path: path))
            case (.some(let old), .some(let new)) where old != new: changes.append(Change(kind: .edited, path: path))
            default: break
            }
        }
        return changes
    }

    /// Removes the draft.
    public func discard(_ draft: Draft) {
        unlink(draft.path)
    }

    /// hookctl.toml and every file the approval of `bytes` covers, each with its SHA-256.
    private static func covered(bytes: Bytes, root: String) -> [String: String] {
        let realRoot = POSIX.realPath(root) ?? root
        var files = [Path.join(realRoot, ProjectConfig.fileName): SHA256.hex(bytes)]
        guard let config = try? ConfigParser.parse(bytes: bytes, root: root) else { return files }
        for file in Fingerprint.coveredFiles(config, realRoot: realRoot) {
            var hasher = SHA256()
            guard (try? POSIX.readChunks(file, { hasher.update($0); return true })) != nil else { continue }
            files[file] = hasher.finalize()
        }
        return files
    }
}
