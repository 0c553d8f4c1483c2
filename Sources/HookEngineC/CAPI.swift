import CShims
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

// The C API of hookengine.h over HookEngine. `@c @implementation` makes the
// compiler check every function against its declaration in the header.
// Strings cross the boundary as malloc'd copies; nothing here prints.

/// What a `hookengine_context *` points to: the engine context and the last error.
final class ContextBox {
    var context: EngineContext
    var lastError: String?

    init(context: EngineContext) {
        self.context = context
    }

    static func from(_ pointer: OpaquePointer?) -> ContextBox? {
        pointer.map { Unmanaged<ContextBox>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    /// Runs `body`, keeping its error as the last error; nil when it failed.
    func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            let value = try body()
            lastError = nil
            return value
        } catch {
            lastError = "\(error)"
            return nil
        }
    }
}

/// Conversions of C arguments, each failing with a sentence.
enum CArguments {
    static func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
        guard let pointer else { throw HookctlError.invalidRequest(message: "\(name) is NULL") }
        guard let text = String(validatingCString: pointer) else {
            throw HookctlError.invalidRequest(message: "\(name) is not valid UTF-8")
        }
        return text
    }

    static func optionalString(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String? {
        try pointer.map { try string($0, name) }
    }

    static func environment(_ entries: UnsafePointer<UnsafePointer<CChar>?>?) -> EnvironmentMap {
        entries.map(Environment.parse) ?? [:]
    }

    /// An absolute directory that exists.
    static func directory(_ pointer: UnsafePointer<CChar>?) throws -> String {
        let path = try string(pointer, "cwd")
        var info = stat()
        guard path.hasPrefix("/"), stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw HookctlError.fileSystem(path: path, message: "the working directory must be an absolute path to an existing directory")
        }
        return path
    }

    /// The hookctl executable on `environment`'s PATH, or the bare name.
    static func hookctl(on environment: EnvironmentMap) -> String {
        let path = environment["PATH"].map { String(decoding: $0, as: UTF8.self) } ?? "/usr/local/bin:/usr/bin:/bin"
        for entry in path.split(separator: ":") where entry.hasPrefix("/") {
            let candidate = String(entry) + "/hookctl"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return "hookctl"
    }
}

/// A malloc'd NUL-terminated copy of `bytes`.
func mallocString(_ bytes: some Collection<UInt8>) -> UnsafeMutablePointer<CChar> {
    let buffer = malloc(bytes.count + 1)!.assumingMemoryBound(to: UInt8.self)
    _ = UnsafeMutableBufferPointer(start: buffer, count: bytes.count).initialize(from: bytes)
    buffer[bytes.count] = 0
    return UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: CChar.self)
}

func mallocString(_ text: String) -> UnsafeMutablePointer<CChar> {
    mallocString(Array(text.utf8))
}

@c @implementation
public func hookengine_version() -> UnsafePointer<CChar>! {
    UnsafeRawPointer(HookEngineInfo.versionLiteral.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func hookengine_abi_version() -> Int32 {
    HookEngineInfo.abiVersion
}

@c @implementation
public func hookengine_context_new(
    _ cwd: UnsafePointer<CChar>!, _ environment: UnsafePointer<UnsafePointer<CChar>?>!, _ shellPID: Int32,
    _ stateDirectory: UnsafePointer<CChar>!, _ hookctlPath: UnsafePointer<CChar>!,
    _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!
) -> OpaquePointer! {
    do {
        let directory = try CArguments.directory(cwd)
        let variables = CArguments.environment(environment)
        let state = try CArguments.optionalString(stateDirectory, "state_dir")
        let executable = try CArguments.optionalString(hookctlPath, "hookctl_path") ?? CArguments.hookctl(on: variables)
        let context = EngineContext(
            workingDirectory: directory, environment: variables, shellPID: shellPID > 0 ? shellPID : nil,
            executable: executable, paths: state.map(StatePaths.init(root:)))
        return OpaquePointer(Unmanaged.passRetained(ContextBox(context: context)).toOpaque())
    } catch let failure {
        error?.pointee = mallocString("\(failure)")
        return nil
    }
}

@c @implementation
public func hookengine_context_update(
    _ context: OpaquePointer!, _ cwd: UnsafePointer<CChar>!, _ environment: UnsafePointer<UnsafePointer<CChar>?>!
) -> Int32 {
    guard let box = ContextBox.from(context) else { return -1 }
    let updated: Bool? = box.attempt {
        box.context.workingDirectory = try CArguments.directory(cwd)
        box.context.environment = CArguments.environment(environment)
        return true
    }
    return updated == nil ? -1 : 0
}

@c @implementation
public func hookengine_context_free(_ context: OpaquePointer!) {
    guard let context else { return }
    Unmanaged<ContextBox>.fromOpaque(UnsafeRawPointer(context)).release()
}

@c @implementation
public func hookengine_last_error(_ context: OpaquePointer!) -> UnsafeMutablePointer<CChar>! {
    guard let box = ContextBox.from(context) else { return mallocString("the context is NULL; create one with hookengine_context_new") }
    return box.lastError.map(mallocString)
}

@c @implementation
public func hookengine_export(
    _ context: OpaquePointer!, _ shell: UnsafePointer<CChar>!, _ messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>!
) -> UnsafeMutablePointer<CChar>! {
    guard let box = ContextBox.from(context) else { return nil }
    return box.attempt { () throws -> UnsafeMutablePointer<CChar> in
        let kind = try ShellKind(name: try CArguments.string(shell, "shell"))
        let plan = try exportPlan(box.context)
        messages?.pointee = mallocString(plan.messages.map { "hookctl: \($0)\n" }.joined())
        return mallocString(kind.render(plan))
    }
}

@c @implementation
public func hookengine_export_plan(_ context: OpaquePointer!) -> UnsafeMutablePointer<hookengine_plan>! {
    guard let box = ContextBox.from(context) else { return nil }
    return box.attempt { PlanEncoding.encode(try exportPlan(box.context)) }
}

@c @implementation
public func hookengine_plan_free(_ plan: UnsafeMutablePointer<hookengine_plan>!) {
    plan.map(PlanEncoding.free)
}

@c @implementation
public func hookengine_allow(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try Approvals(context: $0).allow(directory: $1) }
}

@c @implementation
public func hookengine_deny(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try Approvals(context: $0).deny(directory: $1) }
}

@c @implementation
public func hookengine_load(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try ExecutionControl(context: $0).load(directory: $1) }
}

@c @implementation
public func hookengine_reload(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try ExecutionControl(context: $0).reload(directory: $1) }
}

@c @implementation
public func hookengine_cancel(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try ExecutionControl(context: $0).cancel(directory: $1) }
}

@c @implementation
public func hookengine_status_json(_ context: OpaquePointer!, _ directory: UnsafePointer<CChar>!) -> UnsafeMutablePointer<CChar>! {
    command(context, directory) { try StatusQuery(context: $0).status(directory: $1).json() }
}

@c @implementation
public func hookengine_free(_ string: UnsafeMutablePointer<CChar>!) {
    free(string)
}

/// The export every C host gets: never waits at a terminal (the library has no display).
private func exportPlan(_ context: EngineContext) throws -> ExportPlan {
    try Exporter(context: context).plan(ExportRequest(context: context, progress: nil))
}

/// Runs one of the user's commands for `directory` and returns its message.
private func command(
    _ context: OpaquePointer?, _ directory: UnsafePointer<CChar>?, _ body: (EngineContext, String?) throws -> String
) -> UnsafeMutablePointer<CChar>? {
    guard let box = ContextBox.from(context) else { return nil }
    return box.attempt { mallocString(try body(box.context, try CArguments.optionalString(directory, "directory"))) }
}

/// `hookengine_plan` as one malloc'd block per field, released by `free`.
enum PlanEncoding {
    /// `rule_field_count` when the rules stay as they are: SIZE_MAX.
    static let keepRules = Int(bitPattern: UInt.max)

    static func encode(_ plan: ExportPlan) -> UnsafeMutablePointer<hookengine_plan> {
        let result = UnsafeMutablePointer<hookengine_plan>.allocate(capacity: 1)
        var value = hookengine_plan()
        for transition in plan.transitions {
            switch transition {
            case .left(let root):
                value.transitions |= UInt32(HOOKENGINE_LEFT)
                value.left = UnsafePointer(mallocString(root))
            case .entered(let root):
                value.transitions |= UInt32(HOOKENGINE_ENTERED)
                value.entered = UnsafePointer(mallocString(root))
            case .unloaded:
                value.transitions |= UInt32(HOOKENGINE_UNLOADED)
            case .waiting(let execution), .applied(let execution, _):
                let isApplied = if case .applied = transition { true } else { false }
                value.transitions |= UInt32(isApplied ? HOOKENGINE_APPLIED : HOOKENGINE_WAITING)
                if let previous = value.execution { Glibc.free(UnsafeMutableRawPointer(mutating: previous)) }
                value.execution = UnsafePointer(mallocString(execution))
            }
        }
        let variables = UnsafeMutablePointer<hookengine_variable>.allocate(capacity: max(1, plan.variables.count))
        for (index, variable) in plan.variables.enumerated() {
            variables[index] = hookengine_variable(
                name: UnsafePointer(mallocString(variable.name)), value: variable.value.map { UnsafePointer(mallocString($0)) })
        }
        value.variable_count = plan.variables.count
        value.variables = UnsafePointer(variables)
        let messages = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, plan.messages.count))
        for (index, message) in plan.messages.enumerated() { messages[index] = UnsafePointer(mallocString(message)) }
        value.message_count = plan.messages.count
        value.messages = UnsafePointer(messages)
        value.command_events = plan.commandEvents.map { UnsafePointer(mallocString($0)) }
        let rules = plan.interceptRules ?? []
        let fields = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, rules.count))
        for (index, field) in rules.enumerated() { fields[index] = UnsafePointer(mallocString(field)) }
        value.rule_field_count = plan.interceptRules == nil ? Self.keepRules : rules.count
        value.rule_fields = UnsafePointer(fields)
        result.initialize(to: value)
        return result
    }

    static func free(_ plan: UnsafeMutablePointer<hookengine_plan>) {
        let value = plan.pointee
        let release = { (pointer: UnsafePointer<CChar>?) in Glibc.free(pointer.map { UnsafeMutableRawPointer(mutating: $0) }) }
        [value.left, value.entered, value.execution, value.command_events].forEach(release)
        for index in 0..<value.variable_count {
            release(value.variables[index].name)
            release(value.variables[index].value)
        }
        UnsafeMutablePointer(mutating: value.variables).deallocate()
        for index in 0..<value.message_count { release(value.messages[index]) }
        UnsafeMutablePointer(mutating: value.messages).deallocate()
        if value.rule_field_count != Self.keepRules {
            for index in 0..<value.rule_field_count { release(value.rule_fields[index]) }
        }
        UnsafeMutablePointer(mutating: value.rule_fields).deallocate()
        plan.deallocate()
    }
}
