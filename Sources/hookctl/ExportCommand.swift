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
            let environment = Environment.current()
            let pid = environment["HOOKCTL_SHELL_PID"].flatMap { Int32(String(decoding: $0, as: UTF8.self)) } ?? getppid()
            let background = environment["HOOKCTL_MODE"] == Array("background".utf8)
            let request = ExportRequest(
                shell: shell, shellPID: pid, directory: try Engine.workingDirectory(),
                environment: environment.filter { $0.key != "HOOKCTL_SHELL_PID" },
                interactive: !background && isatty(2) != 0)
            let result = try Engine().export(request)
            _ = result.code.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if environment["HOOKCTL_QUIET"] != Array("1".utf8) {
                result.messages.forEach(Output.message)
            }
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
