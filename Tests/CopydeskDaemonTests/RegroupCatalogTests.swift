import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// `copydesk regroup` through the catalog, the same on every backend: the stories rebuilt from the
/// stored texts are the ones the decisions made; an interrupted regroup continues to the same
/// stories; articles arriving meanwhile are assigned by their decisions and counted once.
extension StoriesCatalogTests {
    /// The seeds (March: one story, April: another), a copy of the first (a duplicate) and the two
    /// reports of the dam breach a day apart (a third story), committed in that order.
    func ingestFixtures(into catalog: any CatalogBackend) async throws -> [CommitResult] {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        var results = [CommitResult]()
        for name in SharedFiles.seedNames {
            results.append(try await catalog.commit(seed(name, published: name.hasPrefix("004_") ? "2021-04-14" : "2021-03-23")))
        }
        results.append(try await catalog.commit(seed(SharedFiles.seedNames[0], published: "2021-03-23")))
        results += try await ingestDamBreach(into: catalog)
        return results
    }

    func ingestDamBreach(into catalog: any CatalogBackend) async throws -> [CommitResult] {
        [
            try await catalog.commit(submission("orvina-1.html", DamBreach.page(0, published: "2024-05-05T08:00:00Z"))),
            try await catalog.commit(submission("orvina-2.html", DamBreach.page(1, published: "2024-05-06T08:00:00Z"))),
        ]
    }

    /// The catalog's stories as sets of articles (whatever their ids), and each article's story.
    func partition(_ catalog: any CatalogBackend, articles: [Int64]) async throws -> (Set<Set<Int64>>, [Int64: Int64]) {
        var members = [Int64: Set<Int64>]()
        var stories = [Int64: Int64]()
        for article in Set(articles) {
            let story = try #require(try await catalog.article(article)?.story, "article \(article) has no story")
            members[story, default: []].insert(article)
            stories[article] = story
        }
        return (Set(members.values), stories)
    }

    @Test(arguments: TestBackend.available) func aRegroupRebuildsTheStoriesTheDecisionsMade(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let live = try await ingestFixtures(into: catalog)
        let articles = live.compactMap(\.article)
        // Decisions, then the merge pass (as an ingest ends): the March seeds one story.
        let pass = StoryMergePass(catalog: catalog, assigner: StoryAssigner())
        #expect(try await pass.run(.changedAfterEvent(0)).merges > 0)
        let (before, oldStories) = try await partition(catalog, articles: articles)
        #expect(before.count == 3, "\(before)")
        #expect(live[5].decision == .duplicate)

        let progress = try await Regrouper(catalog: catalog, assigner: StoryAssigner()).run()
        #expect(progress.isFinished && !progress.resumed)
        #expect(progress.done == 7 && progress.total == 7)
        #expect(progress.counted == 7)
        #expect(try await pass.run(.all).merges > 0)
        let (after, newStories) = try await partition(catalog, articles: articles)
        #expect(after == before)
        // The duplicate is in its article's story, as before.
        let duplicate = try #require(live[5].article)
        #expect(duplicate == live[0].article)
        #expect(try await catalog.article(duplicate)?.story != nil)
        // The old ids are gone (never another story's).
        let oldest = try #require(Set(oldStories.values).max())
        #expect(Set(newStories.values).allSatisfy { $0 > oldest }, "\(newStories)")
        for old in Set(oldStories.values) { #expect(try await catalog.story(old) == nil) }
        #expect(try await catalog.counts().stories == 3)
        #expect(try await catalog.stories(since: nil, limit: 0).map(\.articles.count).sorted() == [1, 2, 4])

        let logged = try await catalog.events(limit: 0, kind: .regrouped)
        #expect(logged.count == 2)
        #expect(logged.first?.message?.hasPrefix("regroup started") == true)
        #expect(logged.last?.message?.hasPrefix("regrouped 7 articles into \(progress.stories ?? 0) stor") == true, "\(String(describing: logged.last?.message))")
        // The pass's merges are logged as a decision's are.
        #expect(try await !catalog.events(limit: 0, kind: .storyMerged).isEmpty)
        await catalog.close()
    }

    @Test(arguments: TestBackend.available) func anInterruptedRegroupContinuesToTheSameStories(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let articles = try await ingestFixtures(into: catalog).compactMap(\.article)
        let (live, _) = try await partition(catalog, articles: articles)

        // Interrupted after its first batch (as a kill would leave it: the batch committed with its
        // progress, the rest not begun).
        var interrupted = Regrouper(catalog: catalog, assigner: StoryAssigner())
        interrupted.batchSize = 2
        interrupted.batchLimit = 1
        let stopped = try await interrupted.run()
        #expect(!stopped.isFinished && stopped.done == 2)
        // `status` says how far it got.
        let unfinished = try await catalog.counts().regroup
        #expect(unfinished?.done == 2 && unfinished?.total == 7)

        // Another window would not continue it.
        await #expect(throws: CopydeskError.self) {
            try await Regrouper(catalog: catalog, assigner: StoryAssigner(window: .seconds(86_400))).run()
        }

        var resumed = Regrouper(catalog: catalog, assigner: StoryAssigner())
        resumed.batchSize = 2
        var reports = [RegroupProgress]()
        let finished = try await resumed.run { reports.append($0) }
        #expect(reports.first?.resumed == true && reports.first?.done == 2)
        #expect(finished.isFinished && finished.done == 7 && finished.counted == 7)
        #expect(try await catalog.counts().regroup == nil)
        let (continued, _) = try await partition(catalog, articles: articles)
        #expect(continued == live)

        // Run again from the start, uninterrupted: the same stories, the same counts.
        let again = try await Regrouper(catalog: catalog, assigner: StoryAssigner()).run(restart: true)
        #expect(!again.resumed && again.done == 7 && again.stories == finished.stories && again.counted == 7)
        #expect(try await partition(catalog, articles: articles).0 == continued)
        #expect(try await catalog.events(limit: 0, kind: .regrouped).count == 4)
        await catalog.close()
    }

    @Test(arguments: TestBackend.available) func articlesArrivingDuringARegroupAreCountedOnce(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        var articles = [Int64]()
        for name in SharedFiles.seedNames {
            let result = try await catalog.commit(seed(name, published: name.hasPrefix("004_") ? "2021-04-14" : "2021-03-23"))
            articles.append(try #require(result.article))
        }
        var regrouper = Regrouper(catalog: catalog, assigner: StoryAssigner())
        regrouper.batchSize = 2
        regrouper.batchLimit = 1
        let begun = try await regrouper.run()
        #expect(begun.untilArticle == articles.max() && begun.done == 2)

        // Two new articles decided meanwhile: assigned a story by their decisions.
        let arrived = try await ingestDamBreach(into: catalog)
        #expect(arrived.allSatisfy { $0.decision == .newArticle && $0.story != nil })
        #expect(arrived[0].story == arrived[1].story)

        regrouper.batchLimit = nil
        let finished = try await regrouper.run()
        #expect(finished.done == 5 && finished.total == 5, "only the articles there were at its start")
        #expect(finished.counted == 7, "every article counted once")
        let all = articles + arrived.compactMap(\.article)
        let (stories, _) = try await partition(catalog, articles: all)
        #expect(stories.count == 3, "\(stories)")
        #expect(stories.contains(Set(arrived.compactMap(\.article))))
        await catalog.close()
    }
}

/// `copydesk regroup` as an operator runs it.
struct RegroupCommandTests {
    /// Each story's articles, by story id, from `stories --json`.
    static func stories(archive: String) throws -> [Int: Set<Int>] {
        let listed = try EndToEndTests.run(["stories", "--json", "--limit", "0", "--archive", archive])
        var stories = [Int: Set<Int>]()
        for line in listed.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            stories[try #require(object["story"] as? Int)] = Set(try #require(object["articles"] as? [Int]))
        }
        return stories
    }

    @Test func theSeedsRegroupedAreTheSameStoriesUnderNewIds() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { inbox, archive in
            for name in SharedFiles.seedNames {
                try FileManager.default.copyItem(atPath: SharedFiles.seedsFolder + "/" + name, toPath: inbox + "/" + name)
            }
            let ingest = try EndToEndTests.run(["ingest", inbox, "--archive", archive])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let before = try Self.stories(archive: archive)
            #expect(!before.isEmpty)

            let unknownWindow = try EndToEndTests.run(["regroup", "--archive", archive, "--story-window", "soon"])
            #expect(unknownWindow.status == 2, "\(unknownWindow.stderr)")
            let regroup = try EndToEndTests.run(["regroup", "--archive", archive])
            #expect(regroup.status == 0, "\(regroup.stderr)")
            #expect(regroup.stdout.hasPrefix("regrouped 5 articles into "), "\(regroup.stdout)")
            #expect(regroup.stdout.contains("the merge pass merged"), "\(regroup.stdout)")

            let after = try Self.stories(archive: archive)
            #expect(Set(after.values) == Set(before.values))
            #expect(Set(after.keys).isDisjoint(with: before.keys))
            let old = try #require(before.keys.min())
            let gone = try EndToEndTests.run(["story", String(old), "--archive", archive])
            #expect(gone.status == 2)
            #expect(gone.stderr.contains("no story \(old): unknown id") && gone.stderr.contains("regrouped"), "\(gone.stderr)")
            let log = try EndToEndTests.run(["log", "--event", "regrouped", "--json", "--archive", archive])
            #expect(log.stdout.split(separator: "\n").count == 2, "\(log.stdout)")
        }
    }
}

/// The merge pass of a watching daemon: when it has been idle a moment, the stories its decisions
/// kept apart are folded together.
struct IdleStoryPassTests {
    @Test func anIdleDaemonFoldsTheMarchSeedsIntoOneStory() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        let march = SharedFiles.seedNames.filter { !$0.hasPrefix("004_") }
        try #require(march.count == 4, "../shared/seeds is missing")
        try await withTemporaryDirectory { inbox, archive in
            let daemon = try DaemonProcess(inbox: inbox, archive: archive)
            for name in march {
                try FileManager.default.copyItem(atPath: SharedFiles.seedsFolder + "/" + name, toPath: inbox + "/" + name)
            }
            _ = try await EndToEndTests.waitFor(4, archive: archive)
            // The pass runs after 2 s without work; give it a while on a loaded machine.
            var stories = [Int: Set<Int>]()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                stories = try RegroupCommandTests.stories(archive: archive)
                if stories.count == 1 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(stories.count == 1, "\(stories)\n\(daemon.logTail())")
            #expect(stories.values.first?.count == 4)
            let merged = try EndToEndTests.run(["log", "--json", "--limit", "0", "--archive", archive])
            #expect(merged.stdout.contains("story-merged"), "\(merged.stdout)")
            // Merged by the pass (decisions alone keep the first March report apart).
            #expect(daemon.logTail(200).contains("merge pass: "), "\(daemon.logTail())")
            await daemon.stop()
        }
    }
}
