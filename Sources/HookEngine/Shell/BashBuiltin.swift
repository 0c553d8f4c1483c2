/// Where the loadable bash builtin lives: `PREFIX/lib/hookctl/bash/hookctl.so`
/// for `PREFIX/bin/hookctl`, or `$HOOKCTL_BASH_BUILTIN` when that is an
/// absolute path (a build tree, a package with its own layout).
enum BashBuiltin {
    static func path(context: EngineContext) -> String {
        if let explicit = context.variable("HOOKCTL_BASH_BUILTIN"), explicit.hasPrefix("/") { return explicit }
        let executable = POSIX.realPath(context.executable) ?? context.executable
        return Path.join(Path.parent(of: Path.parent(of: executable)), "lib/hookctl/bash/hookctl.so")
    }
}
