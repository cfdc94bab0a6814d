import CopydeskCore
import Foundation
import GRDB
import Testing

@testable import CopydeskDaemon

/// What only the SQLite backend has: its file, its index tables, its migrations.
struct SQLiteCatalogTests {
    func submission(_ text: String, name: String) throws -> Submission {
        try CatalogContractTests().submission(text, name: name)
    }

    @Test func onDiskCatalogIsReadableWhileOpenForWriting() async throws {
        try await withTemporaryDirectory { _, archive in
            try Archive.create(archive)
            let path = archive + "/copydesk.sqlite"
            let writer = try SQLiteCatalog(path: path)
            _ = try await writer.commit(submission(articleText, name: "a.txt"))
            let reader = try SQLiteCatalog.openForReading(path: path)
            #expect(try await reader.counts().articles == 1)
            #expect(throws: CopydeskError.self) { try SQLiteCatalog.openForReading(path: archive + "/missing.sqlite") }
        }
    }
    @Test func everyVersionIsIndexedUnderItsKeys() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        _ = try await catalog.commit(submission(Story.text, name: "a.txt"))
        _ = try await catalog.commit(submission(Story.teaser, name: "b.txt"))
        let (rows, fingerprints) = try await catalog.queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM lsh")!,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM fingerprint WHERE scheme = ?", arguments: [Fingerprint.scheme])!
            )
        }
        #expect(fingerprints == 2)
        #expect(rows > 2 * Fingerprint.bands && rows <= 2 * (Fingerprint.bands + Fingerprint.containmentKeyCount))
    }

    @Test func migratingAnOlderCatalogIndexesItsVersions() async throws {
        let queue = try DatabaseQueue()
        try SQLiteCatalog.migrator.migrate(queue, upTo: "v1-catalog")
        let article = try Normalizer().normalize(Array(Story.text.utf8))
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO article (created_at) VALUES ('2026-01-01T00:00:00.000Z')")
            _ = try SQLiteCatalog.insertVersion(
                PreparedArticle(article), article: 1, indexed: false, at: "2026-01-01T00:00:00.000Z", in: db)
        }
        let catalog = try SQLiteCatalog(queue: queue, path: ":memory:")
        let revision = try await catalog.commit(submission(Story.revision, name: "r.txt"))
        #expect(revision.decision == .newVersion)
        #expect(revision.article == 1)
    }

    /// A catalog made before current versions existed (v5): the migration points each article at
    /// its full text again, the search index with it, and names untitled articles in the log.
    @Test func theMigrationMakesTheFullTextCurrentAgain() async throws {
        let queue = try DatabaseQueue()
        try SQLiteCatalog.migrator.migrate(queue, upTo: "v5-search-external-content")
        let full = try Normalizer().normalize(Array(Story.text.utf8))
        let teaser = try Normalizer().normalize(Array(Story.teaser.utf8))
        var untitledText = full
        untitledText.title = nil
        untitledText.paragraphs = ["A plain text whose first line is not a headline, about the harbour's ferries and "
            + "the people who take them every morning."]
        let untitled = untitledText
        try await queue.write { db in
            let now = "2026-01-01T00:00:00.000Z"
            try db.execute(sql: "INSERT INTO article (created_at) VALUES (?), (?)", arguments: [now, now])
            let one = try SQLiteCatalog.insertVersion(PreparedArticle(full), article: 1, at: now, in: db)
            let two = try SQLiteCatalog.insertVersion(
                PreparedArticle(teaser), article: 1, parent: one, similarity: 1, relation: .excerpt, at: now, in: db)
            let three = try SQLiteCatalog.insertVersion(PreparedArticle(untitled), article: 2, at: now, in: db)
            // What v5 did: the newest arrival was the article's latest, and search followed it.
            try db.execute(sql: "UPDATE article SET latest_version_id = ? WHERE id = 1", arguments: [two])
            try db.execute(sql: "UPDATE article SET latest_version_id = ? WHERE id = 2", arguments: [three])
            try db.execute(
                sql: "INSERT INTO event (time, kind, article_id, version_id, message) VALUES (?, 'new-article', 2, ?, NULL)",
                arguments: [now, three])
        }
        let word = try #require(Story.paragraphs.last?.split(separator: " ").max { $0.count < $1.count })
        let before = try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM article_search WHERE article_search MATCH ?", arguments: ["\"\(word)\""])
        }
        #expect(before == 0)
        let catalog = try SQLiteCatalog(queue: queue, path: ":memory:")
        #expect(try await catalog.article(1)?.currentVersion == 1)
        #expect(try await catalog.article(1)?.latestVersion == 2)
        #expect(try await catalog.search(String(word), limit: 20).map(\.article) == [1])
        // The index was moved, not rebuilt: it must still agree with what it indexes.
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 1)")
        }
        // The teaser's words (all in the full text too) and the untitled article are still found.
        #expect(try await catalog.search("ferries", limit: 20).map(\.article) == [2])
        let message = try await catalog.events(kind: .newArticle).last?.message
        #expect(message?.hasPrefix("[A plain text whose first line") == true, "\(message ?? "nil")")
        #expect(message?.hasSuffix("…]") == true)
    }
}

extension Archive {
    static func create(_ root: String) throws {
        _ = try Archive(root: root)
    }
}
