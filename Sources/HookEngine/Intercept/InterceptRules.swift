/// The `[[intercept]]` rules that apply where a shell is: the user's own,
/// then the approved project's, in file order; and the flat form the glue
/// keeps in `_hookctl_rules` and walks at Enter without a fork.
public struct InterceptRules: Sendable {
    public var rules: [InterceptRule]

    /// Fields per rule in the glue's array.
    public static let fieldsPerRule = 6

    init(user: UserConfig, project: Project?) {
        rules = user.interceptRules + (project?.config.interceptRules ?? [])
    }

    /// Six fields per rule: id; the glob as a shell pattern (empty for a regex
    /// rule: bash and zsh match globs with `==`, which compiles nothing); the
    /// ERE (what fish matches, and bash and zsh for regex rules); the
    /// action's name and two arguments (`replace`: from and to; `with`: the
    /// template; `cancel`: the reason; `confirm`: the prompt; `run`, `wait`,
    /// `continue`: none; the glue asks hookctl to run a `run` rule's command by its id).
    public var fields: [String] {
        rules.flatMap { rule -> [String] in
            let (name, first, second): (String, String, String) =
                switch rule.action {
                case .continue: ("continue", "", "")
                case .replace(let from, let to): ("replace", from, to)
                case .rewrite(let with): ("rewrite", with, "")
                case .cancel(let reason): ("cancel", reason, "")
                case .confirm(let prompt): ("confirm", prompt, "")
                case .run: ("run", "", "")
                case .wait: ("wait", "", "")
                }
            return [rule.id, rule.shellPattern ?? "", rule.expression, name, first, second]
        }
    }
}
