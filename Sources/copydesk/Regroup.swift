import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging

extension Copydesk {
    struct Regroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Group every article into stories again with the current rules (after they changed).",
            discussion: """
                The stories are cleared, then every article is assigned again, one at a time in arrival \
                order, as its decision would assign it now: by its first version's title and text, at its \
                published time (else its arrival), with --story-window. Versions and duplicates follow \
                their article. The story ids change: the old ones are gone (`story OLDID` says so; older \
                log entries still name them). The log gets a `regrouped` event at the start and one with \
                the counts at the end.

                The work goes in batches of 500 articles, each one transaction that also records how far \
                it got: a regroup interrupted (killed, the machine stopped) continues where it stopped when \
                run again, to the same stories as a run without interruption; --restart starts over.

                It may run while the daemon watches: each batch takes the catalog's write lock in turn \
                with the daemon's decisions (on SQLite it pauses between batches, so that decisions \
                waiting for the lock go first). It re-assigns only the articles \
                there were when it started; an article that arrives meanwhile is assigned a story by its \
                own decision, among the stories rebuilt so far (and its terms are counted once, by that \
                decision). Until the regroup reaches it, an older article has no story: a new version or \
                duplicate of it is logged without one.
                """)

        @Flag(name: .long, help: "Start over, discarding the progress of an unfinished regroup.")
        var restart = false

        @Option(name: .long, help: ArgumentHelp("Articles per transaction.", visibility: .hidden))
        var batchSize = 500

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var stories: StoryOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        }

        func run() async throws {
            // On a terminal: the progress bar, errors, the summary.
            try logging.bootstrap(quietOnTerminal: .warning)
            let logger = Logger(label: "copydesk.regroup")
            let assigner = try stories.assigner
            let store = try await catalog.location.openForWriting(
                busyTimeout: SQLiteCatalog.defaultBusyTimeout, storyAssigner: assigner)
            var regrouper = Regrouper(catalog: store, assigner: assigner)
            regrouper.batchSize = batchSize
            let progress = ProgressBar(label: "regrouping", unit: "articles")
            var first: RegroupProgress?
            let last: RegroupProgress
            do {
                last = try await regrouper.run(restart: restart) { step in
                    if first == nil {
                        first = step
                        if step.resumed {
                            logger.notice(
                                "continuing the regroup started \(step.startedAt): \(step.done) of \(step.total) articles done")
                        }
                    }
                    // The rate counts this run's articles only.
                    let before = first?.done ?? 0
                    progress.update(done: step.done - before, total: step.total - before)
                }
            } catch {
                progress.finish()
                await store.close()
                throw error
            }
            var message = last.finishMessage
            if last.isFinished {
                // Assignment and the merge pass make the stories, as for the decisions.
                let merges = try await StoryMergePass(catalog: store, assigner: assigner).run(.all).merges
                message += "; the merge pass merged \(merges) stor\(merges == 1 ? "y" : "ies")"
            }
            await store.close()
            progress.finish()
            Terminal.write(message + "\n")
        }
    }
}
