import ArgumentParser
import HookEngine

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the project's approval, execution and the state of each hook.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Block until the running execution ends; exit 1 unless it completed.")
    var wait = false

    @Option(help: "With --wait, give up after this many seconds.")
    var timeout: Double?

    @Flag(help: "Show messages, exit codes and log files for each hook.")
    var verbose = false

    @Flag(help: "Print what HOOKCTL_STATUS says (loading 1/3, loaded, failed: ID, requires approval), for prompt themes.")
    var short = false

    func validate() throws {
        if timeout != nil && !wait { throw ValidationError("--timeout only goes with --wait.") }
        if [json, verbose, short].filter({ $0 }).count > 1 { throw ValidationError("Choose one of --json, --verbose and --short.") }
    }

    func run() throws {
        let query = StatusQuery(context: try ProcessContext.current())
        let report: StatusReport
        do {
            report = wait ? try query.waitForStatus(directory: directory, timeoutSeconds: timeout) : try query.status(directory: directory)
        } catch HookctlError.invalidConfig where short {
            print(PromptStatus.invalidConfig.text)
            throw ExitCode.failure
        }
        if short {
            PromptStatus(report).map { print($0.text) }
        } else {
            print(json ? report.json() : report.text(verbose: verbose), terminator: json ? "\n" : "")
        }
        if report.directory == nil { throw ExitCode.failure }
        if wait && report.execution.map({ $0.state != .completed }) ?? false { throw ExitCode.failure }
    }
}
