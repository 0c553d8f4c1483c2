/// A shell hookctl integrates with, and how to write code for it.
public enum ShellKind: String, Sendable, CaseIterable {
    case bash
    case zsh
    case fish

    public init(name: String) throws {
        guard let shell = ShellKind(rawValue: name) else { throw HookctlError.unsupportedShell(name: name) }
        self = shell
    }

    /// Code that makes the plan's variable changes, one statement per line, in the plan's order.
    public func render(_ plan: ExportPlan) -> Bytes {
        var code = Bytes()
        for variable in plan.variables {
            code += variable.value.map { assignment(variable.name, $0) } ?? unset(variable.name)
        }
        if let files = plan.watchedFiles {
            // The glue's own list, not exported.
            let words = files.map { file in
                [UInt8(ascii: " ")] + (self == .fish ? ShellQuoting.fish(Bytes(file.utf8)) : ShellQuoting.posix(Bytes(file.utf8)))
            }.joined()
            code += self == .fish ? Bytes("set -g _hookctl_watch".utf8) + words + Bytes(";\n".utf8) : Bytes("_hookctl_watch=(".utf8) + words + Bytes(" );\n".utf8)
        }
        if let rules = plan.interceptRules {
            code += array("_hookctl_rules", rules)
        }
        if let events = plan.commandEvents {
            // Also the glue's own, not exported; the glue arms or disarms its command hooks after the export.
            let value = self == .fish ? ShellQuoting.fish(Bytes(events.utf8)) : ShellQuoting.posix(Bytes(events.utf8))
            code += Bytes((self == .fish ? "set -g _hookctl_events " : "_hookctl_events=").utf8) + value + Bytes(";\n".utf8)
        }
        return code
    }

    /// Code that sets the glue's own (not exported) array `name` to `values`.
    func array(_ name: String, _ values: [String]) -> Bytes {
        let words = values.map { value in
            [UInt8(ascii: " ")] + (self == .fish ? ShellQuoting.fish(Bytes(value.utf8)) : ShellQuoting.posix(Bytes(value.utf8)))
        }.joined()
        return self == .fish
            ? Bytes("set -g \(name)".utf8) + words + Bytes(";\n".utf8) : Bytes("\(name)=(".utf8) + words + Bytes(" );\n".utf8)
    }

    /// Code that sets and exports `name` to exactly `value`.
    func assignment(_ name: String, _ value: Bytes) -> Bytes {
        switch self {
        case .bash, .zsh:
            return Bytes("export \(name)=".utf8) + ShellQuoting.posix(value) + [UInt8(ascii: ";"), UInt8(ascii: "\n")]
        case .fish:
            // fish keeps *PATH variables as lists and joins them with ':' on export.
            let words = name.hasSuffix("PATH") ? value.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map(Bytes.init) : [value]
            var code = Bytes("set -gx \(name)".utf8)
            for word in words { code += [UInt8(ascii: " ")] + ShellQuoting.fish(word) }
            return code + [UInt8(ascii: ";"), UInt8(ascii: "\n")]
        }
    }

    /// Code that removes `name` from the environment.
    func unset(_ name: String) -> Bytes {
        switch self {
        case .bash, .zsh: Bytes("unset \(name);\n".utf8)
        case .fish: Bytes("set -e -g \(name);\n".utf8)
        }
    }
}

/// Quoting that turns any byte string without NUL into one literal shell word.
enum ShellQuoting {
    /// POSIX single quotes; an embedded `'` becomes `'\''`. Valid in bash and zsh.
    static func posix(_ value: Bytes) -> Bytes {
        var out: Bytes = [UInt8(ascii: "'")]
        for byte in value {
            if byte == UInt8(ascii: "'") {
                out += Array("'\\''".utf8)
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "'"))
        return out
    }

    /// fish single quotes, where only `\\` and `\'` are escapes.
    static func fish(_ value: Bytes) -> Bytes {
        var out: Bytes = [UInt8(ascii: "'")]
        for byte in value {
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "'"))
        return out
    }
}
