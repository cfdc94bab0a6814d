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
public struct WatchService: Service {
    /// How the service learns about new files.
    public enum Mode: Sendable, Hashable {
        /// inotify: immediate, local file systems.
        case inotify
        /// Listing the Inbox at this interval: network shares, where inotify is blind.
        case poll(Duration)
    }

    /// A file found by a scan is taken once its modification time is this old: a younger one may
    /// still be being written, and is looked at again after this long.
    public static let scanSettle: Duration = .seconds(1)
    /// With no progress for this long while files are in hand, the watchdog stops pinging and
    /// systemd restarts the service.
    public static let stallLimit: Duration = .seconds(120)

    public let inbox: String
    public let mode: Mode
    let pipeline: Pipeline
    let notifier: SystemdNotifier
    let logger: Logger
    let onOutcome: (@Sendable (Pipeline.Outcome) -> Void)?
    /// Where to write the pipeline's metrics every ``metricsInterval`` (needs `pipeline.metrics`).
    public var metricsFile: String?
    public static let metricsInterval: Duration = .seconds(5)
    private let progress = Progress()

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
        try? pipeline.catalog.recordEvent(.started, message: "watching \(inbox) (\(modeText), pid \(getpid()))")
        logger.info("watching \(inbox) (\(modeText))", metadata: ["copydesk.inbox.path": "\(inbox)"])
        pipeline.recoverPendingReceipts()
        await scan(changes)
        notifier.ready(status: progress.status())

        await withTaskGroup(of: Void.self) { group in
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
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    logger.info("SIGHUP: rescanning the Inbox", metadata: ["copydesk.inbox.path": "\(inbox)"])
                    changes.requestRescan()
                }
            }
            await withGracefulShutdownHandler {
                while let batch = await changes.next() {
                    if batch.rescan {
                        await scan(changes)
                    } else {
                        await take(batch.files, changes)
                    }
                    notifier.status(progress.status())
                }
            } onGracefulShutdown: {
                notifier.stopping(status: "stopping after the files in hand")
                changes.stop()
            }
            group.cancelAll()
        }
        if let metricsFile, let metrics = pipeline.metrics { writeMetrics(metrics, to: metricsFile) }
        notifier.stopping(status: "stopped: " + progress.status())
        try? pipeline.catalog.recordEvent(.stopped, message: "stopped watching \(inbox): \(progress.status())")
        logger.info("stopped: \(progress.status())", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    /// Takes every settled file waiting in the Inbox; files modified within ``scanSettle`` are left
    /// for a later look.
    private func scan(_ changes: any InboxChanges) async {
        var ready = [String]()
        var deferred = 0
        let now = Self.realtimeNanoseconds()
        let settle = Self.scanSettle.nanoseconds
        for name in InboxScanner.scan(inbox) {
            var status = stat()
            guard lstat("\(inbox)/\(name)", &status) == 0 else { continue }
            let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            if now - modified < settle {
                deferred += 1
            } else {
                ready.append(name)
            }
        }
        await take(ready, changes)
        if deferred > 0, !changes.isStopped {
            Task {
                try? await Task.sleep(for: Self.scanSettle)
                changes.requestRescan()
            }
        }
    }

    private func take(_ relativePaths: [String], _ changes: any InboxChanges) async {
        guard !relativePaths.isEmpty else { return }
        let files = relativePaths.map { SourceFile(path: "\(inbox)/\($0)", name: $0) }
        progress.begin()
        await pipeline.process(files, isStopping: { changes.isStopped }) { outcome in
            progress.record(outcome)
            onOutcome?(outcome)
        }
        progress.end()
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
            if progress.isAlive(stallLimit: Self.stallLimit) {
                notifier.watchdog()
            } else {
                logger.critical("no progress for \(Self.stallLimit); not pinging the watchdog")
            }
            try? await Task.sleep(for: interval)
        }
    }

    static func realtimeNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Counts of this run and the time of the last progress, shared by the loop and the watchdog.
private final class Progress: Sendable {
    private struct State {
        var counts = [Decision: Int]()
        var failed = 0
        var busySince: ContinuousClock.Instant?
        var lastProgress = ContinuousClock.now
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
                state.counts[result.decision, default: 0] += 1
                if error != nil { state.failed += 1 }
            case .failed: state.failed += 1
            case .recovered, .skipped: break
            }
        }
    }

    /// Whether the pipeline is idle or made progress within `stallLimit`.
    func isAlive(stallLimit: Duration) -> Bool {
        state.withLock { state in
            state.busySince == nil || ContinuousClock.now - state.lastProgress < stallLimit
        }
    }

    /// One line for `STATUS=` and the log.
    func status() -> String {
        state.withLock { state in
            let total = state.counts.values.reduce(0, +)
            var text = "\(total) file\(total == 1 ? "" : "s") taken since start: "
            text += Decision.allCases.map { "\(state.counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
            if state.failed > 0 { text += "; \(state.failed) failed" }
            return text
        }
    }
}
