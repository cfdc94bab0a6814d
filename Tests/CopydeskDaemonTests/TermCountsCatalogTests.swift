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

    /// `count` distinct made-up articles (names, places and numbers from a fixed pseudo-random
    /// sequence), each its own story term set.
    func madeUpArticles(_ count: Int) throws -> [Submission] {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let syllables = ["ka", "lo", "min", "tor", "vel", "sa", "dru", "pen", "gar", "os", "ul", "bre"]
        func name() -> String {
            let word = (0..<3).map { _ in syllables[next(syllables.count)] }.joined()
            return word.prefix(1).uppercased() + word.dropFirst()
        }
        return try (0..<count).map { index in
            let sentences = (0..<12).map { _ in
                "\(name()) \(name()) told reporters in \(name()) that \(next(900) + 100) people met \(name()) on the \(name()) river."
            }
            let text = "\(name()) and \(name()) meet in \(name())\n\n" + sentences.joined(separator: " ")
            return try submission("made-up-\(index).txt", Array(text.utf8))
        }
    }

    /// The rows of the counts' epoch not yet ended, as a copy reads them.
    func pending(of catalog: any CatalogBackend) async throws -> [TransferRow] {
        let export = try #require(catalog as? any CatalogExport)
        return try await export.exportRows(.termPending, after: .min, limit: .max)
    }

    @Test func bothBackendsEndTheSameEpochs() async throws {
        // 259 articles: 256 epochs of one article, then one of two, and one article pending.
        let articles = try madeUpArticles(259)
        var all = [[TransferRow]]()
        for backend in TestBackend.available {
            let catalog = try await backend.make()
            for article in articles { #expect(try await catalog.commit(article).decision == .newArticle) }
            let counters = try await counters(of: catalog)
            let pending = try await pending(of: catalog)
            #expect(counters.last?.values == [.integer(Int64(TermSketch.articlesBucket)), .integer(258)])
            #expect(pending.map(\.position) == [1])
            all.append(counters + pending)
        }
        #expect(Set(all).count == 1, "the backends' counts differ")
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

    @Test func twoWritersEndTheEpochsTheOneWouldEnd() async throws {
        let articles = try madeUpArticles(261)
        try await withTemporaryDirectory { folder, _ in
            let path = folder + "/catalog.sqlite"
            let first = try SQLiteCatalog(path: path)
            first.storyCache.checkpointEvery = 50
            for article in articles.prefix(259) { _ = try await first.commit(article) }
            // Checkpoints after 50, 100, ... 250 articles; epochs of two from 256: 258 counted, one
            // pending.
            let held = try #require(first.storyCache.terms)
            #expect(held.sketch.articles == 258 && held.epochArticles == 1 && held.generation == 5)
            // Another writer loads the same counts, mid-epoch; the two take turns.
            let second = try SQLiteCatalog(path: path)
            second.storyCache.checkpointEvery = 50
            let loaded = try await second.readAsync { db in try SQLiteTermCounts.load(in: db) }
            #expect(loaded.sketch == held.sketch && loaded.epochArticles == 1)
            _ = try await second.commit(articles[259])
            #expect(second.storyCache.terms?.sketch.articles == 260)
            _ = try await first.commit(articles[260])
            let both = try #require(first.storyCache.terms)
            #expect(both.sketch.articles == 260 && both.epochArticles == 1)
            let reread = try await first.readAsync { db in try SQLiteTermCounts.load(in: db) }
            #expect(reread.sketch == both.sketch && reread.epochArticles == 1)
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
