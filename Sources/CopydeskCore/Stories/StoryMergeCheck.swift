/// The merge pass: stories that grew apart online (the first reports of an event, before its
/// names and numbers settled, each founding a story) are folded together when the daemon is idle
/// and at the end of an `ingest`. Merges only: no article changes story except with its whole
/// story.
///
/// ``StoryMergeCheck`` looks at one story, by the same bounded questions as an assignment (the
/// rarity of its terms, the active stories filed under its heaviest ones, their profiles), and
/// folds it together with its best match when:
/// - the two score at least ``StoryAssigner/mergePassThreshold`` (``StoryVector/eventScore(with:articles:idf:)``
///   of the two summaries): one event; or
/// - it is small (at most ``StoryAssigner/attachSize`` articles), its best match among larger
///   stories scores at least ``StoryAssigner/attachThreshold``, and at least
///   ``StoryAssigner/attachMargin`` times the next larger one: a report that found no story of its
///   own event online (too short, or arrived before the event's names were known), with one
///   clear candidate.
///
/// The smaller story is merged into the larger (the older on a tie), whose id goes on naming both.
/// A pass checks stories by the rounds of a ``StoryPassPlan`` (smallest first, until a round merges nothing,
/// at most ``StoryAssigner/mergePassRounds``).
public struct StoryMergeCheck: StoryProcedure {
    let assigner: StoryAssigner
    public let story: Int64
    let profile: StoryProfile
    let summary: StorySummary?
    /// The earliest last activity of a story the check compares with.
    public let activeSince: String
    var state = State.start
    var idf = [Int64: Double]()
    var vector: StoryVector?
    /// The story's term weights (for ranking the candidates found under its terms).
    var termWeights = [Int64: Double]()
    var candidateOrder = [Int64]()

    /// Each compared candidate's score, for inspection after the check finished.
    public private(set) var scores = [Int64: Double]()

    enum State {
        case start, frequencies, stories, profiles, done
    }

    /// A check of `story` (with its current `profile`): candidates are the stories whose time comes
    /// within the assigner's window of its own (its last article's, for the index; both ends, for
    /// the comparison), whenever the pass runs.
    public init(assigner: StoryAssigner, story: Int64, profile: StoryProfile) {
        let time = profile.lastSeen
        self.assigner = assigner
        self.story = story
        self.profile = profile
        self.summary = StorySummary(profile.summary)
        activeSince = assigner.activeSince(time)
    }

    public mutating func next(_ answer: StoryAnswer?) -> StoryStep<StoryMerge?> {
        guard let summary else { return .finished(nil) }
        switch (state, answer) {
        case (.start, _):
            state = .frequencies
            return .ask(.frequencies(keys: summary.keys))
        case (.frequencies, .frequencies(let counts, let articles)?):
            for key in summary.keys {
                idf[key] = StoryAssignment.idf(frequency: counts[key] ?? 0, articles: articles)
            }
            let weights = summary.vector(articles: profile.articles, idf: idf)
            vector = StoryVector(weights, channels: summary.channels, idf: idf)
            termWeights = weights
            let keys = weights.filter { (counts[$0.key] ?? 0) > 0 }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(assigner.lookupTerms).map(\.key)
            if keys.isEmpty { return finish(nil) }
            state = .stories
            return .ask(.stories(keys: keys.sorted(), activeSince: activeSince, limitPerKey: assigner.storiesPerTerm))
        case (.stories, .stories(let filed)?):
            candidateOrder = assigner.rankCandidates(filed, weight: { termWeights[$0] ?? 0 }, excluding: story)
            if candidateOrder.isEmpty { return finish(nil) }
            state = .profiles
            return .ask(.profiles(candidateOrder.sorted()))
        case (.profiles, .profiles(let profiles)?):
            return decide(profiles, summary: summary)
        default:
            return finish(nil)
        }
    }

    mutating func decide(_ profiles: [Int64: StoryProfile], summary: StorySummary) -> StoryStep<StoryMerge?> {
        guard let vector else { return finish(nil) }
        for id in candidateOrder.sorted() {
            guard let other = profiles[id], overlaps(other),
                let score = vector.eventScore(withSummary: other.summary, articles: other.articles)
            else { continue }
            scores[id] = score
        }
        let ranked = scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        guard let best = ranked.first else { return finish(nil) }
        var partner: Int64?
        if best.value >= assigner.mergePassThreshold {
            partner = best.key
        } else if profile.articles <= assigner.attachSize {
            let larger = ranked.filter { (profiles[$0.key]?.articles ?? 0) > profile.articles }
            if let first = larger.first, first.value >= assigner.attachThreshold,
                first.value >= assigner.attachMargin * (larger.dropFirst().first?.value ?? 0)
            {
                partner = first.key
            }
        }
        guard let partner, let other = profiles[partner], let otherSummary = StorySummary(other.summary) else {
            return finish(nil)
        }
        // The larger story (the older on a tie) takes the other in.
        let keepsOther = other.articles > profile.articles || (other.articles == profile.articles && partner < story)
        let (into, merged) = keepsOther ? (partner, story) : (story, partner)
        var combined = summary
        combined.add(otherSummary)
        let articles = profile.articles + other.articles
        combined.prune(to: assigner.summaryTerms, articles: articles)
        let first = StoryTime.before(other.firstSeen, profile.firstSeen) ? other.firstSeen : profile.firstSeen
        let last = StoryTime.before(profile.lastSeen, other.lastSeen) ? other.lastSeen : profile.lastSeen
        return finish(
            StoryMerge(
                story: into, merged: merged,
                profile: StoryProfile(articles: articles, firstSeen: first, lastSeen: last, summary: combined.encoded())))
    }

    /// Whether another story's time comes within the window of this one's (a new event of the same
    /// kind months later stays apart, as in assignment).
    func overlaps(_ other: StoryProfile) -> Bool {
        let window = assigner.window.components.seconds
        if let last = StoryTime.seconds(profile.lastSeen), let first = StoryTime.seconds(other.firstSeen),
            first > last + window
        {
            return false
        }
        if let first = StoryTime.seconds(profile.firstSeen), let last = StoryTime.seconds(other.lastSeen),
            last < first - window
        {
            return false
        }
        return true
    }

    mutating func finish(_ merge: StoryMerge?) -> StoryStep<StoryMerge?> {
        state = .done
        return .finished(merge)
    }
}

/// What a merge pass check decided: `merged` is folded into `story`, whose profile becomes
/// `profile`. Applied by a backend like the merges of a ``StoryUpdate`` (the merged story's articles
/// and postings move, its id resolves to `story`, a `story-merged` event).
public struct StoryMerge: Sendable, Hashable {
    public var story: Int64
    public var merged: Int64
    public var profile: StoryProfile

    public init(story: Int64, merged: Int64, profile: StoryProfile) {
        self.story = story
        self.merged = merged
        self.profile = profile
    }
}

/// The rounds of one merge pass, whoever runs the checks (a backend, one transaction each; the
/// memory catalog): the stories to check, smallest first (the reports most likely split from their
/// event) then by id, in rounds over the stories still live until one merges nothing, at most
/// ``StoryAssigner/mergePassRounds``.
public struct StoryPassPlan: Sendable {
    var sizes = [Int64: Int]()
    var roundsLeft: Int
    var mergedThisRound = 0
    /// The stories of this round, in the order to check them.
    public private(set) var order: [Int64]
    /// The merges recorded so far.
    public private(set) var merges = 0

    public init(_ stories: [(id: Int64, articles: Int)], assigner: StoryAssigner) {
        for story in stories { sizes[story.id] = story.articles }
        roundsLeft = max(1, assigner.mergePassRounds)
        order = []
        order = ordered()
    }

    func ordered() -> [Int64] {
        sizes.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }.map(\.key)
    }

    /// Whether a story of the plan still lives (was not merged away by an earlier check).
    public func isLive(_ story: Int64) -> Bool { sizes[story] != nil }

    /// Records a merge a check made.
    public mutating func record(_ merge: StoryMerge) {
        sizes[merge.merged] = nil
        sizes[merge.story] = merge.profile.articles
        mergedThisRound += 1
        merges += 1
    }

    /// Ends a round: whether another runs (this one merged something and rounds are left), with
    /// ``order`` the live stories again.
    public mutating func endRound() -> Bool {
        roundsLeft -= 1
        defer { mergedThisRound = 0 }
        guard mergedThisRound > 0, roundsLeft > 0 else { return false }
        order = ordered()
        return true
    }
}
