import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct Hookctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookctl",
        abstract: "Run a project's setup hooks when your shell enters it, and load what they export.",
        version: HookEngineInfo.version,
        subcommands: [
            AllowCommand.self, DenyCommand.self, StatusCommand.self, LoadCommand.self, ReloadCommand.self,
            CancelCommand.self, LogsCommand.self, ShellCommand.self, ExportCommand.self, SuperviseCommand.self,
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
