#if canImport(Glibc)
internal import Glibc
#endif
public import CopydeskCore

/// Times as operators type them for `log --since`: ISO 8601 (`2026-11-24`, `2026-11-24T09:30`,
/// `2026-11-24 09:30:05Z`, `…+01:00`), relative (`30s`, `10m`, `2h`, `3d`, `1w` ago), `today` and
/// `yesterday` (midnight UTC), `now`.
public enum TimeExpression {
    /// The moment `text` names, as the catalog's ISO 8601 UTC timestamp.
    ///
    /// - Parameter now: seconds since the epoch to count relative times from.
    /// - Throws: ``CopydeskError`` `.usage` naming what was not understood.
    public static func parse(_ text: String, now: Int) throws(CopydeskError) -> String {
        let trimmed = trim(text)
        let day = 86_400
        switch trimmed {
        case "now": return Timestamp.format(seconds: now)
        case "today": return Timestamp.format(seconds: now - now % day)
        case "yesterday": return Timestamp.format(seconds: now - now % day - day)
        default: break
        }
        if let seconds = relativeSeconds(trimmed) {
            return Timestamp.format(seconds: now - seconds)
        }
        if let seconds = isoSeconds(trimmed) {
            return Timestamp.format(seconds: seconds)
        }
        throw CopydeskError(
            .usage,
            "cannot read the time '\(text)': use ISO 8601 (2026-11-24T09:30Z), a relative time (10m, 2h, 3d) or yesterday")
    }

    /// A length of time as operators type it for `--story-window`: a whole number of seconds,
    /// minutes, hours, days or weeks (`90m`, `36h`, `3d`, `1w`).
    ///
    /// - Throws: ``CopydeskError`` `.usage` naming what was not understood.
    public static func duration(_ text: String) throws(CopydeskError) -> Duration {
        guard let seconds = relativeSeconds(trim(text)) else {
            throw CopydeskError(.usage, "cannot read the length of time '\(text)': use a number and a unit: 90m, 36h, 3d, 1w")
        }
        return .seconds(seconds)
    }

    /// A duration as ``duration(_:)`` reads it, in its largest whole unit (`3d`, `36h`, `90m`).
    public static func text(of duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        for (unit, length) in units.sorted(by: { $0.value > $1.value }) where length <= seconds && seconds % length == 0 {
            return "\(seconds / length)\(unit)"
        }
        return "\(seconds)s"
    }

    /// The units of a relative time, in seconds.
    private static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400]

    /// The seconds of a relative time (`10m`, `3d`): a whole number and a unit.
    private static func relativeSeconds(_ text: String) -> Int? {
        guard let last = text.last, let unit = units[last], let count = Int(text.dropLast()), count >= 0,
            count <= Int.max / unit
        else { return nil }
        return count * unit
    }

    /// `text` lowercased, without surrounding whitespace.
    private static func trim(_ text: String) -> String {
        String(text.lowercased().drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Seconds since the epoch of an ISO 8601 date or date-time; without a zone, UTC.
    static func isoSeconds(_ text: String) -> Int? {
        let characters = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= characters.count else { return nil }
            var value = 0
            for byte in characters[index..<(index + digits)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < characters.count, characters[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let dayOfMonth = number(2),
            (1...12).contains(month), (1...31).contains(dayOfMonth)
        else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if skip(116) || skip(32) {  // "t" (lowercased) or a space
            guard let h = number(2), skip(58), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if skip(58) {
                guard let s = number(2), s < 61 else { return nil }
                second = s
                if skip(46) || skip(44) {
                    while index < characters.count, characters[index] >= 48, characters[index] <= 57 { index += 1 }
                }
            }
            if skip(122) {  // "z"
            } else if index < characters.count, characters[index] == 43 || characters[index] == 45 {
                let sign = characters[index] == 43 ? 1 : -1
                index += 1
                guard let oh = number(2) else { return nil }
                _ = skip(58)
                let om = number(2) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard index == characters.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(dayOfMonth)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts)) - offset
    }

    /// Seconds since the epoch, now.
    public static func nowSeconds() -> Int {
        Int(time(nil))
    }
}
