public import CopydeskCore

/// One agency item as the catalog keeps it (table `wire_item`): what the item declared, the
/// version that holds its text, and what decided it. An item whose version number is new but whose
/// text is not adds a row here and no version.
public struct WireRecord: Sendable, Hashable {
    public var article: Int64
    /// The version holding the item's text.
    public var version: Int64
    public var receipt: Int64?
    public var wire: WireMetadata
    /// `declared` or `content` (``Verdict/basis``).
    public var basis: String
    /// When it was recorded, ISO 8601 UTC.
    public var recordedAt: String

    public init(article: Int64, version: Int64, receipt: Int64?, wire: WireMetadata, basis: String, recordedAt: String) {
        self.article = article
        self.version = version
        self.receipt = receipt
        self.wire = wire
        self.basis = basis
        self.recordedAt = recordedAt
    }

    /// The signals as stored: one per line.
    var storedSignals: String? {
        wire.signals.isEmpty ? nil : wire.signals.joined(separator: "\n")
    }

    /// The links as stored: `rel id`, one per line.
    var storedLinks: String? {
        wire.links.isEmpty ? nil : wire.links.map { "\($0.rel) \($0.id)" }.joined(separator: "\n")
    }

    /// Rebuilds the declared metadata from the stored columns.
    static func wire(
        id: String?, version: String?, storyKey: String?, status: String, signals: String?, urgency: Int64?,
        embargo: String?, dateline: String?, links: String?, provider: String?
    ) -> WireMetadata {
        WireMetadata(
            id: id, version: version, storyKey: storyKey, status: status,
            signals: signals?.split(separator: "\n").map(String.init) ?? [], urgency: urgency.map(Int.init),
            embargo: embargo, dateline: dateline,
            links: links?.split(separator: "\n").map { line in
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                return WireMetadata.Link(rel: parts[0], id: parts.count > 1 ? parts[1] : "")
            } ?? [],
            provider: provider)
    }
}
