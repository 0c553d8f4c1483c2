import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct Hookctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookctl",
        abstract: "Run a project's setup hooks when your shell enters it, and load what they export.",
        discussion: """
            A project is a directory with a hookctl.toml. When a shell whose rc file loads the integration \
            ('hookctl shell init bash|zsh|fish') enters an approved project, its onEnter hooks run in a \
            background supervisor; the variables that [env], the dotenv files and the source hooks set are \
            loaded once every hook has succeeded, and leaving the project restores what was there before. \
            Nothing runs before 'hookctl allow'; editing hookctl.toml or any file its hooks run asks again.

            Environment: HOOKCTL_STATE_DIR (state, default $XDG_STATE_HOME/hookctl or \
            ~/.local/state/hookctl), HOOKCTL_MODE=background (never wait at the prompt), HOOKCTL_QUIET=1 \
            (no messages), HOOKCTL_PUSH=0 (no redraw when hooks finish), HOOKCTL_LOG=debug (a more detailed \
            engine log). The integration keeps HOOKCTL_DIR, HOOKCTL_DIFF and HOOKCTL_STATUS in the shell.

            Exit codes: 0 success, 1 failure, 2 wrong usage.
            """,
        version: HookEngineInfo.version,
        subcommands: [
            InitCommand.self, EditCommand.self, AllowCommand.self, DenyCommand.self, StatusCommand.self, LoadCommand.self,
            ReloadCommand.self, CancelCommand.self, LogsCommand.self, HooksCommand.self, DoctorCommand.self, ShellCommand.self, ExportCommand.self,
            SuperviseCommand.self, RunnerCommand.self, InterceptCommand.self,
        ])

    /// Parses and runs a command; hookctl errors exit 1, usage errors exit 2.
    static func main(arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch let error as HookctlError {
            Output.error(error)
            Glibc.exit(1)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure {
                Output.line(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Messages for the user, on stderr.
enum Output {
    static func message(_ text: String) {
        line("hookctl: \(text)")
    }

    static func error(_ error: HookctlError) {
        line("hookctl: \(error)")
    }

    static func line(_ text: String) {
        fputs(TerminalText.sanitized(text) + "\n", stderr)
    }
}
