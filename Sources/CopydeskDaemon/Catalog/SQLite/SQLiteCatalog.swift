public import CopydeskCore
internal import Foundation
internal import GRDB
internal import Glibc

/// The SQLite catalog: articles, versions, receipts and the event log.
///
/// The one type the pipeline and the commands talk to, with a narrow interface (commit a decision,
/// find pending receipts, read the log and the counts), so that another store can replace it later.
/// A writer opens it with ``init(path:)``, which creates and migrates the database in WAL mode with
/// `synchronous=FULL`; commands that only read use ``openForReading(path:)``, which never writes and
/// never waits long on the daemon.
public final class SQLiteCatalog: CatalogBackend {
    let queue: DatabaseQueue
    /// The database file, for error messages (`:memory:` for an in-memory catalog).
    public let path: String
    public var location: String { path }
    /// How long a write waits for another process's write transaction before it fails.
    public let busyTimeout: Duration
    /// How a new article is assigned to a story (its window: `--story-window`).
    public let storyAssigner: StoryAssigner
    /// The writer's index of the stories active lately (story assignment's candidates and profiles).
    let storyCache: SQLiteStoryCache

    /// How long a write waits for another writer by default: long enough for any transaction of
    /// copydesk's own (a batch of 256 files, a checkpoint), short enough that a stuck writer shows
    /// in the log while files wait.
    public static let defaultBusyTimeout: Duration = .seconds(10)

    /// Opens (creating it if needed) the catalog at `path` for writing, and brings its schema up to
    /// date.
    ///
    /// A file that is not an SQLite database, or whose schema cannot be read, is never overwritten
    /// or removed: the error says so and leaves it to an operator.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process's write transaction.
    ///   - storyAssigner: how each new article is assigned to a story.
    /// - Throws: ``CopydeskError`` naming the file when it cannot be opened or migrated:
    ///   `.storeDamaged` for a damaged file, `.storeUnavailable` when it is locked, full or
    ///   read-only, `.storeFailed` otherwise.
    public convenience init(
        path: String, busyTimeout: Duration = SQLiteCatalog.defaultBusyTimeout, storyAssigner: StoryAssigner = StoryAssigner()
    ) throws(CopydeskError) {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout.secondsValue)
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
            throw Self.failure("open the catalog", error, path: path, busyTimeout: busyTimeout)
        }
        try self.init(queue: queue, path: path, busyTimeout: busyTimeout, storyAssigner: storyAssigner)
    }

    /// A new, empty catalog in memory (for tests and dry runs).
    public static func inMemory(storyAssigner: StoryAssigner = StoryAssigner()) throws(CopydeskError) -> SQLiteCatalog {
        do {
            return try SQLiteCatalog(queue: DatabaseQueue(), path: ":memory:", storyAssigner: storyAssigner)
        } catch let error as CopydeskError {
            throw error
        } catch {
            throw CopydeskError(.storeFailed, "cannot create an in-memory catalog", cause: describe(error))
        }
    }

    /// A catalog over an existing queue, migrated.
    init(
        queue: DatabaseQueue, path: String, busyTimeout: Duration = SQLiteCatalog.defaultBusyTimeout,
        storyAssigner: StoryAssigner = StoryAssigner()
    ) throws(CopydeskError) {
        self.queue = queue
        self.path = path
        self.busyTimeout = busyTimeout
        self.storyAssigner = storyAssigner
        self.storyCache = SQLiteStoryCache(window: storyAssigner.window)
        // Several daemons may open one new catalog at once (nodes of a shared Inbox): the migrator
        // reads what is applied before its transactions, so they take turns, by a lock on a file
        // beside the catalog (never on the catalog itself: closing another descriptor of it would
        // drop SQLite's own locks).
        let turn = path == ":memory:" ? -1 : FileName.withCString(path + "-migrating") {
            open($0, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        }
        if turn >= 0 { _ = flock(turn, LOCK_EX) }
        defer { if turn >= 0 { _ = Glibc.close(turn) } }
        do {
            try Self.migrator.migrate(queue)
        } catch {
            throw Self.failure("migrate the catalog", error, path: path, busyTimeout: busyTimeout)
        }
    }

    private init(readOnlyQueue: DatabaseQueue, path: String) {
        self.queue = readOnlyQueue
        self.path = path
        self.busyTimeout = Self.defaultBusyTimeout
        self.storyAssigner = StoryAssigner()
        self.storyCache = SQLiteStoryCache(window: storyAssigner.window)
    }

    /// Opens an existing catalog for reading only.
    ///
    /// - Throws: ``CopydeskError`` `.storeFailed` when there is no catalog at `path` or it cannot be
    ///   read.
    public static func openForReading(path: String) throws(CopydeskError) -> SQLiteCatalog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CopydeskError(
                .storeFailed, "no catalog here (nothing ingested yet, or another --archive/--database)", path: path)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(defaultBusyTimeout.secondsValue)
        configuration.label = "copydesk.catalog.reader"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let catalog = SQLiteCatalog(readOnlyQueue: queue, path: path)
            let applied = try queue.read { try Self.migrator.appliedIdentifiers($0) }
            let known = Set(Self.migrator.migrations)
            if let unknown = applied.first(where: { !known.contains($0) }) {
                throw CopydeskError(
                    .storeFailed, "the catalog was written by a newer copydesk (migration \(unknown))", path: path)
            }
            // A file whose first migration has not committed yet: a daemon is creating it.
            if applied.isEmpty { throw CopydeskError.catalogNotReady(path) }
            return catalog
        } catch {
            throw failure("read the catalog", error, path: path, busyTimeout: defaultBusyTimeout)
        }
    }

    /// Nothing to do: the file closes when the catalog goes.
    public func close() async {}

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.resultCode): \(error.message ?? "")"
        }
        return String(describing: error)
    }

    /// The error for a failed catalog operation (`doing`: "write to the catalog"), named after what
    /// an operator can do about it: wait for another writer, free space, make the file writable,
    /// restore a damaged file.
    static func failure(_ doing: String, _ error: any Error, path: String, busyTimeout: Duration) -> CopydeskError {
        if let error = error as? CopydeskError { return error }
        let cause = describe(error)
        guard let database = error as? DatabaseError else {
            return CopydeskError(.storeFailed, "cannot \(doing)", path: path, cause: cause)
        }
        switch database.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return CopydeskError(
                .storeUnavailable,
                "cannot \(doing): another process has held its write lock for over \(busyTimeout.secondsValue.secondsText) s",
                path: path, cause: cause)
        case .SQLITE_FULL:
            return CopydeskError(
                .storeUnavailable, "cannot \(doing): no space left on its file system", path: path, cause: cause)
        case .SQLITE_READONLY:
            return CopydeskError(.storeUnavailable, "cannot \(doing): it is read-only", path: path, cause: cause)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_NOMEM:
            return CopydeskError(.storeUnavailable, "cannot \(doing)", path: path, cause: cause)
        case .SQLITE_ERROR where database.message?.hasPrefix("no such table") == true:
            // Read while a starting daemon was creating or migrating the catalog.
            return CopydeskError.catalogNotReady(path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return CopydeskError(
                .storeDamaged,
                "cannot \(doing): the file is damaged or not a copydesk catalog; copydesk does not repair, "
                    + "replace or remove it (restore it from a backup, or move it away to start a new catalog)",
                path: path, cause: cause)
        default:
            return CopydeskError(.storeFailed, "cannot \(doing)", path: path, cause: cause)
        }
    }

    private func failure(_ doing: String, _ error: any Error) -> CopydeskError {
        Self.failure(doing, error, path: path, busyTimeout: busyTimeout)
    }

    func write<T>(_ body: (Database) throws -> T) throws(CopydeskError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw failure("write to the catalog", error)
        }
    }

    /// Writes on GRDB's own thread, suspending the caller instead of blocking it.
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CopydeskError) -> T {
        do {
            return try await queue.write(body)
        } catch {
            throw failure("write to the catalog", error)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(CopydeskError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw failure("read the catalog", error)
        }
    }

    /// Reads on GRDB's own thread, suspending the caller instead of blocking it.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CopydeskError) -> T {
        do {
            return try await queue.read(body)
        } catch {
            throw failure("read the catalog", error)
        }
    }
}
