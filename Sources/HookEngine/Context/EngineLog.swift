import Logging

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Writes swift-log records to `logs/hooks.log`, one line each.
/// `HOOKCTL_LOG=debug` (or trace, info, warning, error) sets the level.
struct FileLogHandler: LogHandler {
    let path: String
    let label: String
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level
    let clock: any EngineClock

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
        let context = fields.isEmpty ? "" : " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Timestamp.iso8601(clock.now())) \(event.level) \(label)[\(getpid())]: \(event.message)\(context)\n"
        POSIX.appendFile(path, Bytes(line.utf8))
    }
}
