/// The marker files that tell a shell to run `hookctl export` at its next
/// prompt: the glue tests for them with builtins only.
struct ShellMarkers {
    let store: StateStore
    let paths: StatePaths

    /// Touches the marker of every live shell inside the project at `realRoot`.
    func notify(realRoot: String) throws {
        for pid in try store.liveShells(root: realRoot) {
            POSIX.touch(paths.marker(shell: pid))
        }
    }
}
