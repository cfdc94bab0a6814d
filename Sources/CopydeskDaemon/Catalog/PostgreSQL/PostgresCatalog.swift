public import CopydeskCore
internal import Foundation
public import Logging
internal import PostgresNIO
internal import Synchronization

/// The PostgreSQL catalog: the same articles, versions, receipts and log as the SQLite one, in a
/// database that several copydesk daemons (nodes) share.
///
/// Writes are serialized across every node by one transaction-scoped advisory lock, taken first in
/// each writing transaction: a decision sees every decision committed before it, as in SQLite,
/// so two copies arriving together on two nodes never both become new articles; and the log's ids
/// commit in order, so a follower that reads "after id N" misses nothing. The parallel part of the
/// work (reading, normalizing, fingerprinting) stays on each node. Each writing transaction
/// notifies `copydesk_events`, which `log --follow` listens to.
public final class PostgresCatalog: CatalogBackend {
    public let postgres: PostgresLocation
    public var location: String { postgres.description }
    /// How long a write waits for the other nodes' writes before it fails (and is retried).
    public let busyTimeout: Duration
    /// How a new article is assigned to a story (its window: `--story-window`).
    public let storyAssigner: StoryAssigner
    let writer: PostgresSession
    let reader: PostgresSession
    let logger: Logger
    /// Time spent inside the serialized part (holding the write lock), and waiting for it.
    package let lockTimes = LockTimes()
    /// The listener `log --follow` waits on.
    let follower = EventFollower()

    /// The channel every writing transaction notifies.
    static let channel = "copydesk_events"

    init(location: PostgresLocation, busyTimeout: Duration, storyAssigner: StoryAssigner = StoryAssigner(), logger: Logger) {
        self.postgres = location
        self.busyTimeout = busyTimeout
        self.storyAssigner = storyAssigner
        self.logger = logger
        // A write may wait its busy timeout for the lock, then take its time; a read is short.
        self.writer = PostgresSession(location: location, patience: busyTimeout + .seconds(30), logger: logger)
        self.reader = PostgresSession(location: location, patience: .seconds(30), logger: logger)
    }

    /// Connects to the catalog's database and brings its schema up to date (creating it in an
    /// empty database).
    ///
    /// - Parameter storyAssigner: how each new article is assigned to a story.
    public static func openForWriting(
        _ location: PostgresLocation, busyTimeout: Duration, storyAssigner: StoryAssigner = StoryAssigner(),
        logger: Logger = Logger(label: "copydesk.postgres")
    ) async throws(CopydeskError) -> PostgresCatalog {
        let catalog = PostgresCatalog(
            location: location, busyTimeout: busyTimeout, storyAssigner: storyAssigner, logger: logger)
        do {
            try await catalog.writer.withConnection { connection, logger in
                try await PostgresMigrations.migrate(connection, logger: logger)
            }
        } catch {
            await catalog.close()
            throw PostgresFailure.error("open the catalog", error, location: location)
        }
        return catalog
    }

    /// Connects to an existing catalog for reading only.
    ///
    /// - Throws: ``CopydeskError`` `.storeNotReady` while a starting daemon creates or migrates
    ///   it, `.storeFailed` for a catalog of a newer copydesk or an unreachable server.
    public static func openForReading(
        _ location: PostgresLocation, logger: Logger = Logger(label: "copydesk.postgres")
    ) async throws(CopydeskError) -> PostgresCatalog {
        let catalog = PostgresCatalog(location: location, busyTimeout: .seconds(10), logger: logger)
        let applied: [String]
        do {
            applied = try await catalog.reader.withConnection { connection, logger in
                try await PostgresMigrations.applied(connection, logger: logger)
            }
        } catch {
            await catalog.close()
            throw PostgresFailure.error("read the catalog", error, location: location)
        }
        let known = PostgresMigrations.all.map(\.id)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            await catalog.close()
            throw CopydeskError(
                .storeFailed, "the catalog was written by a newer copydesk (migration \(unknown))", path: location.description)
        }
        guard known.allSatisfy(applied.contains) else {
            await catalog.close()
            throw CopydeskError.catalogNotReady(location.description)
        }
        return catalog
    }

    /// Closes the connections.
    public func close() async {
        follower.stop()
        await writer.close()
        await reader.close()
    }

    /// Runs `body` in a writing transaction that holds the catalog's write lock, notifies the
    /// followers of the log, and is retried after a serialization failure or deadlock.
    ///
    /// - Parameter rollingBack: roll the transaction back instead of committing it (a dry run).
    func write<T: Sendable>(
        _ doing: String = "write to the catalog", rollingBack: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws(CopydeskError) -> T {
        let times = lockTimes
        let timeout = max(1, Int64(busyTimeout.secondsValue * 1000))
        for attempt in 1... {
            do {
                return try await writer.transaction(committing: !rollingBack) { connection, logger in
                    // A lock wait longer than the busy timeout fails (and the file is retried),
                    // as SQLite's busy timeout does.
                    try await connection.run(
                        PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(timeout)"), logger: logger)
                    let asked = ContinuousClock.now
                    try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))", logger: logger)
                    let granted = ContinuousClock.now
                    let value = try await body(connection, logger)
                    try await connection.run("SELECT pg_notify(\(Self.channel), '')", logger: logger)
                    times.add(waited: granted - asked, held: ContinuousClock.now - granted)
                    return value
                }
            } catch where PostgresFailure.isRetryable(error) && attempt < 5 {
                continue
            } catch where PostgresFailure.sqlState(error) == "55P03" {
                throw CopydeskError(
                    .storeUnavailable,
                    "cannot \(doing): other nodes have held the catalog's write lock for over \(busyTimeout.secondsValue.secondsText) s",
                    path: location)
            } catch {
                throw PostgresFailure.error(doing, error, location: postgres)
            }
        }
        preconditionFailure("unreachable")
    }

    /// Runs a read on the reader connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T)
        async throws(CopydeskError) -> T
    {
        do {
            return try await reader.withConnection(body)
        } catch where PostgresFailure.isMissingSchema(error) {
            throw CopydeskError.catalogNotReady(location)
        } catch {
            throw PostgresFailure.error("read the catalog", error, location: postgres)
        }
    }
}

/// Time spent in the serialized part of the PostgreSQL catalog's writes (for the benchmark).
package final class LockTimes: Sendable {
    private let state = Mutex<(waited: Duration, held: Duration, transactions: Int)>((.zero, .zero, 0))

    func add(waited: Duration, held: Duration) {
        state.withLock { $0 = ($0.waited + waited, $0.held + held, $0.transactions + 1) }
    }

    /// The totals so far.
    package var totals: (waited: Duration, held: Duration, transactions: Int) { state.withLock { $0 } }
}

extension CopydeskError {
    /// A catalog a reader opened while a starting daemon creates or migrates it.
    static func catalogNotReady(_ place: String) -> CopydeskError {
        CopydeskError(
            .storeNotReady,
            "the catalog is being created or migrated by a starting daemon (or was written by an older copydesk: "
                + "start the daemon once to upgrade it)",
            path: place)
    }
}
