/// The schema, as numbered migrations. A migration never changes once it has
/// landed; new ones are appended. `PRAGMA user_version` records how many ran.
enum Migrations {
    static let all: [String] = [
        // 1: approvals and the shells that are inside a project.
        """
        CREATE TABLE approvals (
            root TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            approved_at INTEGER NOT NULL
        );
        CREATE TABLE shells (
            pid INTEGER PRIMARY KEY,
            root TEXT NOT NULL,
            reported_execution TEXT,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX shells_by_root ON shells(root);
        """,
        // 2: executions, their hook runs and the environment they captured.
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            root TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            event TEXT NOT NULL,
            state TEXT NOT NULL,
            supervisor_pid INTEGER,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            failure TEXT
        );
        CREATE INDEX executions_by_root ON executions(root, event, started_at);
        CREATE TABLE hook_runs (
            execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            hook_id TEXT NOT NULL,
            description TEXT NOT NULL,
            state TEXT NOT NULL,
            pid INTEGER,
            exit_code INTEGER,
            started_at INTEGER,
            finished_at INTEGER,
            message TEXT,
            PRIMARY KEY (execution_id, hook_id)
        );
        CREATE TABLE captured_environment (
            execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            value BLOB,
            PRIMARY KEY (execution_id, name)
        );
        """,
        // 3: start times next to pids, so that a pid reused by another process is never signalled.
        """
        ALTER TABLE hook_runs ADD COLUMN pid_started INTEGER;
        ALTER TABLE executions ADD COLUMN supervisor_started INTEGER;
        """,
        // 4: the latest message line a source hook printed.
        "ALTER TABLE hook_runs ADD COLUMN latest_message TEXT;",
        // 5: a shell's start time, so that a push never signals a process that reused its pid.
        "ALTER TABLE shells ADD COLUMN pid_started INTEGER;",
    ]

    /// Brings `database` up to the newest schema.
    static func migrate(_ database: Database) throws {
        guard try database.userVersion < all.count else { return }
        try database.transaction {
            let current = try database.userVersion
            for (index, sql) in all.enumerated() where index >= current {
                try database.execute(sql)
            }
            try database.execute("PRAGMA user_version = \(all.count)")
        }
    }
}
