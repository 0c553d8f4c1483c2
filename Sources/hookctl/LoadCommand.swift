import ArgumentParser
import HookEngine

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Start the project's onEnter hooks in the background now.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        Output.message(try ExecutionControl(context: ProcessContext.current()).load(directory: directory))
    }
}
