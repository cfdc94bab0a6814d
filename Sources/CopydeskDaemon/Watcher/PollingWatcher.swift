#if canImport(Glibc)
internal import Glibc
#endif
public import Logging

/// Watches the Inbox by listing it every few seconds, for network shares (NFS, SMB) where inotify
/// sees no changes made by other machines.
///
/// A file is ready when two listings at least ``settleInterval`` apart saw the same size and
/// modification time (DESIGN.md, "Numbers"): a file still being copied keeps changing and waits.
public final class PollingWatcher: InboxChanges {
    /// The shortest time between the two equal observations that make a file ready.
    public static let settleInterval: Duration = .seconds(2)

    public let inbox: String
    private let queue: BatchQueue

    /// Starts polling `inbox` every `interval`.
    public init(inbox: String, interval: Duration, logger: Logger) {
        self.inbox = inbox
        let queue = BatchQueue(inbox: inbox, logger: logger)
        self.queue = queue
        let poller = Poller(inbox: inbox, interval: interval, queue: queue)
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
}

/// The polling loop, on its own thread.
private final class Poller: @unchecked Sendable {
    struct Observation: Equatable {
        var size: Int64
        var modified: Int64
        var seenAt: ContinuousClock.Instant

        static func == (lhs: Observation, rhs: Observation) -> Bool {
            lhs.size == rhs.size && lhs.modified == rhs.modified
        }
    }

    let inbox: String
    let interval: Duration
    let queue: BatchQueue
    /// The first time each file was seen with its current size and mtime. Only the poll thread
    /// touches it.
    var observed = [String: Observation]()
    /// Whether the Inbox folder was missing at the last poll.
    var inboxMissing = false

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
        var status = stat()
        let exists = stat(inbox, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        if exists == inboxMissing {
            inboxMissing = !exists
            if exists {
                queue.notice("the Inbox folder is back; watching it again")
            } else {
                queue.error("the Inbox folder is missing; files cannot arrive until it exists again")
            }
        }
        let now = ContinuousClock.now
        var ready = [String]()
        var current = [String: Observation]()
        for name in InboxScanner.scan(inbox) {
            var status = stat()
            guard lstat("\(inbox)/\(name)", &status) == 0 else { continue }
            var observation = Observation(
                size: Int64(status.st_size),
                modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec), seenAt: now)
            if let previous = observed[name], previous == observation {
                observation.seenAt = previous.seenAt
                if now - previous.seenAt >= PollingWatcher.settleInterval {
                    ready.append(name)
                }
            }
            current[name] = observation
        }
        observed = current
        if !ready.isEmpty {
            queue.report(files: ready, rescan: false)
        }
    }
}
