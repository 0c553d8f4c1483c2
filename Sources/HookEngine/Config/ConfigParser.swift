/// Parses and validates hookctl.toml. Every problem is a
/// `HookctlError.invalidConfig` with the line it is on.
public enum ConfigParser {
    private typealias Node = TOMLReader.Node
    private typealias Table = TOMLReader.Table

    private static let topLevelKeys: Set<String> = ["env", "settings", "hooks", "notify", "intercept"]
    private static let settingsKeys: Set<String> = ["timeout", "secrets", "dotenv", "fail_fast"]
    private static let hookKeys: Set<String> = [
        "id", "command", "args", "dir", "source", "preload", "condition", "dependsOn", "description", "timeout", "inputs",
    ]

    /// Reads and validates the hookctl.toml of the project at `root`.
    public static func load(root: String) throws -> ProjectConfig {
        try parse(bytes: POSIX.readFile(Path.join(root, ProjectConfig.fileName)), root: root)
    }

    /// Validates `text` as the hookctl.toml of the project at `root`.
    public static func parse(_ text: String, root: String) throws -> ProjectConfig {
        try parse(bytes: Bytes(text.utf8), root: root)
    }

    /// Validates the bytes of a hookctl.toml of the project at `root`.
    public static func parse(bytes: Bytes, root: String) throws -> ProjectConfig {
        let table: Table
        do {
            table = try TOMLReader.parse(bytes)
        } catch let error as TOMLReader.SyntaxError {
            throw invalid(error.line, error.message)
        }
        var config = ProjectConfig(root: root)

        for key in table.keys where !topLevelKeys.contains(key) {
            throw invalid(table[key]?.line, "unknown key '\(key)'; expected [env], [settings], [notify], [[intercept]] or [[hooks.POINT]] tables")
        }
        if let env = table["env"] {
            config.environment = try parseEnvironment(env)
        }
        if let settings = table["settings"] {
            try parseSettings(settings, into: &config)
        }
        if let notify = table["notify"] {
            config.notify = try parseNotify(notify)
        }
        if let intercept = table["intercept"] {
            config.interceptRules = try parseIntercept(intercept)
        }
        if let hooks = table["hooks"] {
            guard let hooksTable = hooks.table else { throw invalid(hooks.line, "'hooks' must be a table") }
            for key in hooksTable.keys where HookPoint(rawValue: key) == nil {
                let known = HookPoint.all.map { "hooks.\($0)" }.joined(separator: ", ")
                throw invalid(hooksTable[key]?.line, "unknown hook point 'hooks.\(key)'; use one of \(known)")
            }
            for point in HookPoint.all {
                guard let node = hooksTable[point.rawValue] else { continue }
                let hooks = try parseHooks(node, point: point, config: config)
                if !hooks.isEmpty { config.hooksByPoint[point] = hooks }
            }
        }
        try validateIdentifiers(config)
        return config
    }

    private static func invalid(_ line: Int?, _ message: String) -> HookctlError {
        .invalidConfig(line: line, message: message)
    }

    private static func parseEnvironment(_ node: Node) throws -> [(name: String, value: String)] {
        guard let table = node.table else { throw invalid(node.line, "'env' must be a table of strings") }
        return try table.keys.sorted().map { name in
            let entry = table[name]!
            guard Environment.isValidName(name) else {
                throw invalid(entry.line, "'\(name)' is not a valid variable name; use letters, digits and '_'")
            }
            guard !ReservedNames.contains(name) else {
                throw invalid(entry.line, "env.\(name) cannot be set: hookctl or the shell depends on it; use another name")
            }
            guard let string = entry.string else { throw invalid(entry.line, "env.\(name) must be a string; quote the value") }
            return (name, string)
        }
    }

    private static func parseSettings(_ node: Node, into config: inout ProjectConfig) throws {
        guard let table = node.table else { throw invalid(node.line, "'settings' must be a table") }
        for key in table.keys where !settingsKeys.contains(key) {
            throw invalid(table[key]?.line, "unknown key '\(key)' in [settings]; expected timeout, secrets, dotenv or fail_fast")
        }
        if let timeout = table["timeout"] {
            config.defaultTimeoutMilliseconds = try duration(timeout)
        }
        if let secrets = table["secrets"] {
            config.secretNames = Set(try strings(secrets, key: "secrets"))
        }
        if let dotenv = table["dotenv"] {
            config.dotenvFiles = try dotenvFiles(dotenv)
        }
        if let failFast = table["fail_fast"] {
            config.failFast = try bool(failFast, key: "fail_fast")
        }
    }

    /// Reads and validates the user's config.toml; a missing file is the defaults.
    public static func loadUserConfig(path: String) throws -> UserConfig {
        guard POSIX.exists(path) else { return UserConfig() }
        do {
            return try parseUserConfig(bytes: POSIX.readFile(path, limit: 1 << 20))
        } catch HookctlError.invalidConfig(let line, let message) {
            throw HookctlError.invalidUserConfig(path: path, line: line, message: message)
        }
    }

    /// Validates the bytes of a user's config.toml: `[settings]` (timeout, fail_fast) and `[notify]`.
    public static func parseUserConfig(bytes: Bytes) throws -> UserConfig {
        let table: Table
        do {
            table = try TOMLReader.parse(bytes)
        } catch let error as TOMLReader.SyntaxError {
            throw invalid(error.line, error.message)
        }
        var config = UserConfig()
        for key in table.keys where !["settings", "notify", "intercept"].contains(key) {
            throw invalid(table[key]?.line, "unknown key '\(key)'; expected [settings], [notify] or [[intercept]]")
        }
        if let settings = table["settings"] {
            guard let settingsTable = settings.table else { throw invalid(settings.line, "'settings' must be a table") }
            for key in settingsTable.keys where key != "timeout" && key != "fail_fast" {
                throw invalid(settingsTable[key]?.line, "unknown key '\(key)' in [settings]; expected timeout or fail_fast")
            }
            if let timeout = settingsTable["timeout"] { config.defaultTimeoutMilliseconds = try duration(timeout) }
            if let failFast = settingsTable["fail_fast"] { config.failFast = try bool(failFast, key: "fail_fast") }
        }
        if let notify = table["notify"] { config.notify = try parseNotify(notify) }
        if let intercept = table["intercept"] { config.interceptRules = try parseIntercept(intercept) }
        return config
    }

    /// `[[intercept]]` rules, in file order.
    private static func parseIntercept(_ node: Node) throws -> [InterceptRule] {
        let keys: Set<String> = ["id", "match", "regex", "action", "reason", "replace", "with", "prompt", "command", "timeout"]
        var rules: [InterceptRule] = []
        for (index, table, name) in try entries(node, header: "intercept", keys: keys, name: { "intercept rule \($0)" }) {
            let id = try table["id"].map { try string($0, key: "id") } ?? "intercept.\(index + 1)"
            guard !id.isEmpty, id.allSatisfy(isIdentifierCharacter) else {
                throw invalid(table["id"]?.line ?? table.line, "intercept id '\(id)' may only contain letters, digits, '_', '.' and '-'")
            }
            guard !rules.contains(where: { $0.id == id }) else { throw invalid(table["id"]?.line, "duplicate intercept id '\(id)'") }
            let matcher: InterceptRule.Matcher
            switch (table["match"], table["regex"]) {
            case (let glob?, nil):
                matcher = .glob(try string(glob, key: "match"))
            case (nil, let regex?):
                let expression = try string(regex, key: "regex")
                if let problem = InterceptRule.regexError(expression) {
                    throw invalid(regex.line, "invalid regex '\(expression)' (\(problem)); write a POSIX extended regular expression")
                }
                matcher = .regex(expression)
            case (.some, .some):
                throw invalid(table.line, "\(name) has both 'match' and 'regex'; keep one")
            case (nil, nil):
                throw invalid(table.line, "\(name) has no 'match' (a glob) or 'regex'")
            }
            guard let actionNode = table["action"] else {
                throw invalid(table.line, "\(name) has no 'action'; use continue, rewrite, cancel, confirm, run or wait")
            }
            let action: InterceptRule.Action
            switch try string(actionNode, key: "action") {
            case "continue":
                action = .continue
            case "rewrite":
                if let replace = table["replace"] {
                    guard let pair = replace.table, let from = pair["from"], let to = pair["to"] else {
                        throw invalid(replace.line, "'replace' must be { from = \"...\", to = \"...\" }")
                    }
                    let text = try string(from, key: "from")
                    guard !text.isEmpty else { throw invalid(from.line, "'from' must not be empty") }
                    action = .replace(from: text, to: try string(to, key: "to"))
                } else if let with = table["with"] {
                    action = .rewrite(with: try string(with, key: "with"))
                } else {
                    throw invalid(actionNode.line, "a rewrite needs replace = { from, to } or with = \"... {line} ...\"")
                }
            case "cancel":
                action = .cancel(reason: try table["reason"].map { try string($0, key: "reason") } ?? "cancelled by the intercept rule '\(id)'")
            case "confirm":
                action = .confirm(prompt: try table["prompt"].map { try string($0, key: "prompt") } ?? "Run this command?")
            case "run":
                guard let commandNode = table["command"] else { throw invalid(table.line, "a run rule needs command = [\"program\", ...]") }
                let command = try strings(commandNode, key: "command")
                guard let first = command.first, !first.isEmpty else { throw invalid(commandNode.line, "'command' must name a program") }
                action = .run(command: command, timeoutMilliseconds: try table["timeout"].map(duration) ?? InterceptRule.defaultRunTimeoutMilliseconds)
            case "wait":
                action = .wait
            case let other:
                throw invalid(actionNode.line, "unknown action '\(other)'; use continue, rewrite, cancel, confirm, run or wait")
            }
            rules.append(InterceptRule(id: id, matcher: matcher, action: action, line: table.line))
        }
        return rules
    }

    /// `[notify]`: `after`, `only`, `never`, `via` ("terminal" or "command") and `command`.
    private static func parseNotify(_ node: Node) throws -> NotifySettings {
        guard let table = node.table else { throw invalid(node.line, "'notify' must be a table") }
        let keys: Set<String> = ["after", "only", "never", "via", "command"]
        for key in table.keys where !keys.contains(key) {
            throw invalid(table[key]?.line, "unknown key '\(key)' in [notify]; expected after, only, never, via or command")
        }
        var notify = NotifySettings()
        if let after = table["after"] {
            guard let text = after.string ?? after.integer.map(String.init), let milliseconds = DurationParser.milliseconds(text) else {
                throw invalid(after.line, "invalid 'after'; use a duration such as \"10s\" or \"2m\"")
            }
            notify.afterMilliseconds = milliseconds
        }
        if let only = table["only"] { notify.only = try strings(only, key: "only") }
        if let never = table["never"] { notify.never = try strings(never, key: "never") }
        let command = try table["command"].map { try strings($0, key: "command") }
        switch try table["via"].map({ try string($0, key: "via") }) ?? (command == nil ? "terminal" : "command") {
        case "terminal":
            notify.delivery = .terminal
        case "command":
            guard let command, !command.isEmpty, !command[0].isEmpty else {
                throw invalid(table["via"]?.line ?? node.line, "via = \"command\" needs command = [\"program\", \"args\"...]")
            }
            notify.delivery = .command(command)
        default:
            throw invalid(table["via"]?.line, "'via' must be \"terminal\" or \"command\"")
        }
        return notify
    }

    /// `dotenv = [".env", { path = ".env.local", required = false }]` (a single string is one file).
    private static func dotenvFiles(_ node: Node) throws -> [DotenvFile] {
        let usage = "'dotenv' must be a list of paths or { path = \"...\", required = false } tables"
        if let path = node.string { return [DotenvFile(path: path)] }
        guard let array = node.array else { throw invalid(node.line, usage) }
        return try array.map { item in
            if let path = item.string { return DotenvFile(path: path) }
            guard let table = item.table else { throw invalid(item.line, usage) }
            for key in table.keys where key != "path" && key != "required" {
                throw invalid(table[key]?.line ?? node.line, "unknown key '\(key)' in a dotenv entry; expected path or required")
            }
            guard let pathNode = table["path"] else { throw invalid(item.line, "a dotenv entry has no 'path'") }
            let path = try string(pathNode, key: "path")
            guard !path.isEmpty else { throw invalid(pathNode.line, "a dotenv entry has an empty 'path'") }
            return DotenvFile(path: path, required: try table["required"].map { try bool($0, key: "required") } ?? true)
        }
    }

    private static func parseHooks(_ node: Node, point: HookPoint, config: ProjectConfig) throws -> [HookSpec] {
        let header = "hooks.\(point.rawValue)"
        var hooks: [HookSpec] = []
        for (index, table, name) in try entries(node, header: header, keys: hookKeys, name: { "hook \($0) of \(header)" }) {
            guard let commandNode = table["command"] else { throw invalid(table.line, "\(name) has no 'command'; add command = \"...\"") }
            let command = try string(commandNode, key: "command")
            guard !command.isEmpty else { throw invalid(commandNode.line, "\(name) has an empty 'command'") }
            var hook = HookSpec(
                id: "\(point.rawValue).\(index + 1)", point: point, command: command, timeoutMilliseconds: config.defaultTimeoutMilliseconds)
            hook.line = table.line
            if let id = table["id"] {
                hook.id = try string(id, key: "id")
                hook.line = id.line
            }
            if let args = table["args"] { hook.args = try strings(args, key: "args") }
            if let dir = table["dir"] { hook.dir = try string(dir, key: "dir") }
            if let source = table["source"] { hook.source = try bool(source, key: "source") }
            if let preload = table["preload"] { hook.preload = try bool(preload, key: "preload") }
            if let condition = table["condition"] { hook.condition = try string(condition, key: "condition") }
            if let depends = table["dependsOn"] {
                hook.dependsOn = try strings(depends, key: "dependsOn")
                hook.dependsOnLine = depends.line
            }
            if let inputs = table["inputs"] { hook.inputs = try strings(inputs, key: "inputs") }
            if let description = table["description"] { hook.description = try string(description, key: "description") }
            if let timeout = table["timeout"] { hook.timeoutMilliseconds = try duration(timeout) }
            hooks.append(hook)
        }
        return hooks
    }

    /// The tables of `[[header]]`, each with its index and the name messages
    /// call it (`name(1)` for the first), once every key proved known.
    private static func entries(_ node: Node, header: String, keys: Set<String>, name: (Int) -> String) throws
        -> [(index: Int, table: Table, name: String)]
    {
        guard let array = node.array else { throw invalid(node.line, "'\(header)' must be written as [[\(header)]] tables") }
        return try array.enumerated().map { index, element in
            guard let table = element.table else { throw invalid(element.line, "every entry of [[\(header)]] must be a table") }
            for key in table.keys where !keys.contains(key) {
                throw invalid(table[key]?.line, "unknown key '\(key)' in \(name(index + 1))")
            }
            return (index, table, name(index + 1))
        }
    }

    private static func validateIdentifiers(_ config: ProjectConfig) throws {
        var seen: Set<String> = []
        for point in HookPoint.all {
            let hooks = config.hooks(at: point)
            for hook in hooks {
                guard !hook.id.isEmpty, hook.id.allSatisfy(isIdentifierCharacter), hook.id.contains(where: { $0 != "." }) else {
                    throw invalid(hook.line, "hook id '\(hook.id)' may only contain letters, digits, '_', '.' and '-'")
                }
                guard seen.insert(hook.id).inserted else { throw invalid(hook.line, "duplicate hook id '\(hook.id)'; ids must be unique") }
            }
            let ids = Set(hooks.map(\.id))
            for hook in hooks {
                for dependency in hook.dependsOn where !ids.contains(dependency) {
                    throw invalid(hook.dependsOnLine ?? hook.line, "dependsOn names unknown hook '\(dependency)'")
                }
            }
            if let cycle = HookGraph.findCycle(hooks), let first = hooks.first(where: { $0.id == cycle[0] }) {
                throw invalid(first.dependsOnLine ?? first.line, "dependency cycle: \(cycle.joined(separator: " -> "))")
            }
        }
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_.-".contains(character))
    }

    private static func string(_ node: Node, key: String) throws -> String {
        guard let string = node.string else { throw invalid(node.line, "'\(key)' must be a string") }
        return string
    }

    private static func bool(_ node: Node, key: String) throws -> Bool {
        guard let bool = node.boolean else { throw invalid(node.line, "'\(key)' must be true or false") }
        return bool
    }

    private static func strings(_ node: Node, key: String) throws -> [String] {
        guard let array = node.array else { throw invalid(node.line, "'\(key)' must be an array of strings") }
        return try array.map { item in
            guard let string = item.string else { throw invalid(node.line, "'\(key)' must be an array of strings") }
            return string
        }
    }

    private static func duration(_ node: Node) throws -> Int64 {
        guard let text = node.string ?? node.integer.map(String.init), let milliseconds = DurationParser.milliseconds(text) else {
            throw invalid(node.line, "invalid timeout; use a duration such as \"30s\", \"5m\" or \"1h\"")
        }
        return milliseconds
    }
}
