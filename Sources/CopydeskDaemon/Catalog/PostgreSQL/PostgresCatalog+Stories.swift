public import CopydeskCore
internal import Logging
internal import PostgresNIO

/// The PostgreSQL catalog's answers to story assignment (``StoryQuery``), read inside the write
/// transaction of the decision that asks: one round trip each.
struct PostgresStoryLookup: AsyncStoryLookup {
    let connection: PostgresConnection
    let logger: Logger

    func answer(_ query: StoryQuery) async throws -> StoryAnswer {
        switch query {
        case .stories(let keys, let activeSince, let limitPerKey):
            let rows = try await connection.rows(
                """
                SELECT wanted.term, live.story_id
                FROM (SELECT DISTINCT unnest(\(keys)::int8[]) AS term) AS wanted
                CROSS JOIN LATERAL (
                    SELECT filed.story_id FROM (
                        SELECT story_id FROM story_term WHERE story_term.term = wanted.term
                        ORDER BY story_id DESC LIMIT \(Int64(limitPerKey * 4))
                    ) AS filed JOIN story ON story.id = filed.story_id
                    WHERE story.merged_into IS NULL AND story.last_seen >= \(activeSince)
                    ORDER BY filed.story_id DESC LIMIT \(Int64(limitPerKey))
                ) AS live
                """, as: (Int64, Int64).self, logger: logger)
            var filed = [Int64: [Int64]]()
            for row in rows { filed[row.0, default: []].append(row.1) }
            return .stories(filed)
        case .frequencies(let keys):
            // The counters of the terms' buckets (``TermSketch``, kept as rows): each term's count is
            // the least of its own.
            let distinct = Set(keys).sorted()
            let bucketsOfKey = distinct.map(TermSketch.buckets(of:))
            let buckets = bucketsOfKey.flatMap { $0 } + [TermSketch.articlesBucket]
            let rows = try await connection.rows(
                "SELECT bucket, articles FROM term_bucket WHERE bucket = ANY(\(buckets.map(Int64.init))::int8[])",
                as: (Int64, Int64).self, logger: logger)
            var counters = [Int: Int]()
            for row in rows { counters[Int(row.0)] = Int(row.1) }
            var counts = [Int64: Int]()
            for (key, keyBuckets) in zip(distinct, bucketsOfKey) {
                let count = keyBuckets.map { counters[$0] ?? 0 }.min() ?? 0
                if count > 0 { counts[key] = count }
            }
            return .frequencies(counts, articles: counters[TermSketch.articlesBucket] ?? 0)
        case .profiles(let ids):
            let rows = try await connection.rows(
                """
                SELECT id, articles, first_seen, last_seen, summary FROM story
                WHERE id = ANY(\(ids)::int8[]) AND merged_into IS NULL
                """, as: (Int64, Int64, String, String, ByteBuffer).self, logger: logger)
            var profiles = [Int64: StoryProfile]()
            for row in rows {
                profiles[row.0] = StoryProfile(
                    articles: Int(row.1), firstSeen: row.2, lastSeen: row.3,
                    summary: row.4.getBytes(at: row.4.readerIndex, length: row.4.readableBytes) ?? [])
            }
            return .profiles(profiles)
        }
    }
}

extension PostgresCatalog {
    /// Applies what assigning `article` to a story changes (see the SQLite catalog's `apply`).
    ///
    /// - Parameter logsMerges: whether each merge is a `story-merged` event (a regroup counts them
    ///   instead).
    /// - Returns: the article's story.
    static func apply(
        _ update: StoryUpdate, article: Int64, file: String?, at now: String, logsMerges: Bool = true,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        let profile = update.profile
        let summary = ByteBuffer(bytes: profile.summary)
        let story = try await connection.first(
            """
            WITH existing AS (
                UPDATE story SET articles = \(Int64(profile.articles)), first_seen = \(profile.firstSeen),
                    last_seen = \(profile.lastSeen), summary = \(summary)
                WHERE id = \(update.story)::int8
                RETURNING id
            ), created AS (
                INSERT INTO story (articles, first_seen, last_seen, summary, created_at)
                SELECT \(Int64(profile.articles)), \(profile.firstSeen), \(profile.lastSeen), \(summary), \(now)
                WHERE \(update.story)::int8 IS NULL
                RETURNING id
            )
            SELECT id FROM existing UNION ALL SELECT id FROM created
            """, as: Int64.self, logger: logger)!
        for merged in update.merged where merged != story {
            try await mergeStory(merged, into: story, file: file, logged: logsMerges, at: now, on: connection, logger: logger)
        }
        // The article is counted in the epoch (its distinct terms, a row numbered after the epoch's
        // last); the epoch's articles are folded into the counts when it ends.
        let counted = ByteBuffer(bytes: TermSketch.bytes(of: Set(update.counted).sorted()))
        let (epochArticles, articles) = try await connection.first(
            """
            WITH assigned AS (
                UPDATE article SET story_id = \(story) WHERE id = \(article)
            ), posted AS (
                INSERT INTO story_term (term, story_id)
                SELECT DISTINCT unnest(\(update.fileUnder)::int8[]), \(story)
                ON CONFLICT DO NOTHING
            )
            INSERT INTO term_pending (id, terms) SELECT coalesce(max(id), 0) + 1, \(counted) FROM term_pending
            RETURNING id,
                coalesce((SELECT articles FROM term_bucket WHERE bucket = \(Int64(TermSketch.articlesBucket))), 0)::int8
            """, as: (Int64, Int64).self, logger: logger)!
        if epochArticles >= TermSketch.epochLength(after: Int(articles)) {
            try await endTermEpoch(on: connection, logger: logger)
        }
        return story
    }

    /// Folds the epoch's counted articles (`term_pending`) into the counts story assignment reads
    /// (`term_bucket`), as ``TermSketch/add(article:)`` counts them: one in each bucket of each
    /// distinct term (two terms sharing a bucket add two), one to the articles' count.
    static func endTermEpoch(on connection: PostgresConnection, logger: Logger) async throws {
        var epoch = TermSketch()
        for try await terms in try await connection.query("DELETE FROM term_pending RETURNING terms", logger: logger)
            .decode(ByteBuffer.self)
        {
            epoch.add(article: TermSketch.keys(from: terms.getBytes(at: terms.readerIndex, length: terms.readableBytes) ?? []))
        }
        let counters = epoch.nonZero()
        for start in stride(from: 0, to: counters.count, by: 50_000) {
            let chunk = counters[start..<min(counters.count, start + 50_000)]
            try await connection.run(
                """
                INSERT INTO term_bucket (bucket, articles)
                SELECT * FROM unnest(\(chunk.map { Int64($0.bucket) })::int8[], \(chunk.map { Int64($0.count) })::int8[])
                ON CONFLICT (bucket) DO UPDATE SET articles = term_bucket.articles + excluded.articles
                """, logger: logger)
        }
    }

    /// Folds story `merged` into `story`: its articles and postings move, it and the stories merged
    /// into it before resolve to `story` from now on (`logged`: a `story-merged` event says so).
    static func mergeStory(
        _ merged: Int64, into story: Int64, file: String?, logged: Bool, at now: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.run(
            """
            WITH folded AS (
                UPDATE story SET merged_into = \(story) WHERE id = \(merged) OR merged_into = \(merged)
            ), moved AS (
                UPDATE article SET story_id = \(story) WHERE story_id = \(merged)
            ), reposted AS (
                INSERT INTO story_term (term, story_id)
                SELECT term, \(story) FROM story_term WHERE story_id = \(merged)
                ON CONFLICT DO NOTHING
            ), dropped AS (
                DELETE FROM story_term WHERE story_id = \(merged)
            )
            INSERT INTO event (time, kind, file, message, story)
            SELECT \(now), 'story-merged', \(file), \("story \(merged) merged into story \(story)"), \(story)
            WHERE \(logged)
            """, logger: logger)
    }

    /// The story an article belongs to (nil for an article recorded before stories existed).
    static func story(ofArticle article: Int64, on connection: PostgresConnection, logger: Logger) async throws
        -> Int64?
    {
        try await connection.first(
            "SELECT story_id FROM article WHERE id = \(article)", as: Int64?.self, logger: logger) ?? nil
    }
}

extension PostgresCatalog {
    public func storiesToCheck(_ scope: StoryPassScope) async throws(CopydeskError) -> StoriesToCheck {
        try await read { connection, logger in
            let lastEvent = try await connection.first(
                "SELECT coalesce(max(id), 0)::int8 FROM event", as: Int64.self, logger: logger) ?? Int64(0)
            let rows: [(Int64, Int64)]
            switch scope {
            case .all:
                rows = try await connection.rows(
                    "SELECT id, articles::int8 FROM story WHERE merged_into IS NULL", as: (Int64, Int64).self,
                    logger: logger)
            case .activeSince(let time):
                rows = try await connection.rows(
                    "SELECT id, articles::int8 FROM story WHERE merged_into IS NULL AND last_seen >= \(time)",
                    as: (Int64, Int64).self, logger: logger)
            case .changedAfterEvent(let after):
                // The stories named by the events since (decisions, merges), each resolved to the
                // story it lives in now.
                rows = try await connection.rows(
                    """
                    SELECT live.id, live.articles::int8 FROM story AS live
                    WHERE live.merged_into IS NULL AND live.id IN (
                        SELECT coalesce(named.merged_into, named.id) FROM event JOIN story AS named ON named.id = event.story
                        WHERE event.id > \(after))
                    """, as: (Int64, Int64).self, logger: logger)
            }
            return StoriesToCheck(stories: rows.map { (id: $0.0, articles: Int($0.1)) }, lastEvent: lastEvent)
        }
    }

    public func checkStoryMerge(_ story: Int64, assigner: StoryAssigner) async throws(CopydeskError) -> StoryMerge? {
        try await write("merge stories") { connection, logger in
            let lookup = PostgresStoryLookup(connection: connection, logger: logger)
            guard case .profiles(let profiles) = try await lookup.answer(.profiles([story])),
                let profile = profiles[story],
                let merge = try await lookup.run(StoryMergeCheck(assigner: assigner, story: story, profile: profile))
            else { return nil }
            let now = Timestamp.now()
            let summary = ByteBuffer(bytes: merge.profile.summary)
            try await connection.run(
                """
                UPDATE story SET articles = \(Int64(merge.profile.articles)), first_seen = \(merge.profile.firstSeen),
                    last_seen = \(merge.profile.lastSeen), summary = \(summary)
                WHERE id = \(merge.story)
                """, logger: logger)
            try await Self.mergeStory(merge.merged, into: merge.story, file: nil, logged: true, at: now, on: connection, logger: logger)
            return merge
        }
    }

    public func stories(since: String?, limit: Int) async throws(CopydeskError) -> [StorySummary] {
        try await read { connection, logger in
            var query = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 2)
            query.appendLiteral("SELECT id, first_seen, last_seen FROM story WHERE merged_into IS NULL")
            if let since { query.appendCondition(" AND last_seen >= ", since) }
            query.appendLiteral(" ORDER BY last_seen DESC, id DESC")
            if limit > 0 { query.appendCondition(" LIMIT ", Int64(limit)) }
            let stories = try await connection.rows(
                PostgresQuery(stringInterpolation: query), as: (Int64, String, String).self, logger: logger)
            let members = try await Self.storyArticles(stories.map(\.0), lead: true, connection, logger)
            return stories.map { story in
                StorySummary(story: story.0, firstSeen: story.1, lastSeen: story.2, articles: members[story.0] ?? [])
            }
        }
    }

    public func story(_ id: Int64) async throws(CopydeskError) -> StoryRecord? {
        try await read { connection, logger in
            guard
                let row = try await connection.first(
                    """
                    SELECT story.id, story.first_seen, story.last_seen FROM story
                    WHERE story.id = (SELECT coalesce(merged_into, id) FROM story WHERE id = \(id))
                    """, as: (Int64, String, String).self, logger: logger)
            else { return nil }
            let articles = try await Self.storyArticles([row.0], lead: false, connection, logger)[row.0] ?? []
            let merged = try await connection.rows(
                "SELECT id FROM story WHERE merged_into = \(row.0) ORDER BY id", as: Int64.self, logger: logger)
            return StoryRecord(
                summary: StorySummary(story: row.0, firstSeen: row.1, lastSeen: row.2, articles: articles),
                articles: articles, merged: merged)
        }
    }

    /// These stories' articles with their current versions (`lead`: only the first 400 characters
    /// of the text, enough for a derived headline).
    private static func storyArticles(
        _ stories: [Int64], lead: Bool, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [Int64: [StoryArticle]] {
        guard !stories.isEmpty else { return [:] }
        let rows = try await connection.rows(
            """
            SELECT article.id, article.story_id, article.created_at, version.title,
                CASE WHEN \(lead) THEN left(version.body, 400) ELSE version.body END, version.site, version.url,
                version.published,
                (SELECT provider FROM wire_item WHERE wire_item.article_id = article.id ORDER BY id DESC LIMIT 1)
            FROM article JOIN version ON version.id = coalesce(article.current_version_id, article.latest_version_id)
            WHERE article.story_id = ANY(\(stories)::int8[])
            """, as: (Int64, Int64, String, String?, String, String?, String?, String?, String?).self, logger: logger)
        var members = [Int64: [StoryArticle]]()
        for row in rows {
            members[row.1, default: []].append(
                StoryArticle(
                    article: row.0, story: row.1, title: row.3,
                    paragraphs: row.4.split(separator: "\n\n", omittingEmptySubsequences: true).map(String.init),
                    site: row.5, url: row.6, provider: row.8, published: row.7, createdAt: row.2))
        }
        return members
    }
}
