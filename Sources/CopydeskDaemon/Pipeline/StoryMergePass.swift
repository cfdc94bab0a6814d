public import CopydeskCore

/// Which stories a merge pass checks.
public enum StoryPassScope: Sendable, Hashable {
    /// Every live story (after a regroup).
    case all
    /// The live stories whose last article is at or after this time (ISO 8601 UTC): a daemon's
    /// first pass, over what may have changed before it started.
    case activeSince(String)
    /// The stories named by events after this event id: those that took articles, or merges, since
    /// (a pass at the end of an `ingest`, or when a daemon is idle).
    case changedAfterEvent(Int64)
}

/// The stories a pass checks and the newest event id when they were listed.
public struct StoriesToCheck: Sendable {
    public var stories: [(id: Int64, articles: Int)]
    public var lastEvent: Int64

    public init(stories: [(id: Int64, articles: Int)], lastEvent: Int64) {
        self.stories = stories
        self.lastEvent = lastEvent
    }
}

/// A merge pass (see ``StoryMergeCheck``): folds together stories of one event that assignment
/// kept apart as their first reports arrived. Merges only, each a `story-merged` event like the
/// merges of a decision; each story is checked in a transaction of its own, so that decisions go on
/// between them.
///
/// Run at the end of an `ingest` (over the stories it touched), when a daemon has been idle a
/// moment (over the stories changed since its last pass), and after a regroup (over all).
public struct StoryMergePass: Sendable {
    public let catalog: any CatalogStore
    public var assigner: StoryAssigner

    public init(catalog: any CatalogStore, assigner: StoryAssigner) {
        self.catalog = catalog
        self.assigner = assigner
    }

    /// The newest event id now: where a pass over what comes next starts.
    public func currentEvent() async throws(CopydeskError) -> Int64 {
        try await catalog.storiesToCheck(.changedAfterEvent(.max)).lastEvent
    }

    /// Checks the stories of `scope` by the rounds of a ``StoryPassPlan``.
    ///
    /// - Returns: how many merges it made, and the newest event id before it began (where the
    ///   next pass over changes starts; the pass's own merges are checked again then, cheaply).
    public func run(_ scope: StoryPassScope) async throws(CopydeskError) -> (merges: Int, lastEvent: Int64) {
        let listed = try await catalog.storiesToCheck(scope)
        var plan = StoryPassPlan(listed.stories, assigner: assigner)
        repeat {
            for story in plan.order where plan.isLive(story) {
                if let merge = try await catalog.checkStoryMerge(story, assigner: assigner) { plan.record(merge) }
            }
        } while plan.endRound()
        return (plan.merges, listed.lastEvent)
    }
}
