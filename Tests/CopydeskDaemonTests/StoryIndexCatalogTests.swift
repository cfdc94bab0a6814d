import CopydeskCore
@testable import CopydeskDaemon
import Foundation
import GRDB
import Testing

/// The SQLite writer's index of active stories (`SQLiteStoryCache`): its answers are the tables'
/// answers, another process's writes and a rolled-back transaction are never hidden by it.
struct StoryIndexCatalogTests {
    static var storiesFolder: String {
        SharedFiles.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora/stories-dev/files")
            .path
    }

    func submission(_ name: String, _ bytes: [UInt8], published: String) throws -> Submission {
        try normalizedSubmission(name, bytes, published: published)
    }

    /// `count` news articles of the stories dev set, published 20 a day over the days from
    /// 2021-01-01, every ninth a backfill ten days older than its neighbours (answered from the
    /// tables, past the index's horizon).
    func articles(_ count: Int) throws -> [Submission] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.storiesFolder).filter {
            $0.hasSuffix(".txt") || $0.hasSuffix(".html")
        }.sorted().prefix(count)
        try #require(names.count == count, "../shared/corpora/stories-dev is missing")
        return try names.enumerated().map { position, name in
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.storiesFolder + "/" + name)))
            let day = max(0, position / 20 - (position % 9 == 8 ? 10 : 0))
            let published = StoryTimeText.day(2021, 1, 1 + day) + "T\(10 + position % 10):00:00Z"
            return try submission(name, bytes, published: published)
        }
    }

    /// Every live story with its articles, after a merge pass.
    func partition(of catalog: SQLiteCatalog) async throws -> [Int64: [Int64]] {
        _ = try await StoryMergePass(catalog: catalog, assigner: catalog.storyAssigner).run(.all)
        var stories = [Int64: [Int64]]()
        for story in try await catalog.stories(since: nil, limit: 0) {
            stories[story.story] = story.articles.sorted()
        }
        return stories
    }

    @Test func theIndexAnswersAsTheTablesDo() async throws {
        let files = try articles(150)
        try await withTemporaryDirectory { folder, _ in
            let indexed = try SQLiteCatalog(path: folder + "/indexed.sqlite")
            let tables = try SQLiteCatalog(path: folder + "/tables.sqlite")
            tables.storyCache.isEnabled = false
            // An index that may hold only 12 stories: the rest are answered from the tables.
            let small = try SQLiteCatalog(path: folder + "/small.sqlite")
            small.storyCache.capacity = 12
            for start in stride(from: 0, to: files.count, by: 10) {
                let batch = Array(files[start..<min(files.count, start + 10)])
                let a = try await indexed.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                let b = try await tables.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                let c = try await small.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                #expect(a.map(\.story) == b.map(\.story), "batch at \(start)")
                #expect(c.map(\.story) == b.map(\.story), "batch at \(start), small index")
            }
            #expect((small.storyCache.index?.count ?? 0) <= 12 + 12 / 8)
            let index = try #require(indexed.storyCache.index)
            // The horizon moved (stories were forgotten), and the backfills were answered past it.
            #expect(index.horizon > "2021-01-01")
            #expect(index.count > 0)
            #expect(tables.storyCache.index == nil)
            #expect(try await partition(of: indexed) == partition(of: tables))
            // The postings: the tables file every one; the indexed catalog keeps those of the stories
            // it holds with them, and files the others as the horizon passes them. A copy reads the
            // same from both.
            let everything = Int.max
            let postings = try await indexed.exportRows(.storyTerm, after: .min, limit: everything)
            #expect(postings == (try await tables.exportRows(.storyTerm, after: .min, limit: everything)))
            #expect(postings.count > 150 * 20)
            let settled = try await indexed.readAsync { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM story WHERE settled = 1 AND merged_into IS NULL") ?? 0
            }
            #expect(settled > 0)
        }
    }

    @Test func assignmentsWorkedOutAheadAreTheAssignmentsOfTheirTurn() async throws {
        let files = try articles(150)
        try await withTemporaryDirectory { folder, _ in
            let inTurn = try SQLiteCatalog(path: folder + "/turn.sqlite")
            // Planned just before their batch, and planned three batches ahead (more of those plans
            // read something a batch before theirs changed).
            let ahead = try SQLiteCatalog(path: folder + "/ahead.sqlite")
            let farAhead = try SQLiteCatalog(path: folder + "/far.sqlite")
            // Only the plans made here (none by the transactions themselves).
            for catalog in [inTurn, ahead, farAhead] { catalog.plansStoriesWhileDeciding = false }
            let timers = (StoryTimer(), StoryTimer())
            var planned = [Submission]()
            for start in stride(from: 0, to: files.count, by: 10) {
                let batch = Array(files[start..<min(files.count, start + 10)])
                let expected = try await inTurn.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                var aheadResults = [CommitResult]()
                for var submission in batch {
                    ahead.planStories(&submission)
                    aheadResults.append(try await ahead.commit(submission, storyTimer: timers.0))
                }
                // The far catalog plans this batch now and commits the one planned three batches ago.
                planned += batch.map { submission in
                    var submission = submission
                    farAhead.planStories(&submission)
                    return submission
                }
                if planned.count >= 40 || start + 10 >= files.count {
                    let due = planned.count >= 40 ? Array(planned.prefix(10)) : planned
                    planned.removeFirst(due.count)
                    for submission in due { _ = try await farAhead.commit(submission, storyTimer: timers.1) }
                }
                #expect(aheadResults.map(\.story) == expected.map(\.story), "batch at \(start)")
            }
            for submission in planned { _ = try await farAhead.commit(submission, storyTimer: timers.1) }
            let reference = try await partition(of: inTurn)
            #expect(try await partition(of: ahead) == reference)
            #expect(try await partition(of: farAhead) == reference)
            // Both ways were taken: the plans made just before their turn held (the first article,
            // planned before any transaction, had none); those made far ahead were turned down (in
            // a catalog this young every article ends an epoch of the term counts).
            let taken = timers.0.samples.filter(\.planned).count
            #expect(taken > 100, "plans taken just ahead: \(taken)")
            #expect(timers.1.plansTurnedDown > 50, "far ahead: \(timers.1.plansTurnedDown) turned down")
        }
    }

    /// A batch's files are decided first, their stories assigned after, their events written last
    /// (`SQLiteCatalog.commit(_:assigner:stories:storyTimer:in:)`): the catalog ends as it would
    /// had every file had a transaction of its own, its log in the same order.
    @Test func aBatchRecordsWhatItsFilesWouldOneByOne() async throws {
        let wire = WireCatalogTests()
        let items = ItemsCatalogTests()
        var files = try articles(120)
        // Duplicates and copies of articles earlier in the same batch, agency items with a
        // withdrawal, a file of several items, a file rejected.
        for (offset, position) in [3, 17, 40, 41, 77, 100].enumerated() {
            var again = files[position]
            again.fileName = "again-\(offset).txt"
            files.insert(again, at: position + 2 + offset % 3)
        }
        files.insert(
            try wire.submission(id: "urn:wire:port", version: "1", body: WireCatalogTests.first, name: "v1.json"),
            at: 30)
        files.insert(
            try wire.submission(id: "urn:wire:port", version: "2", body: WireCatalogTests.second, name: "v2.json"),
            at: 33)
        files.insert(
            try wire.submission(
                id: "urn:wire:port", version: "3", body: WireCatalogTests.third, status: "canceled", name: "v3.json"),
            at: 35)
        files.insert(try items.submission(ItemsCatalogTests.array, name: "items.json"), at: 60)
        var refused = files[0]
        refused.fileName = "refused.txt"
        refused.content = .failure(CopydeskError(.unsupportedInput, "not an article"))
        files.insert(refused, at: 90)
        try await withTemporaryDirectory { folder, _ in
            let single = try SQLiteCatalog(path: folder + "/single.sqlite")
            let batched = try SQLiteCatalog(path: folder + "/batched.sqlite")
            var one = [CommitResult]()
            for file in files { one.append(try await single.commit(batch: [file], markingArchived: [], beforeRecording: nil)[0]) }
            var many = [CommitResult]()
            for start in stride(from: 0, to: files.count, by: 40) {
                let batch = Array(files[start..<min(files.count, start + 40)])
                many += try await batched.commit(batch: batch, markingArchived: [], beforeRecording: nil)
            }
            func decisions(_ results: [CommitResult]) -> [String] {
                results.flatMap(\.decisions).map {
                    "\($0.decision) \($0.article ?? 0) \($0.version ?? 0) \($0.story ?? 0) \($0.item ?? -1)"
                }
            }
            #expect(decisions(many) == decisions(one))
            func log(_ catalog: SQLiteCatalog) async throws -> [String] {
                try await catalog.events(EventFilter(), limit: 0).reversed().map {
                    "\($0.kind.rawValue) \($0.file ?? "") \($0.article ?? 0) \($0.version ?? 0) \($0.story ?? 0) \($0.item ?? -1) \($0.message ?? "")"
                }
            }
            let expected = try await log(single)
            #expect(try await log(batched) == expected)
            // What the files held: duplicates, versions, merges, a withdrawal, items, a rejection.
            for kind in ["duplicate", "story-merged", "killed", "rejected", "new-version"] {
                #expect(expected.contains { $0.hasPrefix(kind + " ") }, "no \(kind) event")
            }
            #expect(try await partition(of: batched) == partition(of: single))
        }
    }

    /// A transaction works out its new articles' stories on another thread while it decides its
    /// files (`SQLiteStoryPlanner`): the same stories as worked out in their turn, in transactions
    /// of one file and of ten, and the plans taken.
    @Test func aTransactionWorksOutItsStoriesWhileItDecides() async throws {
        let files = try articles(150)
        try await withTemporaryDirectory { folder, _ in
            let inTurn = try SQLiteCatalog(path: folder + "/turn.sqlite")
            inTurn.plansStoriesWhileDeciding = false
            let one = try SQLiteCatalog(path: folder + "/one.sqlite")
            let ten = try SQLiteCatalog(path: folder + "/ten.sqlite")
            // Long epochs of the term counts after the first 30 articles, so that an epoch's end
            // (every article's, in a catalog this young) does not turn every plan down.
            for catalog in [inTurn, one, ten] { catalog.storyCache.epochLength = { $0 < 30 ? 1 : 1_000 } }
            // Each article's plan waited for (which are ready in time depends on the machine).
            for catalog in [one, ten] { catalog.storyCache.plannerWaits = true }
            let timers = (StoryTimer(), StoryTimer())
            var expected = [CommitResult]()
            var results = ([CommitResult](), [CommitResult]())
            for start in stride(from: 0, to: files.count, by: 10) {
                let batch = Array(files[start..<min(files.count, start + 10)])
                expected += try await inTurn.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                for file in batch { results.0 += try await one.commit(batch: [file], storyTimer: timers.0) }
                results.1 += try await ten.commit(batch: batch, storyTimer: timers.1)
            }
            #expect(results.0.map(\.story) == expected.map(\.story))
            #expect(results.1.map(\.story) == expected.map(\.story))
            let reference = try await partition(of: inTurn)
            #expect(try await partition(of: one) == reference)
            #expect(try await partition(of: ten) == reference)
            let taken = (timers.0.samples.filter(\.planned).count, timers.1.samples.filter(\.planned).count)
            let new = expected.filter { $0.decision == .newArticle }.count
            // A file's own plan is made before its story is assigned, nothing between: every one is
            // taken but a backfill's (older than the index holds: for the tables, in its turn). In a
            // transaction of ten, the articles before one may change what its plan read.
            let backfills = files.indices.filter { $0 % 9 == 8 }.count
            #expect(taken.0 >= new - backfills && taken.1 > new / 4, "taken \(taken) of \(new) new articles")
        }
    }

    @Test func aPlanWhoseCandidatesChangedResumesFromTheirProfiles() async throws {
        let files = try articles(150)
        try await withTemporaryDirectory { folder, _ in
            // The term counts of the first 60 articles, then one epoch of 1,000 (in both catalogs:
            // one catalog's rule, not the backends' shared one), so that plans made ahead keep their
            // counts and only the index can turn them down.
            let inTurn = try SQLiteCatalog(path: folder + "/turn.sqlite")
            let ahead = try SQLiteCatalog(path: folder + "/ahead.sqlite")
            for catalog in [inTurn, ahead] {
                catalog.storyCache.epochLength = { $0 < 60 ? 1 : 1_000 }
                catalog.plansStoriesWhileDeciding = false
            }
            let timer = StoryTimer()
            // The first 60 in turn; then each article planned 4 articles before its turn (so that
            // some articles of one event are planned before another of them joins its story).
            _ = try await ahead.commit(batch: Array(files.prefix(60)), markingArchived: [], beforeRecording: nil)
            var planned = [Submission]()
            var results = [CommitResult]()
            for (position, submission) in files.enumerated() {
                if position >= 60 {
                    var submission = submission
                    ahead.planStories(&submission)
                    planned.append(submission)
                }
                if planned.count == 4 || (position == files.count - 1 && !planned.isEmpty) {
                    let due = planned.count == 4 && position < files.count - 1 ? [planned.removeFirst()] : planned
                    if due.count > 1 { planned = [] }
                    for item in due { results.append(try await ahead.commit(item, storyTimer: timer)) }
                }
            }
            let expected = try await inTurn.commit(batch: files, markingArchived: [], beforeRecording: nil)
            #expect(results.map(\.story) == expected.dropFirst(60).map(\.story))
            #expect(try await partition(of: ahead) == partition(of: inTurn))
            let taken = timer.samples.filter(\.planned).count
            #expect(
                taken > 20 && timer.plansResumed > 0,
                "taken \(taken), resumed \(timer.plansResumed) of \(timer.plansTurnedDown) turned down")
        }
    }

    @Test func aWriterWithAShorterWindowFilesWhatItNoLongerHolds() async throws {
        let files = try articles(100)
        try await withTemporaryDirectory { folder, _ in
            let path = folder + "/catalog.sqlite"
            let long = try SQLiteCatalog(path: path, storyAssigner: StoryAssigner(window: .seconds(30 * 86_400)))
            for start in stride(from: 0, to: files.count, by: 10) {
                _ = try await long.commit(
                    batch: Array(files[start..<start + 10]), markingArchived: [], beforeRecording: nil)
            }
            let unsettled = "SELECT count(*) FROM story WHERE settled = 0 AND merged_into IS NULL"
            let held = try await long.readAsync { db in try Int.fetchOne(db, sql: unsettled) ?? 0 }
            let postings = try await long.exportRows(.storyTerm, after: .min, limit: .max)
            // A writer with a window of one day holds fewer: it files the rest as it loads.
            let short = try SQLiteCatalog(path: path, storyAssigner: StoryAssigner(window: .seconds(86_400)))
            let story = try await short.commit(
                try submission("late.txt", Array(articleText.utf8), published: "2021-01-06T12:00:00Z")
            ).story
            #expect(story != nil)
            let stillHeld = try await short.readAsync { db in try Int.fetchOne(db, sql: unsettled) ?? 0 }
            #expect(stillHeld < held)
            #expect(stillHeld == short.storyCache.index?.count)
            let after = try await short.exportRows(.storyTerm, after: .min, limit: .max)
            #expect(Set(postings).isSubset(of: Set(after)))
        }
    }

    @Test func anotherProcessesStoriesAreSeen() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        let march = SharedFiles.seedNames.filter { !$0.hasPrefix("004_") }
        let seeds = try march.map { name in
            try submission(
                name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedFiles.seedsFolder + "/" + name))),
                published: "2021-03-23T12:00:00Z")
        }
        try await withTemporaryDirectory { folder, _ in
            // One writer alone, the reference.
            let alone = try SQLiteCatalog(path: folder + "/alone.sqlite")
            var expected = [Int64?]()
            for seed in seeds { expected.append(try await alone.commit(seed).story) }
            // Two writers of one catalog taking turns: each sees the other's stories.
            let first = try SQLiteCatalog(path: folder + "/shared.sqlite")
            let second = try SQLiteCatalog(path: folder + "/shared.sqlite")
            var got = [Int64?]()
            for (position, seed) in seeds.enumerated() {
                got.append(try await (position % 2 == 0 ? first : second).commit(seed).story)
            }
            #expect(got == expected)
        }
    }

    @Test func twoWritersTakingTurnsAssignAsOneWriterDoes() async throws {
        let files = try articles(60)
        try await withTemporaryDirectory { folder, _ in
            let alone = try SQLiteCatalog(path: folder + "/alone.sqlite")
            let first = try SQLiteCatalog(path: folder + "/shared.sqlite")
            let second = try SQLiteCatalog(path: folder + "/shared.sqlite")
            for (turn, start) in stride(from: 0, to: files.count, by: 5).enumerated() {
                let batch = Array(files[start..<min(files.count, start + 5)])
                let expected = try await alone.commit(batch: batch, markingArchived: [], beforeRecording: nil)
                let got = try await (turn % 2 == 0 ? first : second).commit(
                    batch: batch, markingArchived: [], beforeRecording: nil)
                #expect(got.map(\.story) == expected.map(\.story), "batch at \(start)")
            }
            // Each writer caught up with the other's stories rather than loading everything again.
            #expect(first.storyCache.index != nil && second.storyCache.index != nil)
            #expect(try await partition(of: first) == partition(of: alone))
        }
    }

    @Test func aRolledBackTransactionLeavesNothingInTheIndex() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { folder, _ in
            let catalog = try SQLiteCatalog(path: folder + "/catalog.sqlite")
            let name = SharedFiles.seedNames[0]
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedFiles.seedsFolder + "/" + name)))
            let seed = try submission(name, bytes, published: "2021-03-23T12:00:00Z")
            struct Refused: Error {}
            // The decision is written, story and all, then the transaction fails.
            await #expect(throws: CopydeskError.self) {
                try await catalog.commit(batch: [seed], markingArchived: [], beforeRecording: nil)
                _ = try await catalog.writeAsync { db in
                    try catalog.storyCache.prepare(db)
                    _ = try SQLiteCatalog.commit(
                        [seed], assigner: catalog.storyAssigner, stories: catalog.storyCache, in: db)
                    throw Refused()
                }
            }
            #expect(catalog.storyCache.index == nil)
            // The second copy is a duplicate of the first, in its story: no phantom story from the
            // rolled-back one.
            let again = try await catalog.commit(seed)
            #expect(again.decision == .duplicate)
            #expect(try await catalog.counts().stories == 1)
        }
    }
}

/// `YYYY-MM-DD` of a day of a month, days past the month's end carried into the next (January).
enum StoryTimeText {
    static func day(_ year: Int, _ month: Int, _ day: Int) -> String {
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.timeZone = TimeZone(identifier: "UTC")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(from: components)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
