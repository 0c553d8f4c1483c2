import TOMLKit

/// Parses and validates hookctl.toml. Every problem is a
/// `HookctlError.invalidConfig` with the line where it can be told.
public enum ConfigParser {
    private static let topLevelKeys: Set<String> = ["env", "settings", "hooks"]
    private static let settingsKeys: Set<String> = ["timeout", "secrets"]
    private static let hookKeys: Set<String> = [
        "id", "command", "args", "dir", "source", "preload", "condition", "dependsOn", "description", "timeout",
    ]

    /// Reads and validates the hookctl.toml of the project at `root`.
    public static func load(root: String) throws -> ProjectConfig {
        let path = Path.join(root, ProjectConfig.fileName)
        return try parse(String(decoding: POSIX.readFile(path), as: UTF8.self), root: root)
    }

    /// Validates `text` as the hookctl.toml of the project at `root`.
    public static func parse(_ text: String, root: String) throws -> ProjectConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            // toml++ quotes the offending text, newline included: keep the message on one line.
            let message = error.description.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingWhitespace()
            throw HookctlError.invalidConfig(line: error.source.begin.line, message: message)
        }
        let locator = SourceLocator(text: text)
        var config = ProjectConfig(root: root)

        for key in table.keys.sorted() where !topLevelKeys.contains(key) {
            throw invalid(locator.line(ofKey: key) ?? locator.line(ofTable: key), "unknown key '\(key)'; expected [env], [settings] or [[hooks.POINT]] tables")
        }
        if let env = table["env"] {
            config.environment = try parseEnvironment(env, locator)
        }
        if let settings = table["settings"] {
            try parseSettings(settings, into: &config, locator)
        }
        if let hooks = table["hooks"] {
            guard let hooksTable = hooks.table else { throw invalid(locator.line(ofKey: "hooks"), "'hooks' must be a table") }
            for key in hooksTable.keys.sorted() where HookPoint(rawValue: key) == nil {
                let known = HookPoint.all.map { "hooks.\($0)" }.joined(separator: ", ")
                throw invalid(locator.line(ofTable: "hooks.\(key)"), "unknown hook point 'hooks.\(key)'; use one of \(known)")
            }
            for point in HookPoint.all {
                let hooks = try parseHooks(hooksTable[point.rawValue], point: point, config: config, locator)
                if !hooks.isEmpty { config.hooksByPoint[point] = hooks }
            }
        }
        try validateIdentifiers(config, locator)
        return config
    }

    private static func invalid(_ line: Int?, _ message: String) -> HookctlError {
        .invalidConfig(line: line, message: message)
    }

    private static func parseEnvironment(_ value: TOMLValueConvertible, _ locator: SourceLocator) throws -> [(name: String, value: String)] {
        guard let table = value.table else { throw invalid(locator.line(ofKey: "env"), "'env' must be a table of strings") }
        return try table.keys.sorted().map { name in
            let line = locator.line(ofKey: name, inTable: "env")
            guard Environment.isValidName(name) else {
                throw invalid(line, "'\(name)' is not a valid variable name; use letters, digits and '_'")
            }
            guard let string = table[name]?.string else { throw invalid(line, "env.\(name) must be a string; quote the value") }
            return (name, string)
        }
    }

    private static func parseSettings(_ value: TOMLValueConvertible, into config: inout ProjectConfig, _ locator: SourceLocator) throws {
        guard let table = value.table else { throw invalid(locator.line(ofKey: "settings"), "'settings' must be a table") }
        for key in table.keys.sorted() where !settingsKeys.contains(key) {
            throw invalid(locator.line(ofKey: key, inTable: "settings"), "unknown key '\(key)' in [settings]; expected timeout or secrets")
        }
        if let timeout = table["timeout"] {
            config.defaultTimeoutMilliseconds = try duration(timeout, line: locator.line(ofKey: "timeout", inTable: "settings"))
        }
        if let secrets = table["secrets"] {
            let names = try strings(secrets, key: "secrets", line: locator.line(ofKey: "secrets", inTable: "settings"))
            config.secretNames = Set(names)
        }
    }

    private static func parseHooks(_ value: TOMLValueConvertible?, point: HookPoint, config: ProjectConfig, _ locator: SourceLocator) throws -> [HookSpec] {
        guard let value else { return [] }
        let header = "hooks.\(point.rawValue)"
        guard let array = value.array else { throw invalid(locator.line(ofTable: header), "'\(header)' must be written as [[\(header)]] tables") }
        var hooks: [HookSpec] = []
        for index in 0..<array.count {
            guard let table = array[index].table else { throw invalid(locator.line(ofTable: header), "every entry of \(header) must be a table") }
            let headerLine = locator.line(ofTable: header, occurrence: index)
            let lineOf = { (key: String) in locator.line(ofKey: key, inTable: header, occurrence: index) ?? headerLine }
            let name = "hook \(index + 1) of \(header)"
            for key in table.keys.sorted() where !hookKeys.contains(key) {
                throw invalid(lineOf(key), "unknown key '\(key)' in \(name)")
            }
            guard let commandValue = table["command"] else { throw invalid(headerLine, "\(name) has no 'command'; add command = \"...\"") }
            let command = try string(commandValue, key: "command", line: lineOf("command"))
            guard !command.isEmpty else { throw invalid(lineOf("command"), "\(name) has an empty 'command'") }
            var hook = HookSpec(
                id: "\(point.rawValue).\(index + 1)", point: point, command: command,
                timeoutMilliseconds: config.defaultTimeoutMilliseconds)
            if let id = table["id"] { hook.id = try string(id, key: "id", line: lineOf("id")) }
            if let args = table["args"] { hook.args = try strings(args, key: "args", line: lineOf("args")) }
            if let dir = table["dir"] { hook.dir = try string(dir, key: "dir", line: lineOf("dir")) }
            if let source = table["source"] { hook.source = try bool(source, key: "source", line: lineOf("source")) }
            if let preload = table["preload"] { hook.preload = try bool(preload, key: "preload", line: lineOf("preload")) }
            if let condition = table["condition"] { hook.condition = try string(condition, key: "condition", line: lineOf("condition")) }
            if let depends = table["dependsOn"] { hook.dependsOn = try strings(depends, key: "dependsOn", line: lineOf("dependsOn")) }
            if let description = table["description"] { hook.description = try string(description, key: "description", line: lineOf("description")) }
            if let timeout = table["timeout"] { hook.timeoutMilliseconds = try duration(timeout, line: lineOf("timeout")) }
            hooks.append(hook)
        }
        return hooks
    }

    private static func validateIdentifiers(_ config: ProjectConfig, _ locator: SourceLocator) throws {
        var seen: Set<String> = []
        for point in HookPoint.all {
            let hooks = config.hooks(at: point)
            let header = "hooks.\(point.rawValue)"
            let line = { (index: Int, key: String) in
                locator.line(ofKey: key, inTable: header, occurrence: index) ?? locator.line(ofTable: header, occurrence: index)
            }
            for (index, hook) in hooks.enumerated() {
                guard !hook.id.isEmpty, hook.id.allSatisfy(isIdentifierCharacter) else {
                    throw invalid(line(index, "id"), "hook id '\(hook.id)' may only contain letters, digits, '_', '.' and '-'")
                }
                guard seen.insert(hook.id).inserted else { throw invalid(line(index, "id"), "duplicate hook id '\(hook.id)'; ids must be unique") }
            }
            let ids = Set(hooks.map(\.id))
            for (index, hook) in hooks.enumerated() {
                for dependency in hook.dependsOn where !ids.contains(dependency) {
                    throw invalid(line(index, "dependsOn"), "dependsOn names unknown hook '\(dependency)'")
                }
            }
            if let cycle = HookGraph.findCycle(hooks) {
                let index = hooks.firstIndex { $0.id == cycle[0] } ?? 0
                throw invalid(line(index, "dependsOn"), "dependency cycle: \(cycle.joined(separator: " -> "))")
            }
        }
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_.-".contains(character))
    }

    private static func string(_ value: TOMLValueConvertible, key: String, line: Int?) throws -> String {
        guard let string = value.string else { throw invalid(line, "'\(key)' must be a string") }
        return string
    }

    private static func bool(_ value: TOMLValueConvertible, key: String, line: Int?) throws -> Bool {
        guard let bool = value.bool else { throw invalid(line, "'\(key)' must be true or false") }
        return bool
    }

    private static func strings(_ value: TOMLValueConvertible, key: String, line: Int?) throws -> [String] {
        guard let array = value.array else { throw invalid(line, "'\(key)' must be an array of strings") }
        return try (0..<array.count).map { index in
            guard let string = array[index].string else { throw invalid(line, "'\(key)' must be an array of strings") }
            return string
        }
    }

    private static func duration(_ value: TOMLValueConvertible, line: Int?) throws -> Int64 {
        guard let text = value.string ?? value.int.map(String.init), let milliseconds = DurationParser.milliseconds(text) else {
            throw invalid(line, "invalid timeout; use a duration such as \"30s\", \"5m\" or \"1h\"")
        }
        return milliseconds
    }
}
