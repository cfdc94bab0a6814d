@testable import CopydeskCore
import Testing

/// The writer's in-memory index of active stories (``StoryIndex``): what it holds, how it answers,
/// how its horizon follows the newest activity.
struct StoryIndexTests {
    func profile(last: String, first: String? = nil) -> StoryProfile {
        StoryProfile(articles: 1, firstSeen: first ?? last, lastSeen: last, summary: [1])
    }

    @Test func theHorizonIsAWindowAndADayBeforeTheNewestAtTheStartOfADay() {
        let window = Duration.seconds(3 * 86_400)
        #expect(StoryIndex.horizon(newest: "2021-03-23T12:30:00Z", window: window) == "2021-03-19T00:00:00Z")
        #expect(StoryIndex.horizon(newest: "2021-03-23T00:00:00Z", window: window) == "2021-03-19T00:00:00Z")
        #expect(StoryIndex.horizon(newest: "2021-03-22T23:59:59Z", window: window) == "2021-03-18T00:00:00Z")
        // Nothing held, or a time that does not parse: everything.
        #expect(StoryIndex.horizon(newest: "", window: window) == "")
        #expect(StoryIndex.horizon(newest: "last week", window: window) == "")
    }

    @Test func itAnswersNewestFirstWithinTheLimitAndTheWindow() {
        var index = StoryIndex(newest: "", window: .seconds(3 * 86_400))
        index.update(1, profile: profile(last: "2021-03-20T10:00:00Z"), fileUnder: [100, 200])
        index.update(3, profile: profile(last: "2021-03-22T10:00:00Z"), fileUnder: [100])
        index.update(2, profile: profile(last: "2021-03-21T10:00:00Z"), fileUnder: [100, 300])
        #expect(index.count == 3)
        #expect(index.horizon == "2021-03-18T00:00:00Z")
        #expect(index.covers(activeSince: "2021-03-18T00:00:00Z"))
        #expect(!index.covers(activeSince: "2021-03-17T23:59:59Z"))
        let answer = index.stories(keys: [100, 200, 300, 400], activeSince: "2021-03-19T00:00:00Z", limitPerKey: 2)
        #expect(answer == [100: [3, 2], 200: [1], 300: [2]])
        // Only the stories active since the time asked about.
        let later = index.stories(keys: [100, 200], activeSince: "2021-03-21T00:00:00Z", limitPerKey: 5)
        #expect(later == [100: [3, 2]])
        #expect(index.profiles([2, 9]).keys.sorted() == [2])
    }

    @Test func aPlanHoldsUntilWhatItReadLeadsElsewhere() {
        var index = StoryIndex(newest: "", window: .seconds(3 * 86_400))
        index.update(1, profile: profile(last: "2021-03-20T10:00:00Z"), fileUnder: [100, 200])
        index.update(2, profile: profile(last: "2021-03-21T10:00:00Z"), fileUnder: [300])
        index.update(3, profile: profile(last: "2021-03-17T10:00:00Z"), fileUnder: [100])
        // A plan that asked about keys 100 and 200 since the 19th (story 3 inactive then) and
        // ranked its candidates (story 1) by them, as an assigner comparing `candidates` stories does.
        func plan(in index: StoryIndex, candidates: Int) -> (StoryPlan, StoryAssigner) {
            var ranking = StoryAssigner()
            ranking.candidates = candidates
            let update = StoryUpdate(story: nil, merged: [], profile: profile(last: ""), fileUnder: [], counted: [])
            var plan = StoryPlan(update: update, time: "2021-03-21T00:00:00Z")
            plan.index = 1
            plan.sequence = index.sequence
            plan.keys = [100, 200]
            plan.activeSince = "2021-03-19T00:00:00Z"
            plan.limitPerKey = 16
            plan.answers = index.stories(keys: plan.keys, activeSince: plan.activeSince, limitPerKey: 16)
            plan.weights = [100: 1, 200: 1]
            plan.candidates = ranking.rankCandidates(plan.answers, weight: { plan.weights[$0]! }).sorted()
            return (plan, ranking)
        }
        let (read, ranking) = plan(in: index, candidates: 12)
        #expect(read.candidates == [1])
        // Another story, under other keys, changes: the same answer.
        index.update(2, profile: profile(last: "2021-03-21T11:00:00Z"), fileUnder: [300, 400])
        index.update(4, profile: profile(last: "2021-03-21T12:00:00Z"), fileUnder: [500])
        #expect(index.check(read, ranking: ranking) == .holds)
        // Each of these leads elsewhere.
        var changed = index
        changed.update(1, profile: profile(last: "2021-03-21T13:00:00Z"), fileUnder: [])
        #expect(changed.check(read, ranking: ranking) != .holds, "a candidate's profile changed")
        #expect(changed.check(read, ranking: ranking) == .sameCandidates, "the same candidates, resumed")
        changed = index
        changed.update(5, profile: profile(last: "2021-03-21T13:00:00Z"), fileUnder: [200])
        #expect(changed.check(read, ranking: ranking) == .turnedDown, "another candidate under a key")
        changed = index
        changed.merge(1, into: 2)
        #expect(changed.check(read, ranking: ranking) == .turnedDown, "the candidate merged away")
        changed = index
        changed.update(3, profile: profile(last: "2021-03-19T10:00:00Z"), fileUnder: [])
        #expect(changed.check(read, ranking: ranking) != .holds, "story 3, under key 100, active again")
        // A key's answer changed, but the candidates it ranks did not: a plan that compared one
        // candidate still holds when another story is found under one key (story 1 under two).
        let (one, rankingOne) = plan(in: index, candidates: 1)
        changed = index
        changed.update(5, profile: profile(last: "2021-03-21T13:00:00Z"), fileUnder: [200])
        #expect(changed.check(one, ranking: rankingOne) == .holds)
        let (two, rankingTwo) = plan(in: index, candidates: 2)
        #expect(changed.check(two, ranking: rankingTwo) != .holds, "comparing two, story 5 is a candidate")
        // A plan older than the changes remembered is not trusted.
        changed = index
        for step in 0..<Int(StoryIndex.remembered) * 2 {
            changed.update(1_000 + Int64(step), profile: profile(last: "2021-03-21T14:00:00Z"), fileUnder: [9_000])
        }
        #expect(changed.check(read, ranking: ranking) != .holds)
        var recent = read
        recent.sequence = changed.sequence - 10
        #expect(changed.check(recent, ranking: ranking) == .holds)
    }

    @Test func aMergeMovesThePostingsAndTheMergedStoryIsGone() {
        var index = StoryIndex(newest: "", window: .seconds(3 * 86_400))
        index.update(1, profile: profile(last: "2021-03-20T10:00:00Z"), fileUnder: [100, 200])
        index.update(2, profile: profile(last: "2021-03-21T10:00:00Z"), fileUnder: [300])
        index.merge(2, into: 1)
        index.update(1, profile: profile(last: "2021-03-21T10:00:00Z"), fileUnder: [])
        #expect(!index.holds(2))
        let answer = index.stories(keys: [100, 300], activeSince: "2021-03-19T00:00:00Z", limitPerKey: 5)
        #expect(answer == [100: [1], 300: [1]])
    }

    @Test func storiesBeforeTheHorizonAreForgottenAsTheNewestMovesOn() {
        let window = Duration.seconds(3 * 86_400)
        var index = StoryIndex(newest: "", window: window)
        index.update(1, profile: profile(last: "2021-03-01T10:00:00Z"), fileUnder: [100])
        index.update(2, profile: profile(last: "2021-03-04T10:00:00Z"), fileUnder: [100])
        #expect(index.horizon == "2021-02-28T00:00:00Z")
        #expect(index.count == 2)
        // A week later: the horizon moves to 2021-03-07 and both are gone with their postings.
        index.update(3, profile: profile(last: "2021-03-11T10:00:00Z"), fileUnder: [100])
        #expect(index.horizon == "2021-03-07T00:00:00Z")
        #expect(index.count == 1)
        #expect(index.stories(keys: [100], activeSince: "2021-03-08T10:00:00Z", limitPerKey: 5) == [100: [3]])
        // An update of a story that ends before the horizon is not held.
        index.update(4, profile: profile(last: "2021-03-02T10:00:00Z"), fileUnder: [100])
        #expect(!index.holds(4))
        // Loading from the catalog: only what is at or after the horizon.
        var loaded = StoryIndex(newest: "2021-03-11T10:00:00Z", window: window)
        loaded.load(2, profile: profile(last: "2021-03-04T10:00:00Z"), terms: [100])
        loaded.load(3, profile: profile(last: "2021-03-11T10:00:00Z"), terms: [100])
        #expect(loaded.horizon == index.horizon)
        #expect(loaded.count == 1 && loaded.holds(3))
    }

    @Test func aStoryFiledTwiceUnderATermIsListedOnce() {
        var index = StoryIndex(newest: "", window: .seconds(86_400))
        index.update(5, profile: profile(last: "2021-03-20T10:00:00Z"), fileUnder: [100, 100])
        index.update(4, profile: profile(last: "2021-03-20T11:00:00Z"), fileUnder: [100])
        index.update(5, profile: profile(last: "2021-03-20T12:00:00Z"), fileUnder: [100])
        #expect(index.stories(keys: [100], activeSince: "", limitPerKey: 5) == [100: [5, 4]])
        index.remove(5)
        #expect(index.stories(keys: [100], activeSince: "", limitPerKey: 5) == [100: [4]])
    }

    @Test func pastItsCapacityItKeepsTheMostRecentlyActive() {
        var index = StoryIndex(newest: "", window: .seconds(30 * 86_400), capacity: 8)
        for story in 1...9 {
            index.update(Int64(story), profile: profile(last: "2021-03-20T10:0\(story):00Z"), fileUnder: [100])
        }
        // Up to an eighth over: all held.
        #expect(index.count == 9)
        index.update(10, profile: profile(last: "2021-03-20T10:10:00Z"), fileUnder: [100])
        #expect(index.count == 8)
        #expect(index.horizon == "2021-03-20T10:03:00Z")
        #expect(!index.holds(2) && index.holds(3) && index.holds(10))
        #expect(index.takeForgotten().map(\.story) == [1, 2])
        // Older questions are for the tables now.
        #expect(!index.covers(activeSince: "2021-03-20T10:02:00Z"))
    }
}
