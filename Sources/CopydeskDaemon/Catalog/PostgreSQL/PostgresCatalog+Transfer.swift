public import CopydeskCore
internal import Logging
internal import PostgresNIO

extension PostgresCatalog: CatalogExport, CatalogImport {
    public func exportRows(_ table: TransferTable, after: Int64, limit: Int) async throws(CopydeskError)
        -> [TransferRow]
    {
        try await read { connection, logger in
            var binds = PostgresBindings()
            if table.isOrderedByInteger {
                binds.append(after)
                binds.append(Int64(limit))
            }
            let kinds = table.kinds
            var rows = [TransferRow]()
            for try await row in try await connection.query(
                PostgresQuery(unsafeSQL: table.exportSQL, binds: binds), logger: logger)
            {
                let cells = row.makeRandomAccess()
                rows.append(
                    TransferRow(
                        values: try kinds.enumerated().map { index, kind in
                            switch kind {
                            case .integer: try cells[index].decode(Int64?.self).map(TransferValue.integer) ?? .null
                            case .real: try cells[index].decode(Double?.self).map(TransferValue.real) ?? .null
                            case .text: try cells[index].decode(String?.self).map(TransferValue.text) ?? .null
                            case .blob:
                                try cells[index].decode(ByteBuffer?.self).map { buffer in
                                    TransferValue.blob(buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
                                } ?? .null
                            }
                        }))
            }
            return rows
        }
    }

    public func importedPosition(_ table: TransferTable) async throws(CopydeskError) -> Int64 {
        guard table.isOrderedByInteger else { return .min }
        let column = table.columns[0]
        // Keys may be negative (term hashes): an empty table starts below every key.
        let largest: Int64? = try await read { connection, logger in
            let row = try await connection.first(
                PostgresQuery(unsafeSQL: "SELECT max(\(column))::int8 FROM \(table.rawValue)"),
                as: Int64?.self, logger: logger)
            return row ?? nil
        }
        return largest ?? .min
    }

    public func importRows(_ table: TransferTable, _ rows: [TransferRow]) async throws(CopydeskError) {
        guard !rows.isEmpty else { return }
        let columns = table.columns
        // At most 30,000 values per statement (the protocol allows 65,535 parameters).
        let perStatement = max(1, 30_000 / columns.count)
        try await write("copy into the catalog") { connection, logger in
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                var sql = "INSERT INTO \(table.rawValue) (\(columns.joined(separator: ", "))) VALUES "
                var binds = PostgresBindings()
                for (rowIndex, row) in chunk.enumerated() {
                    sql += rowIndex == 0 ? "(" : ", ("
                    for (index, value) in row.values.enumerated() {
                        sql += (index == 0 ? "" : ", ") + "$\(binds.count + 1)"
                        switch value {
                        case .null:
                            binds.appendNull()
                        case .integer(let integer):
                            binds.append(integer)
                        case .real(let real):
                            binds.append(real)
                        case .blob(let bytes):
                            binds.append(ByteBuffer(bytes: bytes))
                        case .text(let text):
                            binds.append(text)
                        }
                    }
                    sql += ")"
                }
                sql += " ON CONFLICT DO NOTHING"
                try await connection.run(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                start += perStatement
            }
        }
    }

    public func finishImport() async throws(CopydeskError) {
        try await write("copy into the catalog") { connection, logger in
            for table in ["story", "article", "version", "receipt", "wire_item", "event"] {
                try await connection.run(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT setval('\(table)_id_seq', greatest((SELECT max(id) FROM \(table)), 1),
                                (SELECT max(id) FROM \(table)) IS NOT NULL)
                            """), logger: logger)
            }
        }
    }
}
