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
