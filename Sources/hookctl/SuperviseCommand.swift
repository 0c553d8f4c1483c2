import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The detached supervisor `export`, `load` and `reload` start; not for users.
struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__supervise", shouldDisplay: false)

    @Argument var executionID: String

    func run() throws {
        Glibc.exit(try Supervision(context: ProcessContext.current()).run(executionID: executionID))
    }
}
