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
}
