import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging

extension Copydesk {
    struct Reprocess: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-normalize the archived originals with this copydesk's normalizer, after an upgrade.",
            discussion: """
                Each original whose text came from an older normalizer (normalizer \(Normalizer.version) \
                is current) is read from the Archive and normalized again. A changed text becomes a new \
                version of its article (its parent: the old version); changed metadata updates the version \
                the original made; an original the current normalizer rejects keeps its version. Receipts \
                are never added. Every change is logged as a `reprocessed` event. A second run, or a run \
                after an interruption, takes only what is left. It may run while the daemon watches.
                """)

        @Flag(name: .long, help: "Work out and print what would change, without recording it.")
        var dryRun = false

        @Flag(name: .long, help: "Print JSON Lines: one object per changed original, then a summary object.")
        var json = false

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            // On a terminal: the progress bar, what the normalizer now rejects, errors, the summary.
            try logging.bootstrap(quietOnTerminal: .warning)
            let logger = Logger(label: "copydesk.reprocess")
            let archive = try Archive(root: catalog.archivePath)
            let store = try await catalog.location.openForWriting(busyTimeout: SQLiteCatalog.defaultBusyTimeout)
            let reprocessor = Reprocessor(catalog: store, archive: archive, dryRun: dryRun)
            let total = try await reprocessor.remaining()
            var counts = [ReprocessOutcome: Int]()
            var failed = 0
            var done = 0
            let progress = ProgressBar(label: dryRun ? "checking" : "reprocessing")
            let start = ContinuousClock.now
            try await reprocessor.run { outcome in
                done += 1
                progress.update(done: done, total: total)
                switch outcome {
                case .done(let result):
                    counts[result.outcome, default: 0] += 1
                    guard result.outcome != .unchanged else { return }
                    if json {
                        Terminal.write(Self.json(result).rendered + "\n")
                    } else {
                        // An original the current normalizer rejects needs a person's eye; the rest is
                        // in the log (`log --event reprocessed`) and, with --verbose, here.
                        logger.log(
                            level: result.outcome == .nowRejected ? .warning : .info,
                            "\(result.target.fileName): \(result.outcome.rawValue): \(result.message ?? "")",
                            metadata: ["copydesk.article": "\(result.article)", "copydesk.version": "\(result.version)"])
                    }
                case .failed(let target, let error):
                    failed += 1
                    logger.error("\(target.fileName): \(error.detailedDescription())")
                }
            }
            await store.close()
            progress.finish()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if json {
                var summary = JSONObject()
                summary.add("normalizer_version", Normalizer.version)
                summary.add("originals", done)
                for outcome in ReprocessOutcome.allCases {
                    summary.add(outcome.rawValue, counts[outcome, default: 0])
                }
                summary.add("failed", failed)
                summary.add("dry_run", dryRun)
                Terminal.write(summary.rendered + "\n")
            } else {
                var line = dryRun ? "would re-normalize " : "re-normalized "
                line += "\(done) original\(done == 1 ? "" : "s") with normalizer \(Normalizer.version): "
                line += ReprocessOutcome.allCases.map { "\(counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
                if failed > 0 { line += "; \(failed) failed (see errors above)" }
                if done > 0, seconds > 0 { line += String(format: " (%.1f s, %.0f files/s)", seconds, Double(done) / seconds) }
                if done == 0 { line = "nothing to reprocess: every original was read by normalizer \(Normalizer.version)" }
                Terminal.write(line + "\n")
            }
            if failed > 0 { throw ExitCode.failure }
        }

        static func json(_ result: ReprocessResult) -> JSONObject {
            var object = JSONObject()
            object.add("file", result.target.fileName)
            object.add("raw_sha256", result.target.rawSHA256)
            object.add("receipt", result.target.receiptID)
            object.add("outcome", result.outcome.rawValue)
            object.add("article", result.article)
            object.add("previous_version", result.target.version)
            object.add("version", result.version)
            object.add("similarity", result.similarity)
            object.add("message", result.message)
            return object
        }
    }
}
