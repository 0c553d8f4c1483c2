/// The variable changes one `hookctl export` makes, and the code that makes them.
struct EnvironmentChanges {
    static let directoryVariable = "HOOKCTL_DIR"
    static let diffVariable = "HOOKCTL_DIFF"
    /// The prompt status (`loading 1/3`, `loaded`, ...), for prompt themes.
    static let statusVariable = "HOOKCTL_STATUS"

    private(set) var working: EnvironmentMap
    private var changed: [String: Bytes?] = [:]

    init(current: EnvironmentMap) {
        working = current
    }

    var isEmpty: Bool { changed.isEmpty }

    mutating func set(_ name: String, _ value: Bytes?) {
        working[name] = value
        changed[name] = .some(value)
    }

    /// Restores every variable `loaded` changed and forgets the loaded project.
    mutating func revert(_ loaded: LoadedState) {
        for entry in loaded.entries { set(entry.name, entry.previous) }
        set(Self.directoryVariable, nil)
        set(Self.diffVariable, nil)
    }

    /// Applies `variables` as the environment of execution `executionID` of
    /// the project at `root`; returns the `+NAME ~NAME -NAME` summary.
    mutating func apply(_ variables: [CapturedVariable], executionID: String, root: String) -> [String] {
        var entries: [LoadedState.Entry] = []
        var summary: [String] = []
        for variable in variables where !ReservedNames.contains(variable.name) && Environment.isValidName(variable.name) {
            let previous = working[variable.name]
            entries.append(LoadedState.Entry(name: variable.name, previous: previous))
            switch (previous, variable.value) {
            case (nil, .some): summary.append("+\(variable.name)")
            case (.some(let old), .some(let new)) where old != new: summary.append("~\(variable.name)")
            case (.some, nil): summary.append("-\(variable.name)")
            default: break
            }
            set(variable.name, variable.value)
        }
        set(Self.directoryVariable, Bytes(root.utf8))
        set(Self.diffVariable, Bytes(LoadedState(executionID: executionID, entries: entries).encoded().utf8))
        return summary.sorted { $0.dropFirst() < $1.dropFirst() }
    }

    /// Every change, sorted by name.
    var planned: [PlannedVariable] {
        changed.keys.sorted().map { PlannedVariable(name: $0, value: changed[$0]!) }
    }
}
