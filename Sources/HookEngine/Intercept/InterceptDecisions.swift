import Logging

/// What hookctl itself decides for a typed command line: the outcome of a
/// `run` rule's command, and the record of every decision that is not a
/// plain continue in the engine log, secrets masked.
public struct InterceptDecisions {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// What a `run` rule's command said.
    public enum Outcome: Equatable {
        /// Run the line; `line` replaces it when the command printed one.
        case `continue`(line: String?)
        case cancel(reason: String)
        /// The command could not decide (missing, crashed, timed out, printed
        /// something that is not a line): the line runs, with this warning.
        case warning(String)
    }

    /// The most a `run` command may print.
    static let outputLimit = 64 << 10

    /// Runs the command of rule `ruleID` (as it applies in the working
    /// directory) with `line` on its stdin. Exit 0 continues, with stdout as
    /// the new line when it is not empty; exit 1 cancels, with stderr as the reason.
    public func run(ruleID: String, line: String) -> Outcome {
        let project = ConfigLocator.projectRoot(from: context.workingDirectory).flatMap {
            ShellEventHandover.approvedProject($0, context: context)
        }
        let user = (try? ConfigParser.loadUserConfig(path: UserPaths(environment: context.environment).config)) ?? UserConfig()
        guard let rule = InterceptRules(user: user, project: project).rules.first(where: { $0.id == ruleID }),
            case .run(let command, let timeout) = rule.action
        else {
            return record(.warning("the intercept rule '\(ruleID)' is no longer a run rule here; the line runs as typed"), rule: ruleID, line: line)
        }
        let outcome = decide(command: command, timeout: timeout, line: line, rule: ruleID)
        return record(outcome, rule: ruleID, line: line)
    }

    private func decide(command: [String], timeout: Int64, line: String, rule: String) -> Outcome {
        let directory = context.workingDirectory
        guard let executable = HookProcesses().resolve(command[0], directory: directory, environment: context.environment) else {
            return .warning("the intercept rule '\(rule)' runs '\(command[0])', which was not found; the line runs as typed")
        }
        var environment = context.environment
        environment["HOOKCTL_COMMAND"] = Bytes(line.utf8)
        let result: ProcessRunner.Result
        do {
            result = try ProcessRunner.run(
                executable, Array(command.dropFirst()), environment: environment, directory: directory, input: Bytes(line.utf8),
                timeoutMilliseconds: timeout, outputLimit: Self.outputLimit)
        } catch {
            return .warning("the intercept rule '\(rule)' could not start '\(command[0])' (\(error)); the line runs as typed")
        }
        if result.overflowed {
            return .warning("the intercept rule '\(rule)': '\(command[0])' printed more than 64 KiB; the line runs as typed")
        }
        guard let status = result.status else {
            return .warning("the intercept rule '\(rule)': '\(command[0])' took longer than \(timeout) ms and was killed; the line runs as typed")
        }
        switch status {
        case 0:
            var text = result.stdout
            while text.last == UInt8(ascii: "\n") { text.removeLast() }
            guard !text.isEmpty else { return .continue(line: nil) }
            guard !text.contains(0), let replacement = String(validating: text, as: UTF8.self) else {
                return .warning("the intercept rule '\(rule)': '\(command[0])' printed binary output, not a command line; the line runs as typed")
            }
            return .continue(line: replacement)
        case 1:
            let reason = TerminalText.sanitized(String(decoding: result.stderr, as: UTF8.self)).trimmingWhitespace()
            return .cancel(reason: reason.isEmpty ? "cancelled by the intercept rule '\(rule)'" : reason)
        default:
            return .warning("the intercept rule '\(rule)': '\(command[0])' exited with status \(status); the line runs as typed")
        }
    }

    /// Writes a decision that is not a plain continue to the engine log.
    @discardableResult
    func record(_ outcome: Outcome, rule: String, line: String) -> Outcome {
        switch outcome {
        case .continue(nil): break
        case .continue(let replacement?): log(rule: rule, action: "rewrite", line: line, detail: replacement)
        case .cancel(let reason): log(rule: rule, action: "cancel", line: line, detail: reason)
        case .warning(let message): log(rule: rule, action: "warning", line: line, detail: message)
        }
        return outcome
    }

    /// One engine-log line for a decision: the rule, what it did, the line and the detail, secrets masked.
    public func log(rule: String, action: String, line: String, detail: String) {
        let project = ConfigLocator.projectRoot(from: context.workingDirectory).flatMap { try? Project.load(root: $0) }
        // The project's secrets, the shell's secret-named variables, and what the line itself assigns to one.
        let environmentSecrets = context.environment.filter { Redaction.isSecretName($0.key) }.map { String(decoding: $0.value, as: UTF8.self) }
        let secrets = (project?.secretValues ?? []) + environmentSecrets
            + line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ";" }).flatMap { word in
                Redaction.assignedValues(in: Bytes(word.utf8), isSecret: Redaction.isSecretName)
            }
        let mask = { (text: String) in Redaction.redact(text, secrets: secrets) }
        context.logger(label: "hookctl.intercept").notice(
            "intercept decision",
            metadata: ["rule": "\(rule)", "action": "\(action)", "line": "\(mask(line))", "detail": "\(mask(detail))"])
    }
}
