import ArgumentParser
import HookEngine

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Run the project's onEnter hooks again, even if they completed before.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        Output.message(try ExecutionControl(context: ProcessContext.current()).reload(directory: directory))
    }
}
