import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

struct CatalogTests {
    func submission(
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

    @Test func firstTextIsANewArticle() throws {
        let catalog = try Catalog.inMemory()
        let result = try catalog.commit(submission(articleText))
        #expect(result.decision == .newArticle)
        #expect(result.article == 1)
        #expect(result.version == 1)
        #expect(result.message == "Ministers agree on a new budget")
        let counts = try catalog.counts()
        #expect(counts.articles == 1 && counts.versions == 1 && counts.receipts == 1)
    }

    @Test func sameBytesAgainIsADuplicate() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(articleText, name: "a.txt"))
        let second = try catalog.commit(submission(articleText, name: "b.txt", inode: 2))
        #expect(second.decision == .duplicate)
        #expect(second.article == first.article)
        #expect(second.similarity == 1)
        #expect(second.message?.contains("a.txt") == true)
        #expect(try catalog.counts().duplicates == 1)
    }

    @Test func sameTextOtherwiseWrappedIsADuplicate() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(articleText))
        let rewrapped = articleText.replacingOccurrences(of: "agreed on", with: "AGREED\non")
            .replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\nRead more\r\n"
        let second = try catalog.commit(submission(rewrapped, name: "c.txt", inode: 3))
        #expect(second.decision == .duplicate)
        #expect(second.article == first.article)
        #expect(second.message == "same text as version \(first.version!)")
    }

    @Test func otherTextIsAnotherArticle() throws {
        let catalog = try Catalog.inMemory()
        _ = try catalog.commit(submission(articleText))
        let other = try catalog.commit(submission("Storm closes the port\n\nThe harbour stayed shut all day.", name: "d.txt"))
        #expect(other.decision == .newArticle)
        #expect(other.article == 2)
    }

    @Test func rejectionsAreRecordedWithTheirReason() throws {
        let catalog = try Catalog.inMemory()
        var rejected = try submission(articleText, name: "bad.bin")
        rejected.content = .failure(CopydeskError(.binaryInput, "binary file (PNG image), not an article"))
        rejected.archivePath = "rejected/x-bad.bin"
        let result = try catalog.commit(rejected)
        #expect(result.decision == .rejected)
        #expect(result.article == nil)
        let events = try catalog.events(kind: .rejected)
        #expect(events.count == 1)
        #expect(events[0].file == "bad.bin")
        #expect(events[0].message == "binary file (PNG image), not an article")
        #expect(try catalog.counts().rejected == 1)
    }

    @Test func receiptsStayPendingUntilArchived() throws {
        let catalog = try Catalog.inMemory()
        let sub = try submission(articleText)
        let result = try catalog.commit(sub)
        let pending = try catalog.pendingReceipt(sourcePath: sub.sourcePath, identity: sub.identity)
        #expect(pending?.id == result.receiptID)
        #expect(try catalog.pendingReceipts().count == 1)
        try catalog.markArchived(receiptID: result.receiptID)
        try catalog.markArchived(receiptID: result.receiptID)  // idempotent: one archived event
        #expect(try catalog.pendingReceipt(sourcePath: sub.sourcePath, identity: sub.identity) == nil)
        #expect(try catalog.events(kind: .archived).count == 1)
    }

    @Test func logIsOldestToNewestWithinTheLimit() throws {
        let catalog = try Catalog.inMemory()
        for index in 0..<5 {
            _ = try catalog.commit(submission("Story \(index)\n\nText number \(index) of the day.", name: "\(index).txt"))
        }
        let last = try catalog.events(limit: 2)
        #expect(last.map(\.file) == ["3.txt", "4.txt"])
        #expect(try catalog.events(limit: 0).count == 5)
        #expect(try catalog.events(limit: 0, file: "2.txt").count == 1)
        #expect(try catalog.lastEvent()?.file == "4.txt")
    }

    @Test func onDiskCatalogIsReadableWhileOpenForWriting() async throws {
        try await withTemporaryDirectory { _, archive in
            try Archive.create(archive)
            let path = archive + "/copydesk.sqlite"
            let writer = try Catalog(path: path)
            _ = try writer.commit(submission(articleText))
            let reader = try Catalog.openForReading(path: path)
            #expect(try reader.counts().articles == 1)
            #expect(throws: CopydeskError.self) { try Catalog.openForReading(path: archive + "/missing.sqlite") }
        }
    }
}

extension Archive {
    static func create(_ root: String) throws {
        _ = try Archive(root: root)
    }
}
