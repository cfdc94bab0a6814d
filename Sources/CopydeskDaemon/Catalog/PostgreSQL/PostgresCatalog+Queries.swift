public import CopydeskCore
internal import Foundation
internal import Logging
internal import PostgresNIO
internal import Synchronization

extension PostgresCatalog {
    public func events(_ filter: EventFilter, limit: Int) async throws(CopydeskError) -> [IngestEvent] {
        try await read { connection, logger in
            var query = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 5)
            query.appendLiteral("SELECT id, time, kind, file, article_id, version_id, similarity, message, basis, item::int8, story FROM event WHERE true")
            if let kind = filter.kind { query.appendCondition(" AND kind = ", kind.rawValue) }
            if let file = filter.file { query.appendCondition(" AND file = ", file) }
            if let since = filter.since { query.appendCondition(" AND time >= ", since) }
            if let afterID = filter.afterID { query.appendCondition(" AND id > ", afterID) }
            query.appendLiteral(" ORDER BY id DESC")
            if limit > 0 { query.appendCondition(" LIMIT ", Int64(limit)) }
            return try await Self.events(PostgresQuery(stringInterpolation: query), connection, logger).reversed()
        }
    }

    public func recentDecisions(limit: Int) async throws(CopydeskError) -> [IngestEvent] {
        try await read { connection, logger in
            try await Self.events(
                """
                SELECT id, time, kind, file, article_id, version_id, similarity, message, basis, item::int8, story FROM event
                WHERE kind IN ('new-article', 'new-version', 'duplicate', 'rejected') ORDER BY id DESC LIMIT \(limit)
                """, connection, logger
            ).reversed()
        }
    }

    private static func events(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [IngestEvent]
    {
        try await connection.rows(
            query, as: (Int64, String, String, String?, Int64?, Int64?, Double?, String?, String?, Int64?, Int64?).self,
            logger: logger
        ).map { row in
            IngestEvent(
                id: row.0, time: row.1, kind: EventKind(rawValue: row.2) ?? .error, file: row.3, article: row.4,
                version: row.5, similarity: row.6, message: row.7, basis: row.8, item: row.9.map(Int.init),
                story: row.10)
        }
    }

    /// Wakes at once when a writing transaction commits (each notifies `copydesk_events`), on this
    /// node or any other; after `timeout` otherwise.
    public func waitForEvents(after afterID: Int64, timeout: Duration) async throws(CopydeskError) {
        follower.startOnce(location: postgres, logger: logger)
        await follower.signal.wait(until: .now + timeout)
    }

    public func receiptCount(since: String) async throws(CopydeskError) -> Int {
        try await read { connection, logger in
            Int(
                try await connection.first(
                    "SELECT count(*)::int8 FROM receipt WHERE arrived_at >= \(since)", as: Int64.self, logger: logger) ?? Int64(0))
        }
    }

    public func counts() async throws(CopydeskError) -> CatalogCounts {
        try await read { connection, logger in
            let row = try await connection.first(
                """
                SELECT (SELECT count(*) FROM article)::int8, (SELECT count(*) FROM version)::int8,
                    (SELECT count(*) FROM receipt)::int8,
                    (SELECT count(*) FROM receipt WHERE decision = 'duplicate')::int8
                        + (SELECT count(*) FROM receipt_item WHERE decision = 'duplicate')::int8,
                    (SELECT count(*) FROM receipt WHERE decision = 'rejected')::int8
                        + (SELECT count(*) FROM receipt_item WHERE decision = 'rejected')::int8,
                    (SELECT count(*) FROM article WHERE killed_at IS NOT NULL)::int8,
                    (SELECT count(*) FROM story WHERE merged_into IS NULL)::int8
                """, as: (Int64, Int64, Int64, Int64, Int64, Int64, Int64).self, logger: logger)!
            var counts = CatalogCounts(
                articles: Int(row.0), versions: Int(row.1), receipts: Int(row.2), duplicates: Int(row.3),
                rejected: Int(row.4), killed: Int(row.5), stories: Int(row.6))
            if let regroup = try await Self.regroupProgress(on: connection, logger: logger), !regroup.isFinished {
                counts.regroup = regroup
            }
            return counts
        }
    }

    public func resolveArticle(_ reference: String) async throws(CopydeskError) -> Int64 {
        let outcome: Result<Int64, CopydeskError> = try await read { connection, logger in
            if let id = Int64(reference),
                try await connection.first("SELECT id FROM article WHERE id = \(id)", as: Int64.self, logger: logger)
                    != nil
            {
                return .success(id)
            }
            let lowered = reference.lowercased()
            if lowered.count >= 8, lowered.count <= 64, lowered.allSatisfy(\.isHexDigit) {
                let upper = lowered + "g"
                let ids = try await connection.rows(
                    """
                    SELECT article_id FROM receipt
                        WHERE raw_sha256 >= \(lowered) AND raw_sha256 < \(upper) AND article_id IS NOT NULL
                    UNION
                    SELECT article_id FROM version WHERE content_sha256 >= \(lowered) AND content_sha256 < \(upper)
                    """, as: Int64.self, logger: logger)
                if !ids.isEmpty { return ArticleReference.single(ids, reference: reference, what: "hash prefix") }
            }
            // A file of several items stands for its items' articles.
            let byName = """
                SELECT coalesce(receipt_item.article_id, receipt.article_id), coalesce(receipt_item.reason, receipt.reason)
                FROM receipt LEFT JOIN receipt_item ON receipt_item.receipt_id = receipt.id
                """
            var rows = try await connection.rows(
                "\(unescaped: byName) WHERE file_name = \(reference) ORDER BY receipt.id, receipt_item.item",
                as: (Int64?, String?).self, logger: logger)
            if rows.isEmpty {
                let pattern = "%/" + ArticleReference.escapeLike(reference)
                rows = try await connection.rows(
                    """
                    \(unescaped: byName) WHERE file_name LIKE \(pattern) ESCAPE '\\'
                    ORDER BY receipt.id, receipt_item.item
                    """,
                    as: (Int64?, String?).self, logger: logger)
            }
            return ArticleReference.resolve(rows.map { ($0.0, $0.1) }, reference: reference)
        }
        return try outcome.get()
    }

    public func article(_ id: Int64) async throws(CopydeskError) -> ArticleRecord? {
        try await read { connection, logger in
            guard
                let row = try await connection.first(
                    """
                    SELECT id, created_at, latest_version_id, current_version_id, killed_at, story_id FROM article
                    WHERE id = \(id)
                    """,
                    as: (Int64, String, Int64?, Int64?, String?, Int64?).self, logger: logger)
            else { return nil }
            let versions = try await Self.versions(" WHERE article_id = ", id, " ORDER BY id", connection, logger)
            let receipts = try await connection.rows(
                """
                SELECT id, file_name, arrived_at, size, raw_sha256, format, charset, decision, reason, article_id,
                    version_id, similarity, archive_path, state, NULL::int8
                FROM receipt WHERE article_id = \(id)
                UNION ALL
                SELECT receipt.id, receipt.file_name, receipt.arrived_at, receipt.size, receipt.raw_sha256,
                    receipt_item.format, receipt_item.charset, receipt_item.decision, receipt_item.reason,
                    receipt_item.article_id, receipt_item.version_id, receipt_item.similarity, receipt.archive_path,
                    receipt.state, receipt_item.item::int8
                FROM receipt_item JOIN receipt ON receipt.id = receipt_item.receipt_id
                WHERE receipt_item.article_id = \(id)
                ORDER BY 1, 15
                """,
                as: (Int64, String, String, Int64, String, String?, String?, String, String?, Int64?, Int64?, Double?,
                    String, String, Int64?).self,
                logger: logger
            ).map { row in
                ReceiptRecord(
                    id: row.0, fileName: row.1, arrivedAt: row.2, size: row.3, rawSHA256: row.4, format: row.5,
                    charset: row.6, decision: Decision(rawValue: row.7) ?? .rejected, reason: row.8, article: row.9,
                    version: row.10, similarity: row.11, archivePath: row.12, state: row.13, item: row.14.map(Int.init))
            }
            let wireItems = try await connection.rows(
                """
                SELECT article_id, version_id, receipt_id, item_id, declared_version, story_key, status, signals, urgency,
                    embargo, dateline, links, provider, basis, created_at
                FROM wire_item WHERE article_id = \(id) ORDER BY id
                """,
                as: (Int64, Int64, Int64?, String?, String?, String?, String, String?, Int64?, String?, String?, String?,
                    String?, String, String).self,
                logger: logger
            ).map { item in
                WireRecord(
                    article: item.0, version: item.1, receipt: item.2,
                    wire: WireRecord.wire(
                        id: item.3, version: item.4, storyKey: item.5, status: item.6, signals: item.7, urgency: item.8,
                        embargo: item.9, dateline: item.10, links: item.11, provider: item.12),
                    basis: item.13, recordedAt: item.14)
            }
            return ArticleRecord(
                id: row.0, createdAt: row.1, latestVersion: row.2, currentVersion: row.3, versions: versions,
                receipts: receipts, killedAt: row.4, wireItems: wireItems, story: row.5)
        }
    }

    public func version(_ id: Int64) async throws(CopydeskError) -> VersionRecord? {
        try await read { connection, logger in
            try await Self.versions(" WHERE id = ", id, "", connection, logger).first
        }
    }

    /// The versions `WHERE <column> = <id> <order>` selects.
    private static func versions(
        _ condition: String, _ id: Int64, _ order: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [VersionRecord] {
        var query = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 1)
        query.appendLiteral(
            """
            SELECT id, article_id, parent_version_id, similarity, relation,
                EXISTS (
                    SELECT 1 FROM renormalization
                    WHERE renormalization.version_id = version.id AND outcome = 'new-version'
                ),
                created_at, content_sha256, normalizer_version::int8, \(textColumns)
            FROM version
            """)
        query.appendCondition(condition, id)
        query.appendLiteral(order)
        return try await connection.rows(
            PostgresQuery(stringInterpolation: query),
            as: (Int64, Int64, Int64?, Double?, String?, Bool, String, String, Int64, String?, String?, String?,
                String?, String?, String?, String, String, String).self,
            logger: logger
        ).map { row in
            VersionRecord(
                id: row.0, article: row.1, parent: row.2, similarity: row.3,
                relation: row.4.flatMap(VersionRelation.init(rawValue:)), renormalized: row.5, createdAt: row.6,
                contentSHA256: row.7, normalizerVersion: Int(row.8),
                text: article(
                    title: row.9, byline: row.10, published: row.11, site: row.12, url: row.13, language: row.14,
                    body: row.15, format: row.16, charset: row.17))
        }
    }

    /// Full-text search with PostgreSQL's own engine (a `tsvector` per version, title weighted
    /// above body, under a GIN index) over the articles' current versions, ranked by `ts_rank`
    /// (``SearchHit/rank`` is its negation: lower is better), with `ts_headline` snippets.
    public func search(_ text: String, limit: Int) async throws(CopydeskError) -> [SearchHit] {
        guard let parsed = SearchQuery(text) else {
            throw CopydeskError(.usage, "nothing to search for in '\(text)'")
        }
        return try await read { connection, logger in
            var query = PostgresQuery.StringInterpolation(literalCapacity: 1024, interpolationCount: 8)
            query.appendLiteral("WITH wanted AS (SELECT ")
            Self.appendTSQuery(parsed, to: &query)
            query.appendLiteral(
                """
                 AS q)
                SELECT article.id, version.id, version.title, left(version.body, 400), version.site,
                    version.published,
                    ts_headline('copydesk_search', version.body, wanted.q,
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=20, MinWords=8, MaxFragments=1'),
                    ts_rank(version.search, wanted.q)::float8, article.killed_at,
                    (SELECT embargo FROM wire_item WHERE wire_item.article_id = article.id ORDER BY wire_item.id DESC LIMIT 1)
                FROM wanted, article JOIN version ON version.id = article.current_version_id
                WHERE version.search @@ wanted.q
                ORDER BY 8 DESC, article.id LIMIT
                """)
            query.appendCondition(" ", Int64(limit))
            return try await connection.rows(
                PostgresQuery(stringInterpolation: query), as: (Int64, Int64, String?, String, String?, String?, String, Double, String?, String?).self,
                logger: logger
            ).map { row in
                SearchHit(
                    article: row.0, version: row.1, title: row.2,
                    displayTitle: DisplayTitle.of(title: row.2, paragraphs: [row.3]), site: row.4, published: row.5,
                    snippet: row.6, rank: -row.7, killedAt: row.8, embargo: row.9)
            }
        }
    }

    /// The query as a `tsquery` expression: AND between groups, OR within one; a word through
    /// `plainto_tsquery` (its punctuation is plain text), a prefix as `'word':*`, a phrase through
    /// `phraseto_tsquery`.
    private static func appendTSQuery(_ parsed: SearchQuery, to query: inout PostgresQuery.StringInterpolation) {
        for (groupIndex, group) in parsed.groups.enumerated() {
            query.appendLiteral(groupIndex == 0 ? "(" : " && (")
            for (termIndex, term) in group.enumerated() {
                if termIndex > 0 { query.appendLiteral(" || ") }
                switch term {
                case .word(let word, prefix: false):
                    query.appendCondition("plainto_tsquery('copydesk_search', ", word)
                case .word(let word, prefix: true):
                    let quoted = "'" + word.replacingOccurrences(of: "'", with: "''") + "':*"
                    query.appendCondition("to_tsquery('copydesk_search', ", quoted)
                case .phrase(let phrase):
                    query.appendCondition("phraseto_tsquery('copydesk_search', ", phrase)
                }
                query.appendLiteral(")")
            }
            query.appendLiteral(")")
        }
    }

    public func nodes() async throws(CopydeskError) -> [NodeRecord] {
        try await read { connection, logger in
            try await connection.rows(
                "SELECT name, host, pid::int8, inbox, started_at, last_seen FROM node ORDER BY last_seen DESC, name",
                as: (String, String, Int64, String, String, String).self, logger: logger
            ).map {
                NodeRecord(name: $0.0, host: $0.1, pid: Int32(truncatingIfNeeded: $0.2), inbox: $0.3, startedAt: $0.4, lastSeen: $0.5)
            }
        }
    }

    public func archivedFiles() async throws(CopydeskError) -> [ArchivedFile] {
        try await read { connection, logger in
            try await connection.rows(
                """
                SELECT archive_path, min(raw_sha256), min(file_name) FROM receipt
                WHERE state = 'archived' GROUP BY archive_path ORDER BY archive_path
                """, as: (String, String, String).self, logger: logger
            ).map { ArchivedFile(path: $0.0, sha256: $0.1, fileName: $0.2) }
        }
    }
}

/// Follows the log's notifications for `waitForEvents`: one listening connection, opened on the
/// first wait and kept (reopened after the server restarts) until the catalog is closed.
final class EventFollower: Sendable {
    let signal = Signal()
    private let task = Mutex<Task<Void, Never>?>(nil)

    func startOnce(location: PostgresLocation, logger: Logger) {
        task.withLock { task in
            guard task == nil else { return }
            let signal = signal
            task = Task {
                while !Task.isCancelled {
                    do {
                        let connection = try await PostgresConnection.connect(
                            configuration: try location.configuration(), id: 0, logger: logger)
                        do {
                            try await connection.listen(on: PostgresCatalog.channel) { notifications in
                                // Listening now: whatever committed before is read by the next query.
                                signal.raise()
                                for try await _ in notifications { signal.raise() }
                            }
                        } catch {
                            signal.raise()
                        }
                        try? await connection.close()
                    } catch {
                        signal.raise()
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

extension PostgresQuery.StringInterpolation {
    /// Appends `sql` and then `value` as a bound parameter.
    mutating func appendCondition(_ sql: String, _ value: some PostgresDynamicTypeEncodable) {
        appendLiteral(sql)
        appendInterpolation(value)
    }
}
