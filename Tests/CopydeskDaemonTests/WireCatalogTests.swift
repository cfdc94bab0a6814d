import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// Agency items through the catalog, the same on every backend: declared ids and versions decide
/// first, versions out of order keep the highest current, a withdrawal marks the article killed.
struct WireCatalogTests {
    /// A ninjs item received as a file of these bytes.
    func submission(
        id: String, version: String, body: String, status: String = "usable", embargo: String? = nil, name: String
    ) throws -> Submission {
        let text = """
            {"uri": "\(id)", "version": "\(version)", "type": "text", "pubstatus": "\(status)",
             \(embargo.map { "\"embargoed\": \"\($0)\"," } ?? "")
             "headline": "Port strike enters its second day", "body_text": "\(body)"}
            """
        let bytes = Array(text.utf8)
        let sha = SHA256Digest.hex(of: bytes)
        return Submission(
            origin: .ingest, fileName: name, sourcePath: "/drop/\(name)",
            identity: FileIdentity(size: Int64(bytes.count), modificationTimeNanoseconds: 1, inode: 1, device: 1),
            rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(try Normalizer().normalize(bytes)),
            archivePath: "originals/\(sha.prefix(2))/\(sha)")
    }

    static let first = "Dock workers at the northern port stayed off the job on Tuesday, halting container traffic."
    static let second =
        "Talks between the dock workers' union and port operators resumed on Wednesday afternoon, mediators said."
    static let third = second + " A union spokesman said members would vote on Friday on the operators' offer."

    @Test(arguments: TestBackend.available) func declaredVersionsDuplicatesAndAKill(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let v1 = try await catalog.commit(submission(id: "urn:wire:port", version: "1", body: Self.first, name: "v1.json"))
        #expect(v1.decision == .newArticle)
        #expect(v1.basis == "content")
        // Version 3 before version 2, with a text unlike version 1's.
        let v3 = try await catalog.commit(submission(id: "urn:wire:port", version: "3", body: Self.third, name: "v3.json"))
        #expect(v3.decision == .newVersion)
        #expect(v3.article == v1.article && v3.basis == "declared")
        #expect(v3.relation == .update)
        #expect(v3.parentVersion == v1.version)
        let v2 = try await catalog.commit(submission(id: "urn:wire:port", version: "2", body: Self.second, name: "v2.json"))
        #expect(v2.decision == .newVersion)
        #expect(v2.article == v1.article && v2.parentVersion == v1.version)
        var record = try #require(try await catalog.article(v1.article!))
        // Version 3 stays current: the highest declared version, though version 2 arrived last.
        #expect(record.current?.id == v3.version)
        #expect(record.versions.count == 3 && record.wireItems.count == 3)
        #expect(record.killedAt == nil)
        // Version 2 again: a duplicate by declaration.
        let again = try await catalog.commit(
            submission(id: "urn:wire:port", version: "2", body: Self.second + " ", name: "v2-again.json"))
        #expect(again.decision == .duplicate)
        #expect(again.basis == "declared" && again.version == v2.version)
        // Version 4 withdraws the story with version 3's text: no second copy of the text, the article killed.
        let kill = try await catalog.commit(
            submission(id: "urn:wire:port", version: "4", body: Self.third, status: "canceled", name: "v4.json"))
        #expect(kill.decision == .newVersion)
        #expect(kill.version == v3.version)
        record = try #require(try await catalog.article(v1.article!))
        #expect(record.versions.count == 3 && record.wireItems.count == 4)
        #expect(record.killedAt != nil)
        #expect(record.latestWire?.wire.version == "4" && record.latestWire?.wire.status == "canceled")
        #expect(try await catalog.counts().killed == 1)
        let killed = try await catalog.events(EventFilter(kind: .killed), limit: 0)
        #expect(killed.count == 1 && killed.first?.article == v1.article && killed.first?.file == "v4.json")
        // Still found by search, flagged.
        let hits = try await catalog.search("union spokesman", limit: 5)
        #expect(hits.map(\.article) == [v1.article!])
        #expect(hits.first?.killedAt != nil)
        let decisions = try await catalog.recentDecisions(limit: 10)
        #expect(decisions.map(\.basis) == ["content", "declared", "declared", "declared", "declared"])
    }

    @Test(arguments: TestBackend.available) func anEmbargoIsRecordedAndShown(backend: TestBackend) async throws {
        let catalog = try await backend.make()
        let held = try await catalog.commit(
            submission(id: "urn:wire:later", version: "1", body: Self.first, embargo: "2199-01-01T06:00:00Z", name: "e.json"))
        let record = try #require(try await catalog.article(held.article!))
        let wire = try #require(record.latestWire?.wire)
        #expect(wire.embargo == "2199-01-01T06:00:00Z")
        #expect(wire.isEmbargoed(at: Timestamp.now()))
        #expect(try await catalog.search("container traffic", limit: 5).first?.embargo == "2199-01-01T06:00:00Z")
    }
}
