#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The marker files that tell a shell to run `hookctl export` at its next
/// prompt: the glue tests for them with builtins only.
struct ShellMarkers {
    let store: StateStore
    let paths: StatePaths

    /// Writes `status` as the loading status of every live shell inside the project at `realRoot`.
    func showStatus(_ status: PromptStatus, realRoot: String) throws {
        for pid in try store.liveShells(root: realRoot) { Self.show(status, shell: pid, paths: paths) }
    }

    /// The line the glue of shell `pid` reads into `HOOKCTL_STATUS` while the
    /// hooks load, whole or not at all (renamed into place); removed for any
    /// other status, which the export itself sets.
    static func show(_ status: PromptStatus?, shell pid: Int32, paths: StatePaths) {
        let path = paths.status(shell: pid)
        guard let status, case .loading = status else {
            unlink(path)
            return
        }
        try? POSIX.replaceFile(path, Bytes((status.text + "\n").utf8), newFileMode: 0o600)
    }

    /// Touches the marker of every live shell inside the project at `realRoot`
    /// and sends it SIGWINCH, so that its glue applies the change at once,
    /// without a key press. A pid is signalled only while it is still the
    /// shell that entered (its start time matches): never a process that reused it.
    func push(realRoot: String) throws {
        try notify(realRoot: realRoot)
        for pid in try store.identifiedShells(root: realRoot) { kill(pid, SIGWINCH) }
    }

    /// Touches the marker of every live shell inside the project at `realRoot`.
    func notify(realRoot: String) throws {
        for pid in try store.liveShells(root: realRoot) {
            POSIX.touch(paths.marker(shell: pid))
        }
    }
}
