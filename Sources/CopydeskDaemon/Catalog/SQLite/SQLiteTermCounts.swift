internal import CopydeskCore
internal import Foundation
internal import GRDB

/// The SQLite catalog writer's term counts for story assignment (``TermSketch``), held in memory
/// and made durable without a row a term:
///
/// - each counted article adds one row to `term_pending` (its term keys) in its decision's
///   transaction;
/// - when an epoch ends (``TermSketch/epochLength(after:)`` articles), its pending rows are folded
///   into the sketch story assignment reads: until then it reads the counts as of the epoch's start;
/// - at the first epoch's end after `checkpointEvery` articles (``SQLiteStoryCache/checkpointEvery``)
///   the sketch is written to `term_sketch` (a new `generation`) and the pending rows folded into it
///   are deleted, in one transaction.
///
/// So the sketch is `term_sketch` plus the pending rows of every epoch ended since, replayed in
/// order: what a writer loads, and what it catches up on after another writer's transactions (the
/// epochs they ended, or everything again when the other wrote a checkpoint). Used only inside the
/// catalog's write transactions (and by reads that build a sketch of their own).
struct SQLiteTermCounts {
    /// The counts as of the end of the last epoch.
    private(set) var sketch = TermSketch()
    /// The `term_sketch` generation the sketch started from (0: none written yet).
    private(set) var generation: Int64 = 0
    /// The last pending row folded into the sketch.
    private var folded: Int64 = 0
    /// The last pending row counted.
    private var lastPending: Int64 = 0
    /// How many pending rows there are after `folded`: the epoch's articles so far.
    private(set) var epochArticles = 0
    /// How many pending rows were folded since the last checkpoint.
    private var foldedSinceCheckpoint = 0
    /// The length of an epoch after counts of so many articles (``TermSketch/epochLength(after:)``;
    /// tests of one catalog make epochs long).
    private(set) var epochLength: @Sendable (Int) -> Int = TermSketch.epochLength(after:)

    /// Names the counts story assignment reads (they change only when an epoch ends): the
    /// checkpoint's generation and the last pending row folded in.
    var name: [Int64] { [generation, folded] }

    /// The counts as the tables hold them now.
    static func load(
        in db: Database, epochLength: @escaping @Sendable (Int) -> Int = TermSketch.epochLength(after:)
    ) throws -> SQLiteTermCounts {
        var counts = SQLiteTermCounts()
        counts.epochLength = epochLength
        if let row = try Row.fetchOne(db, sql: "SELECT generation, counts FROM term_sketch WHERE id = 1") {
            guard let sketch = TermSketch(encoded: [UInt8](row[1] as Data)) else {
                throw CopydeskError(.storeDamaged, "the story term counts (term_sketch) cannot be read")
            }
            counts.sketch = sketch
            counts.generation = row[0]
        }
        try counts.replay(in: db)
        return counts
    }

    /// Catches up with another writer's transactions: the epochs they ended, or everything when it
    /// wrote a checkpoint since.
    mutating func catchUp(in db: Database) throws {
        let generation = try Int64.fetchOne(db, sql: "SELECT generation FROM term_sketch WHERE id = 1") ?? 0
        if generation != self.generation {
            self = try Self.load(in: db, epochLength: epochLength)
        } else {
            try replay(in: db)
        }
    }

    /// Counts the pending rows after the last one counted, ending the epochs they complete.
    private mutating func replay(in db: Database) throws {
        let ids = try Int64.fetchAll(
            db, sql: "SELECT id FROM term_pending WHERE id > ? ORDER BY id", arguments: [lastPending])
        for id in ids {
            lastPending = id
            epochArticles += 1
            if epochArticles >= epochLength(sketch.articles) { try endEpoch(in: db) }
        }
    }

    /// Counts an article carrying these terms, durably in this transaction; ends the epoch (and
    /// writes a checkpoint) when it is due.
    mutating func count(_ keys: [Int64], checkpointEvery: Int, in db: Database) throws {
        let distinct = Set(keys).sorted()
        try db.cachedStatement(sql: "INSERT INTO term_pending (terms) VALUES (?)")
            .execute(arguments: [Data(TermSketch.bytes(of: distinct))])
        lastPending = db.lastInsertedRowID
        epochArticles += 1
        guard epochArticles >= epochLength(sketch.articles) else { return }
        try endEpoch(in: db)
        if foldedSinceCheckpoint >= checkpointEvery { try checkpoint(in: db) }
    }

    /// Folds the epoch's pending rows (those after `folded`, up to `lastPending`) into the sketch.
    private mutating func endEpoch(in db: Database) throws {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT terms FROM term_pending WHERE id > ? AND id <= ? ORDER BY id",
            arguments: [folded, lastPending])
        while let row = try rows.next() { sketch.add(article: TermSketch.keys(from: row[0] as Data)) }
        folded = lastPending
        foldedSinceCheckpoint += epochArticles
        epochArticles = 0
    }

    /// Writes the sketch and forgets the pending rows it holds (at an epoch's end).
    private mutating func checkpoint(in db: Database) throws {
        generation += 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO term_sketch (id, generation, counts) VALUES (1, ?, ?)",
            arguments: [generation, Data(sketch.encoded())])
        try db.execute(sql: "DELETE FROM term_pending WHERE id <= ?", arguments: [folded])
        foldedSinceCheckpoint = 0
    }

    /// The pending rows of the epoch not yet ended: the distinct keys of each of its articles so
    /// far, in order.
    func epochPending(in db: Database) throws -> [[Int64]] {
        try Row.fetchAll(
            db, sql: "SELECT terms FROM term_pending WHERE id > ? ORDER BY id", arguments: [folded]
        ).map { TermSketch.keys(from: $0[0] as Data) }
    }
}
