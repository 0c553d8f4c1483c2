import ArgumentParser
import HookEngine

struct ShellInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Print the glue that hooks hookctl into your shell's prompt.",
        discussion: """
            bash: eval "$(hookctl shell init bash)"  in ~/.bashrc
            zsh:  eval "$(hookctl shell init zsh)"   in ~/.zshrc
            fish: hookctl shell init fish | source   in ~/.config/fish/conf.d/hookctl.fish
            """)

    @Argument(help: "bash, zsh or fish.")
    var shell: ShellKind

    func run() throws {
        print(ShellGlue(context: try ProcessContext.current()).script(for: shell), terminator: "")
    }
}
