import CopydeskCore
import Foundation
import GRDB
import Testing

@testable import CopydeskDaemon

struct CatalogVersionTests {
    var number = 0

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

    @Test func aRevisionIsANewVersionOfTheArticle() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(Story.text, name: "story.txt"))
        let revision = try catalog.commit(submission(Story.revision, name: "story-2.txt"))
        #expect(revision.decision == .newVersion)
        #expect(revision.article == first.article)
        #expect(revision.parentVersion == first.version)
        #expect(revision.relation == .revision)
        #expect((revision.similarity ?? 0) > 0.8)
        #expect(revision.message == "revision of version \(first.version!)")
        let event = try #require(try catalog.events(kind: .newVersion).last)
        #expect(event.article == first.article)
        #expect(event.version == revision.version)
        let record = try #require(try catalog.article(first.article!))
        #expect(record.versions.map(\.id) == [first.version!, revision.version!])
        #expect(record.versions[1].parent == first.version)
        #expect(record.versions[1].relation == .revision)
        #expect(record.latestVersion == revision.version)
        #expect(try catalog.counts().articles == 1)
    }

    @Test func aSyndicatedCopyIsASyndication() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(Story.text, name: "story.txt"))
        let copy = try catalog.commit(submission(Story.syndicated, name: "wire.txt"))
        #expect(copy.decision == .newVersion)
        #expect(copy.article == first.article)
        #expect(copy.relation == .syndication)
    }

    @Test(arguments: [false, true])
    func aTeaserIsAnExcerptWhicheverArrivesFirst(teaserFirst: Bool) throws {
        let catalog = try Catalog.inMemory()
        let texts = teaserFirst ? [Story.teaser, Story.text] : [Story.text, Story.teaser]
        let first = try catalog.commit(submission(texts[0], name: "first.txt"))
        let second = try catalog.commit(submission(texts[1], name: "second.txt"))
        #expect(second.decision == .newVersion)
        #expect(second.article == first.article)
        #expect(second.relation == .excerpt)
        #expect((second.similarity ?? 0) > 0.95)
    }

    @Test func differentStoriesFromOneSiteStayApart() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(Story.text, name: "a.txt", site: "Harbour News"))
        let other = try catalog.commit(submission(Story.other, name: "b.txt", site: "Harbour News"))
        #expect(other.decision == .newArticle)
        #expect(other.article != first.article)
    }

    @Test func theSeedsStayFiveArticles() throws {
        let catalog = try Catalog.inMemory()
        let names = SharedFiles.seedNames
        try #require(names.count == 5, "../shared/seeds is missing")
        for name in names {
            let text = try String(contentsOfFile: SharedFiles.seedsFolder + "/" + name, encoding: .utf8)
            let result = try catalog.commit(submission(text, name: name))
            #expect(result.decision == .newArticle, "\(name): \(result.message ?? "")")
        }
        #expect(try catalog.counts().articles == 5)
    }

    @Test func everyVersionIsIndexedUnderItsKeys() throws {
        let catalog = try Catalog.inMemory()
        _ = try catalog.commit(submission(Story.text, name: "a.txt"))
        _ = try catalog.commit(submission(Story.teaser, name: "b.txt"))
        let (rows, fingerprints) = try catalog.queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM lsh")!,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM fingerprint WHERE scheme = ?", arguments: [Fingerprint.scheme])!
            )
        }
        #expect(fingerprints == 2)
        #expect(rows > 2 * Fingerprint.bands && rows <= 2 * (Fingerprint.bands + Fingerprint.containmentKeyCount))
    }

    @Test func migratingAnOlderCatalogIndexesItsVersions() throws {
        let queue = try DatabaseQueue()
        try Catalog.migrator.migrate(queue, upTo: "v1-catalog")
        let article = try Normalizer().normalize(Array(Story.text.utf8))
        try queue.write { db in
            try db.execute(sql: "INSERT INTO article (created_at) VALUES ('2026-01-01T00:00:00.000Z')")
            _ = try Catalog.insertVersion(
                PreparedArticle(article), article: 1, indexed: false, at: "2026-01-01T00:00:00.000Z", in: db)
        }
        let catalog = try Catalog(queue: queue, path: ":memory:")
        let revision = try catalog.commit(submission(Story.revision, name: "r.txt"))
        #expect(revision.decision == .newVersion)
        #expect(revision.article == 1)
    }

    @Test func showFindsAnArticleByIdFileOrHash() throws {
        let catalog = try Catalog.inMemory()
        let first = try catalog.commit(submission(Story.text, name: "drop/story.txt"))
        let second = try catalog.commit(submission(Story.other, name: "drop/other.txt"))
        let article = try #require(first.article)
        #expect(try catalog.resolveArticle(String(article)) == article)
        #expect(try catalog.resolveArticle("drop/story.txt") == article)
        #expect(try catalog.resolveArticle("other.txt") == second.article)
        let record = try #require(try catalog.article(article))
        #expect(try catalog.resolveArticle(String(record.receipts[0].rawSHA256.prefix(10))) == article)
        #expect(try catalog.resolveArticle(String(record.versions[0].contentSHA256.prefix(12)).uppercased()) == article)
        #expect(throws: CopydeskError.self) { try catalog.resolveArticle("missing.txt") }
        #expect(throws: CopydeskError.self) { try catalog.resolveArticle("999") }
        #expect(record.receipts.count == 1)
        #expect(record.receipts[0].fileName == "drop/story.txt")
    }

    /// An excerpt never becomes the article's current text, whichever arrives first; search finds
    /// the article by the full text's words.
    @Test(arguments: [false, true])
    func theFullTextStaysCurrentWhateverArrivesAfterIt(teaserFirst: Bool) throws {
        let catalog = try Catalog.inMemory()
        let texts = teaserFirst ? [Story.teaser, Story.text] : [Story.text, Story.teaser]
        let first = try catalog.commit(submission(texts[0], name: "first.txt"))
        let second = try catalog.commit(submission(texts[1], name: "second.txt"))
        let full = teaserFirst ? second.version : first.version
        let record = try #require(try catalog.article(first.article!))
        #expect(record.currentVersion == full)
        #expect(record.latestVersion == second.version)
        // A word only the full text holds (its last paragraph).
        let word = try #require(Story.paragraphs.last?.split(separator: " ").max { $0.count < $1.count })
        let hits = try catalog.search(String(word))
        #expect(hits.map(\.article) == [first.article!], "\(word)")
        #expect(hits.first?.version == full)
        // The outlet's own revision replaces the full text as current.
        let revision = try catalog.commit(submission(Story.revision, name: "third.txt"))
        #expect(revision.decision == .newVersion)
        #expect(try catalog.article(first.article!)?.currentVersion == revision.version)
    }

    /// A catalog made before current versions existed (v5): the migration points each article at
    /// its full text again, the search index with it, and names untitled articles in the log.
    @Test func theMigrationMakesTheFullTextCurrentAgain() throws {
        let queue = try DatabaseQueue()
        try Catalog.migrator.migrate(queue, upTo: "v5-search-external-content")
        let full = try Normalizer().normalize(Array(Story.text.utf8))
        let teaser = try Normalizer().normalize(Array(Story.teaser.utf8))
        var untitled = full
        untitled.title = nil
        untitled.paragraphs = ["A plain text whose first line is not a headline, about the harbour's ferries and "
            + "the people who take them every morning."]
        try queue.write { db in
            let now = "2026-01-01T00:00:00.000Z"
            try db.execute(sql: "INSERT INTO article (created_at) VALUES (?), (?)", arguments: [now, now])
            let one = try Catalog.insertVersion(PreparedArticle(full), article: 1, at: now, in: db)
            let two = try Catalog.insertVersion(
                PreparedArticle(teaser), article: 1, parent: one, similarity: 1, relation: .excerpt, at: now, in: db)
            let three = try Catalog.insertVersion(PreparedArticle(untitled), article: 2, at: now, in: db)
            // What v5 did: the newest arrival was the article's latest, and search followed it.
            try db.execute(sql: "UPDATE article SET latest_version_id = ? WHERE id = 1", arguments: [two])
            try db.execute(sql: "UPDATE article SET latest_version_id = ? WHERE id = 2", arguments: [three])
            try db.execute(
                sql: "INSERT INTO event (time, kind, article_id, version_id, message) VALUES (?, 'new-article', 2, ?, NULL)",
                arguments: [now, three])
        }
        let word = try #require(Story.paragraphs.last?.split(separator: " ").max { $0.count < $1.count })
        let before = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM article_search WHERE article_search MATCH ?", arguments: ["\"\(word)\""])
        }
        #expect(before == 0)
        let catalog = try Catalog(queue: queue, path: ":memory:")
        #expect(try catalog.article(1)?.currentVersion == 1)
        #expect(try catalog.article(1)?.latestVersion == 2)
        #expect(try catalog.search(String(word)).map(\.article) == [1])
        // The index was moved, not rebuilt: it must still agree with what it indexes.
        try queue.write { db in
            try db.execute(sql: "INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 1)")
        }
        // The teaser's words (all in the full text too) and the untitled article are still found.
        #expect(try catalog.search("ferries").map(\.article) == [2])
        let message = try catalog.events(kind: .newArticle).last?.message
        #expect(message?.hasPrefix("[A plain text whose first line") == true, "\(message ?? "nil")")
        #expect(message?.hasSuffix("…]") == true)
    }
}
