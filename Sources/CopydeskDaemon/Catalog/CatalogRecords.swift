public import CopydeskCore

/// What copydesk decided about one received file.
public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
    case newArticle = "new-article"
    case newVersion = "new-version"
    case duplicate
    case rejected
}

/// The kinds of entries in the ingestion log.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case received
    case newArticle = "new-article"
    case newVersion = "new-version"
    case duplicate
    case rejected
    case archived
    case error
    case started
    case stopped
    /// `copydesk reprocess` changed what an archived original stands for (a new version, better
    /// metadata, a rejection by the current normalizer).
    case reprocessed
    /// An agency withdrew an article (a `canceled` item, a kill signal): it stays, marked killed.
    case killed
    /// An article showed that two stories are one event: the older id resolves to the story it
    /// was merged into.
    case storyMerged = "story-merged"
    /// `copydesk regroup` cleared the stories to group every article again (the story ids before it
    /// are gone), or finished doing so (with its counts).
    case regrouped

    init(_ decision: Decision) {
        switch decision {
        case .newArticle: self = .newArticle
        case .newVersion: self = .newVersion
        case .duplicate: self = .duplicate
        case .rejected: self = .rejected
        }
    }

    /// Whether this kind is one of the four decisions every received file gets exactly one of.
    public var isDecision: Bool {
        switch self {
        case .newArticle, .newVersion, .duplicate, .rejected: true
        default: false
        }
    }
}

/// Where a receipt's file came from: dropped into the watched Inbox (and moved out of it), or named
/// to `copydesk ingest` (and left in place).
public enum ReceiptOrigin: String, Sendable, Hashable {
    case inbox
    case ingest
}

/// The identity of a file on disk at the moment it was read: enough to recognise the same file after
/// a crash, and to notice a file that changed while it was being read.
public struct FileIdentity: Sendable, Hashable {
    public var size: Int64
    public var modificationTimeNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64

    public init(size: Int64, modificationTimeNanoseconds: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.inode = inode
        self.device = device
    }
}

/// One entry of the ingestion log, as `copydesk log` prints it.
public struct IngestEvent: Sendable, Hashable {
    public var id: Int64
    /// ISO 8601 UTC with milliseconds.
    public var time: String
    public var kind: EventKind
    /// The original file name (relative to the Inbox, or as given to `ingest`).
    public var file: String?
    public var article: Int64?
    public var version: Int64?
    public var similarity: Double?
    public var message: String?
    /// For a decision on an agency item: `declared` when its declared id or links decided,
    /// `content` when its text did; nil for other files and other events.
    public var basis: String? = nil
    /// For a decision on one item of a file of several: its position in the file.
    public var item: Int? = nil
    /// For a decision on an article (and a story merge): its story at the time.
    public var story: Int64? = nil
}

/// The totals `copydesk status` shows.
public struct CatalogCounts: Sendable, Hashable {
    public var articles: Int
    public var versions: Int
    public var receipts: Int
    public var duplicates: Int
    public var rejected: Int
    /// Articles an agency withdrew.
    public var killed: Int = 0
    /// Live stories (not merged away).
    public var stories: Int = 0
    /// A regroup begun and not finished (`copydesk regroup` continues it); nil when none.
    public var regroup: RegroupProgress?
}

/// A receipt whose file is recorded in the catalog but not yet archived (see crash recovery in
/// DESIGN.md).
public struct PendingReceipt: Sendable, Hashable {
    public var id: Int64
    public var origin: ReceiptOrigin
    public var fileName: String
    public var sourcePath: String
    public var identity: FileIdentity
    public var rawSHA256: String
    public var decision: Decision
    public var archivePath: String
    /// The node that recorded it (nil: a catalog of one daemon, before nodes were recorded).
    public var node: String?
}

/// The outcome of committing one file: its decision and the ids it was recorded under.
public struct CommitResult: Sendable, Hashable {
    public var receiptID: Int64
    public var decision: Decision
    public var article: Int64?
    public var version: Int64?
    public var similarity: Double?
    /// For a new version: the version it was matched with, and how it relates to it.
    public var parentVersion: Int64?
    public var relation: VersionRelation?
    /// Why: the rejection reason, or what a duplicate or new version matched.
    public var message: String?
    public var archivePath: String
    /// For an agency item: what decided (``Verdict/basis``).
    public var basis: String?
    /// The item's position in its file, for a file of several items.
    public var item: Int?
    /// The story of the decision's article.
    public var story: Int64?
    /// For a file of several items: each item's result, in order (this result then sums them up:
    /// `rejected` when every item is, else the first accepted item's decision).
    public var items: [CommitResult]?

    /// The decisions this result stands for: each item's, or its own.
    public var decisions: [CommitResult] { items ?? [self] }
}

/// One article found by `copydesk search`.
public struct SearchHit: Sendable, Hashable {
    public var article: Int64
    public var version: Int64
    public var title: String?
    /// The title, or the first words of the text when it has none (``DisplayTitle``).
    public var displayTitle: String?
    public var site: String?
    public var published: String?
    /// A passage of the body around the matches, each match between ``SearchHit/matchStart`` and
    /// ``SearchHit/matchEnd``.
    public var snippet: String
    /// The bm25 rank: lower is better.
    public var rank: Double
    /// When its agency withdrew it (killed articles are found, and flagged).
    public var killedAt: String? = nil
    /// The embargo its newest agency item declared, if any (``WireMetadata/isEmbargoed(at:)``).
    public var embargo: String? = nil

    /// Marks around a match in ``snippet`` (control characters that never occur in article text).
    public static let matchStart = "\u{2}"
    public static let matchEnd = "\u{3}"
}

/// One archived original that `copydesk reprocess` reads again: the first receipt of those bytes
/// that was accepted, and the version that holds their text now.
public struct ReprocessTarget: Sendable, Hashable {
    public var receiptID: Int64
    public var fileName: String
    public var rawSHA256: String
    /// Where the original lies, relative to the Archive root.
    public var archivePath: String
    /// The version that holds the original's text now: the receipt's own, or the one an earlier
    /// reprocess moved it to.
    public var version: Int64
}

/// What re-normalizing one original changed.
public enum ReprocessOutcome: String, Sendable, Hashable, CaseIterable {
    /// The current normalizer gives the same text and metadata.
    case unchanged
    /// The same text, with different metadata (title, byline, date, site, URL, language): the
    /// version this original created is updated in place.
    case metadata
    /// A different text: recorded as a new version of the same article, whose parent is the old one.
    case newVersion = "new-version"
    /// A different text that the catalog already held as another version.
    case knownText = "known-text"
    /// The current normalizer rejects the original; the old version stays.
    case nowRejected = "now-rejected"
}

/// The result of re-normalizing one original.
public struct ReprocessResult: Sendable, Hashable {
    public var target: ReprocessTarget
    public var outcome: ReprocessOutcome
    public var article: Int64
    /// The version that holds the original's text now.
    public var version: Int64
    /// For a new version: the similarity (Jaccard, over word shingles) to the version it replaces.
    public var similarity: Double?
    public var message: String?
}
