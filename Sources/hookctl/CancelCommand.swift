import ArgumentParser
import HookEngine

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel the running hooks and kill their processes.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        Output.message(try ExecutionControl(context: ProcessContext.current()).cancel(directory: directory))
    }
}
