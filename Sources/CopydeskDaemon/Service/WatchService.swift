#if canImport(Glibc)
internal import Glibc
#endif
internal import CopydeskCore
public import Logging
public import ServiceLifecycle
internal import Synchronization
internal import UnixSignals

/// The daemon: takes what waits in the Inbox, then every file that arrives, until a graceful
/// shutdown (SIGTERM, SIGINT) ends it after the files in hand. SIGHUP rescans the Inbox.
///
/// Under systemd it speaks the notify protocol: `READY=1` once the startup scan is done, `STATUS=`
/// with counts after each batch, `WATCHDOG=1` at half of `$WATCHDOG_USEC` while the pipeline makes
/// progress, and `STOPPING=1` on shutdown.
///
/// Faults that pass (a full or read-only Archive, a catalog locked by another writer, an Inbox
/// removed for a while) never stop it: a file it could not record or archive stays in the Inbox,
/// the error is logged with the file and the reason, and the Inbox is rescanned after 1 s, then
/// after twice as long each time the fault is still there, up to every 60 s; the first batch that
/// fails nothing brings the delay back to 1 s. A file recorded but not archived is only archived
/// on the retry (its receipt is kept pending), never decided twice.
///
/// While it waits for a fault to clear, the service keeps pinging the watchdog: it is alive, and a
/// restart by systemd would not free a disk or release a lock, only add restarts to the journal.
/// `STATUS=` says what it waits for. The watchdog catches hangs: a batch that produces no outcome
/// for ``stallLimit``. A damaged catalog file is the one fault that does not pass by itself: the
/// service stops and throws (exit 1), leaving the file as it is for an operator.
public struct WatchService: Service {
    /// How the service learns about new files.
    public enum Mode: Sendable, Hashable {
        /// inotify: immediate, local file systems.
        case inotify
        /// Listing the Inbox at this interval: network shares, where inotify is blind.
        case poll(Duration)
    }

    /// A file that nothing can tell about yet (``Readiness/settling``) is looked at again after
    /// this long.
    public static let scanSettle: Duration = .seconds(1)
    /// How often the files open for writing are looked at for `status` and `STATUS=`.
    public static let openFilesInterval: Duration = .seconds(1)
    /// With no progress for this long while files are in hand, the watchdog stops pinging and
    /// systemd restarts the service; longer when the file time limit and the catalog's busy timeout
    /// let a batch take longer (see ``stallLimit``).
    public static let minimumStallLimit: Duration = .seconds(120)
    /// The first and the longest delay before a retry after a failure.
    public static let firstRetry: Duration = .seconds(1)
    public static let longestRetry: Duration = .seconds(60)

    public let inbox: String
    public let mode: Mode
    let pipeline: Pipeline
    let notifier: SystemdNotifier
    let logger: Logger
    let onOutcome: (@Sendable (Pipeline.Outcome) -> Void)?
    /// Where to write the pipeline's metrics every ``metricsInterval`` (needs `pipeline.metrics`).
    public var metricsFile: String?
    /// Where the records `status` reads are kept (the node's folder, ``DaemonLock/folder``; the
    /// Archive's root when nothing else is given).
    public var recordsFolder: String?
    /// This node's claims on a shared Inbox (``InboxClaims``); nil when the Inbox is its alone.
    public var claims: InboxClaims?
    private var recordFolder: String { recordsFolder ?? pipeline.archive.root }
    /// The name this daemon has among the catalog's nodes; its row is refreshed every
    /// ``nodeInterval``.
    public var nodeName: String?
    /// How often the nodes of a shared Inbox look for files a dead node had claimed.
    public static let deadNodeInterval: Duration = .seconds(2)
    /// How often the node's row says it still runs.
    public static let nodeInterval: Duration = .seconds(15)
    public static let metricsInterval: Duration = .seconds(5)
    /// How long the pipeline must have been idle before a merge pass over the stories changed since
    /// the last one (``StoryMergePass``), and how often that is looked at.
    public static let storyPassQuiet: Duration = .seconds(2)
    private let progress = Progress()
    private let retry = RetrySchedule(first: WatchService.firstRetry, longest: WatchService.longestRetry)
    private let rescans = RescanTimer()

    /// - Parameter onOutcome: called with every file's outcome, on the service's task (metrics,
    ///   benchmarks).
    public init(
        inbox: String, pipeline: Pipeline, mode: Mode = .inotify,
        notifier: SystemdNotifier = SystemdNotifier(environment: [:]), logger: Logger,
        onOutcome: (@Sendable (Pipeline.Outcome) -> Void)? = nil
    ) {
        self.inbox = inbox
        self.pipeline = pipeline
        self.mode = mode
        self.notifier = notifier
        self.logger = logger
        self.onOutcome = onOutcome
    }

    public func run() async throws {
        let changes: any InboxChanges =
            switch mode {
            case .inotify: try InboxWatcher(inbox: inbox, logger: logger)
            case .poll(let interval): PollingWatcher(inbox: inbox, interval: interval, logger: logger)
            }
        let modeText =
            switch mode {
            case .inotify: "inotify"
            case .poll(let interval): "polling every \(interval)"
            }
        try? await pipeline.catalog.recordEvent(.started, message: "watching \(inbox) (\(modeText), pid \(getpid()))")
        logger.info("watching \(inbox) (\(modeText))", metadata: ["copydesk.inbox.path": "\(inbox)"])
        await pipeline.recoverPendingReceipts()
        // A list left by a daemon that was killed is not this one's.
        try? OpenFilesRecord.write([], folder: recordFolder)
        let startup = await scan(changes)
        if let damaged = startup.damaged {
            // Nothing to retry: the catalog file needs an operator.
            changes.stop()
            logger.critical("\(damaged.detailedDescription())")
            throw damaged
        }
        scheduleRetry(after: startup, rescan: true, changes)
        notifier.ready(status: progress.status())

        let damaged = await withTaskGroup(of: Void.self, returning: CopydeskError?.self) { group in
            group.addTask {
                await rescans.run { kinds in
                    if kinds.contains(.retry) { retry.fired() }
                    if !changes.isStopped { changes.requestRescan() }
                }
            }
            if let claims {
                // A node that dies leaves its claimed files: the others look every few seconds.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.deadNodeInterval)
                        if claims.deadNodesHoldFiles(), !changes.isStopped { changes.requestRescan() }
                    }
                }
            }
            if let nodeName {
                let node = NodeIdentity(name: nodeName, inbox: inbox)
                group.addTask {
                    while !Task.isCancelled {
                        try? await pipeline.catalog.recordNode(node.record(seenAt: Timestamp.now()))
                        try? await Task.sleep(for: Self.nodeInterval)
                    }
                }
            }
            if let interval = notifier.watchdogInterval {
                group.addTask { await watchdog(every: interval / 2) }
            }
            if let metricsFile, let metrics = pipeline.metrics {
                group.addTask {
                    while !Task.isCancelled {
                        writeMetrics(metrics, to: metricsFile)
                        try? await Task.sleep(for: Self.metricsInterval)
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if publishOpenFiles(changes) { notifier.status(progress.status()) }
                    try? await Task.sleep(for: Self.openFilesInterval)
                }
            }
            group.addTask {
                // The merge pass, when nothing else is going on: first over every active story (what
                // changed before this start, e.g. before a crash, included), then over the stories
                // that changed since the last pass.
                let pass = StoryMergePass(catalog: pipeline.catalog, assigner: pipeline.catalog.storyAssigner)
                var scope = StoryPassScope.activeSince(pass.assigner.activeSince(Timestamp.now()))
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.storyPassQuiet)
                    guard progress.isIdle(for: Self.storyPassQuiet), !changes.isStopped else { continue }
                    do {
                        let (merges, last) = try await pass.run(scope)
                        if merges > 0 {
                            logger.info("merge pass: \(merges) stor\(merges == 1 ? "y" : "ies") merged")
                        }
                        scope = .changedAfterEvent(last)
                    } catch {
                        logger.warning("the stories' merge pass failed: \((error as? CopydeskError)?.detailedDescription() ?? "\(error)")")
                    }
                }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    logger.info("SIGHUP: rescanning the Inbox", metadata: ["copydesk.inbox.path": "\(inbox)"])
                    changes.requestRescan()
                }
            }
            let damaged = await withGracefulShutdownHandler { () -> CopydeskError? in
                while let batch = await changes.next() {
                    let summary = batch.rescan ? await scan(changes) : await take(batch.files, changes)
                    if let damaged = summary.damaged {
                        changes.stop()
                        return damaged
                    }
                    scheduleRetry(after: summary, rescan: batch.rescan, changes)
                    notifier.status(progress.status())
                }
                return nil
            } onGracefulShutdown: {
                notifier.stopping(status: "stopping after the files in hand")
                changes.stop()
            }
            group.cancelAll()
            return damaged
        }
        if let metricsFile, let metrics = pipeline.metrics { writeMetrics(metrics, to: metricsFile) }
        if let damaged {
            // Nothing more is written to a damaged catalog, not even the `stopped` event.
            notifier.stopping(status: "stopped: the catalog is damaged")
            logger.critical("\(damaged.detailedDescription())", metadata: ["copydesk.inbox.path": "\(inbox)"])
            throw damaged
        }
        try? OpenFilesRecord.write([], folder: recordFolder)
        notifier.stopping(status: "stopped: " + progress.status())
        try? await pipeline.catalog.recordEvent(.stopped, message: "stopped watching \(inbox): \(progress.status())")
        logger.info("stopped: \(progress.status())", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    /// After a batch: a rescan later when files failed (or archived files wait to be marked), with a
    /// delay that doubles while the failures go on; back to the first delay after a batch that
    /// failed nothing. The fault is over once a whole rescan fails nothing.
    private func scheduleRetry(after summary: TakeSummary, rescan: Bool, _ changes: any InboxChanges) {
        guard summary.failed > 0 || pipeline.hasUnfinishedWork else {
            if summary.succeeded > 0 { retry.resetDelay() }
            if rescan, retry.clear() {
                progress.setFault(nil)
                logger.notice(
                    "the fault is over: every file is taken again", metadata: ["copydesk.inbox.path": "\(inbox)"])
            }
            return
        }
        guard let delay = retry.schedule() else { return }
        let reason = summary.firstError.map { $0.reason } ?? "archived files wait to be marked in the catalog"
        let waiting = summary.failed == 1 ? "1 file" : "\(summary.failed) files"
        let after = "\(delay.secondsValue.secondsText) s"
        progress.setFault("\(waiting) waiting, retrying in \(after): \(reason)")
        logger.warning(
            "\(waiting) could not be taken and stay\(summary.failed == 1 ? "s" : "") in the Inbox; retrying in \(after)",
            metadata: ["copydesk.inbox.path": "\(inbox)", "copydesk.reason": "\(reason)"])
        rescans.schedule(.retry, after: delay)
    }

    /// Takes every settled file waiting in the Inbox; files modified within ``scanSettle`` are left
    /// for a later look. Archived files whose receipts could not be marked before are marked first.
    private func scan(_ changes: any InboxChanges) async -> TakeSummary {
        var unfinished = TakeSummary()
        if let error = await pipeline.completeUnfinished() {
            unfinished.firstError = error
            if error.code == .storeDamaged { unfinished.damaged = error }
        }
        var held = [SourceFile]()
        if let claims {
            // The files of nodes that died are this node's now; their pending receipts are read
            // again, so that what such a node had decided is only archived.
            let moved = claims.takeOverDeadNodes()
            if moved > 0 {
                pipeline.forgetPendingReceipts()
                logger.notice(
                    "took over \(moved) file\(moved == 1 ? "" : "s") claimed by a node that stopped",
                    metadata: ["copydesk.inbox.path": "\(inbox)"])
            }
            held = claims.claimed()
        }
        let ready = InboxScanner.scan(inbox)
        var summary = await take(ready, changes, held: held)
        summary.firstError = summary.firstError ?? unfinished.firstError
        summary.damaged = summary.damaged ?? unfinished.damaged
        return summary
    }

    /// Takes the files that are ready (``InboxChanges/readiness(of:)``): a file a writer still holds
    /// open waits for its close, which the watcher reports; one that nothing can tell about yet
    /// (found at startup where no read lease is granted, polling) is looked at again after
    /// ``scanSettle``.
    ///
    /// - Parameter held: files of a shared Inbox that this node claimed before (taken first).
    private func take(_ relativePaths: [String], _ changes: any InboxChanges, held: [SourceFile] = []) async
        -> TakeSummary
    {
        var summary = TakeSummary()
        guard !relativePaths.isEmpty || !held.isEmpty else { return summary }
        // No file is judged before the events queued so far are read: a rescan that a signal or a
        // timer started, or a writer that opened a file again right after closing it.
        await changes.catchUp()
        var ready = [String]()
        var settling = 0
        for name in relativePaths {
            switch changes.readiness(of: name) {
            case .ready: ready.append(name)
            case .writing: break
            case .settling: settling += 1
            }
        }
        if settling > 0, !changes.isStopped { rescans.schedule(.settle, after: Self.scanSettle) }
        // The files open for writing reach `status` and `STATUS=` through the once-a-second look
        // (``openFilesInterval``): most writers close theirs long before, and a drop is not slowed
        // by a file written and renamed twice.
        var files = held
        if let claims {
            // A shared Inbox: each file is renamed into this node's folder first; one another node
            // claimed first is gone, and not this node's.
            for name in ready {
                do {
                    if let file = try claims.claim(name) { files.append(file) }
                } catch {
                    summary.record(.failed(SourceFile(path: "\(inbox)/\(name)", name: name), error))
                    logger.error("\(error.detailedDescription())", metadata: ["copydesk.inbox.path": "\(inbox)"])
                }
            }
        } else {
            files += ready.map { SourceFile(path: "\(inbox)/\($0)", name: $0) }
        }
        guard !files.isEmpty else { return summary }
        progress.begin()
        await pipeline.process(files, isStopping: { changes.isStopped }) { outcome in
            summary.record(outcome)
            progress.record(outcome)
            onOutcome?(outcome)
        }
        progress.end()
        return summary
    }

    /// How long a batch may go without an outcome before it counts as hung: two files at the time
    /// limit (the one in hand and the one before it in order) and two waits for the catalog's lock
    /// (the commit and the marking), at least ``minimumStallLimit``. Waiting for a fault to clear
    /// never counts: between retries the service is idle.
    public var stallLimit: Duration {
        let slowest = (pipeline.configuration.fileTimeout ?? .zero) * 2 + pipeline.catalog.busyTimeout * 2
        return max(Self.minimumStallLimit, slowest)
    }

    /// Hands the files open for writing to `STATUS=` and to `status` (``OpenFilesRecord``).
    ///
    /// - Returns: whether the list changed.
    private func publishOpenFiles(_ changes: any InboxChanges) -> Bool {
        let files = changes.openForWriting()
        guard progress.setOpenFiles(files) else { return false }
        do {
            try OpenFilesRecord.write(files, folder: recordFolder)
        } catch {
            logger.warning("\(error.detailedDescription())")
        }
        return true
    }

    private func writeMetrics(_ metrics: PipelineMetrics, to path: String) {
        do {
            try metrics.write(to: path)
        } catch {
            logger.warning("\(error.detailedDescription())")
        }
    }

    private func watchdog(every interval: Duration) async {
        while !Task.isCancelled {
            if progress.isAlive(stallLimit: stallLimit) {
                notifier.watchdog()
            } else {
                logger.critical("no progress for \(stallLimit.secondsValue.secondsText) s; not pinging the watchdog")
            }
            try? await Task.sleep(for: interval)
        }
    }
}

/// What one batch came to: how many files were done, how many failed and why.
private struct TakeSummary {
    var succeeded = 0
    var failed = 0
    /// The first failure's error, for the log line of the retry.
    var firstError: CopydeskError?
    /// A failure because the catalog file is damaged: the service stops.
    var damaged: CopydeskError?

    /// Whether nothing was taken (an empty rescan).
    var isEmpty: Bool { succeeded == 0 && failed == 0 }

    mutating func record(_ outcome: Pipeline.Outcome) {
        switch outcome {
        case .decided(_, _, let archiveError?), .failed(_, let archiveError):
            failed += 1
            if firstError == nil { firstError = archiveError }
            if archiveError.code == .storeDamaged, damaged == nil { damaged = archiveError }
        case .decided, .recovered:
            succeeded += 1
        case .skipped:
            break
        }
    }
}

/// When to retry after failures: one retry scheduled at a time, its delay doubling from `first` to
/// `longest` while failures go on.
private final class RetrySchedule: Sendable {
    private enum State {
        /// No failure since the last rescan that failed nothing.
        case clear
        /// Files fail: the delay of the next retry, and whether a retry is scheduled now.
        case failing(next: Duration, scheduled: Bool)
    }

    private let first: Duration
    private let longest: Duration
    private let state = Mutex(State.clear)

    init(first: Duration, longest: Duration) {
        self.first = first
        self.longest = longest
    }

    /// The delay of a new retry, or `nil` when one is already scheduled.
    func schedule() -> Duration? {
        state.withLock { state in
            switch state {
            case .clear:
                state = .failing(next: min(first * 2, longest), scheduled: true)
                return first
            case .failing(_, scheduled: true):
                return nil
            case .failing(let next, scheduled: false):
                state = .failing(next: min(next * 2, longest), scheduled: true)
                return next
            }
        }
    }

    /// The scheduled retry is running.
    func fired() {
        state.withLock { state in
            if case .failing(let next, _) = state { state = .failing(next: next, scheduled: false) }
        }
    }

    /// Back to the first delay: the last batch failed nothing.
    func resetDelay() {
        state.withLock { state in
            if case .failing(_, let scheduled) = state { state = .failing(next: first, scheduled: scheduled) }
        }
    }

    /// Ends a fault: a whole rescan failed nothing.
    ///
    /// - Returns: whether files had failed since the last clear (a fault just ended).
    func clear() -> Bool {
        state.withLock { state in
            defer { state = .clear }
            if case .failing = state { return true }
            return false
        }
    }
}

/// Counts of this run and the time of the last progress, shared by the loop and the watchdog.
private final class Progress: Sendable {
    private struct State {
        var counts = [Decision: Int]()
        var failed = 0
        var busySince: ContinuousClock.Instant?
        var lastProgress = ContinuousClock.now
        /// What the service waits for, while a fault lasts.
        var fault: String?
        /// The files a writer holds open in the Inbox.
        var openFiles = [OpenFile]()
    }

    private let state = Mutex(State())

    func begin() {
        state.withLock {
            $0.busySince = .now
            $0.lastProgress = .now
        }
    }

    func end() {
        state.withLock { $0.busySince = nil }
    }

    func record(_ outcome: Pipeline.Outcome) {
        state.withLock { state in
            state.lastProgress = .now
            switch outcome {
            case .decided(_, let result, let error):
                for item in result.decisions { state.counts[item.decision, default: 0] += 1 }
                if error != nil { state.failed += 1 }
            case .failed: state.failed += 1
            case .recovered, .skipped: break
            }
        }
    }

    /// Whether the pipeline has had nothing in hand, and made no progress, for at least `quiet`.
    func isIdle(for quiet: Duration) -> Bool {
        state.withLock { state in
            state.busySince == nil && ContinuousClock.now - state.lastProgress >= quiet
        }
    }

    /// Whether the pipeline is idle or made progress within `stallLimit`.
    func isAlive(stallLimit: Duration) -> Bool {
        state.withLock { state in
            state.busySince == nil || ContinuousClock.now - state.lastProgress < stallLimit
        }
    }

    func setFault(_ fault: String?) {
        state.withLock { $0.fault = fault }
    }

    /// - Returns: whether the list changed.
    func setOpenFiles(_ files: [OpenFile]) -> Bool {
        state.withLock { state in
            defer { state.openFiles = files }
            return state.openFiles != files
        }
    }

    /// One line for `STATUS=` and the log.
    func status() -> String {
        state.withLock { state in
            let total = state.counts.values.reduce(0, +)
            var text = "\(total) file\(total == 1 ? "" : "s") taken since start: "
            text += Decision.allCases.map { "\(state.counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
            if state.failed > 0 { text += "; \(state.failed) failed attempt\(state.failed == 1 ? "" : "s")" }
            if let fault = state.fault { text += "; " + fault }
            if let oldest = state.openFiles.first {
                let count = state.openFiles.count
                text += "; \(count) file\(count == 1 ? "" : "s") open for writing, waiting for the writer to close "
                text += count == 1 ? "it" : "them"
                text += " (\(oldest.file) since \(Timestamp.format(nanoseconds: oldest.since))"
                text += count > 1 ? ", the oldest)" : ")"
            }
            return text
        }
    }
}
