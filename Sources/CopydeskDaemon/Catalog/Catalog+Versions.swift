internal import CopydeskCore
internal import GRDB

/// A stored version that a new text was recognised as a version of.
struct VersionMatch {
    var article: Int64
    var version: Int64
    var resemblance: Resemblance
    var relation: VersionRelation

    /// The similarity recorded with the new version: the containment for an excerpt (how much of the
    /// shorter text is in the longer), the Jaccard similarity otherwise.
    var similarity: Double {
        relation == .excerpt ? resemblance.containment : resemblance.jaccard
    }
}

extension Catalog {
    /// How many versions one key returns at most, newest first. A key shared by more versions is
    /// either boilerplate common to many texts (then it says little) or a story carried by many
    /// outlets (then its newest versions serve as well as all of them); either way the lookup cost
    /// stays bounded however large the catalog grows.
    static let versionsPerKey = 64
    /// How many candidates, ranked by shared keys, are looked at (their size read from the index).
    static let rankedCandidates = 16
    /// How many of those are verified exactly at most (each costs re-reading and re-shingling the
    /// stored text).
    static let verifiedCandidates = 8

    /// A Jaccard similarity at which a match found through the bands is final: the containment keys
    /// are then not looked up. A version the containment keys alone would find shares no band, so its
    /// Jaccard similarity is almost surely below 0.5 (``Fingerprint``) and it could not be a closer
    /// parent. Saves half the index lookups for revisions and syndicated copies.
    static let finalBandMatchJaccard = 0.8

    /// The stored version `article` is a near-copy of, if any: candidates from the index, verified
    /// exactly on their shingle sets (``VersionRule``), the closest one kept.
    ///
    /// The band keys are looked up first; unless that gives a close match, the containment keys
    /// next. Reads only index rows and the candidates' own rows, at most ``versionsPerKey`` per key
    /// and ``verifiedCandidates`` texts: the cost does not grow with the catalog.
    static func findVersion(of article: Article, fingerprint: Fingerprint, in db: Database) throws -> VersionMatch? {
        guard !fingerprint.shingles.isEmpty else { return nil }
        let lookup = try db.cachedStatement(
            sql: "SELECT version_id FROM lsh WHERE key = ? ORDER BY version_id DESC LIMIT \(versionsPerKey)")
        func tally(_ keys: [Int64]) throws -> [Int64: Int] {
            var hits = [Int64: Int]()
            for key in keys.sorted() {
                for versionID in try Int64.fetchAll(lookup, arguments: [key]) {
                    hits[versionID, default: 0] += 1
                }
            }
            return hits
        }
        let sizeOf = try db.cachedStatement(sql: "SELECT shingles FROM fingerprint WHERE version_id = ?")
        var best: VersionMatch?
        var looked = Set<Int64>()
        var verified = 0
        func verify(bandHits: [Int64: Int], containmentHits: [Int64: Int]) throws {
            var hits = bandHits
            hits.merge(containmentHits, uniquingKeysWith: +)
            let ranked = hits.filter { !looked.contains($0.key) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
                .prefix(rankedCandidates)
            for (versionID, _) in ranked where verified < verifiedCandidates {
                looked.insert(versionID)
                guard let storedCount = try Int.fetchOne(sizeOf, arguments: [versionID]),
                    Fingerprint.isWorthVerifying(
                        bandHits: bandHits[versionID] ?? 0, containmentHits: containmentHits[versionID] ?? 0,
                        newShingles: fingerprint.shingles.count, storedShingles: storedCount)
                else { continue }
                guard let (articleID, stored) = try storedVersion(versionID, in: db) else { continue }
                verified += 1
                let storedShingles = ShingleSet(tokens: FingerprintText.tokens(of: stored))
                let resemblance = Resemblance(new: fingerprint.shingles, stored: storedShingles)
                guard VersionRule.isVersion(resemblance) else { continue }
                // The closest version is the parent: a revision descends from the full text it edits
                // rather than from a teaser of it that also "contains" it.
                if let best,
                    (best.resemblance.jaccard, best.resemblance.containment)
                        >= (resemblance.jaccard, resemblance.containment)
                {
                    continue
                }
                let relation = VersionRelation.infer(new: article, stored: stored, resemblance: resemblance)
                best = VersionMatch(
                    article: articleID, version: versionID, resemblance: resemblance, relation: relation)
            }
        }
        let bandHits = try tally(fingerprint.bandKeys)
        try verify(bandHits: bandHits, containmentHits: [:])
        if let best, best.resemblance.jaccard >= finalBandMatchJaccard { return best }
        let containmentHits = try tally(fingerprint.containmentKeys)
        try verify(bandHits: bandHits, containmentHits: containmentHits)
        return best
    }

    /// A stored version as an article (its article id and text).
    static func storedVersion(_ id: Int64, in db: Database) throws -> (Int64, Article)? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT article_id, title, byline, published, site, url, language, body, format, charset
                FROM version WHERE id = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        return (row["article_id"], article(from: row))
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
    static func updateCurrentVersion(of articleID: Int64, in db: Database) throws {
        // A cursor read by column index: one reused row, no dictionary per version (an agency story
        // may have hundreds of versions, and this runs for each new one).
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT version.id, version.parent_version_id, version.relation, version.site, version.url,
                        coalesce(fingerprint.shingles, 0), version.published
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
                    length: row[5], site: row[3], url: row[4], published: row[6]))
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
