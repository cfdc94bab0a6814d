/// Stories: the coverage of one event, grouped as it arrives (see ``StoryAssigner``).
///
/// Like ``Decider``, story assignment reads the catalog only by asking questions, one at a time and
/// each about a whole set of keys or ids, so that SQLite (inside its write transaction) and
/// PostgreSQL (one round trip each) answer the same procedure, and tests answer it from memory.
/// Every question is bounded: by a limit per key, or by the few candidate stories a decision looks at.

/// One question story assignment asks of the catalog.
public enum StoryQuery: Sendable, Hashable {
    /// For each term key, the stories filed under it whose last activity is at or after
    /// `activeSince` (ISO 8601 UTC), at most `limitPerKey` per key, most recently active first.
    case stories(keys: [Int64], activeSince: String, limitPerKey: Int)
    /// How many articles carry each term key (terms never filed count 0), and how many articles
    /// the catalog holds: the rarity of each term. Both as of the end of the last epoch of the
    /// counts (``TermSketch/epochLength(after:)``), the same for every article of an epoch.
    case frequencies(keys: [Int64])
    /// The profiles of these stories (stories that do not exist, or were merged away, are left
    /// out).
    case profiles([Int64])
}

/// The catalog's answer to a ``StoryQuery``, of the matching case.
public enum StoryAnswer: Sendable, Hashable {
    /// Term key → the stories filed under it.
    case stories([Int64: [Int64]])
    case frequencies([Int64: Int], articles: Int)
    case profiles([Int64: StoryProfile])
}

/// What a catalog keeps of one story for assignment to compare a new article with.
public struct StoryProfile: Sendable, Hashable {
    public var articles: Int
    /// When its first and last article were published (or arrived, when they do not say), ISO 8601.
    public var firstSeen: String
    public var lastSeen: String
    /// The story's summary for comparison, as ``StoryAssigner`` writes it (opaque to a catalog,
    /// stored and given back as is).
    public var summary: [UInt8]

    public init(articles: Int, firstSeen: String, lastSeen: String, summary: [UInt8]) {
        self.articles = articles
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.summary = summary
    }
}

/// What assigning one article to a story changes in the catalog: applied by the backend in the
/// transaction that records the article's decision.
public struct StoryUpdate: Sendable, Hashable {
    /// The story the article joins; nil: a new story, whose id the catalog gives.
    public var story: Int64?
    /// Stories the article shows to be the same event as `story`: merged into it (their articles and
    /// terms move to it, their ids go on resolving to it, a `story-merged` event each).
    public var merged: [Int64]
    /// The story's profile after the article joined (and the merges).
    public var profile: StoryProfile
    /// Term keys the story is filed under from now on (postings to add for the story).
    public var fileUnder: [Int64]
    /// Term keys whose article count grows by one (the article's distinct terms).
    public var counted: [Int64]

    public init(story: Int64?, merged: [Int64], profile: StoryProfile, fileUnder: [Int64], counted: [Int64]) {
        self.story = story
        self.merged = merged
        self.profile = profile
        self.fileUnder = fileUnder
        self.counted = counted
    }
}

/// A catalog that answers story questions synchronously (SQLite, inside its write transaction).
public protocol StoryLookup {
    func answer(_ query: StoryQuery) throws -> StoryAnswer
}

/// A catalog that answers story questions asynchronously (PostgreSQL).
public protocol AsyncStoryLookup {
    func answer(_ query: StoryQuery) async throws -> StoryAnswer
}

/// What a story procedure does next: ask, or finish with its outcome.
public enum StoryStep<Outcome: Sendable>: Sendable {
    case ask(StoryQuery)
    case finished(Outcome)
}

/// A procedure that decides something about stories by asking the catalog questions: an
/// assignment (``StoryAssignment``: a ``StoryUpdate``) or a merge check (``StoryMergeCheck``: a
/// ``StoryMerge``, or nil).
public protocol StoryProcedure: Sendable {
    associatedtype Outcome: Sendable
    /// The next step, given the answer to the previous question (nil at the start).
    mutating func next(_ answer: StoryAnswer?) -> StoryStep<Outcome>
}

extension StoryLookup {
    /// Runs a story procedure to its end.
    public func run<Procedure: StoryProcedure>(_ procedure: Procedure) throws -> Procedure.Outcome {
        var procedure = procedure
        var answer: StoryAnswer?
        while true {
            switch procedure.next(answer) {
            case .finished(let outcome): return outcome
            case .ask(let query): answer = try self.answer(query)
            }
        }
    }
}

extension AsyncStoryLookup {
    /// Runs a story procedure to its end.
    public func run<Procedure: StoryProcedure>(_ procedure: Procedure) async throws -> Procedure.Outcome {
        var procedure = procedure
        var answer: StoryAnswer?
        while true {
            switch procedure.next(answer) {
            case .finished(let outcome): return outcome
            case .ask(let query): answer = try await self.answer(query)
            }
        }
    }
}
