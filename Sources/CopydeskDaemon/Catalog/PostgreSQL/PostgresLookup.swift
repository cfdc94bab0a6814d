internal import CopydeskCore
internal import Logging
internal import PostgresNIO

/// The PostgreSQL catalog's answers to a decision's questions, read inside the write transaction
/// of the decision that asks: one round trip each (sets of keys and ids travel as arrays); the first
/// questions of a decision (the same bytes, the same text, the versions filed under its band and
/// containment keys) in one round trip together, asked before the decision (``prime(_:rawSHA256:limitPerKey:)``).
final class PostgresLookup: AsyncCatalogLookup {
    let connection: PostgresConnection
    let logger: Logger
    private var primed: Primed?

    /// The answers a decision's first questions will want.
    private struct Primed {
        var rawSHA256: String
        var contentSHA256: String
        var receipt: ReceiptMatch?
        var version: VersionRef?
        var hits: [[Int64]: [Int64: Int]]
        /// The agency items filed under the decision's declared keys (and linked ids).
        var declaredKeys: [String]
        var declared: [DeclaredItem]
    }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Reads, in one round trip, what deciding on `prepared` (bytes `rawSHA256`) asks first.
    func prime(_ prepared: PreparedArticle, rawSHA256: String, limitPerKey: Int) async throws {
        let fingerprint = prepared.fingerprint
        let wire = prepared.article.wire
        let declaredKeys = wire.map { wire in (wire.declaredKey.map { [$0] } ?? []) + wire.linkedIDs } ?? []
        let rows = try await connection.rows(
            """
            SELECT 'receipt', id, file_name, article_id, version_id, NULL::text FROM (
                SELECT id, file_name, article_id, version_id FROM receipt
                WHERE raw_sha256 = \(rawSHA256) AND version_id IS NOT NULL ORDER BY id LIMIT 1
            ) AS same_bytes
            UNION ALL
            SELECT 'version', id, NULL, article_id, NULL, NULL FROM version WHERE content_sha256 = \(prepared.contentSHA256)
            UNION ALL
            SELECT 'declared', item.version_id, item.declared_key, item.article_id, NULL, item.declared_version
            FROM (SELECT DISTINCT unnest(\(declaredKeys)::text[]) AS key) AS wanted
            CROSS JOIN LATERAL (
                SELECT declared_key, declared_version, article_id, version_id FROM wire_item
                WHERE wire_item.declared_key = wanted.key ORDER BY id DESC LIMIT \(Decider.itemsPerDeclaredKey)
            ) AS item
            UNION ALL
            SELECT wanted.kind, filed.version_id, NULL, count(*)::int8, NULL, NULL
            FROM (
                SELECT 'band' AS kind, unnest(\(fingerprint.bandKeys)::int8[]) AS key
                UNION ALL SELECT 'containment', unnest(\(fingerprint.containmentKeys)::int8[])
            ) AS wanted
            CROSS JOIN LATERAL (
                SELECT version_id FROM lsh WHERE lsh.key = wanted.key ORDER BY version_id DESC LIMIT \(limitPerKey)
            ) AS filed
            GROUP BY wanted.kind, filed.version_id
            """, as: (String, Int64, String?, Int64?, Int64?, String?).self, logger: logger)
        var primed = Primed(
            rawSHA256: rawSHA256, contentSHA256: prepared.contentSHA256,
            hits: [fingerprint.bandKeys: [:], fingerprint.containmentKeys: [:]], declaredKeys: declaredKeys, declared: [])
        for row in rows {
            switch row.0 {
            case "declared":
                primed.declared.append(
                    DeclaredItem(key: row.2 ?? "", declaredVersion: row.5, article: row.3 ?? 0, version: row.1))
            case "receipt":
                primed.receipt = ReceiptMatch(receipt: row.1, fileName: row.2 ?? "", article: row.3 ?? 0, version: row.4 ?? 0)
            case "version":
                primed.version = VersionRef(version: row.1, article: row.3 ?? 0)
            case "band":
                primed.hits[fingerprint.bandKeys]?[row.1] = Int(row.3 ?? 0)
            default:
                primed.hits[fingerprint.containmentKeys]?[row.1] = Int(row.3 ?? 0)
            }
        }
        self.primed = primed
    }

    func acceptedReceipt(rawSHA256: String, item: Int?) async throws -> ReceiptMatch? {
        if let item {
            return try await connection.first(
                """
                SELECT receipt.id, receipt.file_name, receipt_item.article_id, receipt_item.version_id
                FROM receipt JOIN receipt_item ON receipt_item.receipt_id = receipt.id
                WHERE receipt.raw_sha256 = \(rawSHA256) AND receipt_item.item = \(Int64(item))
                    AND receipt_item.version_id IS NOT NULL
                ORDER BY receipt.id LIMIT 1
                """, as: (Int64, String, Int64, Int64).self, logger: logger
            ).map { ReceiptMatch(receipt: $0.0, fileName: $0.1, article: $0.2, version: $0.3) }
        }
        if let primed, primed.rawSHA256 == rawSHA256 { return primed.receipt }
        return try await connection.first(
            """
            SELECT id, file_name, article_id, version_id FROM receipt
            WHERE raw_sha256 = \(rawSHA256) AND version_id IS NOT NULL ORDER BY id LIMIT 1
            """, as: (Int64, String, Int64, Int64).self, logger: logger
        ).map { ReceiptMatch(receipt: $0.0, fileName: $0.1, article: $0.2, version: $0.3) }
    }

    func version(contentSHA256: String) async throws -> VersionRef? {
        if let primed, primed.contentSHA256 == contentSHA256 { return primed.version }
        return try await connection.first(
            "SELECT id, article_id FROM version WHERE content_sha256 = \(contentSHA256)",
            as: (Int64, Int64).self, logger: logger
        ).map { VersionRef(version: $0.0, article: $0.1) }
    }

    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) async throws -> [Int64: Int] {
        if let hits = primed?.hits[keys] { return hits }
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
            """
            SELECT version.id, version.article_id, \(unescaped: PostgresCatalog.textColumns), item.id, item.provider,
                item.dateline
            FROM version LEFT JOIN LATERAL (
                SELECT id, provider, dateline FROM wire_item WHERE wire_item.version_id = version.id
                ORDER BY id DESC LIMIT 1
            ) AS item ON true
            WHERE version.id = ANY(\(ids)::int8[])
            """,
            as: (Int64, Int64, String?, String?, String?, String?, String?, String?, String, String, String, Int64?,
                String?, String?).self,
            logger: logger)
        var versions = [Int64: StoredVersion]()
        for row in rows {
            var text = PostgresCatalog.article(
                title: row.2, byline: row.3, published: row.4, site: row.5, url: row.6, language: row.7,
                body: row.8, format: row.9, charset: row.10)
            // What an agency item declared with this text, as far as deciding on rewrites needs it.
            if row.11 != nil { text.wire = WireMetadata(dateline: row.13, provider: row.12) }
            versions[row.0] = StoredVersion(article: row.1, text: text)
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

extension PostgresLookup {
    func declaredItems(keys: [String]) async throws -> [DeclaredItem] {
        if let primed, primed.declaredKeys == keys { return primed.declared }
        let rows = try await connection.rows(
            """
            SELECT filed.declared_key, filed.declared_version, filed.article_id, filed.version_id
            FROM (SELECT DISTINCT unnest(\(keys)::text[]) AS key) AS wanted
            CROSS JOIN LATERAL (
                SELECT declared_key, declared_version, article_id, version_id FROM wire_item
                WHERE wire_item.declared_key = wanted.key ORDER BY id DESC LIMIT \(Decider.itemsPerDeclaredKey)
            ) AS filed
            """, as: (String, String?, Int64, Int64).self, logger: logger)
        return rows.map { DeclaredItem(key: $0.0, declaredVersion: $0.1, article: $0.2, version: $0.3) }
    }
}
