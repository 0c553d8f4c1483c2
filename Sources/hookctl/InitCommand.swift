import ArgumentParser
import HookEngine

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a commented starter hookctl.toml (never over an existing one).")

    @Argument(help: "The project directory (default: the current directory).", completion: .directory)
    var directory: String?

    func run() throws {
        let path = try ProjectStarter(context: ProcessContext.current()).create(in: directory)
        Output.message("wrote \(path); edit it with 'hookctl edit', which asks to allow it when you are done")
    }
}
