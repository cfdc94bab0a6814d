package import CopydeskCore
internal import GRDB

#if canImport(Glibc)
    internal import Glibc
#endif

extension SQLiteCatalog {
    /// Records each article as a new article with one indexed version, a receipt, its story and its
    /// log event, all in one transaction and without the near-copy decision.
    ///
    /// For the scale benchmark, which must fill catalogs of a million articles in reasonable time:
    /// the rows are those a real `new-article` decision writes, so the catalog has a realistic shape
    /// and size. Each article is assigned to a story as a decision assigns it (in order, by the
    /// catalog's assigner, at the time it says it was published, else now). Index rows are written
    /// in key order, which keeps the B-tree pages a batch touches together.
    ///
    /// - Parameter articles: each prepared article with a file name for its receipt.
    package func bulkRecordNewArticles(_ articles: [(name: String, article: PreparedArticle)])
        throws(CopydeskError)
    {
        try write { db in
            let now = Timestamp.now()
            var rows = [(Int64, Int64)]()
            rows.reserveCapacity(articles.count * (Fingerprint.bands + Fingerprint.containmentKeyCount))
            let insertArticle = try db.cachedStatement(sql: "INSERT INTO article (created_at) VALUES (?)")
            let setLatest = try db.cachedStatement(
                sql: "UPDATE article SET latest_version_id = ?1, current_version_id = ?1 WHERE id = ?2")
            let insertReceipt = try db.cachedStatement(
                sql: """
                    INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at,
                        raw_sha256, format, charset, decision, article_id, version_id, archive_path, state)
                    VALUES ('ingest', ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, 'new-article', ?, ?, ?, 'archived')
                    """)
            let insertFingerprint = try db.cachedStatement(
                sql: "INSERT INTO fingerprint (version_id, scheme, shingles) VALUES (?, ?, ?)")
            try storyCache.prepare(db)
            let stories = SQLiteStoryLookup(db: db, cache: storyCache)
            for (name, prepared) in articles {
                let (article, fingerprint) = (prepared.article, prepared.fingerprint)
                try insertArticle.execute(arguments: [now])
                let articleID = db.lastInsertedRowID
                let versionID = try Self.insertVersion(prepared, article: articleID, indexed: false, at: now, in: db)
                try setLatest.execute(arguments: [versionID, articleID])
                let sha = prepared.contentSHA256
                try insertReceipt.execute(arguments: [
                    name, "/bench/" + name, article.body.utf8.count, now, sha, article.format.rawValue,
                    article.charset, articleID, versionID, "originals/\(sha.prefix(2))/\(sha)",
                ])
                let receiptID = db.lastInsertedRowID
                let time = Timestamp.storyTime(published: article.published, arrivedAt: now)
                let update = try stories.run(storyAssigner.assignment(for: prepared.storyFeatures, at: time))
                let story = try Self.apply(update, article: articleID, file: name, at: now, cache: storyCache, in: db)
                try Self.insertEvent(
                    .newArticle, receipt: receiptID, file: name, article: articleID, version: versionID,
                    message: DisplayTitle.shown(title: article.title, paragraphs: article.paragraphs), story: story,
                    at: now, in: db)
                try insertFingerprint.execute(arguments: [versionID, Fingerprint.scheme, fingerprint.shingles.count])
                for key in fingerprint.keys { rows.append((key, versionID)) }
            }
            rows.sort { $0 < $1 }
            let insertKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO lsh (key, version_id) VALUES (?, ?)")
            for (key, version) in rows {
                try insertKey.execute(arguments: [key, version])
            }
        }
    }

    /// The near-copy decision alone, read-only: the matched article, version, relation and
    /// similarity, or nil for a new article. For the benchmark, which times the decision apart from
    /// the durable write.
    package func nearestVersion(of prepared: PreparedArticle) throws(CopydeskError) -> VersionMatch? {
        try read { db in try Decider().nearestVersion(of: prepared, in: SQLiteLookup(db: db)) }
    }

    /// Decides and records one submission as ``CatalogStore/commit(_:)`` does, with the story part
    /// of a new article's decision timed by `storyTimer`.
    package func commit(_ submission: Submission, storyTimer: StoryTimer) async throws(CopydeskError) -> CommitResult {
        try await commit(batch: [submission], storyTimer: storyTimer)[0]
    }

    /// Decides and records submissions in one transaction as ``CatalogStore/commit(batch:markingArchived:beforeRecording:)``
    /// does, with the story part of each new article's decision timed by `storyTimer`.
    package func commit(batch submissions: [Submission], storyTimer: StoryTimer) async throws(CopydeskError)
        -> [CommitResult]
    {
        let assigner = storyAssigner
        let stories = storyCache
        return try await writeAsync { db in
            try stories.prepare(db)
            return try Self.commit(submissions, assigner: assigner, stories: stories, storyTimer: storyTimer, in: db)
        }
    }

    /// The story tables (``storyTableNames``) and how large they are.
    package struct StoryTables: Sendable {
        /// The bytes of each table and index's pages (from SQLite's `dbstat`; nil when not measured
        /// or when this SQLite was built without it).
        package var bytes: [String: Int64]?
        /// The live stories, and the articles of the largest.
        package var stories: Int
        package var largest: Int
        /// The newest story's id.
        package var last: Int64
    }

    /// The tables and indexes that exist for stories: the stories, their postings, the term counts,
    /// and the index of articles by story.
    package static let storyTableNames = [
        "story", "story_activity", "story_merged", "story_term", "story_term_story", "term_sketch",
        "term_pending", "article_story",
    ]

    /// - Parameter measuringBytes: whether to measure the tables' bytes (which reads all their pages).
    package func storyTables(measuringBytes: Bool) throws(CopydeskError) -> StoryTables {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*), coalesce(max(articles), 0), (SELECT coalesce(max(id), 0) FROM story)
                    FROM story WHERE merged_into IS NULL
                    """)!
            var bytes: [String: Int64]? = measuringBytes ? [:] : nil
            for name in Self.storyTableNames where measuringBytes {
                guard let size = try? Int64.fetchOne(db, sql: "SELECT sum(pgsize) FROM dbstat WHERE name = ?", arguments: [name])
                else {
                    bytes = nil
                    break
                }
                bytes?[name] = size
            }
            return StoryTables(bytes: bytes, stories: row[0], largest: row[1], last: row[2])
        }
    }

    /// Copies the write-ahead log into the database and empties it (a TRUNCATE checkpoint), so that
    /// a measurement after a bulk load does not pay for the load's deferred writes.
    package func checkpoint() throws(CopydeskError) {
        do {
            try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw CopydeskError(.storeFailed, "cannot checkpoint the catalog", path: path, cause: Self.describe(error))
        }
    }

    /// The size of the database file and its write-ahead log, in bytes.
    package func fileSize() -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal"] {
            var info = stat()
            if stat(path + suffix, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }
}
