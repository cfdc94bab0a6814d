internal import CopydeskCore
#if canImport(Glibc)
internal import Glibc
#endif

/// ISO 8601 UTC timestamps with milliseconds (`2026-11-24T01:36:28.123Z`), as the catalog stores them.
///
/// Fixed width, so that they sort as text in time order.
public enum Timestamp {
    /// The current time.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// The time `nanoseconds` after the epoch.
    public static func format(nanoseconds: Int64) -> String {
        format(seconds: Int(nanoseconds / 1_000_000_000), milliseconds: Int(nanoseconds % 1_000_000_000 / 1_000_000))
    }

    /// The time `seconds` after the epoch.
    public static func format(seconds: Int, milliseconds: Int = 0) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}

extension Timestamp {
    /// When an article happened for story assignment, ISO 8601 UTC: the time it says it was
    /// published (a bare date as its midnight UTC), else when it arrived.
    public static func storyTime(published: String?, arrivedAt: String) -> String {
        guard let published, let time = CurrentVersion.Published(published) else { return arrivedAt }
        return format(seconds: time.instant ?? time.day * 86_400)
    }
}
