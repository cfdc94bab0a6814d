import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging

extension Copydesk {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import files and folders (recursively) once; the sources are left in place.")

        @Argument(help: "Files and folders to import.")
        var paths: [String]

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var logging: LoggingOptions
        @OptionGroup var limits: LimitOptions
        @OptionGroup var stories: StoryOptions

        func run() async throws {
            // On a terminal: the progress bar, rejections and errors; every file's line with --verbose.
            try logging.bootstrap(quietOnTerminal: .warning)
            var files = [SourceFile]()
            for path in paths {
                files += try Self.collect(path)
            }
            let archive = try Archive(root: catalog.archivePath)
            let store = try await limits.openCatalog(catalog, stories: try stories.assigner)
            let pipeline = Pipeline(
                catalog: store, archive: archive, origin: .ingest, configuration: limits.pipelineConfiguration,
                logger: Logger(label: "copydesk.ingest"))
            await pipeline.recoverPendingReceipts()
            // The stories this ingest touches get a merge pass at its end.
            let storyPass = StoryMergePass(catalog: store, assigner: store.storyAssigner)
            let firstEvent = try await storyPass.currentEvent()
            var counts = [Decision: Int]()
            var failed = 0
            var skipped = 0
            var done = 0
            let progress = ProgressBar(label: "ingesting")
            let start = ContinuousClock.now
            await pipeline.process(files, report: { outcome in
                done += 1
                progress.update(done: done, total: files.count)
                switch outcome {
                case .decided(_, let result, let archiveError):
                    for item in result.decisions { counts[item.decision, default: 0] += 1 }
                    if archiveError != nil { failed += 1 }
                case .recovered(_, let receipt):
                    counts[receipt.decision, default: 0] += 1
                case .skipped:
                    skipped += 1
                case .failed:
                    failed += 1
                }
            })
            progress.finish()
            let merges: Int
            do {
                merges = try await storyPass.run(.changedAfterEvent(firstEvent)).merges
            } catch {
                // The decisions stand; the next pass (an idle daemon's, the next ingest's) merges.
                Terminal.error("copydesk: the stories' merge pass failed: \(error.detailedDescription())")
                merges = 0
            }
            await store.close()
            let elapsed = ContinuousClock.now - start
            let decided = counts.values.reduce(0, +)
            var summary = "\(decided) file\(decided == 1 ? "" : "s") ingested: "
            summary += Decision.allCases.map { "\(counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
            if skipped > 0 { summary += "; \(skipped) skipped (vanished or still changing)" }
            if failed > 0 { summary += "; \(failed) failed (see errors above)" }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if decided > 0, seconds > 0 { summary += String(format: " (%.1f s, %.0f files/s)", seconds, Double(decided) / seconds) }
            if merges > 0 { summary += "; \(merges) stor\(merges == 1 ? "y" : "ies") merged by the merge pass" }
            if let shared = store as? PostgresCatalog {
                // The part serialized across nodes: how long this process held the catalog's lock.
                let (waited, held, transactions) = shared.lockTimes.totals
                summary += String(
                    format: "; write lock held %.3f s in %d transactions, waited %.3f s", held.secondsValue, transactions,
                    waited.secondsValue)
            }
            print(summary)
            if failed > 0 { throw ExitCode.failure }
        }

        /// The files under `path` (itself, when it is not a folder), hidden and temporary names left
        /// out. A file named on the command line keeps the name it was given; a file found in a
        /// folder is named by its path inside that folder, as a file in the Inbox is (so the log of
        /// `ingest drop/` names `0001.txt`, whatever the folder was called).
        static func collect(_ argument: String) throws -> [SourceFile] {
            // A name that is not UTF-8 is used as the bytes it is, never renamed (``FileName``).
            let path = FileName.argument(argument)
            let absolute = Paths.absolute(path)
            guard let status = FileName.linkStatus(absolute) else {
                throw CopydeskError(.ioFailed, "no such file or folder", path: path)
            }
            var isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            if (status.st_mode & S_IFMT) == S_IFLNK, let target = FileName.status(absolute) {
                isDirectory = (target.st_mode & S_IFMT) == S_IFDIR
            }
            guard isDirectory else { return [SourceFile(path: absolute, name: path)] }
            return InboxScanner.scan(absolute).map { SourceFile(path: "\(absolute)/\($0)", name: $0) }
        }
    }
}
