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
            let lock = try DaemonLock(archive: archive.root)
            let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
            let store = try notifier.extendingStartTimeout(status: "opening the catalog (upgrading its schema)") {
                try Catalog(path: catalog.databasePath)
            }
            let pipeline = Pipeline(
                catalog: store, archive: archive, origin: .inbox, configuration: limits.pipelineConfiguration,
                metrics: metricsFile == nil ? nil : PipelineMetrics(), logger: Logger(label: "copydesk.pipeline"))
            let mode: WatchService.Mode = poll.map { .poll(.milliseconds(Int64($0 * 1000))) } ?? .inotify
            var service = WatchService(
                inbox: inboxPath, pipeline: pipeline, mode: mode,
                notifier: notifier,
                logger: Logger(label: "copydesk.watcher"))
            service.metricsFile = metricsFile.map(Paths.absolute)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: service)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            withExtendedLifetime(lock) {}
        }
    }
}

struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: "Reject files larger than this many MiB.")
    var maxFileMib: Int = 50

    var pipelineConfiguration: Pipeline.Configuration {
        var configuration = Pipeline.Configuration()
        configuration.maxFileBytes = maxFileMib << 20
        return configuration
    }

    func validate() throws {
        guard maxFileMib > 0 else { throw ValidationError("--max-file-mib must be positive") }
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
