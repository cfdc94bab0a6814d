internal import CopydeskCore
internal import Logging
internal import PostgresNIO

/// The PostgreSQL catalog's answers to a decision's questions, read inside the write transaction
/// of the decision that asks: one round trip each (sets of keys and ids travel as arrays).
struct PostgresLookup: AsyncCatalogLookup {
    let connection: PostgresConnection
    let logger: Logger

    func acceptedReceipt(rawSHA256: String) async throws -> ReceiptMatch? {
        try await connection.first(
            """
            SELECT id, file_name, article_id, version_id FROM receipt
            WHERE raw_sha256 = \(rawSHA256) AND version_id IS NOT NULL ORDER BY id LIMIT 1
            """, as: (Int64, String, Int64, Int64).self, logger: logger
        ).map { ReceiptMatch(receipt: $0.0, fileName: $0.1, article: $0.2, version: $0.3) }
    }

    func version(contentSHA256: String) async throws -> VersionRef? {
        try await connection.first(
            "SELECT id, article_id FROM version WHERE content_sha256 = \(contentSHA256)",
            as: (Int64, Int64).self, logger: logger
        ).map { VersionRef(version: $0.0, article: $0.1) }
    }

    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) async throws -> [Int64: Int] {
        let rows = try await connection.rows(
            """
            SELECT filed.version_id, count(*)::int8 FROM unnest(\(keys)::int8[]) AS wanted(key)
            CROSS JOIN LATERAL (
                SELECT version_id FROM lsh WHERE lsh.key = wanted.key ORDER BY version_id DESC LIMIT \(limitPerKey)
            ) AS filed
            GROUP BY filed.version_id
            """, as: (Int64, Int64).self, logger: logger)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, Int($0.1)) })
    }

    func shingleCounts(ofVersions ids: [Int64]) async throws -> [Int64: Int] {
        let rows = try await connection.rows(
            "SELECT version_id, shingles::int8 FROM fingerprint WHERE version_id = ANY(\(ids)::int8[])",
            as: (Int64, Int64).self, logger: logger)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, Int($0.1)) })
    }

    func storedVersions(_ ids: [Int64]) async throws -> [Int64: StoredVersion] {
        let rows = try await connection.rows(
            "SELECT id, article_id, \(unescaped: PostgresCatalog.textColumns) FROM version WHERE id = ANY(\(ids)::int8[])",
            as: (Int64, Int64, String?, String?, String?, String?, String?, String?, String, String, String).self,
            logger: logger)
        var versions = [Int64: StoredVersion]()
        for row in rows {
            versions[row.0] = StoredVersion(
                article: row.1,
                text: PostgresCatalog.article(
                    title: row.2, byline: row.3, published: row.4, site: row.5, url: row.6, language: row.7,
                    body: row.8, format: row.9, charset: row.10))
        }
        return versions
    }

    func isCreator(rawSHA256: String, ofVersion id: Int64) async throws -> Bool {
        if let made = try await connection.first(
            """
            SELECT raw_sha256 FROM renormalization WHERE version_id = \(id) AND outcome = 'new-version' LIMIT 1
            """, as: String.self, logger: logger)
        {
            return made == rawSHA256
        }
        let first = try await connection.first(
            """
            SELECT raw_sha256 FROM receipt WHERE version_id = \(id) AND decision IN ('new-article', 'new-version')
            ORDER BY id LIMIT 1
            """, as: String.self, logger: logger)
        return first == rawSHA256
    }
}
