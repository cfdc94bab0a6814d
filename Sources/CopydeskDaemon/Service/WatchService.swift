public import CopydeskCore
public import Logging
public import ServiceLifecycle

/// The daemon: takes what waits in the Inbox, then every file that arrives, until a graceful
/// shutdown (SIGTERM, SIGINT) ends it after the file in hand.
public struct WatchService: Service {
    public let inbox: String
    let pipeline: Pipeline
    let logger: Logger

    public init(inbox: String, pipeline: Pipeline, logger: Logger) {
        self.inbox = inbox
        self.pipeline = pipeline
        self.logger = logger
    }

    public func run() async throws {
        let watcher = try InboxWatcher(inbox: inbox, logger: logger)
        try? pipeline.catalog.recordEvent(.started, message: "watching \(inbox)")
        logger.info("watching \(inbox)", metadata: ["copydesk.inbox.path": "\(inbox)"])
        pipeline.recoverPendingReceipts()
        await scanAll(watcher)
        await withGracefulShutdownHandler {
            while let batch = await watcher.next() {
                if batch.rescan {
                    await scanAll(watcher)
                } else {
                    await take(batch.files, watcher)
                }
            }
        } onGracefulShutdown: {
            watcher.stop()
        }
        try? pipeline.catalog.recordEvent(.stopped, message: "stopped watching \(inbox)")
        logger.info("stopped", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    /// Takes every file waiting in the Inbox.
    private func scanAll(_ watcher: InboxWatcher) async {
        await take(InboxScanner.scan(inbox), watcher)
    }

    private func take(_ relativePaths: [String], _ watcher: InboxWatcher) async {
        guard !relativePaths.isEmpty else { return }
        let files = relativePaths.map { SourceFile(path: "\(inbox)/\($0)", name: $0) }
        await pipeline.process(files, isStopping: { watcher.isStopped })
    }
}
