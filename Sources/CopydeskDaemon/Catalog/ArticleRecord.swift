public import CopydeskCore

/// One article with all its versions and receipts, as `copydesk show` prints it.
public struct ArticleRecord: Sendable, Hashable {
    public var id: Int64
    public var createdAt: String
    /// The newest arrival.
    public var latestVersion: Int64?
    /// The article's best full text (``CurrentVersion``): what `show` leads with, `diff` compares
    /// and `search` finds it by.
    public var currentVersion: Int64?
    /// Oldest first.
    public var versions: [VersionRecord]
    /// Every file that was recorded against the article (new article, new version, duplicate),
    /// oldest first.
    public var receipts: [ReceiptRecord]
    /// When an agency withdrew it (a `canceled` item, a kill signal); nil while it stands.
    public var killedAt: String? = nil
    /// The agency items recorded against it (what each declared), oldest first.
    public var wireItems: [WireRecord] = []
    /// The story it belongs to (nil for an article recorded before stories existed).
    public var story: Int64? = nil

    /// The newest declared state of the story: the item of the highest declared version (the latest
    /// arrival among equals), if any item was recorded.
    public var latestWire: WireRecord? {
        wireItems.reduce(nil) { best, item in
            guard let best else { return item }
            return WireMetadata.precedes(item.wire.version, best.wire.version) ? best : item
        }
    }

    /// The current version's record (the latest for a catalog not yet migrated).
    public var current: VersionRecord? {
        let id = currentVersion ?? latestVersion
        return versions.last { $0.id == id } ?? versions.last
    }

    /// What is shown as the article's title: the current version's, else the first one that has a
    /// title, else the current text's first words (``DisplayTitle``).
    public var displayTitle: String? {
        if let title = current?.text.title ?? versions.first(where: { $0.text.title != nil })?.text.title {
            return title
        }
        return current.flatMap { DisplayTitle.derived(from: $0.text.paragraphs) }
    }

    /// Whether ``displayTitle`` is derived from the text (no version has a title).
    public var titleIsDerived: Bool {
        current?.text.title == nil && !versions.contains { $0.text.title != nil }
    }
}

/// One stored version of an article.
public struct VersionRecord: Sendable, Hashable {
    public var id: Int64
    public var article: Int64
    /// The version it was recognised as a near-copy of (nil for an article's first version).
    public var parent: Int64?
    public var similarity: Double?
    public var relation: VersionRelation?
    /// Made by `copydesk reprocess`: the text a newer normalizer reads in the original of `parent`.
    public var renormalized: Bool
    public var createdAt: String
    public var contentSHA256: String
    public var normalizerVersion: Int
    /// The text and metadata, as normalized.
    public var text: Article
}

/// One received file.
public struct ReceiptRecord: Sendable, Hashable {
    public var id: Int64
    public var fileName: String
    public var arrivedAt: String
    public var size: Int64
    public var rawSHA256: String
    public var format: String?
    public var charset: String?
    public var decision: Decision
    public var reason: String?
    public var article: Int64?
    public var version: Int64?
    public var similarity: Double?
    public var archivePath: String
    public var state: String
    /// For an item of a file of several: its position (the other fields are the item's decision).
    public var item: Int? = nil
}
