/// Variables no project may set or unset: hookctl's own and those the shells
/// depend on to run their prompt, find their startup files or read words.
/// A hook that exported `PROMPT_COMMAND` would replace the glue; `PS1='$(…)'`
/// would run code at every prompt; `LD_PRELOAD` would load code into every
/// command. hookctl refuses them, as direnv refuses its own variables.
public enum ReservedNames {
    /// Names refused exactly as written.
    public static let names: Set<String> = [
        "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT", "PROMPT2", "PROMPT3", "PROMPT4", "RPROMPT", "RPROMPT2",
        "RPS1", "RPS2", "precmd_functions", "preexec_functions", "chpwd_functions", "periodic_functions",
        "zshaddhistory_functions", "zshexit_functions", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "IFS", "PWD", "OLDPWD",
        "SHLVL", "ZDOTDIR", "FPATH", "fpath", "status", "pipestatus", "argv", "history", "PIPESTATUS", "_",
    ]
    /// Prefixes refused: hookctl's variables and the glue's, the dynamic
    /// loader's, bash's, zsh's and fish's own.
    public static let prefixes = ["HOOKCTL_", "_hookctl", "LD_", "BASH_", "ZSH_", "fish_", "__fish"]

    public static func contains(_ name: String) -> Bool {
        names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }
}
