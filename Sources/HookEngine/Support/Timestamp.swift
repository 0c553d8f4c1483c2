#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// UTC timestamps without Foundation.
enum Timestamp {
    /// `2026-11-21T18:00:00.123Z` for milliseconds since the epoch.
    static func iso8601(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }

    /// A sortable, unique execution id: `20261121T180000-1a2b3c4d`.
    static func executionID(at milliseconds: Int64) -> String {
        let stamp = iso8601(milliseconds).filter { $0.isNumber || $0 == "T" }.prefix(15)
        return "\(stamp)-\(POSIX.randomHex().prefix(8))"
    }
}
