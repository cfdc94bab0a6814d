/// What an agency's item declares about itself (NewsML-G2, NITF, ninjs, ...): its identity, version,
/// status and the signals by which a copy desk links the versions of a story.
public struct WireMetadata: Sendable, Hashable {
    /// A declared link to another item (`previousVersion`, `evolvedfrom`, `replacing`, ...).
    public struct Link: Sendable, Hashable {
        public var rel: String
        public var id: String

        public init(rel: String, id: String) {
            self.rel = rel
            self.id = id
        }
    }

    /// The item's own identifier (G2 guid, NITF doc-id, ninjs uri, NewsML 1.2 PublicIdentifier,
    /// digitalwires urn, e-mail Message-ID).
    public var id: String?
    public var version: String?
    /// The key that groups the versions of one story where the format gives it apart from `id`
    /// (NITF du-key, NewsML 1.2 NewsItemId, the ANPA slug); nil when `id` is itself common to the
    /// versions (G2 guid, ninjs uri).
    public var storyKey: String?
    /// `usable` unless the item says otherwise (`withheld`, `canceled`, `embargoed`, ...).
    public var status: String
    public var signals: [String]
    /// 1 (highest) to 9.
    public var urgency: Int?
    /// ISO 8601.
    public var embargo: String?
    public var dateline: String?
    public var links: [Link]
    public var provider: String?

    public init(
        id: String? = nil, version: String? = nil, storyKey: String? = nil, status: String = "usable", signals: [String] = [],
        urgency: Int? = nil, embargo: String? = nil, dateline: String? = nil, links: [Link] = [],
        provider: String? = nil
    ) {
        self.id = id
        self.version = version
        self.storyKey = storyKey
        self.status = status
        self.signals = signals
        self.urgency = urgency
        self.embargo = embargo
        self.dateline = dateline
        self.links = links
        self.provider = provider
    }
}

extension WireMetadata {
    /// The key the versions of this item's story share, under which a catalog files it: the story
    /// key where the format gives one (qualified by the provider, since a NITF `du-key` is unique
    /// only within a provider's feed), else the item's id. Nil when the item declares neither.
    public var declaredKey: String? {
        if let storyKey, !storyKey.isEmpty { return "\(provider ?? "")#\(storyKey)" }
        if let id, !id.isEmpty { return id }
        return nil
    }

    /// The ids this item declares itself a later version of (`previousVersion`, `evolvedfrom`,
    /// `replacing`, a NITF correction or management reference, ...).
    public var linkedIDs: [String] {
        var seen = Set<String>()
        return links.map(\.id).filter { !$0.isEmpty && $0 != id && seen.insert($0).inserted }
    }

    /// Whether the item withdraws its story: a `canceled` (or `killed`, `withdrawn`) status, or a
    /// signal that says so (Reuters `edStat:D`, `sig:kill`, `sig:withdrawal`).
    public var isWithdrawal: Bool {
        if ["canceled", "cancelled", "killed", "withdrawn", "kill"].contains(status.lowercased()) { return true }
        return signals.contains { signal in
            let value = Self.signalValue(signal)
            return ["d", "kill", "killed", "withdrawal", "withdrawn", "canceled", "cancelled"].contains(value)
                && (value != "d" || signal.lowercased().hasPrefix("edstat"))
        }
    }

    /// Whether the item declares itself a correction (`sig:correction`, Reuters `edStat:C`, NITF
    /// `correction`, a `Berichtigung` or `CORRECTED` notice).
    public var isCorrection: Bool {
        signals.contains { signal in
            let value = Self.signalValue(signal)
            return value == "correction" || value.hasPrefix("correct") || value.hasPrefix("berichtigung")
                || (value == "c" && signal.lowercased().hasPrefix("edstat"))
        }
    }

    /// The relation a version declared by this item has to its predecessor.
    public var declaredRelation: VersionRelation { isCorrection ? .correction : .update }

    /// Whether this item is embargoed at `now` (ISO 8601): its embargo time lies after it.
    public func isEmbargoed(at now: String) -> Bool {
        guard let embargo, let until = CurrentVersion.Published(embargo), let at = CurrentVersion.Published(now) else {
            return status.lowercased() == "embargoed"
        }
        return at.isEarlier(than: until)
    }

    /// `sig:correction` → `correction`, `edStat:C` → `c`.
    private static func signalValue(_ signal: String) -> String {
        let lowered = signal.lowercased()
        guard let colon = lowered.lastIndex(of: ":") else { return lowered }
        return String(lowered[lowered.index(after: colon)...])
    }

    /// Whether version `a` comes before version `b`: as numbers when both are whole numbers (a
    /// Reuters version is a large number, a dpa one counts from 1), else as text; a missing version
    /// comes first.
    public static func precedes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil), (_, nil): return false
        case (nil, _): return true
        case (let a?, let b?):
            if let x = Int64(a), let y = Int64(b) { return x < y }
            return a < b
        }
    }

    /// Whether two declared versions are the same (`"02"` and `"2"` are).
    public static func sameVersion(_ a: String?, _ b: String?) -> Bool {
        !precedes(a, b) && !precedes(b, a)
    }
}
