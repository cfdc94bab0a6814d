internal import CopydeskCore
internal import Logging
internal import NIOSSL
internal import PostgresNIO
internal import Synchronization

/// One connection to the server: opened when first needed and again after it broke (the server
/// restarted), used by one transaction or query at a time, in the order they asked.
actor PostgresSession {
    let location: PostgresLocation
    /// How long one use of the connection may go without an answer before the connection is
    /// given up (closed, so that what waits on it fails) and the use fails as unavailable.
    let patience: Duration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextID = 1
    private var busy = false
    private var waiting = [CheckedContinuation<Void, Never>]()

    init(location: PostgresLocation, patience: Duration, logger: Logger) {
        self.location = location
        self.patience = patience
        self.logger = logger
    }

    /// Runs `body` on the connection, alone; gives up after ``patience`` without an answer, or
    /// when the connection closed under it and it did not end.
    ///
    /// postgres-nio 1.33.2 can leave a query unanswered for good when the server drops the
    /// connection at the moment the query is sent (seen with the server killed mid-ingest): no
    /// error, no cancellation. A use that outlives its patience is therefore abandoned, not awaited:
    /// its connection is closed and forgotten, the use fails as unavailable (the files wait and are
    /// retried), and the next use connects again.
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        await acquire()
        defer { release() }
        let first = FirstOutcome<T>()
        let work = Task {
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await self.use(body))
            } catch {
                outcome = .failure(error)
            }
            first.settle(outcome)
        }
        let patience = patience
        // Gives up after the patience, or a second after the connection closed under the use.
        let timer = Task {
            let start = ContinuousClock.now
            var closedSince: ContinuousClock.Instant?
            while !Task.isCancelled, ContinuousClock.now - start < patience {
                try? await Task.sleep(for: .milliseconds(250))
                if self.connectionIsClosed() {
                    let since = closedSince ?? .now
                    closedSince = since
                    if ContinuousClock.now - since >= .seconds(1) { break }
                } else {
                    closedSince = nil
                }
            }
            if !Task.isCancelled { first.settle(.failure(Abandoned())) }
        }
        let outcome = await first.value
        timer.cancel()
        if case .failure(let error) = outcome, error is Abandoned {
            work.cancel()
            logger.warning("\(location.description): no answer from the server; the connection is given up")
            await abandon()
            throw CopydeskError(
                .storeUnavailable,
                "the PostgreSQL server cannot be reached (it did not answer, or dropped the connection)",
                path: location.description)
        }
        return try outcome.get()
    }

    /// Whether the connection in use was closed (by the server, or the network).
    private func connectionIsClosed() -> Bool {
        connection?.isClosed ?? false
    }

    /// A use given up for want of an answer.
    private struct Abandoned: Error {}

    /// Connects if needed and runs `body`; a connection in doubt after an error is dropped.
    private func use<T: Sendable>(_ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let connection = try await connected()
        do {
            return try await body(connection, logger)
        } catch {
            // Anything but the server's own answer (a broken or closing connection, a query
            // cancelled) leaves the connection in doubt: it is dropped, never used again (a query
            // sent on a connection that is closing may wait forever).
            if !PostgresFailure.isServerAnswer(error) || connection.isClosed { await drop(connection) }
            throw error
        }
    }

    /// Forgets the connection in use, if any, after it failed to answer, and closes it without
    /// waiting long.
    private func abandon() async {
        if let connection { await drop(connection) }
    }


    /// Closes a connection in doubt and forgets it; the next use connects again.
    private func drop(_ broken: PostgresConnection) async {
        if connection === broken { connection = nil }
        // Closing a connection the server already closed completes at once; one still open is
        // closed within a second or left to close by itself.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await broken.close() }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs `body` in a transaction: committed when it returns (unless `committing` is false),
    /// rolled back when it throws.
    func transaction<T: Sendable>(
        committing: Bool = true, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        try await withConnection { connection, logger in
            try await connection.transaction(committing: committing, logger: logger) { try await body(connection, logger) }
        }
    }

    deinit {
        // A session dropped without ``close()`` (a command that ended on an error): the
        // connection closes on its own, which the driver requires before it goes.
        if let connection { Task { try? await connection.close() } }
    }

    /// Closes the connection, if one is open.
    func close() async {
        guard let connection else { return }
        self.connection = nil
        try? await connection.close()
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let configuration = try location.configuration()
        let id = nextID
        nextID += 1
        let opened = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        connection = opened
        return opened
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}

extension PostgresLocation {
    /// The driver's configuration, with the password from the environment or `.pgpass`.
    func configuration() throws -> PostgresConnection.Configuration {
        let password = password()
        guard let host else {
            return PostgresConnection.Configuration(
                unixSocketPath: socketPath ?? "", username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            tls = self.tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

extension PostgresConnection {
    /// Runs `body` in a transaction: committed when it returns (unless `committing` is false),
    /// rolled back when it throws the server's own error. After any other error the caller drops
    /// the connection (``PostgresSession/withConnection(_:)``): the server rolls back an open
    /// transaction whose connection goes, and a statement sent on a dying one may never be answered.
    func transaction<T>(committing: Bool = true, logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await run("BEGIN", logger: logger)
        let value: T
        do {
            value = try await body()
        } catch {
            if PostgresFailure.isServerAnswer(error) { try? await run("ROLLBACK", logger: logger) }
            throw error
        }
        try await run(committing ? "COMMIT" : "ROLLBACK", logger: logger)
        return value
    }

    /// Runs a statement, reading whatever it returns.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// Runs a query and decodes every row.
    func rows<each Column: PostgresDecodable>(
        _ query: PostgresQuery, as types: (repeat each Column).Type, logger: Logger
    ) async throws -> [(repeat each Column)] {
        var rows = [(repeat each Column)]()
        for try await row in try await self.query(query, logger: logger) {
            rows.append(try row.decode((repeat each Column).self))
        }
        return rows
    }

    /// Runs a query and decodes its first row, if any.
    func first<each Column: PostgresDecodable>(
        _ query: PostgresQuery, as types: (repeat each Column).Type, logger: Logger
    ) async throws -> (repeat each Column)? {
        var found: (repeat each Column)?
        for try await row in try await self.query(query, logger: logger) where found == nil {
            found = try row.decode((repeat each Column).self)
        }
        return found
    }
}

/// What PostgreSQL errors mean to an operator.
enum PostgresFailure {
    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Whether the error is the server's answer to a statement (the connection is sound), rather
    /// than a broken connection or anything else.
    ///
    /// A server that ends the session says so with an error too (severity FATAL or PANIC, SQLSTATE
    /// classes 08 and 57P: shutdown, crash, postmaster death): that connection is not sound, and a
    /// statement sent on it while it closes may never be answered.
    static func isServerAnswer(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        let severity = error.serverInfo?[.severity] ?? ""
        let state = error.serverInfo?[.sqlState] ?? ""
        return severity != "FATAL" && severity != "PANIC" && !state.hasPrefix("08") && !state.hasPrefix("57P")
    }

    /// Whether the transaction may simply be run again (a serialization failure or a deadlock).
    static func isRetryable(_ error: any Error) -> Bool {
        ["40001", "40P01"].contains(sqlState(error) ?? "")
    }

    /// Whether the catalog's tables are not there (yet): a reader that opened it while a daemon
    /// creates or migrates it.
    static func isMissingSchema(_ error: any Error) -> Bool {
        ["42P01", "42703"].contains(sqlState(error) ?? "")
    }

    /// The error an operator sees for a failed operation (`doing`: "write to the catalog"), named
    /// after what they can do: wait for the server, free space, create the database, fix the
    /// credentials.
    static func error(_ doing: String, _ error: any Error, location: PostgresLocation) -> CopydeskError {
        if let error = error as? CopydeskError { return error }
        let place = location.description
        guard let error = error as? PSQLError else {
            return CopydeskError(.storeUnavailable, "cannot \(doing)", path: place, cause: String(describing: error))
        }
        let cause = describe(error)
        switch error.code {
        case .server:
            break
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .sslUnsupported,
            .failedToAddSSLHandler:
            return CopydeskError(
                .storeUnavailable, "cannot \(doing): the PostgreSQL server cannot be reached (down or restarting?)",
                path: place, cause: cause)
        case .authMechanismRequiresPassword:
            return CopydeskError(
                .storeFailed, "cannot \(doing): the server asks for a password (set PGPASSWORD or a .pgpass file)",
                path: place, cause: cause)
        default:
            return CopydeskError(.storeFailed, "cannot \(doing)", path: place, cause: cause)
        }
        let state = error.serverInfo?[.sqlState] ?? ""
        switch state {
        case _ where state.hasPrefix("08"), "57P01", "57P02", "57P03", "53300":
            return CopydeskError(
                .storeUnavailable, "cannot \(doing): the PostgreSQL server is shutting down, starting or full of connections",
                path: place, cause: cause)
        case "53100":
            return CopydeskError(
                .storeUnavailable, "cannot \(doing): the database server has no space left", path: place, cause: cause)
        case "28P01", "28000":
            return CopydeskError(
                .storeFailed, "cannot \(doing): the server refused the user or password (see PGPASSWORD, .pgpass)",
                path: place, cause: cause)
        case "3D000":
            return CopydeskError(
                .storeFailed,
                "cannot \(doing): there is no database \(location.database) (create it: createdb -O \(location.user) \(location.database))",
                path: place, cause: cause)
        case "42501":
            return CopydeskError(
                .storeFailed, "cannot \(doing): the role \(location.user) lacks a privilege it needs", path: place,
                cause: cause)
        case "25006":
            return CopydeskError(
                .storeUnavailable, "cannot \(doing): the server is read-only (a standby?)", path: place, cause: cause)
        default:
            return CopydeskError(.storeFailed, "cannot \(doing)", path: place, cause: cause)
        }
    }

    /// The server's words, with its SQLSTATE; the driver's own description for the rest (its
    /// plain `description` is deliberately vague).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo {
            let message = info[.message] ?? ""
            let detail = info[.detail].map { " (\($0))" } ?? ""
            return "\(info[.sqlState] ?? "?"): \(message)\(detail)"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}


/// The first of several outcomes to arrive, awaited once.
final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(outcome: Result<T, any Error>?, waiter: CheckedContinuation<Result<T, any Error>, Never>?)>(
        (nil, nil))

    /// Records `outcome` unless another came first.
    func settle(_ outcome: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<T, any Error>, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    /// The first outcome, once there is one.
    var value: Result<T, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
