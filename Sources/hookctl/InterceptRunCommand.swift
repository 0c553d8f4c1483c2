import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The glue's hand-over of a `run` intercept rule (the line on stdin) and of
/// the decisions it made itself, for the engine log; not for users.
struct InterceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__intercept", shouldDisplay: false)

    @Argument(help: "The id of the run rule.")
    var rule: String

    /// Exit 0: stdout is the line to run (empty: as typed); exit 1: stdout is
    /// the reason to cancel; exit 2: a warning on stderr, the line runs as typed.
    func run() throws {
        var input = Bytes()
        var buffer = Bytes(repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            input += buffer[0..<count]
        }
        switch InterceptDecisions(context: try ProcessContext.current()).run(ruleID: rule, line: String(decoding: input, as: UTF8.self)) {
        case .continue(let line):
            print(line ?? "", terminator: "")
        case .cancel(let reason):
            print(reason, terminator: "")
            throw ExitCode(1)
        case .warning(let message):
            Output.message(message)
            throw ExitCode(2)
        }
    }
}
