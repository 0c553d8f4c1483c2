/// `hookctl shell init SHELL`: the glue a shell's rc file evaluates.
public struct ShellGlue {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// The glue for `shell`, with the binary and state paths filled in.
    public func script(for shell: ShellKind) -> String {
        // The glue appends to files in the state directory with builtins only: it must exist.
        try? context.paths.prepare()
        let template: [UInt8]
        switch shell {
        case .bash: template = PackageResources.hookctl_bash
        case .zsh: template = PackageResources.hookctl_zsh
        case .fish: template = PackageResources.hookctl_fish
        }
        let handover = ShellEventHandover(context: context, shellPID: 0)
        let quote = { (text: String) in
            String(decoding: shell == .fish ? ShellQuoting.fish(Bytes(text.utf8)) : ShellQuoting.posix(Bytes(text.utf8)), as: UTF8.self)
        }
        return String(decoding: template, as: UTF8.self)
            .replacingAll("@HOOKCTL_BIN@", with: quote(context.executable))
            .replacingAll("@HOOKCTL_SHELLS_DIR@", with: quote(context.paths.shellsDirectory))
            .replacingAll("@HOOKCTL_BUILTIN@", with: quote(BashBuiltin.path(context: context)))
            .replacingAll("@HOOKCTL_EVENTS@", with: quote(handover.commandEvents(project: nil)))
            .replacingAll("@HOOKCTL_RULES@\n", with: String(decoding: shell.array("_hookctl_rules", handover.interceptFields(project: nil)), as: UTF8.self))
    }
}
