import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// Files of several items through the catalog, the same on every backend: the receipt records the
/// file once, each item gets its own decision pointing back to it.
struct ItemsCatalogTests {
    static let array = """
        [{"uri": "urn:wire:a", "type": "text", "headline": "Council passes the budget",
          "body_text": "The city council passed the budget on Tuesday by nine votes to four after a long debate."},
         {"uri": "urn:wire:pic", "type": "picture", "headline": "The council chamber"},
         {"uri": "urn:wire:b", "type": "text", "headline": "Library reopens",
          "body_text": "The central library reopened on Wednesday after a year of repairs to its roof and windows."}]
        """

    func submission(_ text: String, name: String) throws -> Submission {
        let bytes = Array(text.utf8)
        let sha = SHA256Digest.hex(of: bytes)
        return Submission(
            origin: .ingest, fileName: name, sourcePath: "/drop/\(name)",
            identity: FileIdentity(size: Int64(bytes.count), modificationTimeNanoseconds: 1, inode: 1, device: 1),
            rawSHA256: sha, arrivedAt: Timestamp.now(), items: try Normalizer().normalizeItems(bytes),
            archivePath: "originals/\(sha.prefix(2))/\(sha)")
    }

    @Test(arguments: TestBackend.available) func eachItemIsDecidedAndTheFileRecordedOnce(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let first = try await catalog.commit(submission(Self.array, name: "batch.json"))
        let items = try #require(first.items)
        #expect(items.map(\.decision) == [.newArticle, .rejected, .newArticle])
        #expect(items.map(\.item) == [0, 1, 2])
        #expect(Set(items.map(\.receiptID)) == [first.receiptID])
        #expect(first.decision == .newArticle)
        #expect(first.message == "3 items: 2 new-article, 1 rejected")
        var counts = try await catalog.counts()
        #expect(counts.receipts == 1 && counts.articles == 2 && counts.rejected == 1)
        let events = try await catalog.events(EventFilter(file: "batch.json"), limit: 0).filter(\.kind.isDecision)
        #expect(events.map(\.item) == [0, 1, 2])
        #expect(events[1].kind == .rejected && events[1].message?.contains("picture") == true)
        // The file again: each item a duplicate of its own earlier reading (or rejected again).
        let again = try await catalog.commit(submission(Self.array, name: "batch-again.json"))
        #expect(again.items?.map(\.decision) == [.duplicate, .rejected, .duplicate])
        #expect(again.items?[2].article == items[2].article)
        counts = try await catalog.counts()
        #expect(counts.receipts == 2 && counts.articles == 2 && counts.duplicates == 2 && counts.rejected == 2)
        // show lists the item's receipt under its article; a file name names its items' articles.
        let record = try #require(try await catalog.article(items[2].article!))
        #expect(record.receipts.map(\.item) == [2, 2])
        #expect(record.receipts.first?.fileName == "batch.json")
        await #expect(throws: CopydeskError.self) { _ = try await catalog.resolveArticle("batch.json") }
    }

    @Test(arguments: TestBackend.available) func aFileOfRejectedItemsIsRejected(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let pictures = """
            [{"uri": "urn:wire:p1", "type": "picture", "headline": "One"},
             {"uri": "urn:wire:p2", "type": "graphic", "headline": "Two"}]
            """
        let submission = try submission(pictures, name: "pictures.json")
        #expect(submission.isRejectedWhole)
        let result = try await catalog.commit(submission)
        #expect(result.decision == .rejected)
        #expect(result.items?.map(\.decision) == [.rejected, .rejected])
        #expect(try await catalog.counts().rejected == 2)
    }
}
