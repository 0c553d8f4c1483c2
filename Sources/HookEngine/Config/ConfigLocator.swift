/// Finds the nearest hookctl.toml from a directory upwards.
public enum ConfigLocator {
    /// The project root for `directory`: the nearest directory, itself or a
    /// parent, that holds a hookctl.toml file. Walks the path as given (no
    /// symlink resolution), the same way the shell glue does.
    public static func projectRoot(from directory: String) -> String? {
        var current = directory
        while true {
            if POSIX.isRegularFile(Path.join(current, ProjectConfig.fileName)) { return current }
            let parent = Path.parent(of: current)
            if parent == current || current.isEmpty { return nil }
            current = parent
        }
    }
}
