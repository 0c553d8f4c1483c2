import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct ShellHookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run the onEnter hooks in the foreground and print their exports, for eval.")

    @Argument(help: "bash, zsh or fish.")
    var shell: ShellKind

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    func run() throws {
        let result = try ExecutionControl(context: ProcessContext.current()).foregroundHook(shell: shell, directory: directory)
        if let failure = result.failure {
            Output.message("\(failure); run 'hookctl status' for details")
            throw ExitCode.failure
        }
        _ = result.code.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
