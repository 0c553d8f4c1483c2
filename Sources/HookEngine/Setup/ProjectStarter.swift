/// `hookctl init`: a commented starter hookctl.toml.
public struct ProjectStarter {
    let context: EngineContext

    public init(context: EngineContext) {
        self.context = context
    }

    /// The starter file: every key shown, only harmless ones active, so it
    /// is valid as written and loads one variable.
    public static let template = """
        # hookctl.toml: what hookctl runs and loads when a shell enters this directory.
        # Nothing runs until you approve it with `hookctl allow`; editing this file or any
        # script it runs asks again. `hookctl status` shows what happened.

        [env]
        # Static variables, loaded as written. In a name ending in PATH, $VAR expands and
        # relative entries start at this directory, so this puts ./bin first:
        # PATH = "./bin:$PATH"
        PROJECT_NAME = "@NAME@"

        [settings]
        # timeout = "5m"                     # the default for each hook
        # secrets = ["DATABASE_URL"]         # masked like names containing TOKEN, SECRET, KEY, ...
        # dotenv = [".env", { path = ".env.local", required = false }]

        # A hook runs when a shell enters the project, in the background; the variables a
        # `source = true` hook prints as `export NAME=value` load once every hook succeeded.
        # Other lines it prints are shown as its progress messages and never run.
        #
        # [[hooks.onEnter]]
        # id = "auth"
        # command = "./scripts/auth.sh"      # relative to this directory, or a command on PATH
        # args = ["--profile", "dev"]
        # source = true
        # description = "Fetching credentials"
        # timeout = "30s"
        #
        # [[hooks.onEnter]]
        # id = "db"
        # command = "docker"
        # args = ["compose", "up", "-d", "db"]
        # dependsOn = ["auth"]               # starts once auth has succeeded
        # condition = "test -z \\"$CI\\""       # run by /bin/sh; non-zero skips the hook
        #
        # [[hooks.onExit]]                   # when the last shell leaves the project
        # command = "docker"
        # args = ["compose", "stop", "db"]

        """

    /// Writes the starter hookctl.toml into `directory` (default: the
    /// working directory); returns its path. An existing file is never replaced.
    public func create(in directory: String?) throws -> String {
        let directory = try context.resolveDirectory(directory)
        let path = Path.join(directory, ProjectConfig.fileName)
        guard !POSIX.exists(path) else { throw HookctlError.configExists(path: path) }
        let name = directory.split(separator: "/").last.map(String.init) ?? "project"
        let text = Self.template.replacingAll("@NAME@", with: name.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\""))
        try POSIX.createFile(path, Bytes(text.utf8), mode: 0o644)
        return path
    }
}
