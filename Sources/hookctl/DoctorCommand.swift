import ArgumentParser
import HookEngine

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the shell integration, the state directory and database, the bash builtin and this project.")

    func run() throws {
        let checks = Doctor(context: try ProcessContext.current()).run()
        for check in checks { print(check.line) }
        if checks.contains(where: { $0.outcome == .problem }) { throw ExitCode.failure }
    }
}
