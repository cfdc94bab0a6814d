import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

extension Copydesk {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Watch the Inbox: take every file waiting there, then each new one, until SIGTERM or SIGINT.")

        @OptionGroup var inbox: InboxOption
        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var logging: LoggingOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var stories: StoryOptions

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Poll the Inbox every SECONDS instead of using inotify (for NFS/SMB shares).",
                discussion: "A file is taken once two polls at least 2 s apart saw the same size and mtime.",
                valueName: "SECONDS"))
        var poll: Double?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Write Prometheus metrics to FILE every 5 s (node_exporter textfile collector).", valueName: "FILE"))
        var metricsFile: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "This daemon's name among the nodes sharing the catalog (default: $COPYDESK_NODE or HOST:INBOX).",
                valueName: "NAME"))
        var node: String?

        @Flag(
            name: .long,
            help: ArgumentHelp(
                "Share the Inbox with other daemons (each with --shared-inbox and its own --node).",
                discussion: "Each file is claimed by one node (renamed into INBOX/.copydesk-claims/NODE); the files of a node that dies are taken over by the others."))
        var sharedInbox = false

        func validate() throws {
            if let poll, !(poll > 0 && poll <= 3600) {
                throw ValidationError("--poll takes a number of seconds between 0 and 3600")
            }
        }

        func run() async throws {
            try logging.bootstrap()
            let logger = Logger(label: "copydesk.watch")
            let inboxPath = inbox.inboxPath
            try Folders.create(inboxPath, what: "the Inbox")
            let archive = try Archive(root: catalog.archivePath)
            let nodeName = node ?? Paths.environment("COPYDESK_NODE") ?? NodeIdentity.defaultName(inbox: inboxPath)
            let lock = try DaemonLock(archive: archive.root, inbox: inboxPath, node: nodeName, sharedInbox: sharedInbox)
            let claims = sharedInbox ? try InboxClaims(inbox: inboxPath, node: nodeName) : nil
            let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
            let store = try await Self.open(
                catalog, limits: limits, stories: try stories.assigner, notifier: notifier, logger: logger)
            var pipeline = Pipeline(
                catalog: store, archive: archive, origin: .inbox, configuration: limits.pipelineConfiguration,
                metrics: metricsFile == nil ? nil : PipelineMetrics(), logger: Logger(label: "copydesk.pipeline"))
            pipeline.node = nodeName
            let mode: WatchService.Mode = poll.map { .poll(.milliseconds(Int64($0 * 1000))) } ?? .inotify
            var service = WatchService(
                inbox: inboxPath, pipeline: pipeline, mode: mode,
                notifier: notifier,
                logger: Logger(label: "copydesk.watcher"))
            service.metricsFile = metricsFile.map { Paths.plain(Paths.absolute(FileName.argument($0))) }
            service.nodeName = nodeName
            service.recordsFolder = lock.folder
            service.claims = claims
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: service)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            do {
                try await group.run()
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            withExtendedLifetime((lock, claims)) {}
        }
    }
}

extension Copydesk.Watch {
    /// Opens the catalog for writing; while its server cannot be reached (a PostgreSQL catalog whose
    /// server is down or restarting), says so and tries again, every 1 s at first, up to every 30 s.
    static func open(
        _ catalog: CatalogOptions, limits: LimitOptions, stories: StoryAssigner, notifier: SystemdNotifier,
        logger: Logger
    ) async throws -> any CatalogBackend {
        var delay = Duration.seconds(1)
        while true {
            do {
                return try await notifier.extendingStartTimeout(status: "opening the catalog (upgrading its schema)") {
                    try await limits.openCatalog(catalog, stories: stories)
                }
            } catch let error as CopydeskError where error.code == .storeUnavailable {
                let wait = "\(delay.secondsValue.secondsText) s"
                logger.warning("\(error.detailedDescription()); trying again in \(wait)")
                notifier.status("waiting for the catalog, trying again in \(wait): \(error.message)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}

struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: "Reject files larger than this many MiB.")
    var maxFileMib: Int = 50

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Reject a file that takes longer than SECONDS to normalize (0: no limit).",
            discussion: "The file is quarantined in ARCHIVE/rejected with the reason, and the next files go on.",
            valueName: "SECONDS"))
    var fileTimeout: Double = 30

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Wait up to SECONDS for another process writing the catalog before a write fails (and is retried).",
            valueName: "SECONDS"))
    var busyTimeout: Double = SQLiteCatalog.defaultBusyTimeout.secondsValue

    var pipelineConfiguration: Pipeline.Configuration {
        var configuration = Pipeline.Configuration()
        configuration.maxFileBytes = maxFileMib << 20
        configuration.fileTimeout = fileTimeout > 0 ? .milliseconds(Int64((fileTimeout * 1000).rounded())) : nil
        return configuration
    }

    /// Opens the catalog for writing with the chosen busy timeout, assigning new articles to stories
    /// with `stories`.
    func openCatalog(_ options: CatalogOptions, stories: StoryAssigner) async throws -> any CatalogBackend {
        try await options.location.openForWriting(
            busyTimeout: .milliseconds(Int64((busyTimeout * 1000).rounded())), storyAssigner: stories)
    }

    func validate() throws {
        guard maxFileMib > 0 else { throw ValidationError("--max-file-mib must be positive") }
        guard fileTimeout >= 0, fileTimeout <= 86_400 else {
            throw ValidationError("--file-timeout takes a number of seconds between 0 (no limit) and 86400")
        }
        guard fileTimeout == 0 || fileTimeout >= 0.001 else {
            throw ValidationError("--file-timeout takes at least 0.001 seconds")
        }
        guard busyTimeout >= 0, busyTimeout <= 3600 else {
            throw ValidationError("--busy-timeout takes a number of seconds between 0 and 3600")
        }
    }
}

enum Folders {
    static func create(_ path: String, what: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CopydeskError(.ioFailed, "cannot create \(what)", path: path, cause: error.localizedDescription)
        }
    }
}
