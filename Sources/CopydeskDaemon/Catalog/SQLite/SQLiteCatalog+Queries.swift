public import CopydeskCore
internal import GRDB

extension SQLiteCatalog {
    /// The newest `limit` events that pass `filter` (all when `limit` is 0), oldest first.
    public func events(_ filter: EventFilter, limit: Int) async throws(CopydeskError) -> [IngestEvent] {
        try await readAsync { db in
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
                        SELECT id, time, kind, file, article_id, version_id, similarity, message, basis, item, story FROM event
                        \(whereClause) ORDER BY id DESC \(limitClause)
                    ) ORDER BY id
                    """,
                arguments: arguments)
            return rows.map(Self.event)
        }
    }

    /// The newest `limit` decisions (new-article, new-version, duplicate, rejected), oldest first.
    public func recentDecisions(limit: Int) async throws(CopydeskError) -> [IngestEvent] {
        try await readAsync { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT id, time, kind, file, article_id, version_id, similarity, message, basis, item, story FROM event
                        WHERE kind IN ('new-article', 'new-version', 'duplicate', 'rejected')
                        ORDER BY id DESC LIMIT ?
                    ) ORDER BY id
                    """,
                arguments: [limit]
            ).map(Self.event)
        }
    }

    /// How many files arrived at or after `since` (ISO 8601 UTC).
    public func receiptCount(since: String) async throws(CopydeskError) -> Int {
        try await readAsync { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM receipt WHERE arrived_at >= ?", arguments: [since]) ?? 0
        }
    }

    /// The totals of the catalog.
    public func counts() async throws(CopydeskError) -> CatalogCounts {
        try await readAsync { db in
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
            // Absent until the daemon migrated the catalog (v8).
            var counts = CatalogCounts(
                articles: row["articles"], versions: row["versions"], receipts: row["receipts"],
                duplicates: row["duplicates"], rejected: row["rejected"])
            if try db.tableExists("receipt_item") {
                let more = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM article WHERE killed_at IS NOT NULL) AS killed,
                            (SELECT count(*) FROM story WHERE merged_into IS NULL) AS stories,
                            (SELECT count(*) FROM receipt_item WHERE decision = 'duplicate') AS duplicates,
                            (SELECT count(*) FROM receipt_item WHERE decision = 'rejected') AS rejected
                        """)!
                counts.killed = more["killed"]
                counts.stories = more["stories"]
                counts.duplicates += more["duplicates"] as Int
                counts.rejected += more["rejected"] as Int
            }
            // Absent before v10.
            if try db.tableExists("regroup"), let regroup = try Self.regroupProgress(in: db), !regroup.isFinished {
                counts.regroup = regroup
            }
            return counts
        }
    }

    /// Every distinct archive path of an archived receipt, with its raw SHA-256 and one file name
    /// that arrived as it.
    public func archivedFiles() async throws(CopydeskError) -> [ArchivedFile] {
        try await readAsync { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT archive_path, raw_sha256, min(file_name) AS file_name FROM receipt
                    WHERE state = 'archived' GROUP BY archive_path ORDER BY archive_path
                    """
            ).map { ArchivedFile(path: $0["archive_path"], sha256: $0["raw_sha256"], fileName: $0["file_name"]) }
        }
    }

    public func nodes() async throws(CopydeskError) -> [NodeRecord] {
        try await readAsync { db in
            // A catalog the daemon has not migrated yet has no nodes table.
            guard try db.tableExists("node") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM node ORDER BY last_seen DESC, name").map { row in
                NodeRecord(
                    name: row["name"], host: row["host"], pid: row["pid"], inbox: row["inbox"],
                    startedAt: row["started_at"], lastSeen: row["last_seen"])
            }
        }
    }

    /// SQLite cannot tell another process's readers of a commit: a follower looks again every
    /// quarter of a second (one indexed query on the event table's primary key).
    public func waitForEvents(after afterID: Int64, timeout: Duration) async throws(CopydeskError) {
        try? await Task.sleep(for: min(timeout, .milliseconds(250)))
    }

    private static func event(_ row: Row) -> IngestEvent {
        IngestEvent(
            id: row["id"], time: row["time"], kind: EventKind(rawValue: row["kind"]) ?? .error, file: row["file"],
            article: row["article_id"], version: row["version_id"], similarity: row["similarity"],
            message: row["message"], basis: row["basis"], item: row["item"], story: row["story"])
    }
}
