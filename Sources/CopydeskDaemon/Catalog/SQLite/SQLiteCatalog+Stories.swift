public import CopydeskCore
internal import Foundation
internal import GRDB

/// The SQLite catalog's answers to story assignment (``StoryQuery``), read inside the write
/// transaction of the decision that asks; every statement cached and bounded by its index.
struct SQLiteStoryLookup: StoryLookup {
    let db: Database
    /// The writer's index of active stories and term counts, prepared for this transaction: what
    /// the index holds is answered from memory, and every frequency.
    var cache: SQLiteStoryCache

    func answer(_ query: StoryQuery) throws -> StoryAnswer {
        switch query {
        case .stories(let keys, let activeSince, let limitPerKey):
            if let index = cache.index, index.covers(activeSince: activeSince) {
                return .stories(index.stories(keys: keys, activeSince: activeSince, limitPerKey: limitPerKey))
            }
            // The newest postings of each term (a bounded range of its index), then the live and
            // active stories among them (an article long before the newest: a backfill).
            let statement = try db.cachedStatement(
                sql: """
                    SELECT filed.story_id FROM (
                        SELECT story_id FROM story_term WHERE term = ?1 ORDER BY story_id DESC LIMIT ?3 * 4
                    ) AS filed JOIN story ON story.id = filed.story_id
                    WHERE story.merged_into IS NULL AND story.last_seen >= ?2
                    ORDER BY filed.story_id DESC LIMIT ?3
                    """)
            // With the stories the index holds, whose postings are not in `story_term`.
            let held = cache.index?.stories(keys: keys, activeSince: activeSince, limitPerKey: limitPerKey) ?? [:]
            var filed = [Int64: [Int64]]()
            for key in Set(keys).sorted() {
                let stories = try Int64.fetchAll(statement, arguments: [key, activeSince, limitPerKey])
                let both = Set(stories + (held[key] ?? [])).sorted(by: >).prefix(limitPerKey)
                if !both.isEmpty { filed[key] = Array(both) }
            }
            return .stories(filed)
        case .frequencies(let keys):
            return cache.frequencies(of: keys)
        case .profiles(let ids):
            var profiles = cache.index?.profiles(ids) ?? [:]
            let statement = try db.cachedStatement(
                sql: "SELECT articles, first_seen, last_seen, summary FROM story WHERE id = ? AND merged_into IS NULL")
            for id in Set(ids).sorted() where profiles[id] == nil {
                guard let row = try Row.fetchOne(statement, arguments: [id]) else { continue }
                profiles[id] = SQLiteStoryCache.profile(row, from: 0)
            }
            return .profiles(profiles)
        }
    }
}

extension SQLiteCatalog {
    /// `count` copies of `row`, separated by commas (the rows of a multi-row `VALUES`).
    static func rows(_ row: String, _ count: Int) -> String {
        Array(repeating: row, count: count).joined(separator: ", ")
    }

    /// Applies what assigning an article to a story changes (``StoryUpdate``): the story created or
    /// updated, the stories it merges folded into it (each a `story-merged` event), the article's
    /// story (when `article` is given: a caller that writes the article's row names it there), the
    /// story's postings and the term counts.
    ///
    /// A new story's id is above every id the catalog gave before, also those a regroup cleared
    /// (`regroup.story_floor`): an old id never names another story.
    ///
    /// - Parameters:
    ///   - logsMerges: whether each merge is a `story-merged` event (a regroup counts them instead).
    ///   - terms: the terms the story is filed under from now on, when they were worked out with
    ///     the update (``StoryPlan/terms``).
    ///   - cache: the writer's index of active stories, which mirrors the change.
    /// - Returns: the article's story.
    static func apply(
        _ update: StoryUpdate, article: Int64? = nil, terms planned: [Int64]? = nil, file: String?, at now: String,
        logsMerges: Bool = true, cache: SQLiteStoryCache, in db: Database
    ) throws -> Int64 {
        let profile = update.profile
        let merged = update.merged.filter { $0 != update.story }
        // The terms the story is filed under from now on: its own so far, those of the stories it
        // merges, the article's. Kept with the story; in `story_term` only when the writer's index
        // will not hold it (then it is "settled").
        let filed: [Int64]
        if let planned {
            filed = planned
        } else {
            filed = try SQLiteStoryCache.terms(after: update) { try cache.filedTerms(of: $0, in: db) }
        }
        let held = cache.holds(after: profile)
        let story: Int64
        if let id = update.story {
            try writeStory(id, profile: profile, terms: filed, held: held, in: db)
            story = id
        } else {
            try db.cachedStatement(
                sql: """
                    INSERT INTO story (id, articles, first_seen, last_seen, summary, terms, settled, created_at)
                    VALUES (
                        max(coalesce((SELECT max(id) FROM story), 0), coalesce((SELECT story_floor FROM regroup), 0)) + 1,
                        ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: StatementArguments(storyRow(profile, terms: filed, held: held) + [now]))
            story = db.lastInsertedRowID
            if !held { try SQLiteStoryCache.settle([(story, filed)], in: db) }
        }
        for other in merged {
            try mergeStory(other, into: story, file: file, logged: logsMerges, at: now, in: db)
        }
        if let article {
            try db.cachedStatement(sql: "UPDATE article SET story_id = ? WHERE id = ?").execute(arguments: [story, article])
        }
        try cache.count(update.counted, in: db)
        try cache.record(update, story: story, in: db)
        return story
    }

    /// A story row's `articles, first_seen, last_seen, summary, terms, settled`.
    static func storyRow(_ profile: StoryProfile, terms: [Int64], held: Bool) -> [any DatabaseValueConvertible] {
        [
            profile.articles, profile.firstSeen, profile.lastSeen, Data(profile.summary),
            Data(TermSketch.bytes(of: terms)), held ? 0 : 1,
        ]
    }

    /// Writes an existing story's profile and terms; one the writer's index will not hold is filed
    /// in `story_term` (settled).
    static func writeStory(_ id: Int64, profile: StoryProfile, terms: [Int64], held: Bool, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE story SET articles = ?, first_seen = ?, last_seen = ?, summary = ?, terms = ?, settled = ?
                WHERE id = ?
                """
        ).execute(arguments: StatementArguments(storyRow(profile, terms: terms, held: held) + [id]))
        if !held { try SQLiteStoryCache.settle([(id, terms)], in: db) }
    }

    /// Folds story `merged` into `story`: its articles and postings move, it and the stories merged
    /// into it before resolve to `story` from now on (`logged`: a `story-merged` event says so).
    static func mergeStory(
        _ merged: Int64, into story: Int64, file: String?, logged: Bool, at now: String, in db: Database
    ) throws {
        // One statement at a time: GRDB hands a multi-statement string's arguments out in turn.
        for sql in [
            "UPDATE story SET merged_into = ?1 WHERE id = ?2 OR merged_into = ?2",
            "UPDATE article SET story_id = ?1 WHERE story_id = ?2",
            "INSERT OR IGNORE INTO story_term (term, story_id) SELECT term, ?1 FROM story_term WHERE story_id = ?2",
            "DELETE FROM story_term WHERE story_id = ?2",
        ] {
            try db.cachedStatement(sql: sql).execute(arguments: [story, merged])
        }
        guard logged else { return }
        try insertMergeEvent(merged, into: story, file: file, at: now, in: db)
    }

    /// The `story-merged` event of story `merged` folded into `story`.
    static func insertMergeEvent(_ merged: Int64, into story: Int64, file: String?, at now: String, in db: Database)
        throws
    {
        try insertEvent(
            .storyMerged, file: file, message: "story \(merged) merged into story \(story)", story: story, at: now,
            in: db)
    }

    /// The story an article belongs to (nil for an article recorded before stories existed).
    static func story(ofArticle article: Int64, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT story_id FROM article WHERE id = ?"), arguments: [article])
    }
}

extension SQLiteCatalog {
    /// Works out the story assignment of each of the submission's articles now, against this
    /// writer's index and counts as they stand (``StoryPlan``), to be taken in its decision's turn
    /// if it is what the turn decides. (A transaction works its new articles out itself while it
    /// decides its files, ``SQLiteStoryPlanner``; tests plan ahead with this.)
    package func planStories(_ submission: inout Submission) {
        let arrivedAt = submission.arrivedAt
        func plan(_ content: inout Result<PreparedArticle, CopydeskError>) {
            guard case .success(var prepared) = content, !prepared.storyFeatures.terms.isEmpty else { return }
            let time = Timestamp.storyTime(published: prepared.article.published, arrivedAt: arrivedAt)
            prepared.storyPlan = storyCache.plan(prepared.storyFeatures, at: time, assigner: storyAssigner)
            content = .success(prepared)
        }
        plan(&submission.content)
        if var items = submission.items {
            for index in items.indices { plan(&items[index]) }
            submission.items = items
        }
    }

    /// Whether each transaction works out its new articles' stories on another thread while it
    /// decides its files (``SQLiteStoryPlanner``; the scale benchmark's `--no-plans` turns it off).
    package var plansStoriesWhileDeciding: Bool {
        get { storyCache.plansWhileDeciding }
        set { storyCache.plansWhileDeciding = newValue }
    }

    public func storiesToCheck(_ scope: StoryPassScope) async throws(CopydeskError) -> StoriesToCheck {
        try await readAsync { db in
            let lastEvent = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM event") ?? 0
            let rows: [Row]
            switch scope {
            case .all:
                rows = try Row.fetchAll(db, sql: "SELECT id, articles FROM story WHERE merged_into IS NULL")
            case .activeSince(let time):
                rows = try Row.fetchAll(
                    db, sql: "SELECT id, articles FROM story WHERE merged_into IS NULL AND last_seen >= ?",
                    arguments: [time])
            case .changedAfterEvent(let after):
                // The stories named by the events since (decisions, merges), each resolved to the
                // story it lives in now.
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT live.id, live.articles FROM story AS live
                        WHERE live.merged_into IS NULL AND live.id IN (
                            SELECT coalesce(named.merged_into, named.id) FROM event JOIN story AS named ON named.id = event.story
                            WHERE event.id > ?)
                        """, arguments: [after])
            }
            return StoriesToCheck(stories: rows.map { (id: $0[0], articles: $0[1]) }, lastEvent: lastEvent)
        }
    }

    public func checkStoryMerge(_ story: Int64, assigner: StoryAssigner) async throws(CopydeskError) -> StoryMerge? {
        let cache = storyCache
        return try await writeAsync { db in
            try cache.prepare(db)
            let lookup = SQLiteStoryLookup(db: db, cache: cache)
            guard case .profiles(let profiles) = try lookup.answer(.profiles([story])), let profile = profiles[story],
                let merge = try lookup.run(StoryMergeCheck(assigner: assigner, story: story, profile: profile))
            else { return nil }
            let now = Timestamp.now()
            let terms = Set(try cache.filedTerms(of: merge.story, in: db))
                .union(try cache.filedTerms(of: merge.merged, in: db)).sorted()
            try Self.writeStory(
                merge.story, profile: merge.profile, terms: terms, held: cache.holds(after: merge.profile), in: db)
            try Self.mergeStory(merge.merged, into: merge.story, file: nil, logged: true, at: now, in: db)
            try cache.record(merge, in: db)
            return merge
        }
    }

    public func stories(since: String?, limit: Int) async throws(CopydeskError) -> [StorySummary] {
        try await readAsync { db in
            var sql = "SELECT id, first_seen, last_seen FROM story WHERE merged_into IS NULL"
            var arguments = StatementArguments()
            if let since {
                sql += " AND last_seen >= ?"
                arguments += [since]
            }
            sql += " ORDER BY last_seen DESC, id DESC" + (limit > 0 ? " LIMIT \(limit)" : "")
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let id: Int64 = row[0]
                return StorySummary(
                    story: id, firstSeen: row[1], lastSeen: row[2], articles: try Self.storyArticles(id, lead: true, in: db))
            }
        }
    }

    public func story(_ id: Int64) async throws(CopydeskError) -> StoryRecord? {
        try await readAsync { db in
            guard var row = try Row.fetchOne(db, sql: "SELECT id, merged_into, first_seen, last_seen FROM story WHERE id = ?", arguments: [id])
            else { return nil }
            if let target: Int64 = row[1] {
                guard let resolved = try Row.fetchOne(
                    db, sql: "SELECT id, merged_into, first_seen, last_seen FROM story WHERE id = ?", arguments: [target])
                else { return nil }
                row = resolved
            }
            let story: Int64 = row[0]
            let articles = try Self.storyArticles(story, lead: false, in: db)
            let merged = try Int64.fetchAll(db, sql: "SELECT id FROM story WHERE merged_into = ? ORDER BY id", arguments: [story])
            return StoryRecord(
                summary: StorySummary(story: story, firstSeen: row[2], lastSeen: row[3], articles: articles),
                articles: articles, merged: merged)
        }
    }

    /// A story's articles with their current versions (`lead`: only the first 400 characters of the
    /// text, enough for a derived headline).
    static func storyArticles(_ story: Int64, lead: Bool, in db: Database) throws -> [StoryArticle] {
        let body = lead ? "substr(version.body, 1, 400)" : "version.body"
        return try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT article.id, article.created_at, version.title, \(body), version.site, version.url,
                        version.published,
                        (SELECT provider FROM wire_item WHERE wire_item.article_id = article.id ORDER BY id DESC LIMIT 1)
                    FROM article JOIN version ON version.id = coalesce(article.current_version_id, article.latest_version_id)
                    WHERE article.story_id = ?
                    """),
            arguments: [story]
        ).map { row in
            let text: String = row[3]
            return StoryArticle(
                article: row[0], story: story, title: row[2],
                paragraphs: text.split(separator: "\n\n", omittingEmptySubsequences: true).map(String.init),
                site: row[4], url: row[5], provider: row[7], published: row[6], createdAt: row[1])
        }
    }
}
