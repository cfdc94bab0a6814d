internal import CopydeskCore
internal import Logging
internal import NIOSSL
internal import PostgresNIO

/// One connection to the server: opened when first needed and again after it broke (the server
/// restarted), used by one transaction or query at a time, in the order they asked.
actor PostgresSession {
    let location: PostgresLocation
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextID = 1
    private var busy = false
    private var waiting = [CheckedContinuation<Void, Never>]()

    init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    /// Runs `body` on the connection, alone.
    func withConnection<T: Sendable>(
        _ body: @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        await acquire()
        defer { release() }
        let connection = try await connected()
        do {
            return try await body(connection, logger)
        } catch {
            if connection.isClosed { self.connection = nil }
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns (unless `committing` is false),
    /// rolled back when it throws.
    func transaction<T: Sendable>(
        committing: Bool = true, _ body: @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        try await withConnection { connection, logger in
            try await connection.run("BEGIN", logger: logger)
            let value: T
            do {
                value = try await body(connection, logger)
            } catch {
                if !connection.isClosed { try? await connection.run("ROLLBACK", logger: logger) }
                throw error
            }
            try await connection.run(committing ? "COMMIT" : "ROLLBACK", logger: logger)
            return value
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
