import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The files a hook's `inputs` glob names: `*`, `?` and `[...]` match
/// within one path segment (not a leading dot), `**` any number of
/// segments. Symlinked directories are not followed, so a link loop ends.
enum Glob {
    /// Whether `text` as a whole matches the shell pattern `pattern` (`*` also matches `/`).
    static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }

    /// Real paths of the regular files below `directory` matching `pattern`, sorted.
    static func files(matching pattern: String, in directory: String) -> [String] {
        let base = pattern.hasPrefix("/") ? "/" : directory
        let segments = pattern.split(separator: "/").map(String.init)
        var found: Set<String> = []
        walk(base, segments[...], into: &found, depth: 0)
        return found.compactMap(POSIX.realPath).sorted()
    }

    private static func walk(_ directory: String, _ rest: ArraySlice<String>, into found: inout Set<String>, depth: Int) {
        guard let segment = rest.first, depth < 64 else { return }
        let remaining = rest.dropFirst()
        if segment == "**" {
            // No segment at all, then one more segment with `**` still to match.
            if remaining.isEmpty {
                for name in POSIX.directoryEntries(directory) where !name.hasPrefix(".") && POSIX.isRegularFile(Path.join(directory, name)) {
                    found.insert(Path.join(directory, name))
                }
            } else {
                walk(directory, remaining, into: &found, depth: depth + 1)
            }
            for name in POSIX.directoryEntries(directory) where !name.hasPrefix(".") {
                let path = Path.join(directory, name)
                if isDirectoryNotLink(path) { walk(path, rest, into: &found, depth: depth + 1) }
            }
            return
        }
        for name in POSIX.directoryEntries(directory) where fnmatch(segment, name, FNM_PERIOD) == 0 {
            let path = Path.join(directory, name)
            if remaining.isEmpty {
                if POSIX.isRegularFile(path) { found.insert(path) }
            } else if isDirectoryNotLink(path) {
                walk(path, remaining, into: &found, depth: depth + 1)
            }
        }
    }

    private static func isDirectoryNotLink(_ path: String) -> Bool {
        (try? Stat(FilePath(path), followTargetSymlink: false))?.type == .directory
    }
}
