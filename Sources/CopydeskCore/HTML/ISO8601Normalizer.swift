/// Turns the date and time notations pages use into ISO 8601.
///
/// Accepted: ISO 8601 itself (with `T` or a space, with or without seconds, fraction and zone),
/// `DD.MM.YYYY [HH:MM]`, `YYYY/MM/DD`, and RFC 2822 (`Tue, 23 Mar 2021 10:00:00 +0100`) or `23 March
/// 2021`. The result is `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM` when the
/// input had a time and a zone. Anything else gives `nil`.
enum ISO8601Normalizer {
    static func normalize(_ input: String) -> String? {
        let text = input.trimmingCharacters(in: " \t\n")
        let scalars = Array(text.unicodeScalars)
        if let iso = parseISO(scalars) { return iso }
        if let dotted = parseDotted(scalars) { return dotted }
        return parseWords(text)
    }

    private static func digits(_ scalars: [Unicode.Scalar], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= scalars.count else { return nil }
        var value = 0
        for index in start ..< start + count {
            let code = scalars[index].value
            guard code >= 0x30, code <= 0x39 else { return nil }
            value = value * 10 + Int(code - 0x30)
        }
        return value
    }

    private static func date(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1900 ... 2200).contains(year), (1 ... 12).contains(month), (1 ... 31).contains(day) else { return nil }
        return "\(year)-\(pad(month))-\(pad(day))"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]][Z|±HH[:]MM]]`, also with `/` between the date's parts.
    private static func parseISO(_ s: [Unicode.Scalar]) -> String? {
        guard let year = digits(s, 0, 4), s.count >= 10, s[4] == "-" || s[4] == "/", s[7] == s[4],
            let month = digits(s, 5, 2), let day = digits(s, 8, 2), let date = date(year, month, day)
        else { return nil }
        guard s.count >= 16, s[10] == "T" || s[10] == " ", let hour = digits(s, 11, 2), s[13] == ":",
            let minute = digits(s, 14, 2), hour < 24, minute < 60
        else { return date }
        var index = 16
        var second = 0
        if index + 2 < s.count + 1, index < s.count, s[index] == ":", let value = digits(s, index + 1, 2) {
            second = min(value, 59)
            index += 3
        }
        if index < s.count, s[index] == "." || s[index] == "," {
            index += 1
            while index < s.count, digits(s, index, 1) != nil { index += 1 }
        }
        while index < s.count, s[index] == " " { index += 1 }
        let time = "\(date)T\(pad(hour)):\(pad(minute)):\(pad(second))"
        guard index < s.count else { return time }
        if s[index] == "Z" || s[index] == "z" { return time + "Z" }
        if s[index] == "+" || s[index] == "-", let offsetHour = digits(s, index + 1, 2) {
            var offsetIndex = index + 3
            if offsetIndex < s.count, s[offsetIndex] == ":" { offsetIndex += 1 }
            let offsetMinute = digits(s, offsetIndex, 2) ?? 0
            if offsetHour == 0, offsetMinute == 0 { return time + "Z" }
            return time + "\(s[index])\(pad(offsetHour)):\(pad(offsetMinute))"
        }
        return time
    }

    /// `DD.MM.YYYY` (German and others), optionally followed by a time; without a zone only the day.
    private static func parseDotted(_ s: [Unicode.Scalar]) -> String? {
        var index = 0
        func number(max: Int) -> Int? {
            var value = 0
            var length = 0
            while index < s.count, length < max, let digit = digits(s, index, 1) {
                value = value * 10 + digit
                index += 1
                length += 1
            }
            return length > 0 ? value : nil
        }
        guard let day = number(max: 2), index < s.count, s[index] == "." || s[index] == "/" else { return nil }
        let separator = s[index]
        index += 1
        guard let month = number(max: 2), index < s.count, s[index] == separator else { return nil }
        index += 1
        let start = index
        guard let year = number(max: 4), index - start == 4 else { return nil }
        return date(year, month, day)
    }

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12, "mär": 3, "mai": 5, "okt": 10, "dez": 12, "janv": 1, "févr": 2, "mars": 3,
        "avr": 4, "juin": 6, "juil": 7, "août": 8, "sept": 9, "déc": 12,
    ]

    /// `[Weekday,] 23 Mar 2021 [10:00:00 +0100]`, `March 23, 2021`, `23. März 2021`.
    private static func parseWords(_ text: String) -> String? {
        let words = text.lowercased().split(whereSeparator: { " ,".contains($0) }).map {
            $0.trimmingCharacters(in: ".")
        }
        var day: Int?
        var month: Int?
        var year: Int?
        for word in words {
            if let value = Int(word) {
                if value >= 1900, value <= 2200, year == nil {
                    year = value
                } else if value >= 1, value <= 31, day == nil {
                    day = value
                }
            } else if month == nil {
                for length in [4, 3] where word.count >= length {
                    if let value = months[String(word.prefix(length))] {
                        month = value
                        break
                    }
                }
            }
        }
        guard let day, let month, let year else { return nil }
        return date(year, month, day)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let start = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let end = lastIndex(where: { !characters.contains($0) })!
        return String(self[start ... end])
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
