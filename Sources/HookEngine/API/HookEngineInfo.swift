/// Facts about this build of the engine.
public enum HookEngineInfo {
    /// A NUL-terminated literal, so the C API can hand it out as is.
    static let versionLiteral: StaticString = "0.1.0"

    public static var version: String { versionLiteral.description }
}
