/// Tells a process from a later one that got the same pid: the kernel's
/// start time of a process (field 22 of `/proc/PID/stat`, in clock ticks
/// since boot) never repeats for one pid while the system runs.
enum ProcessIdentity {
    /// When `pid` started, or nil when there is no such process.
    static func startTime(of pid: Int32) -> UInt64? {
        guard pid > 0, let stat = try? POSIX.readFile("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count
        else { return nil }
        // After "pid (comm) ", field 3 (state) comes first: starttime is the 20th from there.
        let fields = stat[(close + 2)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }

    /// Whether `pid` is still the process that started at `startTime`.
    /// Without a recorded start time nothing is proven, so the answer is no.
    static func isSame(_ pid: Int32, startedAt startTime: UInt64?) -> Bool {
        guard let startTime else { return false }
        return self.startTime(of: pid) == startTime
    }
}
