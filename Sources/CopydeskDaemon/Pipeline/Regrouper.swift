public import CopydeskCore

/// `copydesk regroup`: groups every article of a catalog into stories again, with the current
/// rules (``StoryAssigner``), after they changed.
///
/// The stories are cleared, then every article is assigned again, one at a time in arrival (id)
/// order, by the procedure its decision used: from its first version's title and text, at its
/// published time, else its arrival. Same rules and same order give the same stories as the
/// decisions made.
///
/// Work goes in batches, each one transaction that also records how far it got
/// (``CatalogStore/regroup(batchOf:assigner:)``): a regroup that was interrupted continues where
/// it stopped when run again, with the result of an uninterrupted one; `restart` starts over.
///
/// It may run while daemons decide: each batch takes the catalog's write lock in turn with their
/// decisions. It re-assigns only the articles there were when it began; an article that arrives
/// meanwhile is assigned, and its terms counted, by its own decision (among the stories rebuilt so
/// far), never again by the regroup.
public struct Regrouper: Sendable {
    public let catalog: any CatalogBackend
    /// The rules to group by.
    public var assigner: StoryAssigner
    /// Articles per transaction.
    public var batchSize = 500
    /// Stop after this many batches, leaving the rest for the next run (tests: an interruption);
    /// nil: to the end.
    public var batchLimit: Int?
    /// How long to leave the write lock free between batches. SQLite does not queue writers: one
    /// waiting for the lock tries again every 100 ms at most, so a pause that long lets every
    /// waiting decision in before the next batch (a daemon never waits more than one batch).
    /// PostgreSQL queues the waiters on its lock: no pause.
    public var pause: Duration

    public init(catalog: any CatalogBackend, assigner: StoryAssigner) {
        self.catalog = catalog
        self.assigner = assigner
        self.pause = catalog is SQLiteCatalog ? .milliseconds(100) : .zero
    }

    /// Regroups the catalog, or continues the regroup that was interrupted, calling `report` with
    /// the progress after it began and after each batch.
    ///
    /// - Parameter restart: start over even when an unfinished regroup could be continued.
    /// - Returns: the progress at the end (finished unless ``batchLimit`` stopped it).
    /// - Throws: ``CopydeskError`` `.usage` when an unfinished regroup groups with another window
    ///   (continuing it with this one would not give the result of either); otherwise when the
    ///   catalog cannot be read or written (the batches committed stay committed).
    @discardableResult
    public func run(restart: Bool = false, report: (RegroupProgress) -> Void = { _ in }) async throws(CopydeskError)
        -> RegroupProgress
    {
        var progress = try await catalog.beginRegroup(window: assigner.window, restart: restart)
        try progress.check(assigner)
        report(progress)
        var batches = 0
        while !progress.isFinished {
            if let batchLimit, batches >= batchLimit { break }
            if batches > 0, pause > .zero { try? await Task.sleep(for: pause) }
            progress = try await catalog.regroup(batchOf: max(1, batchSize), assigner: assigner)
            batches += 1
            report(progress)
        }
        return progress
    }
}
