/// A point in a project's or a shell's life where hooks run. The set is
/// open: every point is a value with its own properties, and nothing
/// switches between two of them.
public struct HookPoint: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// Whether a point runs once per project execution or in each shell.
    public enum Scope: Sendable {
        /// Once per project, in the detached supervisor (`onEnter`, `onExit`).
        case project
        /// In every shell, for that shell's own events (`enter`, `afterCommand`, ...).
        case shell
    }

    public let rawValue: String
    public let scope: Scope
    /// Whether this point's hooks decide the project environment (their
    /// exports are captured and applied as one unit).
    public let loadsEnvironment: Bool
    /// Whether this point's hooks serve the shells inside the project, so
    /// that they stop when the last of those shells has gone.
    public let servesShellsInside: Bool

    private init(_ name: String, scope: Scope, loadsEnvironment: Bool = false, servesShellsInside: Bool = false) {
        rawValue = name
        self.scope = scope
        self.loadsEnvironment = loadsEnvironment
        self.servesShellsInside = servesShellsInside
    }

    /// The point named `rawValue`, or nil when hookctl has none of that name.
    public init?(rawValue: String) {
        guard let point = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = point
    }

    public var description: String { rawValue }

    /// The project was entered by its first shell: run, then load the environment.
    public static let onEnter = HookPoint("onEnter", scope: .project, loadsEnvironment: true, servesShellsInside: true)
    /// The last shell left the project.
    public static let onExit = HookPoint("onExit", scope: .project)
    /// This shell entered the project (also on re-entry).
    public static let enter = HookPoint("enter", scope: .shell)
    /// This shell left the project.
    public static let leave = HookPoint("leave", scope: .shell)
    /// The project environment was applied in this shell.
    public static let loaded = HookPoint("loaded", scope: .shell)
    /// A command line is about to run.
    public static let beforeCommand = HookPoint("beforeCommand", scope: .shell)
    /// A command line ended with a non-zero status (before `afterCommand`).
    public static let commandFailed = HookPoint("commandFailed", scope: .shell)
    /// A command line ended.
    public static let afterCommand = HookPoint("afterCommand", scope: .shell)

    /// Every point, in the order status and documentation list them.
    public static let all: [HookPoint] = [.onEnter, .onExit, .enter, .leave, .loaded, .beforeCommand, .commandFailed, .afterCommand]

    public static func == (lhs: HookPoint, rhs: HookPoint) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
