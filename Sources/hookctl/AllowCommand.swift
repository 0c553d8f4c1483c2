import ArgumentParser
import HookEngine

struct AllowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow", abstract: "Trust the project's hookctl.toml and the scripts its hooks run, as they are now.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        Output.message(try Approvals(context: ProcessContext.current()).allow(directory: directory))
    }
}
