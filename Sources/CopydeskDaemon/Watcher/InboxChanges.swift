/// A source of "these Inbox files are ready" batches: inotify (``InboxWatcher``) or polling
/// (``PollingWatcher``), so that the service does not care which one runs.
public protocol InboxChanges: Sendable {
    /// Waits for the next batch of changes; `nil` once ``stop()`` was called.
    func next() async -> InboxBatch?
    /// Asks for a full rescan of the Inbox (SIGHUP, a deferred file).
    func requestRescan()
    /// Stops; a waiting ``next()`` returns `nil`.
    func stop()
    /// Whether ``stop()`` was called.
    var isStopped: Bool { get }
    /// Whether the file at `relativePath` (to the Inbox) may be taken now: a file a writer still
    /// holds open never is, whatever made the service look (a rescan, a close event).
    func readiness(of relativePath: String) -> Readiness
    /// The files known to be open for writing, oldest first (`status`, `STATUS=`).
    func openForWriting() -> [OpenFile]
    /// Returns once every change made before the call is known to ``readiness(of:)``.
    func catchUp() async
}

/// What changed in the Inbox since the last batch.
public struct InboxBatch: Sendable, Hashable {
    /// Paths relative to the Inbox of files that became ready.
    public var files: [String] = []
    /// Whether the whole Inbox should be scanned (start, overflow, new subfolder, SIGHUP).
    public var rescan = false

    public init(files: [String] = [], rescan: Bool = false) {
        self.files = files
        self.rescan = rescan
    }

    var isEmpty: Bool { files.isEmpty && !rescan }
}
