import CSQLite

/// A value bound to or read from a SQLite statement.
enum SQLValue: Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob(Bytes)

    var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    var text: String? { if case .text(let value) = self { value } else { nil } }
    var blob: Bytes? {
        switch self {
        case .blob(let value): value
        case .text(let value): Bytes(value.utf8)
        default: nil
        }
    }
}

/// One SQLite connection. Not shared between threads.
final class Database {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL, reused: a host that keeps the engine
    /// loaded (the bash builtin) spent a quarter of each export compiling
    /// the same few statements again.
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating if needed) the database at `path` in WAL mode with a busy timeout.
    static let defaultBusyTimeoutMilliseconds: Int32 = 10_000

    /// `readOnly` opens an existing database to look at it, changing nothing.
    init(path: String, busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeoutMilliseconds, readOnly: Bool = false) throws {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite3_close(handle)
            throw HookctlError.database(message: message)
        }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        guard !readOnly else { return }
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit {
        statements.values.forEach { sqlite3_finalize($0) }
        sqlite3_close_v2(handle)
    }

    /// How long a statement waits for another connection's lock before it fails as busy.
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw HookctlError.database(message: text)
        }
    }

    /// Runs `sql` with `arguments` and returns every row.
    @discardableResult
    func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try cachedStatement(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, argument) in arguments.enumerated() {
            try bind(argument, at: Int32(index + 1), in: statement)
        }
        var rows: [[SQLValue]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw HookctlError.database(message: lastError) }
            rows.append((0..<sqlite3_column_count(statement)).map { column(at: $0, in: statement) })
        }
        return rows
    }

    /// The number of rows the last statement changed.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` inside `BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var userVersion: Int {
        get throws { Int(try query("PRAGMA user_version").first?.first?.integer ?? 0) }
    }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    private func cachedStatement(_ sql: String) throws -> OpaquePointer? {
        if let statement = statements[sql] { return statement }
        let statement = try prepare(sql)
        statements[sql] = statement
        return statement
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw HookctlError.database(message: lastError)
        }
        return statement
    }

    private func bind(_ value: SQLValue, at index: Int32, in statement: OpaquePointer?) throws {
        let status: Int32
        switch value {
        case .null:
            status = sqlite3_bind_null(statement, index)
        case .integer(let number):
            status = sqlite3_bind_int64(statement, index, number)
        case .text(let text):
            status = sqlite3_bind_text(statement, index, text, -1, csqlite_transient())
        case .blob(let bytes):
            status = bytes.withUnsafeBytes {
                sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), csqlite_transient())
            }
        }
        guard status == SQLITE_OK else { throw HookctlError.database(message: lastError) }
    }

    private func column(at index: Int32, in statement: OpaquePointer?) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_TEXT:
            return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let pointer = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Bytes(UnsafeRawBufferPointer(start: pointer, count: count)))
        default:
            return .null
        }
    }
}
