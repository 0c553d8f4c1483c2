/// A project as hookctl sees it: its root, validated config and fingerprint.
struct Project {
    /// The root as the user's shell spells it (symlinks kept).
    let root: String
    /// The root with symlinks resolved: the key for approvals and executions.
    let realRoot: String
    let config: ProjectConfig
    let fingerprint: String
    /// Every file the approval covers besides hookctl.toml.
    let coveredFiles: [String]

    /// The largest hookctl.toml hookctl reads: far beyond any real project
    /// (10,000 hooks take about 480 KiB), small enough that a prompt never
    /// stalls on one.
    static let configSizeLimit = 4 << 20

    /// Reads and validates the project at `root`.
    static func load(root: String) throws -> Project {
        let realRoot = POSIX.realPath(root) ?? root
        let path = Path.join(root, ProjectConfig.fileName)
        if let size = POSIX.fileStatus(path)?.size, size > configSizeLimit {
            throw HookctlError.invalidConfig(line: nil, message: "the file is larger than 4 MiB; hookctl reads no config that large")
        }
        let bytes = try POSIX.readFile(path, limit: configSizeLimit)
        let config = try ConfigParser.parse(bytes: bytes, root: root)
        let files = Fingerprint.coveredFiles(config, realRoot: realRoot)
        return Project(
            root: root, realRoot: realRoot, config: config,
            fingerprint: try Fingerprint.compute(config: config, configBytes: bytes, realRoot: realRoot, files: files), coveredFiles: files)
    }

    /// The project containing `directory`.
    static func find(from directory: String) throws -> Project {
        guard let root = ConfigLocator.projectRoot(from: directory) else { throw HookctlError.noProject(directory: directory) }
        return try load(root: root)
    }
}
