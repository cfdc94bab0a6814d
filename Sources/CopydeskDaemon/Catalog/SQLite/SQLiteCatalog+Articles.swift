public import CopydeskCore
internal import GRDB

extension SQLiteCatalog {
    /// The article a reference names: an article id, a SHA-256 prefix of at least 8 hex digits (of a
    /// file's bytes or of a version's canonical text), or a file name as logged (or its last path
    /// component).
    ///
    /// - Throws: ``CopydeskError`` `.usage` when nothing or several articles match, or the file was
    ///   rejected (the message says which).
    public func resolveArticle(_ reference: String) async throws(CopydeskError) -> Int64 {
        let outcome: Result<Int64, CopydeskError> = try await readAsync { db in
            if let id = Int64(reference),
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM article WHERE id = ?)", arguments: [id])
                    == true
            {
                return .success(id)
            }
            let lowered = reference.lowercased()
            if lowered.count >= 8, lowered.count <= 64, lowered.allSatisfy(\.isHexDigit) {
                // A range on the indexed columns: every hex string with this prefix sorts before
                // prefix + "g".
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT article_id FROM receipt
                            WHERE raw_sha256 >= ?1 AND raw_sha256 < ?2 AND article_id IS NOT NULL
                        UNION
                        SELECT article_id FROM version WHERE content_sha256 >= ?1 AND content_sha256 < ?2
                        """,
                    arguments: [lowered, lowered + "g"])
                if !ids.isEmpty { return ArticleReference.single(ids, reference: reference, what: "hash prefix") }
            }
            // A file of several items stands for its items' articles (from migration v8 on).
            let byName =
                try db.tableExists("receipt_item")
                ? """
                    SELECT coalesce(receipt_item.article_id, receipt.article_id) AS article_id,
                        coalesce(receipt_item.reason, receipt.reason) AS reason
                    FROM receipt LEFT JOIN receipt_item ON receipt_item.receipt_id = receipt.id
                    """ : "SELECT article_id, reason, NULL AS item FROM receipt"
            let order = try db.tableExists("receipt_item") ? "receipt.id, receipt_item.item" : "id"
            var rows = try Row.fetchAll(
                db, sql: "\(byName) WHERE file_name = ? ORDER BY \(order)", arguments: [reference])
            if rows.isEmpty {
                rows = try Row.fetchAll(
                    db, sql: "\(byName) WHERE file_name LIKE ? ESCAPE '\\' ORDER BY \(order)",
                    arguments: ["%/" + ArticleReference.escapeLike(reference)])
            }
            return ArticleReference.resolve(
                rows.map { ($0["article_id"] as Int64?, $0["reason"] as String?) }, reference: reference)
        }
        return try outcome.get()
    }

    /// The article with its versions and receipts, or nil when there is no such article.
    public func article(_ id: Int64) async throws(CopydeskError) -> ArticleRecord? {
        try await readAsync { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM article WHERE id = ?", arguments: [id])
            else { return nil }
            let versions = try Row.fetchAll(
                db, sql: "SELECT \(try Self.versionColumns(db)) FROM version WHERE article_id = ? ORDER BY id", arguments: [id]
            ).map(Self.versionRecord)
            var receipts = try Row.fetchAll(
                db, sql: "SELECT * FROM receipt WHERE article_id = ? ORDER BY id", arguments: [id]
            ).map(Self.receiptRecord)
            // Items of files of several (from migration v8 on): the file's receipt with the item's decision.
            if try db.tableExists("receipt_item") {
                receipts += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT receipt.id, receipt.file_name, receipt.arrived_at, receipt.size, receipt.raw_sha256,
                            receipt_item.format, receipt_item.charset, receipt_item.decision, receipt_item.reason,
                            receipt_item.article_id, receipt_item.version_id, receipt_item.similarity,
                            receipt.archive_path, receipt.state, receipt_item.item
                        FROM receipt_item JOIN receipt ON receipt.id = receipt_item.receipt_id
                        WHERE receipt_item.article_id = ?
                        """, arguments: [id]
                ).map(Self.receiptRecord)
                receipts.sort { ($0.id, $0.item ?? -1) < ($1.id, $1.item ?? -1) }
            }
            // Absent until the daemon migrated the catalog (v8).
            let wireItems =
                try db.tableExists("wire_item")
                ? try Row.fetchAll(db, sql: "SELECT * FROM wire_item WHERE article_id = ? ORDER BY id", arguments: [id])
                    .map(Self.wireRecord) : []
            return ArticleRecord(
                id: row["id"], createdAt: row["created_at"], latestVersion: row["latest_version_id"],
                // Absent until the daemon migrated the catalog (v6).
                currentVersion: row.hasColumn("current_version_id") ? row["current_version_id"] : nil,
                versions: versions, receipts: receipts,
                killedAt: row.hasColumn("killed_at") ? row["killed_at"] : nil, wireItems: wireItems,
                story: row.hasColumn("story_id") ? row["story_id"] : nil)
        }
    }

    /// One version, or nil when there is no such version.
    public func version(_ id: Int64) async throws(CopydeskError) -> VersionRecord? {
        try await readAsync { db in
            try Row.fetchOne(db, sql: "SELECT \(try Self.versionColumns(db)) FROM version WHERE id = ?", arguments: [id])
                .map(Self.versionRecord)
        }
    }

    /// The version's columns and whether `reprocess` made it (false in a catalog a reader opens
    /// before the daemon has migrated it).
    static func versionColumns(_ db: Database) throws -> String {
        guard try db.tableExists("renormalization") else { return "*, 0 AS renormalized" }
        return """
            *, EXISTS (
                SELECT 1 FROM renormalization WHERE renormalization.version_id = version.id AND outcome = 'new-version'
            ) AS renormalized
            """
    }

    static func versionRecord(_ row: Row) -> VersionRecord {
        VersionRecord(
            id: row["id"], article: row["article_id"], parent: row["parent_version_id"], similarity: row["similarity"],
            relation: (row["relation"] as String?).flatMap(VersionRelation.init(rawValue:)),
            renormalized: row["renormalized"], createdAt: row["created_at"], contentSHA256: row["content_sha256"],
            normalizerVersion: row["normalizer_version"], text: article(from: row))
    }

    static func wireRecord(_ row: Row) -> WireRecord {
        WireRecord(
            article: row["article_id"], version: row["version_id"], receipt: row["receipt_id"],
            wire: WireRecord.wire(
                id: row["item_id"], version: row["declared_version"], storyKey: row["story_key"], status: row["status"],
                signals: row["signals"], urgency: row["urgency"], embargo: row["embargo"], dateline: row["dateline"],
                links: row["links"], provider: row["provider"]),
            basis: row["basis"], recordedAt: row["created_at"])
    }

    static func receiptRecord(_ row: Row) -> ReceiptRecord {
        ReceiptRecord(
            id: row["id"], fileName: row["file_name"], arrivedAt: row["arrived_at"], size: row["size"],
            rawSHA256: row["raw_sha256"], format: row["format"], charset: row["charset"],
            decision: Decision(rawValue: row["decision"]) ?? .rejected, reason: row["reason"],
            article: row["article_id"], version: row["version_id"], similarity: row["similarity"],
            archivePath: row["archive_path"], state: row["state"], item: row.hasColumn("item") ? row["item"] : nil)
    }
}
