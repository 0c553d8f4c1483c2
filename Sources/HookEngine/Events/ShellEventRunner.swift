import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The per-shell runner (`hookctl __runner PID`): reads the shell's spool
/// and runs the hooks of each event's points in order, one point after the
/// other, while the shell goes on. One runner per shell (it holds a lock);
/// it ends within a second of its shell, killing a hook still running, and
/// removes the shell's spool.
public struct ShellEventRunner {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// How often the runner looks whether its shell is still there.
    static let shellCheckMilliseconds: Int32 = 500
    /// Past runs kept per point and directory.
    static let keptRuns = 20

    /// Serves shell `shellPID` until it exits. `runnerPID` is this process,
    /// written where the glue finds it. Returns at once when another runner serves the shell.
    public func run(shellPID: Int32, runnerPID: Int32) {
        let paths = context.paths
        guard (try? paths.prepare()) != nil, let shellStarted = ProcessIdentity.startTime(of: shellPID) else { return }
        let lock = open(paths.runner(shell: shellPID), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }
        ftruncate(lock, 0)
        POSIX.writeAll(lock, Bytes("\(runnerPID)\n".utf8))

        let spool = ShellEventSpool(paths: paths, shellPID: shellPID)
        POSIX.appendFile(spool.path, [])
        let shellIsAlive = { ProcessIdentity.isSame(shellPID, startedAt: shellStarted) }
        var dispatcher = ShellEventDispatcher(
            context: context, shellPID: shellPID, sessionID: "\(shellPID)-\(shellStarted)", runnerPID: runnerPID, shellIsAlive: shellIsAlive)
        let watch = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if watch >= 0 { inotify_add_watch(watch, spool.path, UInt32(IN_MODIFY)) }
        defer { if watch >= 0 { close(watch) } }
        dispatcher.logger.debug("runner started", metadata: ["shell": "\(shellPID)"])

        var offset = spool.offset
        while shellIsAlive() {
            let unread = spool.unread(from: &offset)
            for (event, end) in ShellEvent.decode(unread.bytes, from: 0) {
                if let event { dispatcher.handle(event) }
                offset = unread.start + end
                spool.record(offset: offset)
                guard shellIsAlive() else { break }
            }
            var entry = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if watch >= 0 {
                if poll(&entry, 1, Self.shellCheckMilliseconds) > 0 {
                    var discard = Bytes(repeating: 0, count: 4096)
                    _ = discard.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) }
                }
            } else {
                POSIX.sleep(milliseconds: 100)
            }
        }
        dispatcher.logger.debug("runner ended: the shell exited", metadata: ["shell": "\(shellPID)"])
        spool.remove()
        for file in [paths.notices(shell: shellPID), paths.enterGate(shell: shellPID), paths.runner(shell: shellPID)] { unlink(file) }
    }
}

/// Runs the hooks of the points one event fires, records them, and tells
/// the shell about failures once.
struct ShellEventDispatcher {
    let context: EngineContext
    let shellPID: Int32
    let sessionID: String
    let runnerPID: Int32
    let shellIsAlive: () -> Bool
    let logger: Logger
    let user: UserPaths
    /// Hooks and warnings already reported to this shell session.
    private var reported: Set<String> = []

    init(context: EngineContext, shellPID: Int32, sessionID: String, runnerPID: Int32, shellIsAlive: @escaping () -> Bool) {
        self.context = context
        self.shellPID = shellPID
        self.sessionID = sessionID
        self.runnerPID = runnerPID
        self.shellIsAlive = shellIsAlive
        logger = context.logger(label: "hookctl.runner")
        user = UserPaths(environment: context.environment)
    }

    /// The number of the latest command line, for glue that sends none (fish).
    private var lastCommandID = 0
    /// Whether the latest record was the start of a line without a number.
    private var numberedStart = false

    /// `line` with a number when the glue sent none: a start takes the next
    /// one, and its end the same.
    private mutating func numbered(_ line: ShellEvent.CommandLine, starting: Bool) -> ShellEvent.CommandLine {
        guard line.id.isEmpty else {
            numberedStart = false
            return line
        }
        if starting || !numberedStart { lastCommandID += 1 }
        numberedStart = starting
        var line = line
        line.id = "\(lastCommandID)"
        return line
    }

    mutating func handle(_ event: ShellEvent) {
        switch event {
        case .commandStarting(let line):
            let line = numbered(line, starting: true)
            fire(.beforeCommand, root: line.root, directory: line.directory, extra: commandContext(line))
        case .commandEnded(let line, let exitCode, let pipeStatus, let duration):
            let line = numbered(line, starting: false)
            var extra = commandContext(line)
            extra["HOOKCTL_EXIT_CODE"] = "\(exitCode)"
            if let duration { extra["HOOKCTL_DURATION_MS"] = "\(duration)" }
            if !pipeStatus.isEmpty { extra["HOOKCTL_PIPESTATUS"] = pipeStatus }
            if exitCode != 0 { fire(.commandFailed, root: line.root, directory: line.directory, extra: extra) }
            let settings = fire(.afterCommand, root: line.root, directory: line.directory, extra: extra)
            if let notify = settings.notify, let duration, notify.applies(to: line.text, durationMilliseconds: duration) {
                CommandNotification(line: line.text, exitCode: exitCode, durationMilliseconds: duration)
                    .deliver(notify.delivery, shellPID: shellPID, environment: environment(extra, point: .afterCommand, root: line.root, directory: line.directory))
            }
        case .lifecycle(let point, let root, let directory, let detail):
            let names = ["enter": "HOOKCTL_PREVIOUS_DIR", "leave": "HOOKCTL_NEXT_DIR", "loaded": "HOOKCTL_LOADED"]
            let extra = names[point.rawValue].map { [$0: detail] } ?? [:]
            let outcome = fire(point, root: root, directory: directory, extra: extra)
            if point == .enter { EnterGate(paths: context.paths, shellPID: shellPID).finish(root: root, failedHook: outcome.stoppedBy, push: context.variable("HOOKCTL_PUSH") != "0") }
        case .interceptDecision(let rule, let action, let line, let detail, let directory):
            logDecision(rule, action, line, detail, directory: directory)
        }
    }

    private func logDecision(_ rule: String, _ action: String, _ line: String, _ detail: String, directory: String) {
        var context = self.context
        context.workingDirectory = directory
        InterceptDecisions(context: context).log(rule: rule, action: action, line: line, detail: detail)
    }

    private func commandContext(_ line: ShellEvent.CommandLine) -> [String: String] {
        ["HOOKCTL_COMMAND": line.text, "HOOKCTL_COMMAND_ID": line.id]
    }

    /// What a point's firing decided for the rest of the event.
    struct Fired {
        var notify: NotifySettings?
        /// The hook whose failure stopped the point under `fail_fast`.
        var stoppedBy: String?
    }

    /// Runs the hooks of `point` for a shell at `directory` inside the project at `root` (empty outside).
    @discardableResult
    private mutating func fire(_ point: HookPoint, root: String, directory: String, extra: [String: String]) -> Fired {
        let userConfig = loadUserConfig()
        let project = ShellEventHandover.approvedProject(root, context: context)
        var fired = Fired(notify: project?.config.notify ?? userConfig.notify)
        let failFast = project?.config.failFast ?? userConfig.failFast
        let set = ShellHookCatalog(user: user, userConfig: userConfig, userID: context.userID).hooks(at: point, project: project)
        for warning in set.warnings { reportOnce(warning, key: warning) }
        guard !set.hooks.isEmpty else { return fired }

        let environment = self.environment(extra, point: point, root: project?.root ?? "", directory: directory)
        let clock = context.clock
        let execution = ExecutionRecord(
            id: Timestamp.executionID(at: clock.now()), root: project?.realRoot ?? "", fingerprint: project?.fingerprint ?? "", point: point,
            state: .running, supervisorPID: runnerPID, startedAt: clock.now())
        let store = try? context.store
        record("the start of \(point)") { try store?.insertExecution(execution, hooks: set.hooks.map(\.spec)) }
        try? POSIX.makeDirectories(context.paths.runDirectory(execution: execution.id))
        let secrets = project?.secretValues ?? []
        let process = PerShellHookProcess(clock: clock, shellIsAlive: shellIsAlive)
        var failures: [String] = []

        for (index, hook) in set.hooks.enumerated() {
            let spec = hook.spec
            if let stopped = fired.stoppedBy {
                record("a skipped hook") {
                    try store?.finishHookRun(execution: execution.id, hook: spec.id, state: .skipped, message: "fail_fast: '\(stopped)' failed before it")
                }
                continue
            }
            guard shellIsAlive() else { break }
            let workingDirectory = workingDirectory(for: hook, project: project, shellDirectory: directory)
            record("the start of hook '\(spec.id)'") { try store?.startHookRun(execution: execution.id, hook: spec.id, pid: nil) }
            let outcome: PerShellHookProcess.Outcome
            if let condition = spec.condition, !conditionHolds(condition, environment: environment, directory: workingDirectory) {
                outcome = .init(state: .skipped, message: "its condition did not hold", output: [])
            } else if let executable = HookProcesses().resolve(spec.command, directory: workingDirectory, environment: environment) {
                outcome = process.run(spec, executable: executable, environment: environment, directory: workingDirectory)
            } else {
                outcome = .init(state: .failed, message: HookProcesses().missingCommandMessage(spec, directory: workingDirectory), output: [])
            }
            var log = outcome.output
            if let message = outcome.message { log += Bytes("[hookctl: \(message)]\n".utf8) }
            if !log.isEmpty {
                let text = Redaction.redact(String(decoding: log, as: UTF8.self), secrets: secrets)
                POSIX.appendFile(context.paths.runLog(execution: execution.id, hook: spec.id), Bytes(text.utf8))
            }
            record("the end of hook '\(spec.id)'") {
                try store?.finishHookRun(execution: execution.id, hook: spec.id, state: outcome.state, exitCode: outcome.exitCode, message: outcome.message)
            }
            guard outcome.state == .failed || outcome.state == .timedOut else { continue }
            let reason = "\(point) hook '\(spec.id)' (\(hook.origin)) \(outcome.message ?? "failed")"
            failures.append(reason)
            logger.warning("hook point hook failed", metadata: ["point": "\(point)", "hook": "\(spec.id)", "shell": "\(shellPID)", "reason": "\(outcome.message ?? "")"])
            let perCommand = [HookPoint.beforeCommand, .commandFailed, .afterCommand].contains(point)
            reportOnce(reason + "; 'hookctl logs --hook \(spec.id)' shows its output", key: perCommand ? "\(point)/\(spec.id)" : nil)
            if failFast && index + 1 < set.hooks.count || failFast && point == .enter { fired.stoppedBy = spec.id }
        }
        let state: ExecutionState = failures.isEmpty ? .completed : .failed
        record("the end of \(point)") {
            _ = try store?.finishExecution(execution.id, state: state, failure: failures.first)
            for old in try store?.pruneExecutions(root: execution.root, point: point, keep: ShellEventRunner.keptRuns) ?? [] {
                context.paths.removeRunDirectory(execution: old)
            }
        }
        return fired
    }

    /// Where a hook runs: a script in the shell's directory, a hookctl.toml entry in its `dir`.
    private func workingDirectory(for hook: ShellHook, project: Project?, shellDirectory: String) -> String {
        if case .projectConfig = hook.origin, let project { return Path.join(project.root, hook.spec.dir) }
        return POSIX.isDirectory(shellDirectory) ? shellDirectory : "/"
    }

    private func conditionHolds(_ condition: String, environment: EnvironmentMap, directory: String) -> Bool {
        let result = try? ProcessRunner.run("/bin/sh", ["-c", condition], environment: environment, directory: directory, timeoutMilliseconds: 10_000)
        return result?.status == 0
    }

    /// The hooks' environment: the runner's (the shell's when it started the runner) and the context of the event.
    private func environment(_ extra: [String: String], point: HookPoint, root: String, directory: String) -> EnvironmentMap {
        var environment = context.environment
        let shell = context.variable("HOOKCTL_SHELL") ?? ""
        let values = extra.merging([
            "HOOKCTL_HOOK_POINT": point.rawValue, "HOOKCTL_SESSION_ID": sessionID, "HOOKCTL_SHELL": shell,
            "HOOKCTL_SHELL_PID": "\(shellPID)", "HOOKCTL_PROJECT_DIR": root, "HOOKCTL_PWD": directory,
        ]) { current, _ in current }
        for (name, value) in values { environment[name] = Bytes(value.utf8) }
        return environment
    }

    /// The user's config.toml; an invalid one is reported once and counts as empty.
    private mutating func loadUserConfig() -> UserConfig {
        do {
            return try ConfigParser.loadUserConfig(path: user.config)
        } catch {
            reportOnce("\(error)", key: "config: \(error)")
            return UserConfig()
        }
    }

    /// Leaves `message` for the shell's next prompt; with a `key`, only the first time in this session.
    private mutating func reportOnce(_ message: String, key: String?) {
        if let key {
            guard reported.insert(key).inserted else { return }
        }
        POSIX.appendFile(context.paths.notices(shell: shellPID), Bytes((TerminalText.sanitized(message) + "\n").utf8))
        POSIX.touch(context.paths.marker(shell: shellPID))
    }

    private func record(_ what: String, _ write: () throws -> Void) {
        do {
            try write()
        } catch {
            logger.error("could not record \(what)", metadata: ["error": "\(error)"])
        }
    }
}
