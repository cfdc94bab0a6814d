public import CopydeskCore
internal import GRDB

extension Catalog {
    /// The newest `limit` events (all when `limit` is 0), oldest first, optionally of one kind only.
    public func events(limit: Int = 100, kind: EventKind? = nil, file: String? = nil) throws(CopydeskError) -> [IngestEvent] {
        try read { db in
            var conditions = [String]()
            var arguments = StatementArguments()
            if let kind {
                conditions.append("kind = ?")
                arguments += [kind.rawValue]
            }
            if let file {
                conditions.append("file = ?")
                arguments += [file]
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
