public import CopydeskCore
internal import Foundation
internal import GRDB

extension SQLiteCatalog {
    public func beginRegroup(window: Duration, restart: Bool) async throws(CopydeskError) -> RegroupProgress {
        let cache = storyCache
        return try await writeAsync { db in
            if !restart, var running = try Self.regroupProgress(in: db), !running.isFinished {
                running.resumed = true
                return running
            }
            let now = Timestamp.now()
            let until = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM article") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM article") ?? 0
            let floor = try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(coalesce((SELECT max(id) FROM story), 0), coalesce((SELECT story_floor FROM regroup), 0))
                    """) ?? 0
            // The references first (article and story_term point at story).
            for sql in [
                "UPDATE article SET story_id = NULL WHERE story_id IS NOT NULL", "DELETE FROM story_term",
                "DELETE FROM term_pending", "DELETE FROM story",
            ] {
                try db.execute(sql: sql)
            }
            // The term counts start again at nothing, as a new generation: another writer reads them
            // again rather than replaying pending rows onto its old counts.
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO term_sketch (id, generation, counts)
                    VALUES (1, coalesce((SELECT generation FROM term_sketch), 0) + 1, ?)
                    """, arguments: [Data(TermSketch().encoded())])
            let progress = RegroupProgress(
                untilArticle: until, doneThrough: 0, total: total, done: 0, merges: 0, window: window, seconds: 0,
                startedAt: now, finishedAt: nil)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO regroup (id, until_article, done_through, total, done, merges, window_seconds,
                        story_floor, seconds, started_at, finished_at)
                    VALUES (1, ?, 0, ?, 0, 0, ?, ?, 0, ?, NULL)
                    """, arguments: [until, total, window.components.seconds, floor, now])
            try Self.insertEvent(.regrouped, message: progress.startMessage, at: now, in: db)
            cache.drop()
            return progress
        }
    }

    public func regroup(batchOf limit: Int, assigner: StoryAssigner) async throws(CopydeskError) -> RegroupProgress {
        let cache = storyCache
        return try await writeAsync { db in
            let start = ContinuousClock.now
            guard var progress = try Self.regroupProgress(in: db) else {
                throw CopydeskError(.usage, "no regroup was begun")
            }
            guard !progress.isFinished else { return progress }
            // Another process may have restarted it with another window since.
            try progress.check(assigner)
            // Each article's first version (the text its decision assigned it by) and when the file
            // that brought it arrived (a file's receipt, or an item's file's), else when it was
            // recorded.
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT article.id AS id, version.title, version.byline, version.published, version.site,
                            version.url, version.language, version.body, version.format, version.charset,
                            coalesce(
                                (SELECT arrived_at FROM receipt WHERE receipt.version_id = version.id
                                 ORDER BY receipt.id LIMIT 1),
                                (SELECT receipt.arrived_at FROM receipt_item JOIN receipt ON receipt.id = receipt_item.receipt_id
                                 WHERE receipt_item.version_id = version.id ORDER BY receipt_item.receipt_id LIMIT 1),
                                article.created_at) AS arrived_at
                        FROM article JOIN version
                            ON version.id = (SELECT min(first.id) FROM version AS first WHERE first.article_id = article.id)
                        WHERE article.id > ? AND article.id <= ?
                        ORDER BY article.id LIMIT ?
                        """),
                arguments: [progress.doneThrough, progress.untilArticle, limit])
            // The decisions' batches are read whole before anything is written: so is this one.
            var batch = [(id: Int64, text: Article, arrivedAt: String)]()
            while let row = try rows.next() { batch.append((row["id"], Self.article(from: row), row["arrived_at"])) }
            let now = Timestamp.now()
            try cache.prepare(db)
            let lookup = SQLiteStoryLookup(db: db, cache: cache)
            for (id, text, arrivedAt) in batch {
                let time = Timestamp.storyTime(published: text.published, arrivedAt: arrivedAt)
                let update = try lookup.run(assigner.assignment(for: StoryFeatures(text), at: time))
                let story = try Self.apply(
                    update, article: id, file: nil, at: now, logsMerges: false, cache: cache, in: db)
                progress.merges += update.merged.lazy.filter { $0 != story }.count
                progress.doneThrough = id
                progress.done += 1
            }
            progress.seconds += (ContinuousClock.now - start).secondsValue
            if batch.count < limit || progress.doneThrough >= progress.untilArticle {
                progress.finishedAt = now
                progress.stories = try Int.fetchOne(db, sql: "SELECT count(*) FROM story WHERE merged_into IS NULL")
                progress.counted = cache.terms.map { $0.sketch.articles + $0.epochArticles } ?? 0
                try Self.insertEvent(.regrouped, message: progress.finishMessage, at: now, in: db)
            }
            try db.execute(
                sql: """
                    UPDATE regroup SET done_through = ?, done = ?, merges = ?, seconds = ?, finished_at = ? WHERE id = 1
                    """,
                arguments: [progress.doneThrough, progress.done, progress.merges, progress.seconds, progress.finishedAt])
            return progress
        }
    }

    /// The last regroup's progress, if the catalog was ever regrouped.
    static func regroupProgress(in db: Database) throws -> RegroupProgress? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT until_article, done_through, total, done, merges, window_seconds, seconds, started_at,
                        finished_at
                    FROM regroup WHERE id = 1
                    """)
        else { return nil }
        return RegroupProgress(
            untilArticle: row[0], doneThrough: row[1], total: row[2], done: row[3], merges: row[4],
            window: .seconds(row[5] as Int64), seconds: row[6], startedAt: row[7], finishedAt: row[8])
    }
}
