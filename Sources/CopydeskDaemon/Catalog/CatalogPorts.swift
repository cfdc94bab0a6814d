public import CopydeskCore

/// What the pipeline, the watch service and `reprocess` write to a catalog, whatever its engine.
///
/// Every decision is made by ``Decider`` inside the backend's write transaction that records it
/// (two copies of one text arriving together, on one node or several, never both become new
/// articles); a backend supplies the lookups (``CatalogLookup``) and the inserts.
public protocol CatalogStore: AnyObject, Sendable {
    /// Where the catalog is, for messages: a file path, or a connection URL without its password.
    var location: String { get }
    /// How long one write may wait for other writers before it fails (the service's stop timeout
    /// allows for it).
    var busyTimeout: Duration { get }
    /// How each new article is assigned to a story in its decision's transaction (its window is
    /// `--story-window`).
    var storyAssigner: StoryAssigner { get }

    /// Decides on each submission in order (each decision sees the ones before it) and records them,
    /// in one transaction. The receipts are left `committed` (or `archived` for a submission whose
    /// bytes were stored before the decision).
    ///
    /// - Parameters:
    ///   - archived: receipts of earlier files that now lie in the Archive, marked in the same
    ///     transaction.
    ///   - beforeRecording: run before anything is written (the Archive's flush, which must precede
    ///     receipts recorded as archived); when it throws, nothing is.
    func commit(
        batch submissions: [Submission], markingArchived archived: [Int64],
        beforeRecording: (@Sendable () throws -> Void)?
    ) async throws(CopydeskError) -> [CommitResult]

    /// Records that these receipts' files now lie at their archive paths, in one transaction.
    func markArchived(receiptIDs: [Int64]) async throws(CopydeskError)

    /// The receipts whose file is recorded but not yet archived, oldest first.
    func pendingReceipts() async throws(CopydeskError) -> [PendingReceipt]

    /// Appends an entry that is not about a decision (daemon `started`/`stopped`, an `error`).
    func recordEvent(_ kind: EventKind, file: String?, message: String?) async throws(CopydeskError)

    /// Records what the current normalizer made of each original, in one transaction (see
    /// ``ReprocessOutcome``), with a `reprocessed` event for every original whose outcome is not
    /// `unchanged`. Never adds a receipt.
    ///
    /// - Parameter dryRun: work everything out, then roll the transaction back.
    func recordReprocessed(
        _ items: [(target: ReprocessTarget, content: Result<PreparedArticle, CopydeskError>)], dryRun: Bool
    ) async throws(CopydeskError) -> [ReprocessResult]

    /// Records that this node runs (or still runs): its row in the catalog's list of nodes,
    /// refreshed while it watches.
    func recordNode(_ node: NodeRecord) async throws(CopydeskError)

    /// Starts regrouping the catalog into stories (``Regrouper``), in one transaction: the stories,
    /// their terms, the term counts and every article's story cleared, the progress recorded (the
    /// articles up to the newest now, with `window`) and a `regrouped` event. An unfinished regroup
    /// is continued instead (its progress returned as is, `resumed`), unless `restart`.
    func beginRegroup(window: Duration, restart: Bool) async throws(CopydeskError) -> RegroupProgress

    /// Re-assigns the next `limit` articles of the regroup begun (in id order, each as its decision
    /// would, by `assigner`, from its first version's title and text at its published time, else its
    /// arrival) in one transaction that records the progress; the one that re-assigns the last
    /// article records the finish (a `regrouped` event with the counts).
    ///
    /// - Throws: ``CopydeskError`` `.usage` when no regroup was begun, or the one begun groups with
    ///   another window than `assigner`'s (``RegroupProgress/check(_:)``).
    func regroup(batchOf limit: Int, assigner: StoryAssigner) async throws(CopydeskError) -> RegroupProgress

    /// The live stories a merge pass checks (``StoryMergePass``), with their article counts, and the
    /// newest event id (where the next pass over changes starts).
    func storiesToCheck(_ scope: StoryPassScope) async throws(CopydeskError) -> StoriesToCheck

    /// Checks one story for a merge (``StoryMergeCheck``, by `assigner`'s rules) and applies the
    /// merge it finds, with its `story-merged` event, in one transaction.
    ///
    /// - Returns: the merge applied; nil when the story stays as it is (or no longer lives).
    func checkStoryMerge(_ story: Int64, assigner: StoryAssigner) async throws(CopydeskError) -> StoryMerge?

    /// Lets go of the catalog's connections (a server's are closed cleanly); nothing is used after.
    func close() async
}

extension CatalogStore {
    public func commit(_ submission: Submission) async throws(CopydeskError) -> CommitResult {
        try await commit(batch: [submission], markingArchived: [], beforeRecording: nil)[0]
    }

    public func commit(batch submissions: [Submission]) async throws(CopydeskError) -> [CommitResult] {
        try await commit(batch: submissions, markingArchived: [], beforeRecording: nil)
    }

    public func recordEvent(_ kind: EventKind, message: String? = nil) async throws(CopydeskError) {
        try await recordEvent(kind, file: nil, message: message)
    }
}

/// What the commands read from a catalog, whatever its engine: the log, the totals, articles and
/// versions, search, the Archive's expected contents and the originals `reprocess` reads again.
public protocol CatalogReader: AnyObject, Sendable {
    /// Where the catalog is, for messages.
    var location: String { get }

    /// The newest `limit` events that pass `filter` (all when `limit` is 0), oldest first.
    func events(_ filter: EventFilter, limit: Int) async throws(CopydeskError) -> [IngestEvent]

    /// Returns once events newer than `afterID` may exist, or after `timeout` (a backend that can be
    /// told of new events wakes at once; one that cannot polls).
    func waitForEvents(after afterID: Int64, timeout: Duration) async throws(CopydeskError)

    /// The newest `limit` decisions (new-article, new-version, duplicate, rejected), oldest first.
    func recentDecisions(limit: Int) async throws(CopydeskError) -> [IngestEvent]

    /// How many files arrived at or after `since` (ISO 8601 UTC).
    func receiptCount(since: String) async throws(CopydeskError) -> Int

    /// The totals of the catalog.
    func counts() async throws(CopydeskError) -> CatalogCounts

    /// The article a reference names: an article id, a SHA-256 prefix of at least 8 hex digits (of a
    /// file's bytes or of a version's canonical text), or a file name as logged (or its last path
    /// component).
    ///
    /// - Throws: ``CopydeskError`` `.usage` when nothing or several articles match, or the file was
    ///   rejected (the message says which).
    func resolveArticle(_ reference: String) async throws(CopydeskError) -> Int64

    /// The article with its versions and receipts, or nil when there is no such article.
    func article(_ id: Int64) async throws(CopydeskError) -> ArticleRecord?

    /// One version, or nil when there is no such version.
    func version(_ id: Int64) async throws(CopydeskError) -> VersionRecord?

    /// The articles whose current version matches `query`, best first: all of its words (`word*` a
    /// prefix), `"quoted phrases"` as phrases, `OR` between words for either.
    ///
    /// - Throws: ``CopydeskError`` `.usage` for a query with nothing to search for.
    func search(_ query: String, limit: Int) async throws(CopydeskError) -> [SearchHit]

    /// Every distinct archive path of an archived receipt, with its raw SHA-256 and one file name
    /// that arrived as it, in path order.
    func archivedFiles() async throws(CopydeskError) -> [ArchivedFile]

    /// The originals that the current normalizer has not read yet, in arrival order, after receipt
    /// `after`: one per distinct raw hash, taken from its first archived, accepted receipt, whose
    /// text was produced by an older normalizer (by the version it belongs to, or by the last
    /// reprocess of those bytes).
    func reprocessTargets(after: Int64, limit: Int) async throws(CopydeskError) -> [ReprocessTarget]

    /// How many originals ``reprocessTargets(after:limit:)`` has in all.
    func reprocessTargetCount() async throws(CopydeskError) -> Int

    /// The daemons that have watched an Inbox into this catalog, most recently seen first.
    func nodes() async throws(CopydeskError) -> [NodeRecord]

    /// The live stories (not merged away), newest activity first: those active at or after `since`
    /// (ISO 8601 UTC) when given, at most `limit` (all when 0).
    func stories(since: String?, limit: Int) async throws(CopydeskError) -> [StorySummary]

    /// A story with its articles (a merged-away id resolves to the story it was merged into), or nil
    /// when there is no such story.
    func story(_ id: Int64) async throws(CopydeskError) -> StoryRecord?

    /// Lets go of the catalog's connections; nothing is used after.
    func close() async
}

extension CatalogReader {
    /// The newest `limit` events (all when `limit` is 0), oldest first, optionally of one kind only.
    public func events(limit: Int = 100, kind: EventKind? = nil, file: String? = nil) async throws(CopydeskError)
        -> [IngestEvent]
    {
        try await events(EventFilter(kind: kind, file: file), limit: limit)
    }

    /// The newest event, if any.
    public func lastEvent() async throws(CopydeskError) -> IngestEvent? {
        try await events(limit: 1).last
    }
}

/// A catalog the daemon writes and the commands read.
public typealias CatalogBackend = CatalogStore & CatalogReader

/// Which events `log` shows.
public struct EventFilter: Sendable, Hashable {
    /// Only this kind.
    public var kind: EventKind?
    /// Only events about this file (its name as logged).
    public var file: String?
    /// Only events at or after this time (ISO 8601 UTC, as stored).
    public var since: String?
    /// Only events with a larger id (to follow the log).
    public var afterID: Int64?

    public init(kind: EventKind? = nil, file: String? = nil, since: String? = nil, afterID: Int64? = nil) {
        self.kind = kind
        self.file = file
        self.since = since
        self.afterID = afterID
    }
}

/// One original the Archive must hold.
public struct ArchivedFile: Sendable, Hashable {
    /// The path relative to the Archive root.
    public var path: String
    public var sha256: String
    /// One name it arrived under.
    public var fileName: String

    public init(path: String, sha256: String, fileName: String) {
        self.path = path
        self.sha256 = sha256
        self.fileName = fileName
    }
}

/// A daemon that watches an Inbox into a catalog (one of several sharing a PostgreSQL catalog).
public struct NodeRecord: Sendable, Hashable {
    /// Unique among the catalog's nodes (`watch --node`; by default HOST:INBOX).
    public var name: String
    public var host: String
    public var pid: Int32
    public var inbox: String
    /// ISO 8601 UTC.
    public var startedAt: String
    public var lastSeen: String

    public init(name: String, host: String, pid: Int32, inbox: String, startedAt: String, lastSeen: String) {
        self.name = name
        self.host = host
        self.pid = pid
        self.inbox = inbox
        self.startedAt = startedAt
        self.lastSeen = lastSeen
    }
}
