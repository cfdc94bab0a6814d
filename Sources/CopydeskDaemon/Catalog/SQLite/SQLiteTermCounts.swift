internal import CopydeskCore
internal import Foundation
internal import GRDB

/// The SQLite catalog writer's term counts for story assignment (``TermSketch``), held in memory
/// and made durable without a row a term:
///
/// - each counted article adds one row to `term_pending` (its term keys) in its decision's
///   transaction;
/// - every `checkpointEvery` articles (``SQLiteStoryCache/checkpointEvery``) the whole sketch is written to `term_sketch` (a new
///   `generation`) and the pending rows are deleted, in one transaction.
///
/// So the sketch is `term_sketch` plus the pending rows replayed in order: what a writer loads, and
/// what it catches up on after another writer's transactions (their pending rows, or everything
/// again when the other wrote a checkpoint). Used only inside the catalog's write transactions (and
/// by reads that build a sketch of their own).
struct SQLiteTermCounts {
    private(set) var sketch = TermSketch()
    /// The `term_sketch` generation the sketch started from (0: none written yet).
    private var generation: Int64 = 0
    /// The last pending row counted.
    private var lastPending: Int64 = 0
    /// How many pending rows there are since the last checkpoint.
    private var pending = 0

    /// The counts as the tables hold them now.
    static func load(in db: Database) throws -> SQLiteTermCounts {
        var counts = SQLiteTermCounts()
        if let row = try Row.fetchOne(db, sql: "SELECT generation, counts FROM term_sketch WHERE id = 1") {
            guard let sketch = TermSketch(encoded: [UInt8](row[1] as Data)) else {
                throw CopydeskError(.storeDamaged, "the story term counts (term_sketch) cannot be read")
            }
            counts.sketch = sketch
            counts.generation = row[0]
        }
        try counts.replay(after: 0, in: db)
        return counts
    }

    /// Catches up with another writer's transactions: its pending rows, or everything when it wrote
    /// a checkpoint since.
    mutating func catchUp(in db: Database) throws {
        let generation = try Int64.fetchOne(db, sql: "SELECT generation FROM term_sketch WHERE id = 1") ?? 0
        if generation != self.generation {
            self = try Self.load(in: db)
        } else {
            try replay(after: lastPending, in: db)
        }
    }

    private mutating func replay(after last: Int64, in db: Database) throws {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, terms FROM term_pending WHERE id > ? ORDER BY id", arguments: [last])
        while let row = try rows.next() {
            sketch.add(article: Self.keys(from: [UInt8](row[1] as Data)))
            lastPending = row[0]
            pending += 1
        }
    }

    /// Counts an article carrying these terms, durably in this transaction; writes a checkpoint
    /// when one is due.
    mutating func count(_ keys: [Int64], checkpointEvery: Int, in db: Database) throws {
        let distinct = Set(keys).sorted()
        sketch.add(article: distinct)
        try db.cachedStatement(sql: "INSERT INTO term_pending (terms) VALUES (?)")
            .execute(arguments: [Data(Self.bytes(of: distinct))])
        lastPending = db.lastInsertedRowID
        pending += 1
        if pending >= checkpointEvery { try checkpoint(in: db) }
    }

    /// Writes the whole sketch and forgets the pending rows it now holds.
    mutating func checkpoint(in db: Database) throws {
        generation += 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO term_sketch (id, generation, counts) VALUES (1, ?, ?)",
            arguments: [generation, Data(sketch.encoded())])
        try db.execute(sql: "DELETE FROM term_pending")
        pending = 0
    }

    /// The keys of a pending row: 8 bytes each, little-endian.
    static func bytes(of keys: [Int64]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(keys.count * 8)
        for key in keys { withUnsafeBytes(of: key.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    static func keys(from bytes: [UInt8]) -> [Int64] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { at in
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[at + index]) << (8 * UInt64(index)) }
            return Int64(bitPattern: value)
        }
    }
}
