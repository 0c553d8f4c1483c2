/// Every failure hookctl reports. Each description is one sentence that says
/// what went wrong and what to do next.
public enum HookctlError: Error, Equatable, CustomStringConvertible {
    /// No `hookctl.toml` in the directory or any of its parents.
    case noProject(directory: String)
    /// `hookctl.toml` is not valid; `line` is known when the parser can tell.
    case invalidConfig(line: Int?, message: String)
    /// The user's own config.toml is not valid.
    case invalidUserConfig(path: String, line: Int?, message: String)
    /// A dotenv file of `[settings] dotenv` is missing (when required) or not valid.
    case invalidDotenv(file: String, line: Int?, message: String)
    /// A file or directory could not be read or written.
    case fileSystem(path: String, message: String)
    /// The SQLite state database failed.
    case database(message: String)
    /// The project has not been allowed for its current contents.
    case notAllowed(config: String)
    /// A process could not be started.
    case spawnFailed(command: String, message: String)
    /// No execution is running for the project.
    case noRunningExecution(directory: String)
    /// No execution exists for the project yet.
    case noExecution(directory: String)
    /// The supervisor was started for an execution the state database does not hold.
    case unknownExecution(id: String)
    /// The shell name is not one hookctl supports.
    case unsupportedShell(name: String)
    /// `--hook` names a hook the project does not have.
    case unknownHook(id: String)
    /// The wait for an execution ran out of time.
    case waitTimedOut(seconds: Double)
    /// `hookctl init` found a hookctl.toml already there.
    case configExists(path: String)
    /// The editor `hookctl edit` started failed or could not be started.
    case editorFailed(command: String, message: String)
    /// A host called the engine with arguments it cannot use (the C API's NULLs, invalid UTF-8).
    case invalidRequest(message: String)

    public var description: String {
        switch self {
        case .noProject(let directory):
            return "no hookctl.toml in \(directory) or its parents; create one or change into a project"
        case .invalidConfig(let line, let message):
            let location = line.map { "hookctl.toml:\($0)" } ?? "hookctl.toml"
            return "\(location): \(message)"
        case .invalidUserConfig(let path, let line, let message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(message); hookctl ignores the file until it is fixed"
        case .invalidDotenv(let file, let line, let message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(message); fix \(file) and the project loads at the next prompt"
        case .fileSystem(let path, let message):
            return "\(path): \(message); check that it exists and is accessible"
        case .database(let message):
            return "the state database failed (\(message)); check HOOKCTL_STATE_DIR and retry"
        case .notAllowed(let config):
            return "\(config) is not allowed; run 'hookctl allow' to trust it"
        case .spawnFailed(let command, let message):
            return "could not start '\(command)' (\(message)); check the command and retry"
        case .noRunningExecution(let directory):
            return "no hooks are running for \(directory); 'hookctl status' shows the last run"
        case .noExecution(let directory):
            return "the hooks of \(directory) have not run yet; run 'hookctl load' to start them"
        case .unknownExecution(let id):
            return "no execution '\(id)' in the state database; run 'hookctl reload' to start the hooks again"
        case .unsupportedShell(let name):
            return "unsupported shell '\(name)'; use bash, zsh or fish"
        case .unknownHook(let id):
            return "no hook with id '\(id)'; 'hookctl status' lists the hooks"
        case .waitTimedOut(let seconds):
            return "the hooks were still running after \(Int(seconds)) s; run 'hookctl status' to check on them"
        case .configExists(let path):
            return "\(path) already exists; edit it with 'hookctl edit' or remove it first"
        case .editorFailed(let command, let message):
            return "the editor '\(command)' \(message); set VISUAL or EDITOR to an editor that works and retry"
        case .invalidRequest(let message):
            return "\(message); fix the call and retry"
        }
    }
}
