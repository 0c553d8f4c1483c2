extension Engine {
    /// Placeholder until the interactive display lands: the hooks run in the background.
    func waitInForeground(for execution: ExecutionRecord, project: Project, session: inout ExportSession) throws -> ExecutionRecord {
        execution
    }
}
