import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// Stories through the catalog, the same on every backend: every article gets one in the
/// decision's transaction, versions and duplicates are in their article's story, the listing and
/// a story's detail read them back.
struct StoriesCatalogTests {
    /// A seed as a submission, published on `day` (the seeds are plain text and say no date).
    func seed(_ name: String, published day: String, text: String? = nil) throws -> Submission {
        let bytes: [UInt8]
        if let text {
            bytes = Array(text.utf8)
        } else {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedFiles.seedsFolder + "/" + name)))
        }
        return try submission(name, bytes, published: day)
    }

    func submission(_ name: String, _ bytes: [UInt8], published: String? = nil) throws -> Submission {
        try normalizedSubmission(name, bytes, published: published)
    }

    @Test(arguments: TestBackend.available) func theMarchSeedsAreOneStoryAndAprilAnother(backend: TestBackend) async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        let catalog = try await backend.make()
        var stories = [String: Int64]()
        for name in SharedFiles.seedNames {
            let day = name.hasPrefix("004_") ? "2021-04-14" : "2021-03-23"
            let result = try await catalog.commit(seed(name, published: day))
            #expect(result.decision == .newArticle)
            stories[name] = try #require(result.story)
        }
        // Online, the first March reports may found stories of their own; the merge pass (as at
        // the end of an ingest) folds them together, and their old ids resolve to the story.
        _ = try await StoryMergePass(catalog: catalog, assigner: StoryAssigner()).run(.changedAfterEvent(0))
        for (name, id) in stories { stories[name] = try #require(try await catalog.story(id)).summary.story }
        let march = Set(stories.filter { !$0.key.hasPrefix("004_") }.values)
        #expect(march.count == 1, "\(stories)")
        #expect(stories.first { $0.key.hasPrefix("004_") }?.value != march.first, "\(stories)")

        // A copy is a duplicate, in its article's story.
        let first = try #require(SharedFiles.seedNames.first)
        let again = try await catalog.commit(seed(first, published: "2021-03-23"))
        #expect(again.decision == .duplicate && again.story == stories[first])

        let listed = try await catalog.stories(since: nil, limit: 0)
        #expect(listed.count == 2)
        #expect(listed.map(\.articles.count).sorted() == [1, 4])
        // Newest activity first: April's story.
        #expect(listed.first?.articles.count == 1)
        #expect(try await catalog.counts().stories == 2)
        let marchStory = try #require(march.first)
        let story = try #require(try await catalog.story(marchStory))
        #expect(story.articles.count == 4)
        #expect(story.summary.firstSeen.hasPrefix("2021-03-23"))
        let againArticle = try #require(again.article)
        let record = try #require(try await catalog.article(againArticle))
        #expect(record.story == march.first)
        let events = try await catalog.events(EventFilter(kind: .newArticle), limit: 0)
        #expect(events.allSatisfy { $0.story != nil })
    }

    @Test(arguments: TestBackend.available) func theStoryWindowIsTheOperators(backend: TestBackend) async throws {
        // Two reports of one event, published `days` apart, with a window of `window` (nil: the
        // default, 3 days): one story only when the second comes within the window of the first.
        let day: Duration = .seconds(86_400)
        let cases: [(window: Duration?, days: Int, joined: Bool)] = [
            (nil, 1, true), (nil, 2, true), (day, 2, false), (day, 5, false), (nil, 5, false), (day * 7, 5, true),
        ]
        for (window, days, joined) in cases {
            let catalog = try await backend.make(storyAssigner: window.map { StoryAssigner(window: $0) } ?? StoryAssigner())
            let first = try await catalog.commit(submission("orvina-1.html", DamBreach.page(0, published: "2024-05-10T08:00:00Z")))
            let later = "2024-05-1\(days)T08:00:00Z"
            let second = try await catalog.commit(submission("orvina-2.html", DamBreach.page(1, published: later)))
            #expect(first.decision == .newArticle && second.decision == .newArticle)
            let secondArticle = try #require(second.article)
            let record = try #require(try await catalog.article(secondArticle))
            #expect(
                record.versions.first?.text.published?.hasPrefix(String(later.prefix(13))) == true,
                "the page's date is read as published")
            #expect(
                (first.story == second.story) == joined,
                "window \(window.map(TimeExpression.text(of:)) ?? "default"), \(days) days apart: stories \(first.story ?? 0), \(second.story ?? 0)")
            await catalog.close()
        }
    }
}
