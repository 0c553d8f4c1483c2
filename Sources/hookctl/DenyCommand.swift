import ArgumentParser
import HookEngine

struct DenyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny", abstract: "Revoke the project's approval, cancel its running hooks and unload it.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        Output.message(try Approvals(context: ProcessContext.current()).deny(directory: directory))
    }
}
