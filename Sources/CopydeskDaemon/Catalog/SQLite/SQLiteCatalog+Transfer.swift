public import CopydeskCore
internal import Foundation
internal import GRDB

extension SQLiteCatalog: CatalogExport {
    public func exportRows(_ table: TransferTable, after: Int64, limit: Int) async throws(CopydeskError)
        -> [TransferRow]
    {
        try await readAsync { db in
            if table == .termBucket {
                // One sketch, not rows: its non-zero counters, as the tables hold them now.
                let sketch = try SQLiteTermCounts.load(in: db).sketch
                return sketch.nonZero(after: Int(clamping: after)).prefix(limit).map {
                    TransferRow(values: [.integer(Int64($0.bucket)), .integer(Int64($0.count))])
                }
            }
            if table == .termPending {
                // The epoch's articles so far, numbered from 1 (the ids of `term_pending` run on
                // across epochs and checkpoints).
                let pending = try SQLiteTermCounts.load(in: db).epochPending(in: db)
                return pending.enumerated().dropFirst(Int(clamping: max(0, after))).prefix(limit).map {
                    TransferRow(values: [.integer(Int64($0.offset + 1)), .blob(TermSketch.bytes(of: $0.element))])
                }
            }
            if table == .storyTerm { return try Self.exportPostings(after: after, limit: limit, in: db) }
            let arguments: StatementArguments = table.isOrderedByInteger ? [after, limit] : []
            let kinds = table.kinds
            return try Row.fetchAll(db, sql: table.exportSQL, arguments: arguments).map { row in
                TransferRow(
                    values: kinds.enumerated().map { index, kind in
                        guard !row.hasNull(atIndex: index) else { return .null }
                        switch kind {
                        case .integer: return .integer(row[index])
                        case .real: return .real(row[index])
                        case .text: return .text(row[index])
                        case .blob: return .blob([UInt8](row[index] as Data))
                        }
                    })
            }
        }
    }

    /// The postings of up to `limit` stories after `after`, in story then term order: those in
    /// `story_term` and, for the stories the writer's index holds (not settled), those kept with
    /// the story; as a catalog that files every posting in its table has them.
    static func exportPostings(after: Int64, limit: Int, in db: Database) throws -> [TransferRow] {
        let stories = try Int64.fetchAll(
            db,
            sql: """
                SELECT story_id FROM (
                    SELECT DISTINCT story_id FROM story_term WHERE story_id > ?1
                    UNION SELECT id FROM story WHERE settled = 0 AND merged_into IS NULL AND id > ?1
                ) ORDER BY story_id LIMIT ?2
                """, arguments: [after, limit])
        let posted = try db.cachedStatement(sql: "SELECT term FROM story_term WHERE story_id = ?")
        let kept = try db.cachedStatement(
            sql: "SELECT terms FROM story WHERE id = ? AND settled = 0 AND merged_into IS NULL AND terms IS NOT NULL")
        var rows = [TransferRow]()
        for story in stories {
            var terms = Set(try Int64.fetchAll(posted, arguments: [story]))
            if let blob = try Data.fetchOne(kept, arguments: [story]) {
                terms.formUnion(TermSketch.keys(from: blob))
            }
            for term in terms.sorted() { rows.append(TransferRow(values: [.integer(story), .integer(term)])) }
        }
        return rows
    }
}
