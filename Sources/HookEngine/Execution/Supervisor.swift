import CShims
import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The write end of the pipe that turns signals into poll events.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Runs one execution's hooks as a graph in a single-threaded poll loop:
/// hooks start when their dependencies have succeeded, up to twice the
/// number of cores at once, each in its own process group; timeouts and
/// cancellation kill the whole group (TERM, then KILL after 2 s).
final class Supervisor {
    private static let killGraceMilliseconds: Int64 = 2000

    private let store: StateStore
    private let paths: StatePaths
    private let execution: ExecutionRecord
    private let project: Project
    private let hooks: [HookSpec]
    private let logger: Logger
    private let baseEnvironment: EnvironmentMap
    /// Hooks mostly wait on the network or a service, not the CPU: twice the
    /// cores, but never fewer than 16, so small machines still run a typical
    /// project's hooks all at once.
    private let concurrency = max(16, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) * 2)

    private var pending: Set<String>
    private var running: [Int32: RunningHook] = [:]
    private var outcomes: [String: HookGraph.Outcome] = [:]
    private var captured: [String: [CapturedVariable]] = [:]
    private var failures: [String] = []
    private var cancelled = false
    private var signalPipeReadEnd: Int32 = -1

    init(store: StateStore, paths: StatePaths, execution: ExecutionRecord, project: Project, logger: Logger) {
        self.store = store
        self.paths = paths
        self.execution = execution
        self.project = project
        self.hooks = project.config.hooks(for: execution.event)
        self.logger = logger
        self.pending = Set(hooks.map(\.id))
        var environment = Environment.current()
        for (name, value) in project.config.environment { environment[name] = Bytes(value.utf8) }
        environment["HOOKCTL_PROJECT_DIR"] = Bytes(project.root.utf8)
        environment["HOOKCTL_EXECUTION_ID"] = Bytes(execution.id.utf8)
        self.baseEnvironment = environment
    }

    /// Runs every hook to the end and records the outcome; returns the exit code.
    func run() -> Int32 {
        installSignalHandlers()
        try? POSIX.makeDirectories(paths.runDirectory(execution: execution.id))
        logger.info("execution started", metadata: ["execution": "\(execution.id)", "root": "\(project.root)", "event": "\(execution.event.rawValue)"])
        while true {
            if !cancelled { startReadyHooks() }
            if running.isEmpty && (cancelled || HookGraph.ready(hooks, pending: pending, outcomes: outcomes).isEmpty) { break }
            waitForEvents()
            reapChildren()
            enforceDeadlines()
        }
        return finish()
    }

    // MARK: Scheduling

    private func startReadyHooks() {
        var changed = true
        while changed {
            changed = false
            for hook in HookGraph.blocked(hooks, pending: pending, outcomes: outcomes) {
                pending.remove(hook.id)
                outcomes[hook.id] = .broken
                let broken = hook.dependsOn.filter { outcomes[$0] == .broken }.joined(separator: "', '")
                record(hook, .skipped, message: "dependency '\(broken)' did not succeed")
                changed = true
            }
            for hook in HookGraph.ready(hooks, pending: pending, outcomes: outcomes) where running.count < concurrency {
                pending.remove(hook.id)
                start(hook)
                changed = true
            }
        }
    }

    private func start(_ hook: HookSpec) {
        let directory = Path.join(project.root, hook.dir)
        let environment = environment(for: hook)
        let log = open(paths.runLog(execution: execution.id, hook: hook.id), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        var entry = RunningHook(
            spec: hook, log: log, environment: environment, directory: directory,
            deadline: POSIX.monotonicMilliseconds() + hook.timeoutMilliseconds)
        guard POSIX.isDirectory(directory) else {
            return fail(entry, "working directory '\(hook.dir)' does not exist")
        }
        do {
            if let condition = hook.condition {
                entry.phase = .condition
                entry.child = try spawn("/bin/sh", ["-c", condition], entry)
            } else {
                guard let executable = ProcessSpawner.resolve(hook.command, directory: directory, path: environment["PATH"].map { String(decoding: $0, as: UTF8.self) }) else {
                    return fail(entry, missingCommandMessage(hook, directory: directory))
                }
                entry.child = try spawn(executable, hook.args, entry)
            }
        } catch {
            return fail(entry, "\(error)")
        }
        try? store.startHookRun(execution: execution.id, hook: hook.id, pid: entry.child.pid)
        logger.debug("hook started", metadata: ["hook": "\(hook.id)", "pid": "\(entry.child.pid)", "phase": "\(entry.phase)"])
        running[entry.child.pid] = entry
    }

    private func spawn(_ executable: String, _ arguments: [String], _ entry: RunningHook) throws -> ProcessSpawner.Child {
        var options = ProcessSpawner.Options(environment: entry.environment)
        options.directory = entry.directory
        options.stdout = .pipe
        options.stderr = .pipe
        options.newProcessGroup = true
        let child = try ProcessSpawner.spawn(executable, arguments, options)
        for fd in [child.stdout!, child.stderr!] { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        return child
    }

    private func missingCommandMessage(_ hook: HookSpec, directory: String) -> String {
        let path = Path.join(directory, hook.command)
        if hook.command.utf8.contains(UInt8(ascii: "/")) && POSIX.exists(path) {
            return "'\(hook.command)' is not executable; run chmod +x on it"
        }
        return "command '\(hook.command)' was not found; check 'command' in hookctl.toml"
    }

    /// The project environment plus what the hook's dependencies captured.
    private func environment(for hook: HookSpec) -> EnvironmentMap {
        var environment = baseEnvironment
        environment["HOOKCTL_HOOK_ID"] = Bytes(hook.id.utf8)
        var seen: Set<String> = []
        func addCaptures(of id: String) {
            guard seen.insert(id).inserted, let spec = hooks.first(where: { $0.id == id }) else { return }
            spec.dependsOn.forEach(addCaptures)
            for variable in captured[id] ?? [] { environment[variable.name] = variable.value }
        }
        hook.dependsOn.forEach(addCaptures)
        return environment
    }

    // MARK: Events

    private func waitForEvents() {
        var fds = [pollfd(fd: signalPipeReadEnd, events: Int16(POLLIN), revents: 0)]
        for entry in running.values {
            for fd in [entry.child.stdout, entry.child.stderr].compactMap({ $0 }) {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
        }
        let now = POSIX.monotonicMilliseconds()
        let nextDeadline = running.values.map { $0.killAt ?? $0.deadline }.min().map { max(0, $0 - now) } ?? 100
        _ = poll(&fds, nfds_t(fds.count), Int32(min(100, nextDeadline)))
        if fds[0].revents != 0 { drainSignals() }
        for pid in Array(running.keys) { readOutput(of: pid) }
    }

    private func drainSignals() {
        var buffer = Bytes(repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(signalPipeReadEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            if buffer[0..<count].contains(where: { $0 != UInt8(SIGCHLD) }) && !cancelled { cancel() }
        }
    }

    private func cancel() {
        logger.info("execution cancelled", metadata: ["execution": "\(execution.id)"])
        cancelled = true
        for pid in Array(running.keys) { terminate(pid, as: .cancelled) }
    }

    private func readOutput(of pid: Int32) {
        guard var entry = running[pid] else { return }
        let secrets = secretValues()
        for (fd, isStdout) in [(entry.child.stdout, true), (entry.child.stderr, false)] {
            guard let fd else { continue }
            var buffer = Bytes(repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    entry.receive(buffer[0..<count], fromStdout: isStdout, redacting: secrets)
                    continue
                }
                if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(fd)
                    if isStdout { entry.child.stdout = nil } else { entry.child.stderr = nil }
                }
                break
            }
        }
        if entry.exceededOutputLimit && entry.termination == nil {
            running[pid] = entry
            terminate(pid, as: .failed, message: "printed more than 1 MiB on stdout")
            return
        }
        running[pid] = entry
    }

    private func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            readOutput(of: pid)
            guard var entry = running.removeValue(forKey: pid) else { continue }
            entry.closePipes(redacting: secretValues())
            if entry.termination != nil { killpg(pid, SIGKILL) }
            let code = ExitStatus.code(status)
            if let termination = entry.termination {
                record(entry.spec, termination.state, exitCode: code, message: termination.message, log: entry.log)
                outcomes[entry.spec.id] = .broken
            } else if entry.phase == .condition {
                conditionFinished(entry, code: code)
            } else {
                commandFinished(entry, code: code)
            }
        }
    }

    private func conditionFinished(_ finished: RunningHook, code: Int32) {
        let hook = finished.spec
        guard code == 0 else {
            record(hook, .skipped, exitCode: code, message: "condition not met", log: finished.log)
            outcomes[hook.id] = .satisfied
            return
        }
        guard let executable = ProcessSpawner.resolve(hook.command, directory: finished.directory, path: finished.environment["PATH"].map { String(decoding: $0, as: UTF8.self) }) else {
            return fail(finished, missingCommandMessage(hook, directory: finished.directory))
        }
        var entry = finished
        entry.phase = .command
        do {
            entry.child = try spawn(executable, hook.args, entry)
        } catch {
            return fail(entry, "\(error)")
        }
        try? store.startHookRun(execution: execution.id, hook: hook.id, pid: entry.child.pid)
        running[entry.child.pid] = entry
    }

    private func commandFinished(_ entry: RunningHook, code: Int32) {
        let hook = entry.spec
        guard code == 0 else {
            return fail(entry, code > 128 ? "was killed by signal \(code - 128)" : "exited with status \(code)", exitCode: code)
        }
        if hook.source {
            let remaining = max(1000, entry.deadline - POSIX.monotonicMilliseconds())
            switch SourceCapture.capture(entry.stdout, environment: entry.environment, directory: entry.directory, timeoutMilliseconds: remaining) {
            case .success(let variables):
                captured[hook.id] = variables
                if variables.contains(where: { project.config.isSecret($0.name) }) { redactLogs() }
                logger.debug("hook exports captured", metadata: ["hook": "\(hook.id)", "names": "\(variables.map(\.name).joined(separator: ","))"])
            case .failure(let failure):
                return fail(entry, failure.message, exitCode: code)
            }
        }
        record(hook, .succeeded, exitCode: code, log: entry.log)
        outcomes[hook.id] = .satisfied
    }

    private func enforceDeadlines() {
        let now = POSIX.monotonicMilliseconds()
        for (pid, entry) in running {
            if let killAt = entry.killAt {
                if now >= killAt { killpg(pid, SIGKILL) }
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
        entry.killAt = POSIX.monotonicMilliseconds() + Self.killGraceMilliseconds
        running[pid] = entry
        killpg(pid, SIGTERM)
    }

    // MARK: Results

    private func fail(_ entry: RunningHook, _ message: String, exitCode: Int32? = nil) {
        if entry.spec.source {
            redactLogs(also: Redaction.assignedValues(in: entry.stdout, isSecret: project.config.isSecret))
        }
        record(entry.spec, .failed, exitCode: exitCode, message: message, log: entry.log)
        outcomes[entry.spec.id] = .broken
    }

    private func record(_ hook: HookSpec, _ state: HookState, exitCode: Int32? = nil, message: String? = nil, log: Int32 = -1) {
        if log >= 0 {
            if let message { POSIX.writeAll(log, "hookctl: \(hook.id) \(message)\n") }
            close(log)
        }
        if state == .failed || state == .timedOut {
            failures.append("hook '\(hook.id)' \(message ?? "failed")")
        }
        try? store.finishHookRun(execution: execution.id, hook: hook.id, state: state, exitCode: exitCode, message: message)
        logger.info("hook finished", metadata: ["hook": "\(hook.id)", "state": "\(state.rawValue)", "detail": "\(message ?? "")"])
    }

    private func finish() -> Int32 {
        let leftover: HookState = cancelled ? .cancelled : .skipped
        try? store.finishUnfinishedHookRuns(execution: execution.id, state: leftover, message: cancelled ? "cancelled" : "not started")
        let state: ExecutionState = cancelled ? .cancelled : failures.isEmpty ? .completed : .failed
        do {
            if state == .completed && execution.event == .onEnter {
                try store.storeEnvironment(execution: execution.id, variables: projectEnvironment())
            }
            try store.finishExecution(execution.id, state: state, failure: cancelled ? "the hooks were cancelled" : failures.first)
            try notifyShells()
        } catch {
            logger.error("could not record the end of the execution", metadata: ["error": "\(error)"])
        }
        logger.info("execution finished", metadata: ["execution": "\(execution.id)", "state": "\(state.rawValue)"])
        return state == .completed ? 0 : 1
    }

    /// `[env]`, then each source hook's captures in file order.
    private func projectEnvironment() -> [CapturedVariable] {
        var merged: [String: Bytes?] = [:]
        for (name, value) in project.config.environment { merged[name] = .some(Bytes(value.utf8)) }
        for hook in hooks {
            for variable in captured[hook.id] ?? [] { merged[variable.name] = .some(variable.value) }
        }
        return merged.keys.sorted().map { CapturedVariable(name: $0, value: merged[$0]!) }
    }

    /// Masks newly captured secrets in what the run logs already hold (a
    /// hook may have printed a value before the capture made it a secret).
    private func redactLogs(also extra: [String] = []) {
        let secrets = secretValues() + extra
        for hook in hooks {
            let path = paths.runLog(execution: execution.id, hook: hook.id)
            guard let bytes = try? POSIX.readFile(path) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            let redacted = Redaction.redact(text, secrets: secrets)
            guard redacted != text else { continue }
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { continue }
            POSIX.writeAll(fd, redacted)
            close(fd)
        }
    }

    private func secretValues() -> [String] {
        var values: [String] = []
        for entry in running.values where entry.spec.source {
            values += Redaction.assignedValues(in: entry.stdout, isSecret: project.config.isSecret)
        }
        for (name, value) in project.config.environment where project.config.isSecret(name) { values.append(value) }
        for variables in captured.values {
            for variable in variables where project.config.isSecret(variable.name) {
                if let value = variable.value { values.append(String(decoding: value, as: UTF8.self)) }
            }
        }
        for (name, value) in baseEnvironment where project.config.isSecret(name) {
            values.append(String(decoding: value, as: UTF8.self))
        }
        return values
    }

    private func notifyShells() throws {
        for pid in try store.liveShells(root: project.realRoot) { POSIX.touch(paths.marker(shell: pid)) }
    }

    private func installSignalHandlers() {
        // The lock inherited as descriptor 3 must not leak into hooks.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        var ends: [Int32] = [0, 0]
        pipe2(&ends, O_CLOEXEC | O_NONBLOCK)
        signalPipeReadEnd = ends[0]
        signalPipeWriteEnd = ends[1]
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] {
            signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
    }
}

extension Double {
    /// `30` for whole numbers, `0.5` otherwise.
    var formatted: String {
        self == rounded() ? String(Int64(self)) : String(self)
    }
}
