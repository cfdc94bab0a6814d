public import CopydeskCore

/// One article with all its versions and receipts, as `copydesk show` prints it.
public struct ArticleRecord: Sendable, Hashable {
    public var id: Int64
    public var createdAt: String
    public var latestVersion: Int64?
    /// Oldest first.
    public var versions: [VersionRecord]
    /// Every file that was recorded against the article (new article, new version, duplicate),
    /// oldest first.
    public var receipts: [ReceiptRecord]
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
}
