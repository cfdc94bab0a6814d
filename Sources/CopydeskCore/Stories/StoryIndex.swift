/// The stories active lately, held in memory: a catalog's writer answers the `stories` and
/// `profiles` questions of story assignment (``StoryQuery``) from it without reading its tables,
/// and mirrors into it every story change it writes.
///
/// It holds every live story whose last article is at or after its ``horizon``: its profile and the
/// terms it is filed under. A `stories` question whose `activeSince` is at or after the horizon is
/// answered whole from here (every story it may name is here); an earlier one (an article published
/// long before the newest: a backfill) is for the catalog's tables. The horizon follows the newest
/// story activity held (``horizon(newest:window:)``), so it is a function of the catalog's content,
/// not of when the index was loaded: a writer that restarts answers the same questions the same way.
///
/// Memory is bounded by the stories active in about one window and a day: their profiles (each
/// summary at most ``StoryAssigner/summaryTerms`` terms) and postings; and by ``capacity`` however
/// many that is (a burst, a window of weeks): past it by an eighth, the horizon moves up to keep
/// the `capacity` most recently active, and the rest are answered from the tables.
public struct StoryIndex: Sendable {
    /// Every live story whose last activity is at or after this (ISO 8601 text, compared as text,
    /// as the catalogs compare `last_seen`) is held.
    public private(set) var horizon: String
    /// The latest last activity of a story held ("" when none).
    public private(set) var newest: String
    /// How long after its last article a story stays open (the horizon lies about this far, and at
    /// most a day more, before the newest activity).
    public let window: Duration
    /// The most stories held (about 3 KB each: 40,000 take some 120 MB).
    public let capacity: Int
    /// What is held of a story.
    struct Held {
        var profile: StoryProfile
        /// Its last activity in seconds since 1970 (`Int64.max` when its time does not parse:
        /// always active), for the `stories` answer's test without reading its profile.
        var activity: Int64
        /// The terms it is filed under, ascending.
        var terms: [Int64] = []
        /// The last change to its profile or its terms (``sequence``).
        var changed: UInt64
    }

    /// The stories filed under a term.
    struct Posting {
        /// In ascending id order (empty once every story filed under it went: kept a while for
        /// its change).
        var stories: [Int64] = []
        /// The last change to them: one filed, or one let go (``sequence``; 0 for a posting just
        /// made: every change has a later one).
        var changed: UInt64 = 0

        /// Files a story at change `sequence`; whether the posting was one emptied before.
        mutating func file(_ story: Int64, at sequence: UInt64) -> Bool {
            let wasEmptied = stories.isEmpty && changed != 0
            StoryIndex.insert(story, into: &stories)
            changed = sequence
            return wasEmptied
        }

        /// Lets a story go at change `sequence`; whether the posting is empty now.
        mutating func remove(_ story: Int64, at sequence: UInt64) -> Bool {
            guard let at = StoryIndex.position(of: story, in: stories) else { return false }
            stories.remove(at: at)
            changed = sequence
            return stories.isEmpty
        }
    }

    /// Story → what is held of it.
    private var held = [Int64: Held]()
    /// Term → the stories held filed under it.
    private var postings = [Int64: Posting]()
    /// How many postings are empty (cleared once past ``remembered``).
    private var emptyPostings = 0
    /// The stories forgotten as the horizon passed them, with their terms, until the catalog takes
    /// them (``takeForgotten()``): a catalog that keeps the postings of the stories held only here
    /// files them in its tables then.
    private var forgotten = [(story: Int64, terms: [Int64])]()

    // MARK: What changed when, for an assignment worked out ahead (``StoryPlan``)

    /// Counts the changes to what the index answers: each call that changes it takes the next.
    public private(set) var sequence: UInt64 = 0
    /// The changes that moved a held story's last activity forward, from and to (seconds): a story
    /// a `stories` answer left out as inactive may be active now.
    private var revivals = [(sequence: UInt64, story: Int64, from: Int64, to: Int64)]()
    /// The changes before this one are no longer told apart (``remembered`` of them are kept).
    private var remembersFrom: UInt64 = 0
    /// How many changes are told apart: an answer older than this many changes is not trusted.
    public static let remembered: UInt64 = 4_096

    /// How many stories are held.
    public var count: Int { held.count }

    /// An index whose horizon follows `newest`, the latest last activity of a live story in the
    /// catalog ("" for none): load into it, with ``load(_:profile:terms:)``, every live story whose
    /// last activity is at or after ``horizon``.
    public init(newest: String, window: Duration, capacity: Int = 40_000) {
        self.window = window
        self.capacity = max(1, capacity)
        self.newest = newest
        self.horizon = Self.horizon(newest: newest, window: window)
    }

    /// The horizon for a newest activity: a window and a day before it, rounded down to the start
    /// of a day (UTC), so that it moves once a day and articles a day older than the newest are
    /// still answered from memory. "" (everything) when `newest` does not parse.
    public static func horizon(newest: String, window: Duration) -> String {
        guard let seconds = StoryTime.seconds(newest) else { return "" }
        let day: Int64 = 86_400
        let back = seconds - window.components.seconds - day
        let floored = back >= 0 ? back / day * day : (back - day + 1) / day * day
        return StoryTime.format(floored)
    }

    /// Whether every story a `stories` question with this `activeSince` may name is held.
    public func covers(activeSince: String) -> Bool {
        activeSince >= horizon
    }

    /// Whether a story is held.
    public func holds(_ story: Int64) -> Bool {
        held[story] != nil
    }

    /// Adds a story read from the catalog (loading), or replaces what is held of it.
    public mutating func load(_ story: Int64, profile: StoryProfile, terms: [Int64]) {
        change()
        forget(story)
        guard profile.lastSeen >= horizon else { return }
        hold(story, profile)
        fileHeld(story, under: terms)
        if profile.lastSeen > newest { advance(to: profile.lastSeen) }
        if held.count > capacity + capacity / 8 { shrink() }
    }

    /// The answer to a `stories` question (the caller has checked ``covers(activeSince:)``): for
    /// each key, its live stories active since `activeSince`, newest (highest id) first, at most
    /// `limitPerKey`.
    public func stories(keys: [Int64], activeSince: String, limitPerKey: Int) -> [Int64: [Int64]] {
        var answer = [Int64: [Int64]]()
        let since = StoryTime.seconds(activeSince) ?? Int64.min
        for key in keys {
            guard let stories = postings[key]?.stories, !stories.isEmpty else { continue }
            var found = [Int64]()
            for story in stories.reversed() where held[story]!.activity >= since {
                found.append(story)
                if found.count == limitPerKey { break }
            }
            if !found.isEmpty { answer[key] = found }
        }
        return answer
    }

    /// The terms a held story is filed under, ascending (none for a story not held).
    public func terms(of story: Int64) -> [Int64] {
        held[story]?.terms ?? []
    }

    /// The profiles held among `ids`.
    public func profiles(_ ids: [Int64]) -> [Int64: StoryProfile] {
        var answer = [Int64: StoryProfile]()
        for id in ids { if let story = held[id] { answer[id] = story.profile } }
        return answer
    }

    /// Records what a catalog wrote for a story: its profile now and the terms it is filed under
    /// from now on (added to those it had).
    public mutating func update(_ story: Int64, profile: StoryProfile, fileUnder terms: [Int64]) {
        change()
        guard profile.lastSeen >= horizon else {
            forget(story)
            return
        }
        hold(story, profile)
        fileHeld(story, under: terms)
        if profile.lastSeen > newest { advance(to: profile.lastSeen) }
        if held.count > capacity + capacity / 8 { shrink() }
    }

    /// Records that `merged` was folded into `story`: its postings move to `story` (held, or not:
    /// then they are the catalog's alone) and it is no longer live.
    public mutating func merge(_ merged: Int64, into story: Int64) {
        change()
        let terms = held[merged]?.terms ?? []
        forget(merged)
        fileHeld(story, under: terms)
    }

    private mutating func hold(_ story: Int64, _ profile: StoryProfile) {
        let seconds = StoryTime.seconds(profile.lastSeen) ?? Int64.max
        guard let at = held.index(forKey: story) else {
            held[story] = Held(profile: profile, activity: seconds, changed: sequence)
            return
        }
        let before = held.values[at].activity
        if before < seconds { revivals.append((sequence, story, before, seconds)) }
        held.values[at].profile = profile
        held.values[at].activity = seconds
        held.values[at].changed = sequence
    }

    /// The stories the horizon passed since the last call, with their terms, in id order.
    public mutating func takeForgotten() -> [(story: Int64, terms: [Int64])] {
        defer { forgotten = [] }
        return forgotten.sorted { $0.story < $1.story }
    }

    /// Whether a story with this last activity would be held after an update (the horizon follows
    /// the newest activity, this one included).
    public func wouldHold(lastSeen: String) -> Bool {
        // (A story the capacity then lets go is among those ``takeForgotten()`` gives.)
        lastSeen >= Self.horizon(newest: max(newest, lastSeen), window: window)
    }

    /// Forgets a story (merged away, or gone past the horizon).
    public mutating func remove(_ story: Int64) {
        change()
        forget(story)
    }

    private mutating func forget(_ story: Int64) {
        guard let gone = held.removeValue(forKey: story) else { return }
        for term in gone.terms {
            guard let at = postings.index(forKey: term) else { continue }
            if postings.values[at].remove(story, at: sequence) { emptyPostings += 1 }
        }
    }

    /// Files a held story under more terms (loading its postings; a story not held is not filed).
    public mutating func file(_ story: Int64, under terms: [Int64]) {
        change()
        fileHeld(story, under: terms)
    }

    private mutating func fileHeld(_ story: Int64, under terms: [Int64]) {
        guard !terms.isEmpty, let at = held.index(forKey: story) else { return }
        let terms = terms.isSorted ? terms : terms.sorted()
        // Its terms and these merged in one walk (both ascending); each new one filed in its
        // posting with one lookup.
        let mine = held.values[at].terms
        var merged = [Int64]()
        merged.reserveCapacity(mine.count + terms.count)
        var next = 0
        for term in terms {
            while next < mine.count, mine[next] < term {
                merged.append(mine[next])
                next += 1
            }
            guard next == mine.count || mine[next] != term, merged.last != term else { continue }
            merged.append(term)
            if postings[term, default: Posting()].file(story, at: sequence) { emptyPostings -= 1 }
        }
        guard merged.count > next else { return }
        merged.append(contentsOf: mine[next...])
        held.values[at].terms = merged
        held.values[at].changed = sequence
    }

    /// Inserts a story into a term's postings, kept in ascending order (most stories filed are the
    /// newest: appended at the end).
    fileprivate static func insert(_ story: Int64, into stories: inout [Int64]) {
        if let last = stories.last, last > story {
            let at = lowerBound(of: story, in: stories)
            if stories[at] != story { stories.insert(story, at: at) }
        } else if stories.last != story {
            stories.append(story)
        }
    }

    /// Moves the newest activity forward; when the horizon follows, the stories now before it are
    /// forgotten.
    private mutating func advance(to latest: String) {
        newest = latest
        let next = Self.horizon(newest: latest, window: window)
        guard next > horizon else { return }
        horizon = next
        for (story, kept) in held where kept.profile.lastSeen < horizon {
            forgotten.append((story, kept.terms))
            forget(story)
        }
    }

    /// Keeps the `capacity` most recently active stories (and those tied with the last of them):
    /// the horizon moves up to the last one's activity.
    private mutating func shrink() {
        let latest = held.values.map(\.profile.lastSeen).sorted(by: >)
        guard latest.count > capacity, latest[capacity - 1] > horizon else { return }
        horizon = latest[capacity - 1]
        for (story, kept) in held where kept.profile.lastSeen < horizon {
            forgotten.append((story, kept.terms))
            forget(story)
        }
    }

    /// Starts the next change; past twice ``remembered`` changes, the oldest are let go (and
    /// the postings emptied before them, once there are many).
    private mutating func change() {
        sequence += 1
        guard sequence - remembersFrom >= 2 * Self.remembered else { return }
        remembersFrom = sequence - Self.remembered
        revivals.removeAll { $0.sequence < remembersFrom }
        guard emptyPostings > held.count else { return }
        postings = postings.filter { !$0.value.stories.isEmpty || $0.value.changed >= remembersFrom }
        emptyPostings = postings.values.lazy.filter(\.stories.isEmpty).count
    }

    /// Whether a plan's assignment (``StoryPlan``), worked out when the index was at change
    /// `plan.sequence`, is what the index leads to now: none of its candidates changed since, and
    /// the `stories` answer, where it changed (a story filed under one of its keys or let go, one
    /// filed under them active again since `activeSince`), still ranks the same candidates
    /// (``StoryAssigner`` `ranking`'s rule).
    ///
    /// Or, when some of its candidates' profiles changed since but its candidates are the same:
    /// ``StoryPlanCheck/sameCandidates``.
    public func check(_ plan: StoryPlan, ranking: StoryAssigner) -> StoryPlanCheck {
        let sequence = plan.sequence
        guard sequence >= remembersFrom, sequence <= self.sequence, covers(activeSince: plan.activeSince) else {
            return .turnedDown
        }
        if sequence == self.sequence { return .holds }
        var profilesChanged = false
        for story in plan.candidates {
            guard let candidate = held[story] else { return .turnedDown }
            if candidate.changed > sequence { profilesChanged = true }
        }
        let same: StoryPlanCheck = profilesChanged ? .sameCandidates : .holds
        var changed = Set(plan.keys.filter { (postings[$0]?.changed ?? 0) > sequence })
        let since = StoryTime.seconds(plan.activeSince) ?? Int64.min
        var asked: Set<Int64>?
        for revival in revivals.reversed() {
            guard revival.sequence > sequence else { break }
            guard revival.from < since, revival.to >= since else { continue }
            if asked == nil { asked = Set(plan.keys) }
            for key in held[revival.story]?.terms ?? [] where asked!.contains(key) { changed.insert(key) }
        }
        if changed.isEmpty { return same }
        var answers = plan.answers
        let fresh = stories(keys: changed.sorted(), activeSince: plan.activeSince, limitPerKey: plan.limitPerKey)
        for key in changed { answers[key] = fresh[key] }
        if answers == plan.answers { return same }
        let ranked = ranking.rankCandidates(answers, weight: { plan.weights[$0] ?? 0 }).sorted()
        return ranked == plan.candidates ? same : .turnedDown
    }

    fileprivate static func position(of story: Int64, in stories: [Int64]) -> Int? {
        let low = lowerBound(of: story, in: stories)
        return low < stories.count && stories[low] == story ? low : nil
    }

    /// The first place in an ascending array whose value is not below `value`.
    private static func lowerBound(of value: Int64, in values: [Int64]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension Array where Element == Int64 {
    /// Whether the values ascend (equal neighbours allowed).
    fileprivate var isSorted: Bool {
        indices.dropFirst().allSatisfy { self[$0 - 1] <= self[$0] }
    }
}
