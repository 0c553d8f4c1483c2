import ArgumentParser
import HookEngine

struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit hookctl.toml in $VISUAL or $EDITOR, check it on save, and ask to allow the result.",
        discussion: """
            The file is edited as a copy. When the editor closes, an invalid copy is shown with its error and \
            can be edited again or dropped; a valid one replaces hookctl.toml, and the files whose approval \
            changes (added, removed, edited) are listed before hookctl asks to allow them.
            """)

    @Argument(help: "A directory inside the project (default: the current directory).", completion: .directory)
    var directory: String?

    func run() throws {
        let context = try ProcessContext.current()
        let editor = ConfigEditor(context: context)
        let draft = try editor.begin(directory: directory)
        while true {
            do {
                try editor.runEditor(on: draft)
            } catch {
                editor.discard(draft)
                throw error
            }
            if editor.isUnchanged(draft) {
                editor.discard(draft)
                return Output.message("\(draft.config) is unchanged")
            }
            guard let problem = editor.problem(in: draft) else { break }
            Output.message(problem)
            guard Prompt.ask("What now? [e]dit again, [q]uit without saving: ", default: "q").lowercased().hasPrefix("e") else {
                editor.discard(draft)
                Output.message("\(draft.config) was left as it was")
                throw ExitCode.failure
            }
        }
        let changes = try editor.save(draft)
        Output.message("saved \(draft.config)")
        for change in changes { Output.line("  \(change.kind.rawValue): \(change.path)") }
        guard Prompt.ask("Allow it now? [y/N] ", default: "n").lowercased().hasPrefix("y") else {
            return Output.message("not allowed; run 'hookctl allow' when you are ready")
        }
        Output.message(try Approvals(context: context).allow(directory: directory))
    }
}
