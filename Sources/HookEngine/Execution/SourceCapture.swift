/// Turns a source hook's stdout into variables: the text is evaluated by a
/// child bash (never by the user's shell) and the variables it exports,
/// changes or unsets are read back from that bash's environment. The
/// supervisor runs that bash as an ordinary child of its loop (`check`,
/// then `arguments` on a file, then `result`), so cancel and timeouts reach
/// it like any hook.
enum SourceCapture {
    /// The most stdout a source hook may print.
    static let outputLimit = 1 << 20
    private static let separator: Bytes = Array("\0--hookctl-capture--\0".utf8)
    /// Variables that change in any bash and say nothing about the hook.
    private static let ignoredNames: Set<String> = ["_", "PWD", "OLDPWD", "SHLVL"]

    /// The bash arguments that evaluate the exports in `file`. The
    /// environment is listed by bash's builtins alone: whatever PATH, IFS or
    /// huge value the exports set, no program has to be found or exec'd to
    /// read it back, so a capture cannot quietly come back empty.
    static func arguments(file: String) -> [String] {
        let dump = #"mapfile -t _hookctl_names < <(builtin compgen -e); for _hookctl_name in "${_hookctl_names[@]}"; do builtin printf '%s=%s\0' "$_hookctl_name" "${!_hookctl_name}"; done"#
        let mark = #"builtin printf '\0--hookctl-capture--\0'"#
        return ["--noprofile", "--norc", "-c", "\(dump); \(mark); . \"$1\" >&2 || exit; \(dump); \(mark)", "hookctl-capture", file]
    }

    /// The bash that evaluates exports, found on the hook's PATH.
    static func bash(environment: EnvironmentMap, directory: String) -> Result<String, CaptureFailure> {
        let path = environment["PATH"].map { String(decoding: $0, as: UTF8.self) } ?? "/usr/bin:/bin"
        guard let bash = ProcessSpawner.resolve("bash", directory: directory, path: path) else {
            return .failure(.init("needs bash to evaluate its exports, and bash was not found"))
        }
        return .success(bash)
    }

    /// The output split into what bash will read (LF line ends, messages
    /// blanked) and its message lines, or why it is refused before anything
    /// evaluates it.
    static func check(_ printed: Bytes) -> Result<SourceOutput, CaptureFailure> {
        let output = withoutCarriageReturns(printed)
        if output.count > outputLimit { return .failure(.init("printed more than 1 MiB on stdout")) }
        if output.contains(0) { return .failure(.init("printed binary data (NUL bytes) on stdout")) }
        if String(validating: output, as: UTF8.self) == nil { return .failure(.init("printed bytes that are not UTF-8 on stdout")) }
        return .success(SourceOutput(output))
    }

    /// The captured variables from what the capture bash printed and how it ended (nil: it was stopped).
    static func result(stdout: Bytes, stderr: Bytes, status: Int32?) -> Result<[CapturedVariable], CaptureFailure> {
        let parts = split(stdout)
        guard status == 0, parts.count == 3 else {
            let reason = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "status \(status.map(String.init) ?? "timeout")"
            return .failure(.init("printed exports that bash could not evaluate (\(reason))"))
        }
        return .success(difference(before: Environment.parseNullSeparated(parts[0]), after: Environment.parseNullSeparated(parts[1])))
    }

    /// `bytes` with each CRLF line end made LF, so that a hook written on
    /// Windows leaves no `\r` at the end of its values.
    static func withoutCarriageReturns(_ bytes: Bytes) -> Bytes {
        guard bytes.contains(UInt8(ascii: "\r")) else { return bytes }
        var out = Bytes()
        out.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") { continue }
            out.append(byte)
        }
        return out
    }

    /// Variables set or changed (with their value) and unset (nil), sorted by name.
    static func difference(before: EnvironmentMap, after: EnvironmentMap) -> [CapturedVariable] {
        var variables: [CapturedVariable] = []
        for (name, value) in after where before[name] != value && !ignoredNames.contains(name) {
            variables.append(CapturedVariable(name: name, value: value))
        }
        for name in before.keys where after[name] == nil && !ignoredNames.contains(name) {
            variables.append(CapturedVariable(name: name, value: nil))
        }
        return variables.sorted { $0.name < $1.name }
    }

    private static func split(_ bytes: Bytes) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + separator.count <= bytes.count {
            if bytes[index..<index + separator.count].elementsEqual(separator) {
                parts.append(bytes[start..<index])
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(bytes[start...])
        return parts
    }
}

/// Why a source hook's output was not accepted.
struct CaptureFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
