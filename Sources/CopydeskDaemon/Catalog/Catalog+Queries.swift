public import CopydeskCore
internal import GRDB

extension Catalog {
    /// Which events `log` shows.
    public struct EventFilter: Sendable, Hashable {
        /// Only this kind.
        public var kind: EventKind?
        /// Only events about this file (its name as logged).
        public var file: String?
        /// Only events at or after this time (ISO 8601 UTC, as stored).
        public var since: String?
        /// Only events with a larger id (to follow the log).
        public var afterID: Int64?

        public init(kind: EventKind? = nil, file: String? = nil, since: String? = nil, afterID: Int64? = nil) {
            self.kind = kind
            self.file = file
            self.since = since
            self.afterID = afterID
        }
    }

    /// The newest `limit` events (all when `limit` is 0), oldest first, optionally of one kind only.
    public func events(limit: Int = 100, kind: EventKind? = nil, file: String? = nil) throws(CopydeskError) -> [IngestEvent] {
        try events(EventFilter(kind: kind, file: file), limit: limit)
    }

    /// The newest `limit` events that pass `filter` (all when `limit` is 0), oldest first.
    public func events(_ filter: EventFilter, limit: Int) throws(CopydeskError) -> [IngestEvent] {
        try read { db in
            var conditions = [String]()
            var arguments = StatementArguments()
            if let kind = filter.kind {
                conditions.append("kind = ?")
                arguments += [kind.rawValue]
            }
            if let file = filter.file {
                conditions.append("file = ?")
                arguments += [file]
            }
            if let since = filter.since {
                conditions.append("time >= ?")
                arguments += [since]
            }
            if let afterID = filter.afterID {
                conditions.append("id > ?")
                arguments += [afterID]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let limitClause = limit > 0 ? "LIMIT \(limit)" : ""
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT id, time, kind, file, article_id, version_id, similarity, message FROM event
                        \(whereClause) ORDER BY id DESC \(limitClause)
                    ) ORDER BY id
                    """,
                arguments: arguments)
            return rows.map(Self.event)
        }
    }

    /// The newest `limit` decisions (new-article, new-version, duplicate, rejected), oldest first.
    public func recentDecisions(limit: Int) throws(CopydeskError) -> [IngestEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT id, time, kind, file, article_id, version_id, similarity, message FROM event
                        WHERE kind IN ('new-article', 'new-version', 'duplicate', 'rejected')
                        ORDER BY id DESC LIMIT ?
                    ) ORDER BY id
                    """,
                arguments: [limit]
            ).map(Self.event)
        }
    }

    /// How many files arrived at or after `since` (ISO 8601 UTC).
    public func receiptCount(since: String) throws(CopydeskError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM receipt WHERE arrived_at >= ?", arguments: [since]) ?? 0
        }
    }

    /// The newest event, if any.
    public func lastEvent() throws(CopydeskError) -> IngestEvent? {
        try events(limit: 1).last
    }

    /// The totals of the catalog.
    public func counts() throws(CopydeskError) -> CatalogCounts {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        (SELECT count(*) FROM article) AS articles,
                        (SELECT count(*) FROM version) AS versions,
                        (SELECT count(*) FROM receipt) AS receipts,
                        (SELECT count(*) FROM receipt WHERE decision = 'duplicate') AS duplicates,
                        (SELECT count(*) FROM receipt WHERE decision = 'rejected') AS rejected
                    """)!
            return CatalogCounts(
                articles: row["articles"], versions: row["versions"], receipts: row["receipts"],
                duplicates: row["duplicates"], rejected: row["rejected"])
        }
    }

    private static func event(_ row: Row) -> IngestEvent {
        IngestEvent(
            id: row["id"], time: row["time"], kind: EventKind(rawValue: row["kind"]) ?? .error, file: row["file"],
            article: row["article_id"], version: row["version_id"], similarity: row["similarity"],
            message: row["message"])
    }
}
