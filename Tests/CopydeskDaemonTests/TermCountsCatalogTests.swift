import CopydeskCore
@testable import CopydeskDaemon
import Foundation
import GRDB
import Testing

/// The story term counts (``TermSketch``) in the catalogs: the same counters on both backends,
/// durable through SQLite's pending rows and checkpoints, folded from the old per-term table.
struct TermCountsCatalogTests {
    func seeds() throws -> [Submission] {
        try SharedFiles.seedNames.map { name in
            try submission(name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedFiles.seedsFolder + "/" + name))))
        }
    }

    func submission(_ name: String, _ bytes: [UInt8]) throws -> Submission {
        try normalizedSubmission(name, bytes, published: "2021-03-23T12:00:00Z")
    }

    /// Every non-zero counter of a catalog, as a copy reads them.
    func counters(of catalog: any CatalogBackend) async throws -> [TransferRow] {
        let export = try #require(catalog as? any CatalogExport)
        return try await export.exportRows(.termBucket, after: .min, limit: .max)
    }

    @Test func bothBackendsKeepTheSameCounters() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        var all = [[TransferRow]]()
        for backend in TestBackend.available {
            let catalog = try await backend.make()
            for seed in try seeds() { _ = try await catalog.commit(seed) }
            all.append(try await counters(of: catalog))
        }
        // Five articles counted, and each of their distinct terms in two counters.
        let rows = try #require(all.first)
        #expect(rows.last?.values == [.integer(Int64(TermSketch.articlesBucket)), .integer(5)])
        #expect(rows.count > 5 * 40)
        #expect(Set(all.map { $0 }).count == 1, "the backends' counters differ")
    }

    @Test func aWriterThatStartsAgainCountsAsTheOneBeforeIt() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { folder, _ in
            let path = folder + "/catalog.sqlite"
            let catalog = try SQLiteCatalog(path: path)
            catalog.storyCache.checkpointEvery = 2
            for seed in try seeds() { _ = try await catalog.commit(seed) }
            let held = try #require(catalog.storyCache.terms?.sketch)
            #expect(held.articles == 5)
            // Two checkpoints (after the second and the fourth article), one pending row since.
            let (generation, pending) = try await catalog.readAsync { db in
                (
                    try Int64.fetchOne(db, sql: "SELECT generation FROM term_sketch") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM term_pending") ?? 0
                )
            }
            #expect(generation == 2 && pending == 1)
            // Another writer, or this one after a restart, reads the same counts back.
            let again = try SQLiteCatalog(path: path)
            let loaded = try await again.readAsync { db in try SQLiteTermCounts.load(in: db).sketch }
            #expect(loaded == held)
            // And the two take turns: each catches up with the other's counts.
            #expect(try await again.commit(submission("budget.txt", Array(articleText.utf8))).decision == .newArticle)
            #expect(try await catalog.commit(submission("harbour.txt", Array(Story.text.utf8))).decision == .newArticle)
            let both = try #require(catalog.storyCache.terms?.sketch)
            #expect(both.articles == 7)
            let reread = try await catalog.readAsync { db in try SQLiteTermCounts.load(in: db).sketch }
            #expect(both == reread)
        }
    }

    @Test func aRegroupByAnotherWriterStartsTheCountsAgainForBoth() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { folder, _ in
            let path = folder + "/catalog.sqlite"
            let writer = try SQLiteCatalog(path: path)
            for seed in try seeds() { _ = try await writer.commit(seed) }
            // Another process regroups: the counts are rebuilt from the articles it re-assigns.
            let other = try SQLiteCatalog(path: path)
            _ = try await other.beginRegroup(window: other.storyAssigner.window, restart: true)
            while !(try await other.regroup(batchOf: 2, assigner: other.storyAssigner)).isFinished {}
            _ = try await writer.commit(submission("budget.txt", Array(articleText.utf8)))
            let held = try #require(writer.storyCache.terms?.sketch)
            #expect(held.articles == 6)
            let reread = try await writer.readAsync { db in try SQLiteTermCounts.load(in: db).sketch }
            #expect(held == reread)
        }
    }

    @Test func anOlderCatalogsCountsAreFoldedIn() async throws {
        try await withTemporaryDirectory { folder, _ in
            let path = folder + "/old.sqlite"
            do {
                let queue = try DatabaseQueue(path: path)
                try SQLiteCatalog.migrator.migrate(queue, upTo: "v11-story-indexes")
                try await queue.write { db in
                    try db.execute(sql: "INSERT INTO term_count (term, articles) VALUES (0, 3), (42, 2), (-7, 1)")
                }
            }
            let catalog = try SQLiteCatalog(path: path)
            let sketch = try await catalog.readAsync { db in try SQLiteTermCounts.load(in: db).sketch }
            #expect(sketch.articles == 3)
            #expect(sketch.count(42) == 2 && sketch.count(-7) == 1 && sketch.count(5) == 0)
            let table = try await catalog.readAsync { db in try db.tableExists("term_count") }
            #expect(!table)
        }
    }
}
