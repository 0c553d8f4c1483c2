import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "The prompt entry point: print shell code that loads or unloads the project environment.",
        discussion: "The shell glue runs this; it prints shell code on stdout and messages on stderr.")

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func run() {
        Self.exitFast(shell: shell)
    }

    /// Runs the export and exits, without ArgumentParser's start-up cost.
    static func exitFast(shell name: String) -> Never {
        do {
            let shell = try ShellKind(name: name)
            var context = try ProcessContext.current()
            // The glue names its shell; run by hand, the parent is the shell.
            context.shellPID = context.environment["HOOKCTL_SHELL_PID"].flatMap { Int32(String(decoding: $0, as: UTF8.self)) } ?? getppid()
            context.environment["HOOKCTL_SHELL_PID"] = nil
            let progress = isatty(2) != 0 ? TerminalProgress(environment: context.environment) : nil
            let plan = try Exporter(context: context).plan(ExportRequest(context: context, progress: progress))
            let code = shell.render(plan)
            _ = code.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            plan.messages.forEach(Output.message)
            Glibc.exit(0)
        } catch let error as HookctlError {
            Output.error(error)
            Glibc.exit(error == .unsupportedShell(name: name) ? 2 : 1)
        } catch {
            Output.message("\(error)")
            Glibc.exit(1)
        }
    }
}
