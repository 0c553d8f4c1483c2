import ArgumentParser
import HookEngine

struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "Shell integration.", subcommands: [ShellInitCommand.self, ShellHookCommand.self])
}

extension ShellKind: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
