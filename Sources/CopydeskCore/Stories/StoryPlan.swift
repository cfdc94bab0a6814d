/// A story assignment worked out ahead of its turn: in the parallel stage of the pipeline, against
/// what the catalog's writer holds in memory (its index of active stories and its term counts),
/// with a note of what it read. In the decision's transaction it is taken as it is when nothing it
/// read has changed since (it is then exactly what the assignment would decide there), else the
/// assignment is worked out again: the outcome is the same either way, and depends only on the
/// order the articles are decided in.
public struct StoryPlan: Sendable {
    /// What the assignment decided.
    public var update: StoryUpdate
    /// The time it assigned the article at (published, else arrived).
    public var time: String
    /// The term counts it read: the catalog's name for them (they change only when an epoch ends).
    public var counts: [Int64] = []
    /// The index it read (the catalog's name for it, nil when it asked no `stories` question) and
    /// the change it was at (``StoryIndex/sequence``).
    public var index: UInt64?
    public var sequence: UInt64 = 0
    /// The `stories` question it asked (its keys, `activeSince` and `limitPerKey`), the answer,
    /// and the weight of each key it ranked the candidates by.
    public var keys: [Int64] = []
    public var activeSince = ""
    public var limitPerKey = 0
    public var answers = [Int64: [Int64]]()
    public var weights = [Int64: Double]()
    /// The candidates it compared in full, whose profiles it read (ascending).
    public var candidates: [Int64] = []
    /// The assignment as it was when it asked for its candidates' profiles (nil when it asked
    /// none): resumed from there when only their profiles changed since.
    public var beforeProfiles: StoryAssignment?
    /// The terms the story is filed under once the article joins (its own, those of the stories
    /// it merges, the article's), ascending, as the index held them (nil: not worked out).
    public var terms: [Int64]?

    public init(update: StoryUpdate, time: String) {
        self.update = update
        self.time = time
    }
}

/// What the index says of a plan now (``StoryIndex/check(_:ranking:)``).
public enum StoryPlanCheck: Sendable, Equatable {
    /// It is what the assignment decides now.
    case holds
    /// Its candidates are the same, but some of their profiles changed: the assignment resumes
    /// from their profiles (``StoryPlan/beforeProfiles``).
    case sameCandidates
    /// Worked out again.
    case turnedDown
}
