public import CopydeskCore
internal import Logging
internal import PostgresNIO

extension PostgresCatalog {
    public func beginRegroup(window: Duration, restart: Bool) async throws(CopydeskError) -> RegroupProgress {
        try await write("begin regrouping the catalog") { connection, logger in
            if !restart, var running = try await Self.regroupProgress(on: connection, logger: logger), !running.isFinished {
                running.resumed = true
                return running
            }
            let now = Timestamp.now()
            let (until, total) = try await connection.first(
                "SELECT coalesce(max(id), 0)::int8, count(*)::int8 FROM article", as: (Int64, Int64).self,
                logger: logger)!
            // The references first (article and story_term point at story).
            let clearing: [PostgresQuery] = [
                "UPDATE article SET story_id = NULL WHERE story_id IS NOT NULL", "DELETE FROM story_term",
                "DELETE FROM term_bucket", "DELETE FROM term_pending", "DELETE FROM story",
            ]
            for statement in clearing { try await connection.run(statement, logger: logger) }
            let progress = RegroupProgress(
                untilArticle: until, doneThrough: 0, total: Int(total), done: 0, merges: 0, window: window, seconds: 0,
                startedAt: now, finishedAt: nil)
            try await connection.run(
                """
                INSERT INTO regroup (id, until_article, done_through, total, done, merges, window_seconds, seconds,
                    started_at, finished_at)
                VALUES (1, \(until), 0, \(total), 0, 0, \(window.components.seconds), 0, \(now), NULL)
                ON CONFLICT (id) DO UPDATE SET until_article = excluded.until_article, done_through = 0,
                    total = excluded.total, done = 0, merges = 0, window_seconds = excluded.window_seconds, seconds = 0,
                    started_at = excluded.started_at, finished_at = NULL
                """, logger: logger)
            try await Self.insertEvent(.regrouped, message: progress.startMessage, at: now, on: connection, logger: logger)
            return progress
        }
    }

    public func regroup(batchOf limit: Int, assigner: StoryAssigner) async throws(CopydeskError) -> RegroupProgress {
        try await write("regroup the catalog") { connection, logger in
            let start = ContinuousClock.now
            guard var progress = try await Self.regroupProgress(on: connection, logger: logger) else {
                throw CopydeskError(.usage, "no regroup was begun")
            }
            guard !progress.isFinished else { return progress }
            // Another process may have restarted it with another window since.
            try progress.check(assigner)
            // Each article's first version (the text its decision assigned it by) and when the file
            // that brought it arrived (a file's receipt, or an item's file's), else when it was
            // recorded.
            let rows = try await connection.rows(
                """
                SELECT article.id, \(unescaped: Self.textColumns),
                    coalesce(
                        (SELECT arrived_at FROM receipt WHERE receipt.version_id = version.id
                         ORDER BY receipt.id LIMIT 1),
                        (SELECT receipt.arrived_at FROM receipt_item JOIN receipt ON receipt.id = receipt_item.receipt_id
                         WHERE receipt_item.version_id = version.id ORDER BY receipt_item.receipt_id LIMIT 1),
                        article.created_at)
                FROM article JOIN version
                    ON version.id = (SELECT min(first.id) FROM version AS first WHERE first.article_id = article.id)
                WHERE article.id > \(progress.doneThrough) AND article.id <= \(progress.untilArticle)
                ORDER BY article.id LIMIT \(Int64(limit))
                """,
                as: (Int64, String?, String?, String?, String?, String?, String?, String, String, String, String).self,
                logger: logger)
            let now = Timestamp.now()
            let lookup = PostgresStoryLookup(connection: connection, logger: logger)
            for row in rows {
                let text = Self.article(
                    title: row.1, byline: row.2, published: row.3, site: row.4, url: row.5, language: row.6, body: row.7,
                    format: row.8, charset: row.9)
                let time = Timestamp.storyTime(published: text.published, arrivedAt: row.10)
                let update = try await lookup.run(assigner.assignment(for: StoryFeatures(text), at: time))
                let story = try await Self.apply(
                    update, article: row.0, file: nil, at: now, logsMerges: false, on: connection, logger: logger)
                progress.merges += update.merged.lazy.filter { $0 != story }.count
                progress.doneThrough = row.0
                progress.done += 1
            }
            progress.seconds += (ContinuousClock.now - start).secondsValue
            if rows.count < limit || progress.doneThrough >= progress.untilArticle {
                progress.finishedAt = now
                let (stories, counted) = try await connection.first(
                    """
                    SELECT (SELECT count(*) FROM story WHERE merged_into IS NULL)::int8,
                        (coalesce((SELECT articles FROM term_bucket WHERE bucket = \(Int64(TermSketch.articlesBucket))), 0)
                            + (SELECT count(*) FROM term_pending))::int8
                    """, as: (Int64, Int64).self, logger: logger)!
                progress.stories = Int(stories)
                progress.counted = Int(counted)
                try await Self.insertEvent(
                    .regrouped, message: progress.finishMessage, at: now, on: connection, logger: logger)
            }
            try await connection.run(
                """
                UPDATE regroup SET done_through = \(progress.doneThrough), done = \(Int64(progress.done)),
                    merges = \(Int64(progress.merges)), seconds = \(progress.seconds), finished_at = \(progress.finishedAt)
                WHERE id = 1
                """, logger: logger)
            return progress
        }
    }

    /// The last regroup's progress, if the catalog was ever regrouped.
    static func regroupProgress(on connection: PostgresConnection, logger: Logger) async throws -> RegroupProgress? {
        guard
            let row = try await connection.first(
                """
                SELECT until_article, done_through, total, done, merges, window_seconds, seconds, started_at, finished_at
                FROM regroup WHERE id = 1
                """, as: (Int64, Int64, Int64, Int64, Int64, Int64, Double, String, String?).self, logger: logger)
        else { return nil }
        return RegroupProgress(
            untilArticle: row.0, doneThrough: row.1, total: Int(row.2), done: Int(row.3), merges: Int(row.4),
            window: .seconds(row.5), seconds: row.6, startedAt: row.7, finishedAt: row.8)
    }
}
