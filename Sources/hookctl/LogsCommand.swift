import ArgumentParser
import HookEngine

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print the output of the latest run's hooks, secrets masked.")

    @Argument(help: "A directory inside the project (default: the current directory).")
    var directory: String?

    @Option(
        help: "Only this hook's output.",
        completion: .custom { _, _, _ in
            (try? ProcessContext.current()).map { StatusQuery(context: $0).hookIDs(directory: nil) } ?? []
        })
    var hook: String?

    @Flag(help: "Keep printing new output until the run ends.")
    var follow = false

    func run() throws {
        try RunLogs(context: ProcessContext.current()).logs(directory: directory, hook: hook, follow: follow) { line in
            print(line)
            fflush(stdout)
        }
    }
}

#if canImport(Glibc)
@preconcurrency import Glibc
#endif
