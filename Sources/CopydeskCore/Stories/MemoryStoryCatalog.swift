/// A story catalog held in dictionaries: answers ``StoryQuery``s and applies ``StoryUpdate``s the
/// way a backend does (postings by term, term counts, profiles, merged ids resolving to the story
/// they were merged into). For tests and for measuring the assignment offline; a real catalog keeps
/// the same in tables.
public final class MemoryStoryCatalog: StoryLookup {
    public private(set) var profiles = [Int64: StoryProfile]()
    /// Term key → stories filed under it, in filing order (merged ids included until resolved).
    public private(set) var postings = [Int64: [Int64]]()
    /// The term counts as story assignment reads them: as of the end of the last epoch
    /// (``TermSketch/epochLength(after:)``), exact.
    public private(set) var frequencies = [Int64: Int]()
    public private(set) var articles = 0
    /// The distinct terms of each article counted in the epoch so far.
    private var epoch = [[Int64]]()
    /// Merged story → the story it was merged into.
    public private(set) var mergedInto = [Int64: Int64]()
    var nextStory: Int64 = 1
    /// The most stories one key of a `stories` question was answered with, and every question
    /// asked, so that tests can hold the assignment to its bounds.
    public private(set) var largestKeyAnswer = 0
    public private(set) var questions = [StoryQuery]()

    public init() {}

    /// The live story an id resolves to (itself, or the story it was merged into).
    public func resolve(_ story: Int64) -> Int64 {
        var id = story
        while let next = mergedInto[id] { id = next }
        return id
    }

    public func answer(_ query: StoryQuery) -> StoryAnswer {
        questions.append(query)
        switch query {
        case .stories(let keys, let activeSince, let limit):
            var answer = [Int64: [Int64]]()
            for key in keys {
                var seen = Set<Int64>()
                var live = [(id: Int64, last: String)]()
                for filed in postings[key] ?? [] {
                    let id = resolve(filed)
                    guard seen.insert(id).inserted, let profile = profiles[id], profile.lastSeen >= activeSince else {
                        continue
                    }
                    live.append((id, profile.lastSeen))
                }
                live.sort { a, b in a.last != b.last ? a.last > b.last : a.id > b.id }
                let active = live.prefix(limit).map { $0.id }
                largestKeyAnswer = max(largestKeyAnswer, active.count)
                if !active.isEmpty { answer[key] = active }
            }
            return .stories(answer)
        case .frequencies(let keys):
            var counts = [Int64: Int]()
            for key in keys { counts[key] = frequencies[key] ?? 0 }
            return .frequencies(counts, articles: articles)
        case .profiles(let ids):
            var answer = [Int64: StoryProfile]()
            for id in ids where mergedInto[id] == nil {
                if let profile = profiles[id] { answer[id] = profile }
            }
            return .profiles(answer)
        }
    }

    /// Applies an update and returns the story the article is in.
    @discardableResult
    public func apply(_ update: StoryUpdate) -> Int64 {
        let story: Int64
        if let existing = update.story {
            story = resolve(existing)
        } else {
            story = nextStory
            nextStory += 1
        }
        for other in update.merged.map(resolve) where other != story {
            mergedInto[other] = story
            profiles[other] = nil
        }
        profiles[story] = update.profile
        for key in update.fileUnder where !(postings[key] ?? []).contains(story) {
            postings[key, default: []].append(story)
        }
        epoch.append(Array(Set(update.counted)))
        if epoch.count >= TermSketch.epochLength(after: articles) {
            for keys in epoch { for key in keys { frequencies[key, default: 0] += 1 } }
            articles += epoch.count
            epoch = []
        }
        return story
    }

    /// Applies a merge pass's merge.
    public func apply(_ merge: StoryMerge) {
        let story = resolve(merge.story)
        let merged = resolve(merge.merged)
        guard story != merged else { return }
        mergedInto[merged] = story
        profiles[merged] = nil
        profiles[story] = merge.profile
    }

    /// One merge pass over every story (see ``StoryMergeCheck``); returns how many merges it made.
    @discardableResult
    public func mergePass(_ assigner: StoryAssigner) -> Int {
        var plan = StoryPassPlan(profiles.map { ($0.key, $0.value.articles) }, assigner: assigner)
        repeat {
            for story in plan.order where plan.isLive(story) {
                guard let profile = profiles[story] else { continue }
                // The memory catalog never throws.
                if let merge = (try? run(StoryMergeCheck(assigner: assigner, story: story, profile: profile))) ?? nil {
                    apply(merge)
                    plan.record(merge)
                }
            }
        } while plan.endRound()
        return plan.merges
    }
}
