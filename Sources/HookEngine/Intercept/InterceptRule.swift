#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// One `[[intercept]]` rule: which typed command lines it applies to, and
/// what it does with them.
public struct InterceptRule: Sendable, Equatable {
    /// How a rule recognises a line.
    public enum Matcher: Sendable, Equatable {
        /// A glob on the whole line: `*`, `?` and `[...]`; every other character is itself.
        case glob(String)
        /// A POSIX extended regular expression, found anywhere in the line unless anchored.
        case regex(String)
    }

    /// What a rule does with a line it matches.
    public enum Action: Sendable, Equatable {
        case `continue`
        /// Replaces the first `from` with `to`.
        case replace(from: String, to: String)
        /// Replaces the whole line; `{line}` in it stands for the line.
        case rewrite(with: String)
        case cancel(reason: String)
        /// Asks y/N on the terminal; no (the default, or no terminal) cancels.
        case confirm(prompt: String)
        /// Hands the line to a command on its stdin, which decides.
        case run(command: [String], timeoutMilliseconds: Int64)
        /// Holds the line until the project's onEnter hooks have ended.
        case wait
    }

    public static let defaultRunTimeoutMilliseconds: Int64 = 500

    public var id: String
    public var matcher: Matcher
    public var action: Action
    /// The line of its `[[intercept]]` header, for messages.
    public var line: Int?

    /// The matcher as one POSIX ERE that the shells' own `=~` (and fish's
    /// `string match -r`) apply to the whole line without a fork.
    public var expression: String {
        switch matcher {
        case .regex(let expression): expression
        case .glob(let pattern): Self.expression(forGlob: pattern)
        }
    }

    /// What bash (with extglob, as `==` applies it) or zsh reads as pattern
    /// syntax, besides `*`, `?` and sets: escaped with a backslash, each
    /// matches itself in both shells.
    static let patternCharacters: Set<Character> = ["!", "#", "(", ")", "-", "<", "=", ">", "\\", "]", "^", "|", "~"]

    /// A glob rule's pattern for bash's and zsh's `[[ line == pattern ]]`:
    /// `*`, `?` and `[...]` as they are, and a backslash before each character
    /// that is special in either shell's patterns (extglob's, zsh's), so that
    /// they stay literal. Only those: zsh keeps the backslash before any other
    /// character (`\'` does not match `'` there). nil for a regex rule.
    public var shellPattern: String? {
        guard case .glob(let pattern) = matcher else { return nil }
        var result = ""
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*", "?": result.append(character)
            case "[":
                // Without a closing `]`, `[` is itself (zsh would call it a bad pattern).
                result += Self.takeSet(&characters) ?? "\\["
            default:
                if Self.patternCharacters.contains(character) {
                    result += "\\" + String(character)
                } else {
                    result.append(character)
                }
            }
        }
        return result
    }

    /// The set that starts after a `[` at the head of `characters`, as `[...]`
    /// for both an ERE and the shells (`!` first becomes `^`), up to the first
    /// `]` after its first character, which it takes off `characters`; nil
    /// when no `]` closes it.
    static func takeSet(_ characters: inout ArraySlice<Character>) -> String? {
        guard let close = characters.dropFirst().firstIndex(of: "]") else { return nil }
        var set = String(characters[..<close])
        if set.hasPrefix("!") { set = "^" + set.dropFirst() }
        characters = characters[(close + 1)...]
        return "[" + set.replacingAll("\\", with: "\\\\") + "]"
    }

    /// `pattern` as an anchored ERE: `*` any text, `?` one character, `[...]` (and `[!...]`) a set.
    static func expression(forGlob pattern: String) -> String {
        var result = "^"
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*": result += ".*"
            case "?": result += "."
            case "[": result += takeSet(&characters) ?? "\\["
            case "\\", ".", "^", "$", "|", "(", ")", "+", "{", "}", "]": result += "\\" + String(character)
            default: result.append(character)
            }
        }
        return result + "$"
    }

    /// Whether `text` is a POSIX ERE; the reason when it is not.
    static func regexError(_ text: String) -> String? {
        var compiled = regex_t()
        let status = regcomp(&compiled, text, REG_EXTENDED | REG_NOSUB)
        defer { if status == 0 { regfree(&compiled) } }
        guard status != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        regerror(status, &compiled, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the rule applies to `line` (what the glue decides in the shell).
    func matches(_ line: String) -> Bool {
        var compiled = regex_t()
        guard regcomp(&compiled, expression, REG_EXTENDED | REG_NOSUB) == 0 else { return false }
        defer { regfree(&compiled) }
        return regexec(&compiled, line, 0, nil, 0) == 0
    }
}
