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
    /// What the shell checks for changes besides hookctl.toml: the covered
    /// files, and the directory of an optional dotenv file that does not exist yet.
    let watchedFiles: [String]
    /// The entries of the dotenv files, or why they cannot be read.
    let dotenv: Result<[DotenvEntry], HookctlError>

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
        let absent = config.dotenvFiles.map { Path.join(root, $0.path) }.filter { !POSIX.isRegularFile($0) }.map { Path.parent(of: $0) }
        return Project(
            root: root, realRoot: realRoot, config: config,
            fingerprint: try Fingerprint.compute(config: config, configBytes: bytes, realRoot: realRoot, files: files), coveredFiles: files,
            watchedFiles: files + Set(absent).sorted(), dotenv: readDotenv(config))
    }

    /// The entries of every dotenv file, in order; a missing optional file is skipped.
    private static func readDotenv(_ config: ProjectConfig) -> Result<[DotenvEntry], HookctlError> {
        var entries: [DotenvEntry] = []
        for file in config.dotenvFiles {
            let path = Path.join(config.root, file.path)
            guard POSIX.fileStatus(path) != nil else {
                if !file.required { continue }
                return .failure(.invalidDotenv(file: file.path, line: nil, message: "the file does not exist (set required = false if it is optional)"))
            }
            do {
                entries += try DotenvParser.parse(try POSIX.readFile(path, limit: configSizeLimit))
            } catch let failure as DotenvParser.Failure {
                return .failure(.invalidDotenv(file: file.path, line: failure.line, message: failure.message))
            } catch {
                return .failure(.invalidDotenv(file: file.path, line: nil, message: "cannot be read (\(error))"))
            }
        }
        return .success(entries)
    }

    /// The values of the secret variables the project sets itself (as written,
    /// references to the environment left empty): never to be printed.
    var secretValues: [String] {
        let variables = (try? environment(over: [:])) ?? config.environment(over: [:])
        return variables.filter { config.isSecret($0.name) && !$0.value.isEmpty }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// The variables the project sets itself, on top of `base` (the
    /// environment the hooks start from): `[env]`, then the dotenv files in
    /// order, a later value of a name replacing an earlier one. A dotenv
    /// `${NAME}` sees what came before it, then `base`.
    func environment(over base: EnvironmentMap) throws -> [(name: String, value: Bytes)] {
        var variables = config.environment(over: base)
        let entries = try dotenv.get()
        guard !entries.isEmpty else { return variables }
        var scope = base
        for (name, value) in variables { scope[name] = value }
        for entry in entries {
            let value = entry.value(in: scope)
            scope[entry.name] = value
            variables.removeAll { $0.name == entry.name }
            variables.append((entry.name, value))
        }
        return variables.sorted { $0.name < $1.name }
    }

    /// The project containing `directory`.
    static func find(from directory: String) throws -> Project {
        guard let root = ConfigLocator.projectRoot(from: directory) else { throw HookctlError.noProject(directory: directory) }
        return try load(root: root)
    }
}
