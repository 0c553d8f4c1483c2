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

    func validate() throws {
        if timeout != nil && !wait { throw ValidationError("--timeout only goes with --wait.") }
    }

    func run() throws {
        let query = StatusQuery(context: try ProcessContext.current())
        let report = wait ? try query.waitForStatus(directory: directory, timeoutSeconds: timeout) : try query.status(directory: directory)
        print(json ? report.json() : report.text(verbose: verbose), terminator: json ? "\n" : "")
        if report.directory == nil { throw ExitCode.failure }
        if wait && report.execution.map({ $0.state != .completed }) ?? false { throw ExitCode.failure }
    }
}
