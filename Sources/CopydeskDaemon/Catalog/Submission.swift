public import CopydeskCore

/// One read and normalized file, ready for the catalog to decide on and record.
public struct Submission: Sendable {
    public var origin: ReceiptOrigin
    /// The name shown in the log: the path relative to the Inbox, or as given to `ingest`.
    public var fileName: String
    /// The absolute path the file was read from.
    public var sourcePath: String
    public var identity: FileIdentity
    public var rawSHA256: String
    /// When the file was taken, ISO 8601.
    public var arrivedAt: String
    /// The normalized article with its hash and fingerprint (computed with the submission, in the
    /// parallel part of the pipeline, so that the serialized decision only looks them up), or the
    /// reason the file is rejected.
    public var content: Result<PreparedArticle, CopydeskError>
    /// For a file that holds several items (a G2 newsMessage, a ninjs array, several 7901
    /// messages): each item's article or rejection, in the file's order, each decided on its own;
    /// nil for a file of one item (``content``).
    public var items: [Result<PreparedArticle, CopydeskError>]?
    /// Where the original bytes are kept, relative to the Archive root.
    public var archivePath: String
    /// Whether the bytes were written to ``archivePath`` before the decision (`copydesk ingest`,
    /// which leaves the source in place): the receipt is then recorded as archived at once, in the
    /// transaction that follows a flush of the Archive.
    public var isArchived = false
    /// The node deciding it (``NodeIdentity``), recorded with the receipt.
    public var node: String?

    public init(
        origin: ReceiptOrigin,
        fileName: String,
        sourcePath: String,
        identity: FileIdentity,
        rawSHA256: String,
        arrivedAt: String,
        content: Result<Article, CopydeskError>,
        archivePath: String
    ) {
        self.origin = origin
        self.fileName = fileName
        self.sourcePath = sourcePath
        self.identity = identity
        self.rawSHA256 = rawSHA256
        self.arrivedAt = arrivedAt
        self.content = content.map { PreparedArticle($0) }
        self.archivePath = archivePath
    }

    /// A file of one item or several (``Normalizer/normalizeItems(_:deadline:)``'s results).
    public init(
        origin: ReceiptOrigin,
        fileName: String,
        sourcePath: String,
        identity: FileIdentity,
        rawSHA256: String,
        arrivedAt: String,
        items: [Result<Article, CopydeskError>],
        archivePath: String
    ) {
        self.init(
            origin: origin, fileName: fileName, sourcePath: sourcePath, identity: identity, rawSHA256: rawSHA256,
            arrivedAt: arrivedAt,
            content: items.first ?? .failure(CopydeskError(.emptyInput, "no item")), archivePath: archivePath)
        if items.count > 1 { self.items = items.map { $0.map { PreparedArticle($0) } } }
    }

    /// Whether every item of the file is rejected (then the file is quarantined).
    public var isRejectedWhole: Bool {
        let all = items ?? [content]
        return !all.contains { if case .success = $0 { true } else { false } }
    }
}
