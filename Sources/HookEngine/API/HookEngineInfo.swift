/// Facts about this build of the engine.
public enum HookEngineInfo {
    public static let version = "0.1.0"
}
