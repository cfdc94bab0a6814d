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
        var article = try Normalizer().normalize(bytes)
        article.published = day
        let sha = SHA256Digest.hex(of: bytes)
        return Submission(
            origin: .ingest, fileName: name, sourcePath: "/drop/\(name)",
            identity: FileIdentity(size: Int64(bytes.count), modificationTimeNanoseconds: 1, inode: 1, device: 1),
            rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(article),
            archivePath: "originals/\(sha.prefix(2))/\(sha)")
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
}
