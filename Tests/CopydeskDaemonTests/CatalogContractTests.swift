import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// The catalog's behaviour through its ports, the same on every backend: decisions, versions, the
/// log, pending receipts, article lookup, current versions and search.
struct CatalogContractTests {
    func inboxSubmission(
        _ text: String, raw: String? = nil, name: String = "a.txt", inode: UInt64 = 1
    ) throws -> Submission {
        let bytes = Array((raw ?? text).utf8)
        let article = try Normalizer().normalize(Array(text.utf8))
        let sha = SHA256Digest.hex(of: bytes)
        return Submission(
            origin: .inbox, fileName: name, sourcePath: "/inbox/\(name)",
            identity: FileIdentity(size: Int64(bytes.count), modificationTimeNanoseconds: 5, inode: inode, device: 9),
            rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(article),
            archivePath: "originals/\(sha.prefix(2))/\(sha)")
    }

    func submission(_ text: String, name: String, site: String? = nil) throws -> Submission {
        var article = try Normalizer().normalize(Array(text.utf8))
        article.site = site
        let sha = SHA256Digest.hex(of: name + text)
        return Submission(
            origin: .ingest, fileName: name, sourcePath: "/drop/\(name)",
            identity: FileIdentity(size: Int64(text.utf8.count), modificationTimeNanoseconds: 1, inode: 1, device: 1),
            rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(article),
            archivePath: "originals/\(sha.prefix(2))/\(sha)")
    }

    @Test(arguments: TestBackend.available) func firstTextIsANewArticle(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let result = try await catalog.commit(inboxSubmission(articleText))
        #expect(result.decision == .newArticle)
        #expect(result.article == 1)
        #expect(result.version == 1)
        #expect(result.message == "Ministers agree on a new budget")
        let counts = try await catalog.counts()
        #expect(counts.articles == 1 && counts.versions == 1 && counts.receipts == 1)
    }

    @Test(arguments: TestBackend.available) func sameBytesAgainIsADuplicate(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(inboxSubmission(articleText, name: "a.txt"))
        let second = try await catalog.commit(inboxSubmission(articleText, name: "b.txt", inode: 2))
        #expect(second.decision == .duplicate)
        #expect(second.article == first.article)
        #expect(second.similarity == 1)
        #expect(second.message?.contains("a.txt") == true)
        #expect(try await catalog.counts().duplicates == 1)
    }

    @Test(arguments: TestBackend.available) func sameTextOtherwiseWrappedIsADuplicate(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(inboxSubmission(articleText))
        let rewrapped = articleText.replacingOccurrences(of: "agreed on", with: "AGREED\non")
            .replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\nRead more\r\n"
        let second = try await catalog.commit(inboxSubmission(rewrapped, name: "c.txt", inode: 3))
        #expect(second.decision == .duplicate)
        #expect(second.article == first.article)
        #expect(second.message == "same text as version \(first.version!)")
    }

    @Test(arguments: TestBackend.available) func otherTextIsAnotherArticle(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        _ = try await catalog.commit(inboxSubmission(articleText))
        let other = try await catalog.commit(inboxSubmission("Storm closes the port\n\nThe harbour stayed shut all day.", name: "d.txt"))
        #expect(other.decision == .newArticle)
        #expect(other.article == 2)
    }

    @Test(arguments: TestBackend.available) func rejectionsAreRecordedWithTheirReason(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        var rejected = try inboxSubmission(articleText, name: "bad.bin")
        rejected.content = .failure(CopydeskError(.binaryInput, "binary file (PNG image), not an article"))
        rejected.archivePath = "rejected/x-bad.bin"
        let result = try await catalog.commit(rejected)
        #expect(result.decision == .rejected)
        #expect(result.article == nil)
        let events = try await catalog.events(kind: .rejected)
        #expect(events.count == 1)
        #expect(events[0].file == "bad.bin")
        #expect(events[0].message == "binary file (PNG image), not an article")
        #expect(try await catalog.counts().rejected == 1)
    }

    @Test(arguments: TestBackend.available) func receiptsStayPendingUntilArchived(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let sub = try inboxSubmission(articleText)
        let result = try await catalog.commit(sub)
        let pending = try await catalog.pendingReceipts()
        #expect(pending.map(\.id) == [result.receiptID])
        #expect(pending.first?.identity == sub.identity)
        #expect(pending.first?.sourcePath == sub.sourcePath)
        #expect(pending.first?.decision == .newArticle)
        try await catalog.markArchived(receiptIDs: [result.receiptID])
        try await catalog.markArchived(receiptIDs: [result.receiptID])  // idempotent: one archived event
        #expect(try await catalog.pendingReceipts().isEmpty)
        #expect(try await catalog.events(kind: .archived).count == 1)
    }

    @Test(arguments: TestBackend.available) func logIsOldestToNewestWithinTheLimit(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        for index in 0..<5 {
            _ = try await catalog.commit(inboxSubmission("Story \(index)\n\nText number \(index) of the day.", name: "\(index).txt"))
        }
        let last = try await catalog.events(limit: 2)
        #expect(last.map(\.file) == ["3.txt", "4.txt"])
        #expect(try await catalog.events(limit: 0).count == 5)
        #expect(try await catalog.events(limit: 0, file: "2.txt").count == 1)
        #expect(try await catalog.lastEvent()?.file == "4.txt")
    }

    @Test(arguments: TestBackend.available) func aRevisionIsANewVersionOfTheArticle(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(submission(Story.text, name: "story.txt"))
        let revision = try await catalog.commit(submission(Story.revision, name: "story-2.txt"))
        #expect(revision.decision == .newVersion)
        #expect(revision.article == first.article)
        #expect(revision.parentVersion == first.version)
        #expect(revision.relation == .revision)
        #expect((revision.similarity ?? 0) > 0.8)
        #expect(revision.message == "revision of version \(first.version!)")
        let event = try #require(try await catalog.events(kind: .newVersion).last)
        #expect(event.article == first.article)
        #expect(event.version == revision.version)
        let record = try #require(try await catalog.article(first.article!))
        #expect(record.versions.map(\.id) == [first.version!, revision.version!])
        #expect(record.versions[1].parent == first.version)
        #expect(record.versions[1].relation == .revision)
        #expect(record.latestVersion == revision.version)
        #expect(try await catalog.counts().articles == 1)
    }

    @Test(arguments: TestBackend.available) func aSyndicatedCopyIsASyndication(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(submission(Story.text, name: "story.txt"))
        let copy = try await catalog.commit(submission(Story.syndicated, name: "wire.txt"))
        #expect(copy.decision == .newVersion)
        #expect(copy.article == first.article)
        #expect(copy.relation == .syndication)
    }

    @Test(arguments: TestBackend.available, [false, true])
    func aTeaserIsAnExcerptWhicheverArrivesFirst(backend: TestBackend, teaserFirst: Bool) async throws {
        let catalog = try await backend.make()
        let texts = teaserFirst ? [Story.teaser, Story.text] : [Story.text, Story.teaser]
        let first = try await catalog.commit(submission(texts[0], name: "first.txt"))
        let second = try await catalog.commit(submission(texts[1], name: "second.txt"))
        #expect(second.decision == .newVersion)
        #expect(second.article == first.article)
        #expect(second.relation == .excerpt)
        #expect((second.similarity ?? 0) > 0.95)
    }

    @Test(arguments: TestBackend.available) func differentStoriesFromOneSiteStayApart(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(submission(Story.text, name: "a.txt", site: "Harbour News"))
        let other = try await catalog.commit(submission(Story.other, name: "b.txt", site: "Harbour News"))
        #expect(other.decision == .newArticle)
        #expect(other.article != first.article)
    }

    @Test(arguments: TestBackend.available) func theSeedsStayFiveArticles(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let names = SharedFiles.seedNames
        try #require(names.count == 5, "../shared/seeds is missing")
        for name in names {
            let text = try String(contentsOfFile: SharedFiles.seedsFolder + "/" + name, encoding: .utf8)
            let result = try await catalog.commit(submission(text, name: name))
            #expect(result.decision == .newArticle, "\(name): \(result.message ?? "")")
        }
        #expect(try await catalog.counts().articles == 5)
    }

    @Test(arguments: TestBackend.available) func showFindsAnArticleByIdFileOrHash(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(submission(Story.text, name: "drop/story.txt"))
        let second = try await catalog.commit(submission(Story.other, name: "drop/other.txt"))
        let article = try #require(first.article)
        #expect(try await catalog.resolveArticle(String(article)) == article)
        #expect(try await catalog.resolveArticle("drop/story.txt") == article)
        #expect(try await catalog.resolveArticle("other.txt") == second.article)
        let record = try #require(try await catalog.article(article))
        #expect(try await catalog.resolveArticle(String(record.receipts[0].rawSHA256.prefix(10))) == article)
        #expect(try await catalog.resolveArticle(String(record.versions[0].contentSHA256.prefix(12)).uppercased()) == article)
        await #expect(throws: CopydeskError.self) { try await catalog.resolveArticle("missing.txt") }
        await #expect(throws: CopydeskError.self) { try await catalog.resolveArticle("999") }
        #expect(record.receipts.count == 1)
        #expect(record.receipts[0].fileName == "drop/story.txt")
    }

    /// An excerpt never becomes the article's current text, whichever arrives first; search finds
    /// the article by the full text's words.
    @Test(arguments: TestBackend.available, [false, true])
    func theFullTextStaysCurrentWhateverArrivesAfterIt(backend: TestBackend, teaserFirst: Bool) async throws {
        let catalog = try await backend.make()
        let texts = teaserFirst ? [Story.teaser, Story.text] : [Story.text, Story.teaser]
        let first = try await catalog.commit(submission(texts[0], name: "first.txt"))
        let second = try await catalog.commit(submission(texts[1], name: "second.txt"))
        let full = teaserFirst ? second.version : first.version
        let record = try #require(try await catalog.article(first.article!))
        #expect(record.currentVersion == full)
        #expect(record.latestVersion == second.version)
        // A word only the full text holds (its last paragraph).
        let word = try #require(Story.paragraphs.last?.split(separator: " ").max { $0.count < $1.count })
        let hits = try await catalog.search(String(word), limit: 20)
        #expect(hits.map(\.article) == [first.article!], "\(word)")
        #expect(hits.first?.version == full)
        // The outlet's own revision replaces the full text as current.
        let revision = try await catalog.commit(submission(Story.revision, name: "third.txt"))
        #expect(revision.decision == .newVersion)
        #expect(try await catalog.article(first.article!)?.currentVersion == revision.version)
    }
}
