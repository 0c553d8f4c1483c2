/// Facts about this build of the engine.
public enum HookEngineInfo {
    /// A NUL-terminated literal, so the C API can hand it out as is.
    public static let versionLiteral: StaticString = "0.2.0"
    /// The C API's ABI version: raised whenever a declaration in
    /// hookengine.h changes incompatibly (it is the soname's number).
    public static let abiVersion: Int32 = 0

    public static var version: String { versionLiteral.description }
}
