import ArgumentParser
import HookEngine

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "List every hook point's hooks in the order they run, and where each comes from.",
        discussion: """
            Per-shell points (enter, leave, loaded, beforeCommand, commandFailed, afterCommand) run the \
            executables in ${XDG_CONFIG_HOME:-~/.config}/hookctl/hooks/POINT.d/, then those in the project's \
            .hookctl/hooks/POINT.d/, then its [[hooks.POINT]] entries. Skipped files are listed with the reason.
            """)

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        print(try StatusQuery(context: ProcessContext.current()).hookListing(directory: directory).text(), terminator: "")
    }
}
