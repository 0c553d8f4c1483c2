#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs one execution's hooks to the end in a single-threaded poll loop:
/// the scheduler says what starts, `HookProcesses` runs it, each hook's
/// output is collected as it arrives, timeouts and cancellation stop whole
/// process groups (TERM, then KILL after the grace period), source hooks'
/// stdout is captured, and the recorder keeps the store and logs current.
final class SupervisorLoop {
    /// Hooks mostly wait on the network or a service, not the CPU: twice the
    /// cores, but never fewer than 16, so small machines still run a typical
    /// project's hooks all at once.
    static let defaultConcurrency = max(16, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) * 2)

    private let project: Project
    /// What the approval covered when the execution started.
    private let fingerprint: String
    private let hooks: [HookSpec]
    private let baseEnvironment: EnvironmentMap
    /// `[env]` as resolved for this execution.
    private let projectVariables: [(name: String, value: Bytes)]
    private let recorder: RunRecorder
    private let processes = HookProcesses()
    private let clock: any EngineClock
    /// Readable when something happened: a byte per signal (SIGCHLD wakes,
    /// anything else cancels), as the supervisor's signal handlers write them.
    private let wakeFD: Int32

    /// Whether every shell the hooks serve has gone (checked every few seconds); nil: never ask.
    private let shellsGone: (() -> Bool)?
    private var nextShellCheck: Int64 = 0
    /// Set when the loop cancelled because the shells had gone.
    private(set) var shellsLeft = false

    private var scheduler: HookScheduler
    private var running: [Int32: RunningHook] = [:]
    private var captured: [String: [CapturedVariable]] = [:]

    /// `environment` is the environment hooks start from; the project's
    /// `[env]` and the `HOOKCTL_*` context are added to it.
    init(
        execution: ExecutionRecord, project: Project, environment: EnvironmentMap, recorder: RunRecorder,
        wakeFD: Int32, clock: any EngineClock, concurrency: Int = SupervisorLoop.defaultConcurrency,
        shellsGone: (() -> Bool)? = nil
    ) {
        self.shellsGone = shellsGone
        self.project = project
        fingerprint = execution.fingerprint
        hooks = project.config.hooks(at: execution.point)
        self.recorder = recorder
        self.wakeFD = wakeFD
        self.clock = clock
        scheduler = HookScheduler(hooks: hooks, concurrency: concurrency)
        var environment = environment
        // The supervisor refuses to start on dotenv files that cannot be read.
        projectVariables = (try? project.environment(over: environment)) ?? project.config.environment(over: environment)
        for (name, value) in projectVariables { environment[name] = value }
        environment["HOOKCTL_PROJECT_DIR"] = Bytes(project.root.utf8)
        environment["HOOKCTL_EXECUTION_ID"] = Bytes(execution.id.utf8)
        baseEnvironment = environment
    }

    /// Why `executable` may not run: a command found on a PATH that an earlier
    /// hook pointed into the project lands on a file the approval never saw.
    private func uncovered(_ executable: String, _ hook: HookSpec) -> String? {
        guard !hook.command.contains("/"), let real = POSIX.realPath(executable), Path.isInside(real, root: project.realRoot),
            !project.coveredFiles.contains(real)
        else { return nil }
        return "'\(hook.command)' is \(real) inside the project, which the approval does not cover; name it by its path or put its directory in [env] PATH"
    }

    /// Whether the project still has the fingerprint this execution was approved with.
    private func isStillApproved() -> Bool {
        (try? Project.load(root: project.root))?.fingerprint == fingerprint
    }

    /// Runs every hook to the end, records the outcome and returns the execution's state.
    func run() -> ExecutionState {
        recorder.begin(root: project.root)
        while true {
            for decision in scheduler.next() {
                switch decision {
                case .start(let hook): start(hook)
                case .skip(let hook, let reason): recorder.finished(hook, .skipped, message: reason)
                }
            }
            if scheduler.isFinished { break }
            waitForEvents()
            reapChildren()
            enforceDeadlines()
            checkShells()
        }
        return recorder.finish(cancelled: scheduler.isCancelled, environment: projectEnvironment())
    }

    // MARK: Starting

    private func start(_ hook: HookSpec) {
        let directory = Path.join(project.root, hook.dir)
        let environment = environment(for: hook)
        var entry = RunningHook(
            spec: hook, log: recorder.openLog(for: hook), environment: environment, directory: directory,
            deadline: clock.monotonic() + hook.timeoutMilliseconds)
        guard POSIX.isDirectory(directory) else {
            return fail(entry, "working directory '\(hook.dir)' does not exist")
        }
        // A hook that starts after others ran: what it runs may have been edited since the approval.
        if !hook.dependsOn.isEmpty && !isStillApproved() {
            return fail(entry, "hookctl.toml or a file it runs changed after the approval; run 'hookctl allow' to trust it")
        }
        do {
            if let condition = hook.condition {
                entry.phase = .condition
                entry.child = try processes.spawn("/bin/sh", ["-c", condition], environment: environment, directory: directory)
            } else {
                guard let executable = processes.resolve(hook.command, directory: directory, environment: environment) else {
                    return fail(entry, processes.missingCommandMessage(hook, directory: directory))
                }
                if let refusal = uncovered(executable, hook) { return fail(entry, refusal) }
                entry.child = try processes.spawn(executable, hook.args, environment: environment, directory: directory)
            }
        } catch {
            return fail(entry, "\(error)")
        }
        recorder.started(hook, pid: entry.child.pid, phase: entry.phase)
        running[entry.child.pid] = entry
    }

    /// The project environment plus what the hook's dependencies captured.
    private func environment(for hook: HookSpec) -> EnvironmentMap {
        var environment = baseEnvironment
        environment["HOOKCTL_HOOK_ID"] = Bytes(hook.id.utf8)
        for dependency in scheduler.dependencies(of: hook) {
            for variable in captured[dependency.id] ?? [] { environment[variable.name] = variable.value }
        }
        return environment
    }

    // MARK: Events

    private func waitForEvents() {
        var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        for entry in running.values {
            for fd in [entry.child.stdout, entry.child.stderr].compactMap({ $0 }) {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
        }
        let now = clock.monotonic()
        let nextDeadline = running.values.map { $0.killAt ?? $0.deadline }.min().map { max(0, $0 - now) } ?? 100
        // Children are reaped by pid, so a SIGCHLD that no descriptor shows still ends the wait soon.
        _ = poll(&fds, nfds_t(fds.count), Int32(min(50, nextDeadline)))
        if fds[0].revents != 0 { drainWakeups() }
        for pid in Array(running.keys) { readOutput(of: pid) }
    }

    private func drainWakeups() {
        var buffer = Bytes(repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(wakeFD, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            if buffer[0..<count].contains(where: { $0 != UInt8(SIGCHLD) }) && !scheduler.isCancelled { cancel() }
        }
    }

    /// A shell that exited (or was killed) never runs `export` to say it
    /// left: when none is left, the hooks stop as if the last one had left.
    private func checkShells() {
        guard let shellsGone, !scheduler.isCancelled, clock.monotonic() >= nextShellCheck else { return }
        nextShellCheck = clock.monotonic() + 2000
        if shellsGone() {
            shellsLeft = true
            recorder.debug("every shell in the project has gone", [:])
            cancel()
        }
    }

    private func cancel() {
        recorder.cancelled()
        scheduler.cancel()
        for pid in Array(running.keys) { terminate(pid, as: .cancelled) }
    }

    private func readOutput(of pid: Int32, ended: Bool = false) {
        guard var entry = running[pid] else { return }
        let secrets = secretValues()
        entry.drain(redacting: secrets)
        recordLatestMessage(of: &entry, now: ended)
        running[pid] = entry
        if entry.exceededOutputLimit && entry.termination == nil {
            terminate(pid, as: .failed, message: "printed more than 1 MiB on stdout")
        }
    }

    /// Stores a source hook's new latest message: at most five times a
    /// second while it prints, and always (`now`) when it has ended.
    private func recordLatestMessage(of entry: inout RunningHook, now: Bool) {
        let time = clock.monotonic()
        guard let message = entry.latestMessage, entry.latestMessageIsNew, now || time >= entry.nextMessageWrite else { return }
        recorder.said(entry.spec, message)
        entry.latestMessageIsNew = false
        entry.nextMessageWrite = time + 200
    }

    private func reapChildren() {
        for pid in Array(running.keys) {
            guard let code = processes.reap(pid) else { continue }
            readOutput(of: pid, ended: true)
            guard var entry = running.removeValue(forKey: pid) else { continue }
            entry.closePipes(redacting: secretValues())
            if let file = entry.exportsFile { unlink(file) }
            if let termination = entry.termination {
                processes.kill(group: pid)
                if entry.spec.source {
                    // It may have printed a secret on stderr before the assignment that makes it one.
                    recorder.redactLogs(secretValues() + Redaction.assignedValues(in: entry.stdout, isSecret: project.config.isSecret))
                }
                recorder.finished(entry.spec, termination.state, exitCode: code, message: termination.message, log: entry.log)
                scheduler.finished(entry.spec.id, .broken)
            } else if entry.phase == .condition {
                conditionFinished(entry, code: code)
            } else if entry.phase == .capture {
                captureFinished(entry, code: code)
            } else {
                commandFinished(entry, code: code)
            }
        }
    }

    private func conditionFinished(_ finished: RunningHook, code: Int32) {
        let hook = finished.spec
        guard code == 0 else {
            recorder.finished(hook, .skipped, exitCode: code, message: "condition not met", log: finished.log)
            scheduler.finished(hook.id, .satisfied)
            return
        }
        guard let executable = processes.resolve(hook.command, directory: finished.directory, environment: finished.environment) else {
            return fail(finished, processes.missingCommandMessage(hook, directory: finished.directory))
        }
        if let refusal = uncovered(executable, hook) { return fail(finished, refusal) }
        var entry = finished
        entry.phase = .command
        do {
            entry.child = try processes.spawn(executable, hook.args, environment: entry.environment, directory: entry.directory)
        } catch {
            return fail(entry, "\(error)")
        }
        recorder.started(hook, pid: entry.child.pid, phase: entry.phase)
        running[entry.child.pid] = entry
    }

    private func commandFinished(_ entry: RunningHook, code: Int32) {
        let hook = entry.spec
        guard code == 0 else {
            return fail(entry, code > 128 ? "was killed by signal \(code - 128)" : "exited with status \(code)", exitCode: code)
        }
        if hook.source {
            switch SourceCapture.check(entry.stdout) {
            case .success(let output):
                var entry = entry
                entry.noteRemainingMessages(output.messages, redacting: secretValues())
                recordLatestMessage(of: &entry, now: true)
                return startCapture(entry, output: output.exports, exitCode: code)
            case .failure(let failure): return fail(entry, failure.message, exitCode: code)
            }
        }
        recorder.finished(hook, .succeeded, exitCode: code, log: entry.log)
        scheduler.finished(hook.id, .satisfied)
    }

    /// Evaluates a source hook's exports in a bash that the loop runs like a
    /// hook: in its own process group, under the hook's deadline.
    private func startCapture(_ finished: RunningHook, output: Bytes, exitCode: Int32) {
        var entry = finished
        let bash: String
        switch SourceCapture.bash(environment: entry.environment, directory: entry.directory) {
        case .success(let found): bash = found
        case .failure(let failure): return fail(entry, failure.message, exitCode: exitCode)
        }
        let file = recorder.exportsFile(for: entry.spec)
        POSIX.writeFile(file, output)
        entry.exportsFile = file
        entry.phase = .capture
        entry.commandExitCode = exitCode
        entry.deadline = max(entry.deadline, clock.monotonic() + 1000)
        do {
            entry.child = try processes.spawn(bash, SourceCapture.arguments(file: file), environment: entry.environment, directory: entry.directory)
        } catch {
            unlink(file)
            return fail(entry, "could not start bash to evaluate its exports: \(error)", exitCode: exitCode)
        }
        recorder.capturing(entry.spec, pid: entry.child.pid)
        running[entry.child.pid] = entry
    }

    private func captureFinished(_ entry: RunningHook, code: Int32) {
        let hook = entry.spec
        switch SourceCapture.result(stdout: entry.captureStdout, stderr: entry.captureStderr, status: code) {
        case .success(let variables):
            captured[hook.id] = variables
            if variables.contains(where: { project.config.isSecret($0.name) }) { recorder.redactLogs(secretValues()) }
            recorder.debug("hook exports captured", ["hook": "\(hook.id)", "names": "\(variables.map(\.name).joined(separator: ","))"])
            recorder.finished(hook, .succeeded, exitCode: entry.commandExitCode, log: entry.log)
            scheduler.finished(hook.id, .satisfied)
        case .failure(let failure):
            fail(entry, failure.message, exitCode: entry.commandExitCode)
        }
    }

    private func enforceDeadlines() {
        let now = clock.monotonic()
        for (pid, entry) in running {
            if let killAt = entry.killAt {
                if now >= killAt { processes.kill(group: pid) }
            } else if now >= entry.deadline {
                let seconds = Double(entry.spec.timeoutMilliseconds) / 1000
                terminate(pid, as: .timedOut, message: "timed out after \(seconds.formatted) s")
            }
        }
    }

    /// Sends TERM to the hook's process group; KILL follows after the grace period.
    private func terminate(_ pid: Int32, as state: HookState, message: String? = nil) {
        guard var entry = running[pid], entry.termination == nil else { return }
        entry.termination = (state, message ?? (state == .cancelled ? "cancelled" : state.rawValue))
        entry.killAt = clock.monotonic() + HookProcesses.killGraceMilliseconds
        running[pid] = entry
        processes.terminate(group: pid)
    }

    // MARK: Results

    private func fail(_ entry: RunningHook, _ message: String, exitCode: Int32? = nil) {
        if entry.spec.source {
            recorder.redactLogs(secretValues() + Redaction.assignedValues(in: entry.stdout, isSecret: project.config.isSecret))
        }
        recorder.finished(entry.spec, .failed, exitCode: exitCode, message: message, log: entry.log)
        scheduler.finished(entry.spec.id, .broken)
    }

    /// `[env]`, then each source hook's captures in file order.
    private func projectEnvironment() -> [CapturedVariable] {
        var merged: [String: Bytes?] = [:]
        for (name, value) in projectVariables { merged[name] = .some(value) }
        for hook in hooks {
            for variable in captured[hook.id] ?? [] { merged[variable.name] = .some(variable.value) }
        }
        return merged.keys.sorted().map { CapturedVariable(name: $0, value: merged[$0]!) }
    }

    /// Every value that must not reach a log: secrets of `[env]`, of the
    /// environment, of captures, and those running source hooks printed.
    private func secretValues() -> [String] {
        let isSecret = project.config.isSecret
        var values: [String] = []
        for entry in running.values where entry.spec.source {
            values += Redaction.assignedValues(in: entry.stdout, isSecret: isSecret)
        }
        for (name, value) in projectVariables where isSecret(name) { values.append(String(decoding: value, as: UTF8.self)) }
        for variables in captured.values {
            for variable in variables where isSecret(variable.name) {
                if let value = variable.value { values.append(String(decoding: value, as: UTF8.self)) }
            }
        }
        for (name, value) in baseEnvironment where isSecret(name) {
            values.append(String(decoding: value, as: UTF8.self))
        }
        return values
    }
}

extension Double {
    /// `30` for whole numbers, `0.5` otherwise.
    var formatted: String {
        self == rounded() ? String(Int64(self)) : String(self)
    }
}
