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
    /// The normalized article, or the reason the file is rejected.
    public var content: Result<Article, CopydeskError> {
        didSet { fingerprint = Self.fingerprint(of: content) }
    }
    /// The article's fingerprint, computed with the submission (in the parallel part of the pipeline)
    /// so that the serialized decision only looks it up.
    public private(set) var fingerprint: Fingerprint?
    /// Where the original bytes are kept, relative to the Archive root.
    public var archivePath: String

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
        self.content = content
        self.archivePath = archivePath
        self.fingerprint = Self.fingerprint(of: content)
    }

    private static func fingerprint(of content: Result<Article, CopydeskError>) -> Fingerprint? {
        guard case .success(let article) = content else { return nil }
        return Fingerprint(article)
    }
}
