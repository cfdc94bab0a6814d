public import CopydeskCore
internal import Foundation
internal import GRDB

/// The SQLite catalog: articles, versions, receipts and the event log.
///
/// The one type the pipeline and the commands talk to, with a narrow interface (commit a decision,
/// find pending receipts, read the log and the counts), so that another store can replace it later.
/// A writer opens it with ``init(path:)``, which creates and migrates the database in WAL mode with
/// `synchronous=FULL`; commands that only read use ``openForReading(path:)``, which never writes and
/// never waits long on the daemon.
public final class Catalog: Sendable {
    let queue: DatabaseQueue
    /// The database file, for error messages (`:memory:` for an in-memory catalog).
    public let path: String

    /// Opens (creating it if needed) the catalog at `path` for writing, and brings its schema up to
    /// date.
    ///
    /// - Throws: ``CopydeskError`` `.storeFailed` naming the file when it cannot be opened or migrated.
    public convenience init(path: String) throws(CopydeskError) {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.label = "copydesk.catalog"
        configuration.prepareDatabase { db in
            // A decision is durable before its file leaves the Inbox (DESIGN.md, "Durability").
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A fixed page cache of 64 MiB (SQLite's default is 2 MiB): it holds the upper levels of
            // the fingerprint index's B-tree even at millions of versions, so a decision's 64 index
            // lookups read about one page each from the OS. Memory stays bounded by this figure,
            // however large the catalog grows.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Checkpoint the write-ahead log every 16 MiB instead of every 4 MiB (1,000 pages): the
            // fingerprint index's leaf pages, which every batch touches again, are then copied into
            // the database once per checkpoint rather than once per batch or two.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4096")
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw CopydeskError(.storeFailed, "cannot open the catalog", path: path, cause: Self.describe(error))
        }
        try self.init(queue: queue, path: path)
    }

    /// A new, empty catalog in memory (for tests and dry runs).
    public static func inMemory() throws(CopydeskError) -> Catalog {
        do {
            return try Catalog(queue: DatabaseQueue(), path: ":memory:")
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot create an in-memory catalog", cause: describe(error))
        }
    }

    /// A catalog over an existing queue, migrated.
    init(queue: DatabaseQueue, path: String) throws(CopydeskError) {
        self.queue = queue
        self.path = path
        do {
            try Self.migrator.migrate(queue)
        } catch {
            throw CopydeskError(.storeFailed, "cannot migrate the catalog", path: path, cause: Self.describe(error))
        }
    }

    private init(readOnlyQueue: DatabaseQueue, path: String) {
        self.queue = readOnlyQueue
        self.path = path
    }

    /// Opens an existing catalog for reading only.
    ///
    /// - Throws: ``CopydeskError`` `.storeFailed` when there is no catalog at `path` or it cannot be
    ///   read.
    public static func openForReading(path: String) throws(CopydeskError) -> Catalog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CopydeskError(
                .storeFailed, "no catalog here (nothing ingested yet, or another --archive/--database)", path: path)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "copydesk.catalog.reader"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let catalog = Catalog(readOnlyQueue: queue, path: path)
            let applied = try queue.read { try Self.migrator.appliedIdentifiers($0) }
            let known = Set(Self.migrator.migrations)
            if let unknown = applied.first(where: { !known.contains($0) }) {
                throw CopydeskError(
                    .storeFailed, "the catalog was written by a newer copydesk (migration \(unknown))", path: path)
            }
            return catalog
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot read the catalog", path: path, cause: describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.resultCode): \(error.message ?? "")"
        }
        return String(describing: error)
    }

    func write<T>(_ body: (Database) throws -> T) throws(CopydeskError) -> T {
        do {
            return try queue.write(body)
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot write to the catalog", path: path, cause: Self.describe(error))
        }
    }

    /// Writes on GRDB's own thread, suspending the caller instead of blocking it.
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CopydeskError) -> T {
        do {
            return try await queue.write(body)
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot write to the catalog", path: path, cause: Self.describe(error))
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(CopydeskError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw CopydeskError(.storeFailed, "cannot read the catalog", path: path, cause: Self.describe(error))
        }
    }
}
