#if canImport(Glibc)
internal import Glibc
#endif
public import Logging
internal import Synchronization

/// Watches the Inbox by listing it every few seconds, for network shares (NFS, SMB) where inotify
/// sees no changes made by other machines.
///
/// A file is ready when two listings at least ``settleInterval`` apart saw the same size and
/// modification time (DESIGN.md, "Numbers"): a file still being copied keeps changing and waits.
/// Where the kernel answers a read lease (a local writer, a file the daemon may lease), a file a
/// writer still holds open waits for its close even when it stopped changing (``WriterProbe``);
/// on a network share the kernel cannot know about writers on other machines, and the settle rule
/// is all there is.
public final class PollingWatcher: InboxChanges {
    /// The shortest time between the two equal observations that make a file ready.
    public static let settleInterval: Duration = .seconds(2)

    public let inbox: String
    private let queue: BatchQueue
    private let poller: Poller

    /// Starts polling `inbox` every `interval`.
    public init(inbox: String, interval: Duration, logger: Logger) {
        self.inbox = inbox
        let queue = BatchQueue(inbox: inbox, logger: logger)
        self.queue = queue
        let poller = Poller(inbox: inbox, interval: interval, queue: queue)
        self.poller = poller
        _ = Thread.start { poller.run() }
    }

    deinit {
        queue.stop()
    }

    public func next() async -> InboxBatch? { await queue.next() }
    public func stop() { queue.stop() }
    public var isStopped: Bool { queue.isStopped }

    /// Polls again at once.
    public func requestRescan() { queue.wakePoller() }

    public func readiness(of relativePath: String) -> Readiness { poller.readiness(of: relativePath) }

    public func openForWriting() -> [OpenFile] { poller.openFiles() }

    /// Nothing to catch up with: readiness comes from the polls themselves.
    public func catchUp() async {}
}

/// The polling loop, on its own thread.
private final class Poller: Sendable {
    struct Observation: Equatable {
        var size: Int64
        var modified: Int64
        var seenAt: ContinuousClock.Instant
        /// Since when (ns since the epoch) the file is seen changing, while it is.
        var changingSince: Int64?
        /// Since when a read lease says a writer holds it open, while it does.
        var writerSince: Int64?

        static func == (lhs: Observation, rhs: Observation) -> Bool {
            lhs.size == rhs.size && lhs.modified == rhs.modified
        }

        var isSettled: Bool { ContinuousClock.now - seenAt >= PollingWatcher.settleInterval }
    }

    let inbox: String
    let interval: Duration
    let queue: BatchQueue
    /// The first time each file was seen with its current size and mtime.
    private let observed = Mutex([String: Observation]())
    /// Whether the Inbox folder was missing at the last poll. Only the poll thread touches it.
    private let inboxMissing = Mutex(false)

    init(inbox: String, interval: Duration, queue: BatchQueue) {
        self.inbox = inbox
        self.interval = interval
        self.queue = queue
    }

    func run() {
        while !queue.isStopped {
            poll()
            queue.waitForPollerWake(timeout: interval)
        }
    }

    func poll() {
        let exists = FileName.status(inbox).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
        let changed = inboxMissing.withLock { missing in
            defer { missing = !exists }
            return exists == missing
        }
        if changed {
            if exists {
                queue.notice("the Inbox folder is back; watching it again")
            } else {
                queue.error("the Inbox folder is missing; files cannot arrive until it exists again")
            }
        }
        let now = ContinuousClock.now
        let wallClock = Clock.realtimeNanoseconds()
        var ready = [String]()
        var current = [String: Observation]()
        let previous = observed.withLock { $0 }
        for name in InboxScanner.scan(inbox) {
            let path = "\(inbox)/\(name)"
            guard let status = FileName.linkStatus(path) else { continue }
            var observation = Observation(
                size: Int64(status.st_size), modified: Clock.nanoseconds(status.st_mtim), seenAt: now)
            if let earlier = previous[name] {
                if earlier == observation {
                    observation = earlier
                    if observation.isSettled {
                        // Settled, unless the kernel says a writer still holds it open.
                        if WriterProbe.probe(path) == .writer {
                            observation.writerSince = observation.writerSince ?? wallClock
                        } else {
                            observation.writerSince = nil
                            observation.changingSince = nil
                            ready.append(name)
                        }
                    }
                } else {
                    observation.changingSince = earlier.changingSince ?? wallClock
                }
            }
            current[name] = observation
        }
        observed.withLock { $0 = current }
        if !ready.isEmpty {
            queue.report(files: ready, rescan: false)
        }
    }

    /// A file is ready once two polls at least the settle interval apart saw it unchanged and no
    /// writer is known to hold it open.
    func readiness(of relativePath: String) -> Readiness {
        guard let observation = observed.withLock({ $0[relativePath] }), observation.isSettled else {
            return .settling
        }
        if let since = observation.writerSince { return .writing(since: since) }
        return .ready
    }

    /// Files a read lease says are open for writing, and files seen changing from one poll to the
    /// next (a copy in progress).
    func openFiles() -> [OpenFile] {
        observed.withLock { observed in
            observed.compactMap { name, observation in
                (observation.writerSince ?? observation.changingSince).map { OpenFile(file: name, since: $0) }
            }
        }.sorted { ($0.since, $0.file) < ($1.since, $1.file) }
    }
}
