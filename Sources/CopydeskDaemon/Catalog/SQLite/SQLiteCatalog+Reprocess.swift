public import CopydeskCore
internal import GRDB

extension SQLiteCatalog {
    /// The originals that the current normalizer has not read yet, in arrival order, after receipt
    /// `after`: one per distinct raw hash, taken from its first archived, accepted receipt, whose
    /// text was produced by an older normalizer (by the version it belongs to, or by the last
    /// reprocess of those bytes).
    public func reprocessTargets(after: Int64, limit: Int) async throws(CopydeskError) -> [ReprocessTarget] {
        try await readAsync { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT receipt.id, receipt.file_name, receipt.raw_sha256, receipt.archive_path,
                        coalesce(renormalization.version_id, receipt.version_id) AS current_version
                    \(Self.reprocessTargetsFrom) AND receipt.id > ?
                    ORDER BY receipt.id LIMIT ?
                    """,
                arguments: [Normalizer.version, after, limit]
            ).map { row in
                ReprocessTarget(
                    receiptID: row["id"], fileName: row["file_name"], rawSHA256: row["raw_sha256"],
                    archivePath: row["archive_path"], version: row["current_version"])
            }
        }
    }

    /// How many originals ``reprocessTargets(after:limit:)`` has in all.
    public func reprocessTargetCount() async throws(CopydeskError) -> Int {
        try await readAsync { db in
            try Int.fetchOne(db, sql: "SELECT count(*) \(Self.reprocessTargetsFrom)", arguments: [Normalizer.version]) ?? 0
        }
    }

    private static let reprocessTargetsFrom = """
        FROM receipt
        LEFT JOIN renormalization ON renormalization.raw_sha256 = receipt.raw_sha256
        JOIN version ON version.id = coalesce(renormalization.version_id, receipt.version_id)
        WHERE receipt.version_id IS NOT NULL AND receipt.state = 'archived'
            AND coalesce(renormalization.normalizer_version, version.normalizer_version) < ?
            AND NOT EXISTS (
                SELECT 1 FROM receipt AS earlier
                WHERE earlier.raw_sha256 = receipt.raw_sha256 AND earlier.version_id IS NOT NULL
                    AND earlier.state = 'archived' AND earlier.id < receipt.id)
        """

    /// Records what the current normalizer made of each original, in one transaction (see
    /// ``ReprocessOutcome``), with a `reprocessed` event for every original whose outcome is not
    /// `unchanged`. Never adds a receipt.
    ///
    /// - Parameter dryRun: work everything out, then roll the transaction back.
    public func recordReprocessed(
        _ items: [(target: ReprocessTarget, content: Result<PreparedArticle, CopydeskError>)], dryRun: Bool = false
    ) async throws(CopydeskError) -> [ReprocessResult] {
        do {
            return try await queue.writeWithoutTransaction { db in
                var results = [ReprocessResult]()
                try db.inTransaction {
                    let now = Timestamp.now()
                    results = try items.map { try Self.recordReprocessed($0.target, $0.content, at: now, in: db) }
                    return dryRun ? .rollback : .commit
                }
                return results
            }
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot write to the catalog", path: path, cause: Self.describe(error))
        }
    }

    private static func recordReprocessed(
        _ target: ReprocessTarget, _ content: Result<PreparedArticle, CopydeskError>, at now: String, in db: Database
    ) throws -> ReprocessResult {
        guard
            let current = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, article_id, content_sha256, title, byline, published, site, url, language, body,
                            format, charset
                        FROM version WHERE id = ?
                        """),
                arguments: [target.version])
        else {
            throw CopydeskError(.storeFailed, "version \(target.version) of \(target.fileName) is missing from the catalog")
        }
        let articleID: Int64 = current["article_id"]
        let stored = StoredVersion(article: articleID, text: Self.article(from: current))
        var result = ReprocessResult(target: target, outcome: .unchanged, article: articleID, version: target.version)
        let prepared: PreparedArticle
        switch content {
        case .failure(let rejection):
            result.recordRejected(rejection)
            try recordRenormalization(result, at: now, in: db)
            return result
        case .success(let value):
            prepared = value
        }
        let found = try SQLiteLookup(db: db).run(
            Decider().renormalization(
                prepared, rawSHA256: target.rawSHA256, current: stored, version: target.version,
                currentSHA256: current["content_sha256"]))
        switch found {
        case .sameText(changes: nil):
            break
        case .sameText(changes: let changes?):
            let article = prepared.article
            // The search index must be told what it indexed before the version changes under it.
            let isCurrent = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT current_version_id = ? FROM article WHERE id = ?"),
                arguments: [target.version, articleID]) ?? false
            let reindex = isCurrent && !changes.isEmpty
            if reindex { try searchEntry(.delete, article: articleID, version: target.version, in: db) }
            try db.cachedStatement(
                sql: """
                    UPDATE version SET title = ?, byline = ?, published = ?, site = ?, url = ?, language = ?,
                        format = ?, charset = ?, normalizer_version = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                article.title, article.byline, article.published, article.site, article.url, article.language,
                article.format.rawValue, article.charset, Normalizer.version, target.version,
            ])
            if reindex { try searchEntry(.insert, article: articleID, version: target.version, in: db) }
            guard !changes.isEmpty else { break }
            // A new site, URL or publication time may change which version is current.
            try updateCurrentVersion(of: articleID, in: db)
            result.recordMetadata(changes)
        case .knownText(let known):
            result.recordKnown(known)
        case .newText(let similarity):
            let versionID = try insertVersion(
                prepared, article: articleID, parent: target.version, similarity: similarity, at: now, in: db)
            // The new text replaces the old one as the article's latest only where the old one was,
            // and as its current one where the old one was (a re-normalized reading stays in the
            // old text's line, a teaser's reading stays a teaser: ``CurrentVersion``).
            try db.cachedStatement(
                sql: "UPDATE article SET latest_version_id = ? WHERE id = ? AND latest_version_id = ?"
            ).execute(arguments: [versionID, articleID, target.version])
            try updateCurrentVersion(of: articleID, in: db)
            result.recordNewText(version: versionID, similarity: similarity)
        }
        try recordRenormalization(result, at: now, in: db)
        return result
    }

    /// Records the outcome for the original (one row per raw hash and normalizer), with a
    /// `reprocessed` event unless nothing changed.
    private static func recordRenormalization(_ result: ReprocessResult, at now: String, in db: Database) throws {
        let target = result.target
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO renormalization
                    (raw_sha256, normalizer_version, outcome, version_id, previous_version_id, at)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            target.rawSHA256, Normalizer.version, result.outcome.rawValue, result.version, target.version, now,
        ])
        if result.outcome != .unchanged {
            try insertEvent(
                .reprocessed, receipt: target.receiptID, file: target.fileName, article: result.article,
                version: result.version, similarity: result.similarity, message: result.message, at: now, in: db)
        }
    }

    enum SearchChange { case delete, insert }

    /// Removes or adds an article's entry in the search index with the values of `version` as they
    /// are now (the index keeps no copy of its own: a removal must repeat what was indexed).
    private static func searchEntry(_ change: SearchChange, article: Int64, version: Int64, in db: Database) throws {
        let sql =
            switch change {
            case .delete:
                """
                INSERT INTO article_search (article_search, rowid, title, body)
                SELECT 'delete', ?, coalesce(title, ''), body FROM version WHERE id = ?
                """
            case .insert:
                "INSERT INTO article_search (rowid, title, body) SELECT ?, coalesce(title, ''), body FROM version WHERE id = ?"
            }
        try db.cachedStatement(sql: sql).execute(arguments: [article, version])
    }
}
