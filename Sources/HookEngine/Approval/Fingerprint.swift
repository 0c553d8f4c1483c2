/// SHA-256 over the project root's real path, the bytes of hookctl.toml and
/// the bytes of every hook command that is a file inside the project.
enum Fingerprint {
    static func compute(config: ProjectConfig, configBytes: Bytes, realRoot: String) -> String {
        var hasher = SHA256()
        hasher.update(realRoot)
        hasher.update([0])
        hasher.update(configBytes)
        for script in projectScripts(config, realRoot: realRoot) {
            hasher.update([0])
            hasher.update(script)
            hasher.update([0])
            hasher.update((try? POSIX.readFile(script)) ?? [])
        }
        return hasher.finalize()
    }

    /// Real paths of the hook commands that are files inside the project, sorted.
    static func projectScripts(_ config: ProjectConfig, realRoot: String) -> [String] {
        var scripts: Set<String> = []
        for hook in config.allHooks where hook.command.utf8.contains(UInt8(ascii: "/")) {
            let directory = Path.join(config.root, hook.dir)
            guard let path = POSIX.realPath(Path.join(directory, hook.command)),
                Path.isInside(path, root: realRoot), POSIX.isRegularFile(path)
            else { continue }
            scripts.insert(path)
        }
        return scripts.sorted()
    }
}
