/// Which version of an article is its *current* one: the text `show` leads with, `diff` compares,
/// and `search` finds the article by.
///
/// The current version is the newest full text of the article's own line:
/// - the article's own line is its first version and what descends from it as the same outlet's
///   text: revisions, the full text of a teaser, a re-normalized reading (`reprocess`). Where the
///   versions name their outlet (URL host or site), the outlet decides: a version from the first
///   version's outlet is in its line whatever it was matched against, one from another outlet is
///   not;
/// - a syndicated copy from another outlet is a version beside the line, never current while the
///   line has a full text;
/// - an excerpt (a teaser: the shorter side of an `excerpt` relation, and any revision of it) is
///   never current while any full text exists;
/// - "newest" is the order of arrival, unless the versions of the line declare when they were
///   published: a version that declares an earlier time than another full text of the line (a
///   revision that arrives late, out of order) does not replace it. Times are compared to the
///   second where both give a zone, by day where both are bare dates, not at all otherwise; a
///   re-normalized reading (`reprocess`) stands where the text it re-reads stands.
/// So a teaser or an agency's copy arriving after the full text leaves the full text current, and
/// the outlet's own update replaces it.
public enum CurrentVersion {
    /// What the choice needs to know about one version.
    public struct Candidate: Sendable, Hashable {
        public var id: Int64
        /// The version it was matched with (nil for the first).
        public var parent: Int64?
        /// Its relation to `parent`; nil with a parent for a re-normalized reading.
        public var relation: VersionRelation?
        /// The body's length in characters.
        public var length: Int
        /// The outlet: the URL's host without `www.`, else the site name, case-folded; nil when the
        /// version names neither (a plain-text file).
        public var outlet: String?
        /// When the version says it was published, if it says (``Published``).
        public var published: Published?
        /// The highest version number an agency declared for this text (``WireMetadata/version``),
        /// if any: declared numbers order versions before times do.
        public var declaredVersion: String?

        public init(
            id: Int64, parent: Int64?, relation: VersionRelation?, length: Int, outlet: String?,
            published: Published? = nil, declaredVersion: String? = nil
        ) {
            self.id = id
            self.parent = parent
            self.relation = relation
            self.length = length
            self.outlet = outlet
            self.published = published
            self.declaredVersion = declaredVersion
        }

        public init(
            id: Int64, parent: Int64?, relation: VersionRelation?, length: Int, site: String?, url: String?,
            published: String? = nil, declaredVersion: String? = nil
        ) {
            self.init(
                id: id, parent: parent, relation: relation, length: length,
                outlet: CurrentVersion.outlet(site: site, url: url), published: published.flatMap(Published.init),
                declaredVersion: declaredVersion)
        }
    }

    /// A declared publication time, from the ISO 8601 forms the normalizer stores (`YYYY-MM-DD`, or
    /// with `THH:MM:SS` and `Z` or `±HH:MM`).
    public struct Published: Sendable, Hashable {
        /// Days since 1970-01-01 (of the UTC instant when the time is known).
        public var day: Int
        /// Seconds since the epoch, when a time and zone are given.
        public var instant: Int?

        public init?(_ text: String) {
            let bytes = Array(text.utf8)
            func number(_ range: Range<Int>) -> Int? {
                guard range.upperBound <= bytes.count else { return nil }
                var value = 0
                for byte in bytes[range] {
                    guard (48...57).contains(byte) else { return nil }
                    value = value * 10 + Int(byte - 48)
                }
                return value
            }
            guard let year = number(0..<4), bytes.count >= 10, bytes[4] == 45, bytes[7] == 45, let month = number(5..<7),
                let dayOfMonth = number(8..<10), (1...12).contains(month), (1...31).contains(dayOfMonth)
            else { return nil }
            let days = Self.daysFromCivil(year, month, dayOfMonth)
            day = days
            instant = nil
            guard bytes.count >= 20, bytes[10] == 84, let hour = number(11..<13), let minute = number(14..<16),
                let second = number(17..<19)
            else { return }
            // The zone follows the seconds (and any fraction).
            var index = 19
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            }
            var offset = 0
            if index < bytes.count, bytes[index] == 90 {
                offset = 0
            } else if index + 6 <= bytes.count, bytes[index] == 43 || bytes[index] == 45,
                let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6))
            {
                offset = (hours * 60 + minutes) * 60 * (bytes[index] == 45 ? -1 : 1)
            } else {
                return
            }
            let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
            instant = seconds
            day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        }

        /// Whether this time is known to be earlier than `other`: to the second when both give a
        /// time and zone, by day when neither does; a time against a bare date says nothing (the
        /// date's zone is unknown).
        public func isEarlier(than other: Published) -> Bool {
            switch (instant, other.instant) {
            case (let instant?, let otherInstant?): instant < otherInstant
            case (nil, nil): day < other.day
            default: false
            }
        }

        /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
        static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }

    /// A version's outlet: `host:` and its URL's host (lower case, without `www.`), else `site:` and
    /// its site name (lower case, spaces trimmed); nil when it names neither. Two outlets of
    /// different kinds say nothing about each other. Cheap: run for every version of an article
    /// on each of its new versions.
    public static func outlet(site: String?, url: String?) -> String? {
        if let url {
            var rest = Substring(url.lowercased())
            if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
            if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if !host.isEmpty { return "host:" + host }
        }
        guard let site else { return nil }
        let trimmed = site.lowercased().drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return trimmed.isEmpty ? nil : "site:" + String(trimmed)
    }

    /// The current version among an article's versions (any order); nil when there are none.
    public static func choose(_ versions: [Candidate]) -> Int64? {
        let ordered = versions.sorted { $0.id < $1.id }
        guard let first = ordered.first else { return nil }
        var byID = [Int64: Candidate]()
        var isTeaser = [Int64: Bool]()
        /// Where each version stands in time: its own arrival, or for a re-normalized reading its
        /// parent's place (a new reading of an old text is not a newer text).
        var place = [Int64: (Int64, Int)]()
        /// The version that starts each version's line.
        var lineOf = [Int64: Int64]()
        for version in ordered {
            byID[version.id] = version
            if version.relation == nil, let parentID = version.parent, let parentPlace = place[parentID] {
                place[version.id] = (parentPlace.0, parentPlace.1 + 1)
            } else {
                place[version.id] = (version.id, 0)
            }
            guard let parentID = version.parent, let parent = byID[parentID] else {
                lineOf[version.id] = version.id
                isTeaser[version.id] = false
                continue
            }
            switch version.relation {
            case .syndication:
                lineOf[version.id] = version.id
                isTeaser[version.id] = false
            case .excerpt:
                lineOf[version.id] = lineOf[parentID] ?? parentID
                if version.length < parent.length {
                    isTeaser[version.id] = true
                } else {
                    // The full text of a teaser that arrived first.
                    isTeaser[version.id] = false
                    isTeaser[parentID] = true
                }
            case .revision, .update, .correction, .writethrough, nil:
                lineOf[version.id] = lineOf[parentID] ?? parentID
                isTeaser[version.id] = isTeaser[parentID] ?? false
            }
        }
        let root = first.id
        func inOwnLine(_ version: Candidate) -> Bool {
            if let outlet = version.outlet, let rootOutlet = first.outlet,
                outlet.prefix(5) == rootOutlet.prefix(5)
            {
                return outlet == rootOutlet
            }
            return lineOf[version.id] == root
        }
        // In time order: arrival, a re-normalized reading in its original's place.
        let timed = ordered.sorted { place[$0.id]! < place[$1.id]! }
        let full = timed.filter { isTeaser[$0.id] != true }
        let ownLine = full.filter(inOwnLine)
        return newest(of: ownLine)?.id ?? newest(of: full)?.id ?? timed.last?.id
    }

    /// The newest arrival, unless another version declares a later version number (an agency's
    /// versions arriving out of order) or, without numbers on both, a later publication than it does.
    private static func newest(of versions: [Candidate]) -> Candidate? {
        guard var best = versions.last else { return nil }
        for version in versions.reversed() {
            if let declared = version.declaredVersion, let bestDeclared = best.declaredVersion {
                if WireMetadata.precedes(bestDeclared, declared) { best = version }
            } else if let published = version.published, let bestPublished = best.published,
                bestPublished.isEarlier(than: published)
            {
                best = version
            }
        }
        return best
    }
}
