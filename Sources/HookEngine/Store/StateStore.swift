#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Approvals, shells, executions and captured environments in SQLite.
/// The only place that speaks SQL.
final class StateStore {
    let paths: StatePaths
    private let clock: any EngineClock
    private let database: Database
    /// Where an unreadable database was moved when this store had to start a new one.
    private(set) var recoveredFrom: String?

    init(paths: StatePaths, clock: any EngineClock = SystemClock()) throws {
        self.paths = paths
        self.clock = clock
        try paths.prepare()
        do {
            database = try Self.openDatabase(paths)
        } catch let error as HookctlError where Self.isUnreadable(error) {
            // A corrupt or foreign file: keep it for inspection, start anew.
            let aside = paths.database + ".broken-" + Timestamp.executionID(at: clock.now())
            guard rename(paths.database, aside) == 0 else { throw error }
            for suffix in ["-wal", "-shm"] { rename(paths.database + suffix, aside + suffix) }
            database = try Self.openDatabase(paths)
            recoveredFrom = aside
        }
    }

    /// The database at `paths`, created 0600 before SQLite opens it (its -wal
    /// and -shm files take the same mode; no umask: the process may be a
    /// shell that hosts the engine), migrated to the newest schema.
    private static func openDatabase(_ paths: StatePaths) throws -> Database {
        let fd = open(paths.database, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIX.fail(paths.database) }
        fchmod(fd, 0o600)
        close(fd)
        let database = try Database(path: paths.database)
        try Migrations.migrate(database)
        return database
    }

    /// What `hookctl doctor` says of the database at `paths`, opened read-only:
    /// nil when it is sound, else what is wrong.
    static func inspect(_ paths: StatePaths) -> String? {
        do {
            let database = try Database(path: paths.database, busyTimeoutMilliseconds: 2000, readOnly: true)
            let check = try database.query("PRAGMA quick_check").first?.first?.text ?? "no answer"
            guard check == "ok" else { return "SQLite's check says: \(check)" }
            let version = try database.userVersion
            if version > Migrations.all.count { return "it has schema \(version), newer than this hookctl knows (\(Migrations.all.count))" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Whether SQLite says the file is not a database it can read.
    private static func isUnreadable(_ error: HookctlError) -> Bool {
        guard case .database(let message) = error else { return false }
        return message.contains("not a database") || message.contains("malformed")
    }

    /// Runs `body` waiting at most `milliseconds` for each lock another
    /// process holds, then the usual patience again.
    func waitingAtMost<T>(milliseconds: Int32, _ body: () throws -> T) rethrows -> T {
        database.setBusyTimeout(milliseconds: milliseconds)
        defer { database.setBusyTimeout(milliseconds: Database.defaultBusyTimeoutMilliseconds) }
        return try body()
    }

    /// Whether `error` says another process held the database too long.
    static func isBusy(_ error: any Error) -> Bool {
        guard case .database(let message) = error as? HookctlError else { return false }
        return message.contains("locked") || message.contains("busy")
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try database.transaction(body)
    }

    // MARK: Approvals

    func approvedFingerprint(root: String) throws -> String? {
        try database.query("SELECT fingerprint FROM approvals WHERE root = ?", [.text(root)]).first?.first?.text
    }

    func approve(root: String, fingerprint: String) throws {
        try database.query(
            "INSERT INTO approvals (root, fingerprint, approved_at) VALUES (?, ?, ?) ON CONFLICT(root) DO UPDATE SET fingerprint = excluded.fingerprint, approved_at = excluded.approved_at",
            [.text(root), .text(fingerprint), .integer(clock.now())])
    }

    func revoke(root: String) throws {
        try database.query("DELETE FROM approvals WHERE root = ?", [.text(root)])
    }

    // MARK: Shells

    func shell(pid: Int32) throws -> ShellRecord? {
        try database.query("SELECT root, reported_execution FROM shells WHERE pid = ?", [.integer(Int64(pid))]).first.map {
            ShellRecord(pid: pid, root: $0[0].text ?? "", reportedExecution: $0[1].text)
        }
    }

    /// Records that shell `pid` is inside `root`; with `push`, with its start
    /// time, which is what lets the supervisor signal it (and only it).
    func enterShell(pid: Int32, root: String, push: Bool = true) throws {
        try database.query(
            "INSERT INTO shells (pid, root, updated_at, pid_started) VALUES (?, ?, ?, ?) ON CONFLICT(pid) DO UPDATE SET root = excluded.root, reported_execution = CASE WHEN shells.root = excluded.root THEN shells.reported_execution END, updated_at = excluded.updated_at, pid_started = excluded.pid_started",
            [
                .integer(Int64(pid)), .text(root), .integer(clock.now()),
                (push ? ProcessIdentity.startTime(of: pid) : nil).map { .integer(Int64($0)) } ?? .null,
            ])
    }

    func setReported(pid: Int32, execution: String) throws {
        try database.query("UPDATE shells SET reported_execution = ? WHERE pid = ?", [.text(execution), .integer(Int64(pid))])
    }

    func removeShell(pid: Int32) throws {
        try database.query("DELETE FROM shells WHERE pid = ?", [.integer(Int64(pid))])
    }

    /// The shells inside the project at `root` that asked for push and are
    /// provably the process that entered it (same pid and start time).
    func identifiedShells(root: String) throws -> [Int32] {
        try database.query("SELECT pid, pid_started FROM shells WHERE root = ?", [.text(root)]).compactMap { row in
            guard let pid = row[0].integer.map({ Int32($0) }), ProcessIdentity.isSame(pid, startedAt: row[1].integer.map { UInt64($0) })
            else { return nil }
            return pid
        }
    }

    /// Shells inside the project at `root`; rows of shells that no longer exist are dropped.
    func liveShells(root: String) throws -> [Int32] {
        let pids = try database.query("SELECT pid FROM shells WHERE root = ?", [.text(root)]).compactMap { $0[0].integer.map { Int32($0) } }
        var live: [Int32] = []
        for pid in pids {
            if POSIX.isAlive(pid) {
                live.append(pid)
            } else {
                try removeShell(pid: pid)
            }
        }
        return live
    }

    // MARK: Executions

    private static let executionColumns = "id, root, fingerprint, event, state, supervisor_pid, started_at, finished_at, failure, supervisor_started"

    private static func execution(from row: [SQLValue]) -> ExecutionRecord {
        ExecutionRecord(
            id: row[0].text ?? "", root: row[1].text ?? "", fingerprint: row[2].text ?? "",
            point: HookPoint(rawValue: row[3].text ?? "") ?? .onEnter,
            state: ExecutionState(rawValue: row[4].text ?? "") ?? .failed,
            supervisorPID: row[5].integer.map { Int32($0) }, startedAt: row[6].integer ?? 0,
            finishedAt: row[7].integer, failure: row[8].text, supervisorStarted: row[9].integer.map { UInt64($0) })
    }

    func execution(id: String) throws -> ExecutionRecord? {
        try database.query("SELECT \(Self.executionColumns) FROM executions WHERE id = ?", [.text(id)]).first.map(Self.execution)
    }

    /// The newest execution at `point` for the project, for `fingerprint` when given.
    func latestExecution(root: String, point: HookPoint, fingerprint: String? = nil) throws -> ExecutionRecord? {
        var sql = "SELECT \(Self.executionColumns) FROM executions WHERE root = ? AND event = ?"
        var arguments: [SQLValue] = [.text(root), .text(point.rawValue)]
        if let fingerprint {
            sql += " AND fingerprint = ?"
            arguments.append(.text(fingerprint))
        }
        return try database.query(sql + " ORDER BY started_at DESC, rowid DESC LIMIT 1", arguments).first.map(Self.execution)
    }

    func runningExecutions(root: String) throws -> [ExecutionRecord] {
        try database.query("SELECT \(Self.executionColumns) FROM executions WHERE root = ? AND state = 'running'", [.text(root)])
            .map(Self.execution)
    }

    func insertExecution(_ execution: ExecutionRecord, hooks: [HookSpec]) throws {
        try database.query(
            "INSERT INTO executions (\(Self.executionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(execution.id), .text(execution.root), .text(execution.fingerprint), .text(execution.point.rawValue),
                .text(execution.state.rawValue), execution.supervisorPID.map { .integer(Int64($0)) } ?? .null,
                .integer(execution.startedAt), execution.finishedAt.map { .integer($0) } ?? .null,
                execution.failure.map { .text($0) } ?? .null, execution.supervisorStarted.map { .integer(Int64($0)) } ?? .null,
            ])
        for (position, hook) in hooks.enumerated() {
            try database.query(
                "INSERT INTO hook_runs (execution_id, position, hook_id, description, state) VALUES (?, ?, ?, ?, 'pending')",
                [.text(execution.id), .integer(Int64(position)), .text(hook.id), .text(hook.displayName)])
        }
    }

    func setSupervisor(execution: String, pid: Int32) throws {
        let started = ProcessIdentity.startTime(of: pid).map { SQLValue.integer(Int64($0)) } ?? .null
        try database.query(
            "UPDATE executions SET supervisor_pid = ?, supervisor_started = ? WHERE id = ?", [.integer(Int64(pid)), started, .text(execution)])
    }

    /// Ends a running execution; returns false when it had already ended.
    @discardableResult
    func finishExecution(_ id: String, state: ExecutionState, failure: String? = nil) throws -> Bool {
        try database.query(
            "UPDATE executions SET state = ?, finished_at = ?, failure = ? WHERE id = ? AND state = 'running'",
            [.text(state.rawValue), .integer(clock.now()), failure.map { .text($0) } ?? .null, .text(id)])
        return database.changes > 0
    }

    /// Deletes all but the newest `keep` executions of the project at
    /// `point` (never a running one), with their hook runs and captures;
    /// returns their ids.
    func pruneExecutions(root: String, point: HookPoint, keep: Int) throws -> [String] {
        let old = try database.query(
            """
            SELECT id FROM executions WHERE root = ? AND event = ? AND state != 'running'
            ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?
            """,
            [.text(root), .text(point.rawValue), .integer(Int64(keep))]
        ).compactMap { $0[0].text }
        for id in old {
            try database.query("DELETE FROM executions WHERE id = ?", [.text(id)])
        }
        return old
    }

    // MARK: Hook runs

    func hookRuns(execution: String) throws -> [HookRunRecord] {
        try database.query(
            "SELECT hook_id, description, state, pid, exit_code, started_at, finished_at, message, pid_started, latest_message FROM hook_runs WHERE execution_id = ? ORDER BY position",
            [.text(execution)]
        ).map { row in
            HookRunRecord(
                hookID: row[0].text ?? "", description: row[1].text ?? "", state: HookState(rawValue: row[2].text ?? "") ?? .pending,
                pid: row[3].integer.map { Int32($0) }, exitCode: row[4].integer.map { Int32($0) },
                startedAt: row[5].integer, finishedAt: row[6].integer, message: row[7].text, pidStarted: row[8].integer.map { UInt64($0) },
                latestMessage: row[9].text)
        }
    }

    func startHookRun(execution: String, hook: String, pid: Int32?) throws {
        try database.query(
            "UPDATE hook_runs SET state = 'running', pid = ?, pid_started = ?, started_at = ? WHERE execution_id = ? AND hook_id = ?",
            [
                pid.map { .integer(Int64($0)) } ?? .null, pid.flatMap(ProcessIdentity.startTime).map { .integer(Int64($0)) } ?? .null,
                .integer(clock.now()), .text(execution), .text(hook),
            ])
    }

    /// The process that now does a running hook's work (the bash capturing its exports).
    func setHookProcess(execution: String, hook: String, pid: Int32) throws {
        try database.query(
            "UPDATE hook_runs SET pid = ?, pid_started = ? WHERE execution_id = ? AND hook_id = ?",
            [.integer(Int64(pid)), ProcessIdentity.startTime(of: pid).map { .integer(Int64($0)) } ?? .null, .text(execution), .text(hook)])
    }

    /// The latest message line a running source hook printed.
    func setHookMessage(execution: String, hook: String, message: String) throws {
        try database.query(
            "UPDATE hook_runs SET latest_message = ? WHERE execution_id = ? AND hook_id = ?", [.text(message), .text(execution), .text(hook)])
    }

    func finishHookRun(execution: String, hook: String, state: HookState, exitCode: Int32? = nil, message: String? = nil) throws {
        try database.query(
            "UPDATE hook_runs SET state = ?, exit_code = ?, finished_at = ?, message = ? WHERE execution_id = ? AND hook_id = ?",
            [
                .text(state.rawValue), exitCode.map { .integer(Int64($0)) } ?? .null, .integer(clock.now()),
                message.map { .text($0) } ?? .null, .text(execution), .text(hook),
            ])
    }

    /// Marks every hook that has not finished with `state`.
    func finishUnfinishedHookRuns(execution: String, state: HookState, message: String) throws {
        try database.query(
            "UPDATE hook_runs SET state = ?, finished_at = ?, message = ? WHERE execution_id = ? AND state IN ('pending', 'running')",
            [.text(state.rawValue), .integer(clock.now()), .text(message), .text(execution)])
    }

    // MARK: Captured environment

    func storeEnvironment(execution: String, variables: [CapturedVariable]) throws {
        for (position, variable) in variables.enumerated() {
            try database.query(
                "INSERT OR REPLACE INTO captured_environment (execution_id, position, name, value) VALUES (?, ?, ?, ?)",
                [.text(execution), .integer(Int64(position)), .text(variable.name), variable.value.map { .blob($0) } ?? .null])
        }
    }

    func capturedEnvironment(execution: String) throws -> [CapturedVariable] {
        try database.query(
            "SELECT name, value FROM captured_environment WHERE execution_id = ? ORDER BY position", [.text(execution)]
        ).map { CapturedVariable(name: $0[0].text ?? "", value: $0[1].blob) }
    }
}
