public import CopydeskCore
internal import Logging
internal import PostgresNIO

extension PostgresCatalog {
    public func reprocessTargets(after: Int64, limit: Int) async throws(CopydeskError) -> [ReprocessTarget] {
        try await read { connection, logger in
            try await connection.rows(
                """
                SELECT receipt.id, receipt.file_name, receipt.raw_sha256, receipt.archive_path,
                    coalesce(renormalization.version_id, receipt.version_id)
                \(unescaped: Self.reprocessTargetsFrom) AND receipt.id > \(after)
                ORDER BY receipt.id LIMIT \(limit)
                """, as: (Int64, String, String, String, Int64).self, logger: logger
            ).map { ReprocessTarget(receiptID: $0.0, fileName: $0.1, rawSHA256: $0.2, archivePath: $0.3, version: $0.4) }
        }
    }

    public func reprocessTargetCount() async throws(CopydeskError) -> Int {
        try await read { connection, logger in
            Int(
                try await connection.first(
                    "SELECT count(*)::int8 \(unescaped: Self.reprocessTargetsFrom)", as: Int64.self, logger: logger) ?? Int64(0))
        }
    }

    /// See `SQLiteCatalog.reprocessTargetsFrom`: one original per distinct raw hash, from its first
    /// archived, accepted receipt, whose text an older normalizer made.
    private static let reprocessTargetsFrom = """
        FROM receipt
        LEFT JOIN renormalization ON renormalization.raw_sha256 = receipt.raw_sha256
        JOIN version ON version.id = coalesce(renormalization.version_id, receipt.version_id)
        WHERE receipt.version_id IS NOT NULL AND receipt.state = 'archived'
            AND coalesce(renormalization.normalizer_version, version.normalizer_version) < \(Normalizer.version)
            AND NOT EXISTS (
                SELECT 1 FROM receipt AS earlier
                WHERE earlier.raw_sha256 = receipt.raw_sha256 AND earlier.version_id IS NOT NULL
                    AND earlier.state = 'archived' AND earlier.id < receipt.id)
        """

    public func recordReprocessed(
        _ items: [(target: ReprocessTarget, content: Result<PreparedArticle, CopydeskError>)], dryRun: Bool
    ) async throws(CopydeskError) -> [ReprocessResult] {
        // A dry run works everything out, then rolls it back.
        try await write(rollingBack: dryRun) { connection, logger in
            let now = Timestamp.now()
            var results = [ReprocessResult]()
            for item in items {
                results.append(
                    try await Self.recordReprocessed(item.target, item.content, at: now, on: connection, logger: logger))
            }
            return results
        }
    }

    private static func recordReprocessed(
        _ target: ReprocessTarget, _ content: Result<PreparedArticle, CopydeskError>, at now: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> ReprocessResult {
        guard
            let row = try await connection.first(
                "SELECT article_id, content_sha256, \(unescaped: textColumns) FROM version WHERE id = \(target.version)",
                as: (Int64, String, String?, String?, String?, String?, String?, String?, String, String, String).self,
                logger: logger)
        else {
            throw CopydeskError(.storeFailed, "version \(target.version) of \(target.fileName) is missing from the catalog")
        }
        let articleID = row.0
        let stored = StoredVersion(
            article: articleID,
            text: article(
                title: row.2, byline: row.3, published: row.4, site: row.5, url: row.6, language: row.7, body: row.8,
                format: row.9, charset: row.10))
        var result = ReprocessResult(target: target, outcome: .unchanged, article: articleID, version: target.version)
        let prepared: PreparedArticle
        switch content {
        case .failure(let rejection):
            result.recordRejected(rejection)
            try await recordRenormalization(result, at: now, on: connection, logger: logger)
            return result
        case .success(let value):
            prepared = value
        }
        let found = try await PostgresLookup(connection: connection, logger: logger).run(
            Decider().renormalization(
                prepared, rawSHA256: target.rawSHA256, current: stored, version: target.version, currentSHA256: row.1))
        switch found {
        case .sameText(changes: nil):
            break
        case .sameText(changes: let changes?):
            // The search vector is a generated column: it follows the new title by itself.
            let article = prepared.article
            try await connection.run(
                """
                UPDATE version SET title = \(article.title), byline = \(article.byline), published = \(article.published),
                    site = \(article.site), url = \(article.url), language = \(article.language),
                    format = \(article.format.rawValue), charset = \(article.charset),
                    normalizer_version = \(Normalizer.version)
                WHERE id = \(target.version)
                """, logger: logger)
            guard !changes.isEmpty else { break }
            // A new site, URL or publication time may change which version is current.
            try await updateCurrentVersion(of: articleID, on: connection, logger: logger)
            result.recordMetadata(changes)
        case .knownText(let known):
            result.recordKnown(known)
        case .newText(let similarity):
            let id = try await insertVersion(
                prepared, article: articleID, parent: target.version, similarity: similarity, at: now,
                on: connection, logger: logger
            ).version
            // The new text replaces the old one as the article's latest only where the old one was
            // (``CurrentVersion`` places it in the old text's line).
            try await connection.run(
                """
                UPDATE article SET latest_version_id = \(id) WHERE id = \(articleID) AND latest_version_id = \(target.version)
                """, logger: logger)
            try await updateCurrentVersion(of: articleID, on: connection, logger: logger)
            result.recordNewText(version: id, similarity: similarity)
        }
        try await recordRenormalization(result, at: now, on: connection, logger: logger)
        return result
    }

    /// Records the outcome for the original (one row per raw hash), with a `reprocessed` event
    /// unless nothing changed.
    private static func recordRenormalization(
        _ result: ReprocessResult, at now: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let target = result.target
        try await connection.run(
            """
            INSERT INTO renormalization (raw_sha256, normalizer_version, outcome, version_id, previous_version_id, at)
            VALUES (\(target.rawSHA256), \(Normalizer.version), \(result.outcome.rawValue), \(result.version),
                \(target.version), \(now))
            ON CONFLICT (raw_sha256) DO UPDATE SET normalizer_version = excluded.normalizer_version,
                outcome = excluded.outcome, version_id = excluded.version_id,
                previous_version_id = excluded.previous_version_id, at = excluded.at
            """, logger: logger)
        if result.outcome != .unchanged {
            try await insertEvent(
                .reprocessed, receipt: target.receiptID, file: target.fileName, article: result.article,
                version: result.version, similarity: result.similarity, message: result.message, at: now,
                on: connection, logger: logger)
        }
    }
}
