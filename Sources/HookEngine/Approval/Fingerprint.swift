/// What an approval covers, as one SHA-256: the project root's real path,
/// the bytes of hookctl.toml, and the real path and bytes of every file
/// hookctl would run or read for the project:
/// - a hook's `command` or argument that names an existing file (relative to
///   the hook's `dir`), wherever the file is, so `sh ./setup.sh`,
///   `python3 x.py` and `../tools/auth.sh` are covered, and a symlink
///   retargeted elsewhere changes the real path;
/// - a file the hook's `condition` names the same way;
/// - every file in a directory of `[env] PATH` that is inside the project
///   (what a hook or the scripts it runs may find there by name);
/// - the files a hook's `inputs` globs match;
/// - the dotenv files of `[settings] dotenv`;
/// - every entry of the project's `.hookctl/hooks/POINT.d/` directories.
///
/// A covered file that cannot be read to its end is an error, never a
/// smaller fingerprint.
enum Fingerprint {
    /// Where the project's own hook-point scripts live, relative to its root.
    static let hookDirectory = ".hookctl/hooks"

    static func compute(config: ProjectConfig, configBytes: Bytes, realRoot: String, files: [String]) throws -> String {
        var hasher = SHA256()
        hasher.update(realRoot)
        hasher.update([0])
        hasher.update(configBytes)
        for file in files {
            hasher.update([0])
            hasher.update(file)
            hasher.update([0])
            try POSIX.readChunks(file) { chunk in
                hasher.update(chunk)
                return true
            }
        }
        return hasher.finalize()
    }

    /// Real paths of the files the approval covers, sorted.
    static func coveredFiles(_ config: ProjectConfig, realRoot: String) -> [String] {
        var files: Set<String> = []
        let projectPath = projectSearchPath(config, realRoot: realRoot)
        for hook in config.allHooks {
            let directory = Path.join(config.root, hook.dir)
            // A bare command name is looked up on PATH, not in the directory.
            let command = hook.command.contains("/") ? [hook.command] : []
            for word in command + hook.args + conditionWords(hook.condition) {
                if let file = existingFile(word, in: directory) { files.insert(file) }
            }
            for pattern in hook.inputs { files.formUnion(Glob.files(matching: pattern, in: directory)) }
        }
        for entry in projectPath {
            for name in POSIX.directoryEntries(entry) {
                if let file = existingFile(Path.join(entry, name), in: config.root) { files.insert(file) }
            }
        }
        for dotenv in config.dotenvFiles {
            if let file = existingFile(dotenv.path, in: config.root) { files.insert(file) }
        }
        files.formUnion(hookPointEntries(root: config.root))
        return files.sorted()
    }

    /// The real path of `word` as a file relative to `directory`, when it is one.
    private static func existingFile(_ word: String, in directory: String) -> String? {
        guard !word.isEmpty, let path = POSIX.realPath(Path.join(directory, word)), POSIX.isRegularFile(path) else { return nil }
        return path
    }

    /// The words of a condition, split where /bin/sh would split them (near enough to find file names).
    private static func conditionWords(_ condition: String?) -> [String] {
        guard let condition else { return [] }
        return condition.split { " \t\n;&|()<>'\"`$=".contains($0) }.map(String.init)
    }

    /// The entries of `[env] PATH` that lead into the project (relative ones resolved against the root).
    private static func projectSearchPath(_ config: ProjectConfig, realRoot: String) -> [String] {
        guard let path = config.environment.first(where: { $0.name == "PATH" })?.value else { return [] }
        return path.split(separator: ":").compactMap { entry in
            guard !entry.hasPrefix("$") else { return nil }
            let absolute = Path.join(config.root, String(entry))
            guard let real = POSIX.realPath(absolute), Path.isInside(real, root: realRoot) else { return nil }
            return real
        }
    }

    /// Every entry of `ROOT/.hookctl/hooks/*.d/` (and any such `.d` that is a file).
    private static func hookPointEntries(root: String) -> [String] {
        let base = Path.join(root, hookDirectory)
        var entries: [String] = []
        for point in POSIX.directoryEntries(base) where point.hasSuffix(".d") {
            let directory = Path.join(base, point)
            guard POSIX.isDirectory(directory) else {
                if let file = existingFile(directory, in: root) { entries.append(file) }
                continue
            }
            for name in POSIX.directoryEntries(directory) {
                entries.append(POSIX.realPath(Path.join(directory, name)) ?? Path.join(directory, name))
            }
        }
        return entries
    }
}
