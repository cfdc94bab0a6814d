internal import CopydeskCore
internal import GRDB

extension SQLiteCatalog {
    /// A stored version as an article (its article id and text).
    static func storedVersion(_ id: Int64, in db: Database) throws -> StoredVersion? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT version.article_id, version.title, version.byline, version.published, version.site,
                    version.url, version.language, version.body, version.format, version.charset,
                    wire_item.id AS wire_id, wire_item.provider, wire_item.dateline
                FROM version LEFT JOIN wire_item
                    ON wire_item.id = (SELECT max(id) FROM wire_item WHERE wire_item.version_id = version.id)
                WHERE version.id = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        var text = article(from: row)
        // What an agency item declared with this text, as far as deciding on rewrites needs it.
        if (row["wire_id"] as Int64?) != nil {
            text.wire = WireMetadata(dateline: row["dateline"], provider: row["provider"])
        }
        return StoredVersion(article: row["article_id"], text: text)
    }

    /// Rebuilds the article a version row holds (paragraphs were stored separated by blank lines).
    static func article(from row: Row) -> Article {
        let body: String = row["body"]
        return Article(
            format: ArticleFormat(rawValue: row["format"]) ?? .text, charset: row["charset"], title: row["title"],
            byline: row["byline"], published: row["published"], site: row["site"], url: row["url"],
            language: row["language"],
            paragraphs: body.split(separator: "\n\n", omittingEmptySubsequences: true).map(String.init))
    }

    /// Files a version under its fingerprint's keys.
    static func index(version id: Int64, fingerprint: Fingerprint, in db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO lsh (key, version_id) VALUES (?, ?)")
        for key in fingerprint.keys {
            try insert.execute(arguments: [key, id])
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO fingerprint (version_id, scheme, shingles) VALUES (?, ?, ?)",
            arguments: [id, Fingerprint.scheme, fingerprint.shingles.count])
    }

    /// Points the article at its current version (``CurrentVersion``) after its versions changed;
    /// the search index follows (trigger `article_search_current`).
    ///
    /// Reads one small row per version (lengths from the fingerprint index, not the bodies).
    ///
    /// `declared`: whether to read the versions' declared numbers (the `wire_item` table, from the
    /// v8 migration on; an earlier migration calling this passes false).
    static func updateCurrentVersion(of articleID: Int64, declared: Bool = true, in db: Database) throws {
        // A cursor read by column index: one reused row, no dictionary per version (an agency story
        // may have hundreds of versions, and this runs for each new one).
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT version.id, version.parent_version_id, version.relation, version.site, version.url,
                        coalesce(fingerprint.shingles, 0), version.published,
                        \(declared ? """
                            (SELECT declared_version FROM wire_item WHERE wire_item.version_id = version.id
                             ORDER BY wire_item.id DESC LIMIT 1)
                            """ : "NULL")
                    FROM version LEFT JOIN fingerprint ON fingerprint.version_id = version.id
                    WHERE version.article_id = ?
                    """),
            arguments: [articleID])
        var candidates = [CurrentVersion.Candidate]()
        while let row = try rows.next() {
            let relation: String? = row[2]
            candidates.append(
                CurrentVersion.Candidate(
                    id: row[0], parent: row[1], relation: relation.flatMap(VersionRelation.init(rawValue:)),
                    length: row[5], site: row[3], url: row[4], published: row[6], declaredVersion: row[7]))
        }
        guard let current = CurrentVersion.choose(candidates) else { return }
        try db.cachedStatement(sql: "UPDATE article SET current_version_id = ?1 WHERE id = ?2 AND current_version_id IS NOT ?1")
            .execute(arguments: [current, articleID])
    }

    /// Indexes the versions that have no fingerprint row yet (those of a catalog written before the
    /// index existed).
    static func indexUnindexedVersions(in db: Database) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, title, byline, published, site, url, language, body, format, charset FROM version
                WHERE id NOT IN (SELECT version_id FROM fingerprint) ORDER BY id
                """)
        var pending = [(Int64, Article)]()
        while let row = try rows.next() {
            pending.append((row["id"], article(from: row)))
        }
        for (id, article) in pending {
            try index(version: id, fingerprint: Fingerprint(article), in: db)
        }
    }
}
