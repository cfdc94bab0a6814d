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
/// - "newest" is the order of arrival.
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

        public init(id: Int64, parent: Int64?, relation: VersionRelation?, length: Int, outlet: String?) {
            self.id = id
            self.parent = parent
            self.relation = relation
            self.length = length
            self.outlet = outlet
        }

        public init(id: Int64, parent: Int64?, relation: VersionRelation?, length: Int, site: String?, url: String?) {
            self.init(
                id: id, parent: parent, relation: relation, length: length,
                outlet: CurrentVersion.outlet(site: site, url: url))
        }
    }

    /// A version's outlet: its URL's host (lower case, without `www.`), else its site name (lower
    /// case, spaces trimmed); nil when it names neither. Cheap: run for every version of an article
    /// on each of its new versions.
    public static func outlet(site: String?, url: String?) -> String? {
        if let url {
            var rest = Substring(url.lowercased())
            if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
            if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if !host.isEmpty { return String(host) }
        }
        guard let site else { return nil }
        let trimmed = site.lowercased().drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// The current version among an article's versions (any order); nil when there are none.
    public static func choose(_ versions: [Candidate]) -> Int64? {
        let ordered = versions.sorted { $0.id < $1.id }
        guard let first = ordered.first else { return nil }
        var byID = [Int64: Candidate]()
        var isTeaser = [Int64: Bool]()
        /// The version that starts each version's line.
        var lineOf = [Int64: Int64]()
        for version in ordered {
            byID[version.id] = version
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
            case .revision, nil:
                lineOf[version.id] = lineOf[parentID] ?? parentID
                isTeaser[version.id] = isTeaser[parentID] ?? false
            }
        }
        let root = first.id
        func inOwnLine(_ version: Candidate) -> Bool {
            if let outlet = version.outlet, let rootOutlet = first.outlet { return outlet == rootOutlet }
            return lineOf[version.id] == root
        }
        let full = ordered.filter { isTeaser[$0.id] != true }
        return full.last(where: inOwnLine)?.id ?? full.last?.id ?? ordered.last?.id
    }
}
