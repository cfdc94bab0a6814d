internal import CopydeskCore
internal import GRDB

/// The SQLite catalog's answers to ``CatalogLookup``, read inside the write transaction of the
/// decision that asks. Every statement is cached on the connection.
struct SQLiteLookup: CatalogLookup {
    let db: Database

    func acceptedReceipt(rawSHA256: String, item: Int?) throws -> ReceiptMatch? {
        if let item {
            let statement = try db.cachedStatement(
                sql: """
                    SELECT receipt.id, receipt.file_name, receipt_item.article_id, receipt_item.version_id
                    FROM receipt JOIN receipt_item ON receipt_item.receipt_id = receipt.id
                    WHERE receipt.raw_sha256 = ? AND receipt_item.item = ? AND receipt_item.version_id IS NOT NULL
                    ORDER BY receipt.id LIMIT 1
                    """)
            guard let row = try Row.fetchOne(statement, arguments: [rawSHA256, item]) else { return nil }
            return ReceiptMatch(receipt: row[0], fileName: row[1], article: row[2], version: row[3])
        }
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, file_name, article_id, version_id FROM receipt
                WHERE raw_sha256 = ? AND version_id IS NOT NULL ORDER BY id LIMIT 1
                """)
        guard let row = try Row.fetchOne(statement, arguments: [rawSHA256]) else { return nil }
        return ReceiptMatch(receipt: row[0], fileName: row[1], article: row[2], version: row[3])
    }

    func version(contentSHA256: String) throws -> VersionRef? {
        let statement = try db.cachedStatement(sql: "SELECT id, article_id FROM version WHERE content_sha256 = ?")
        guard let row = try Row.fetchOne(statement, arguments: [contentSHA256]) else { return nil }
        return VersionRef(version: row[0], article: row[1])
    }

    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) throws -> [Int64: Int] {
        let statement = try db.cachedStatement(
            sql: "SELECT version_id FROM lsh WHERE key = ? ORDER BY version_id DESC LIMIT ?")
        var hits = [Int64: Int]()
        // In key order: neighbouring keys share B-tree pages.
        for key in keys.sorted() {
            let versions = try Int64.fetchCursor(statement, arguments: [key, limitPerKey])
            while let version = try versions.next() {
                hits[version, default: 0] += 1
            }
        }
        return hits
    }

    func shingleCounts(ofVersions ids: [Int64]) throws -> [Int64: Int] {
        let statement = try db.cachedStatement(sql: "SELECT shingles FROM fingerprint WHERE version_id = ?")
        var counts = [Int64: Int]()
        for id in ids {
            if let count = try Int.fetchOne(statement, arguments: [id]) { counts[id] = count }
        }
        return counts
    }

    func storedVersions(_ ids: [Int64]) throws -> [Int64: StoredVersion] {
        var versions = [Int64: StoredVersion]()
        for id in ids {
            if let version = try SQLiteCatalog.storedVersion(id, in: db) { versions[id] = version }
        }
        return versions
    }

    func isCreator(rawSHA256: String, ofVersion id: Int64) throws -> Bool {
        if let made = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT raw_sha256 FROM renormalization WHERE version_id = ? AND outcome = 'new-version' LIMIT 1"),
            arguments: [id])
        {
            return made == rawSHA256
        }
        let first = try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT raw_sha256 FROM receipt WHERE version_id = ? AND decision IN ('new-article', 'new-version')
                    ORDER BY id LIMIT 1
                    """),
            arguments: [id])
        return first == rawSHA256
    }
}

extension SQLiteLookup {
    func declaredItems(keys: [String]) throws -> [DeclaredItem] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT declared_key, declared_version, article_id, version_id FROM wire_item
                WHERE declared_key = ? ORDER BY id DESC LIMIT ?
                """)
        var items = [DeclaredItem]()
        for key in Set(keys).sorted() {
            let rows = try Row.fetchCursor(statement, arguments: [key, Decider.itemsPerDeclaredKey])
            while let row = try rows.next() {
                items.append(DeclaredItem(key: row[0], declaredVersion: row[1], article: row[2], version: row[3]))
            }
        }
        return items
    }
}
