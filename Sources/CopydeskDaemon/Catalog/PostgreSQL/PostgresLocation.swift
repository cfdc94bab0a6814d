public import CopydeskCore
internal import Foundation
internal import Glibc

/// A PostgreSQL catalog named by a libpq connection URL: `postgresql://USER@HOST:PORT/DB`, or the
/// Unix-socket form `postgresql://USER@/DB?host=/run/postgresql` (`postgres://` too). The password
/// never comes from the URL (it would show in `ps` and shell histories): it comes from
/// `$PGPASSWORD` or a `.pgpass` file (`$PGPASSFILE`, else `~/.pgpass`), as for `psql`.
public struct PostgresLocation: Sendable, Hashable {
    public enum TLSMode: String, Sendable, Hashable {
        /// Never encrypt (the default over a Unix socket).
        case disable
        /// Encrypt when the server offers it (libpq's default over TCP).
        case prefer
        /// Encrypt, without checking the server's certificate.
        case require
        /// Encrypt, and check the server's certificate and name against the system's CAs.
        case verifyFull = "verify-full"
    }

    public var user: String
    /// A TCP host name or address; nil for a Unix socket.
    public var host: String?
    /// The folder of the server's Unix socket; nil for TCP.
    public var socketDirectory: String?
    public var port: Int
    public var database: String
    public var tls: TLSMode

    /// The folders Debian's and most other builds of PostgreSQL put their socket in.
    static let defaultSocketDirectories = ["/run/postgresql", "/var/run/postgresql", "/tmp"]

    /// Whether `argument` is a connection URL rather than a file path.
    public static func isURL(_ argument: String) -> Bool {
        argument.hasPrefix("postgresql://") || argument.hasPrefix("postgres://")
    }

    /// Parses a connection URL.
    ///
    /// - Throws: ``CopydeskError`` `.usage` naming what is wrong (a password in the URL among
    ///   them).
    public init(url: String) throws(CopydeskError) {
        try self.init(url: url, environment: ProcessInfo.processInfo.environment)
    }

    /// Parses a connection URL, with defaults (`PGUSER`, `PGHOST`, `PGPORT`, ...) from `environment`.
    init(url: String, environment: [String: String]) throws(CopydeskError) {
        guard let schemeEnd = url.range(of: "://"), Self.isURL(url) else {
            throw CopydeskError(.usage, "not a PostgreSQL URL (postgresql://USER@HOST:PORT/DB): \(url)")
        }
        var rest = String(url[schemeEnd.upperBound...])
        var query = [String: String]()
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[Self.decode(parts[0])] = parts.count > 1 ? Self.decode(parts[1]) : ""
            }
            rest = String(rest[..<mark])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = Self.decode(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var userInfo: Substring?
        var hostPort = Substring(rest)
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
        }
        if let userInfo, userInfo.contains(":") {
            throw CopydeskError(
                .usage,
                "a password does not belong in the catalog URL (it would show in the process list): "
                    + "give it in PGPASSWORD or a .pgpass file")
        }
        if query["password"] != nil {
            throw CopydeskError(.usage, "a password does not belong in the catalog URL: give it in PGPASSWORD or a .pgpass file")
        }
        var host: String?
        var portText: String?
        if hostPort.hasPrefix("[") , let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = Self.decode(hostPort[..<colon])
            portText = String(hostPort[hostPort.index(after: colon)...])
        } else if !hostPort.isEmpty {
            host = Self.decode(hostPort)
        }
        if let queryHost = query["host"], !queryHost.isEmpty { host = queryHost }
        if let queryPort = query["port"], !queryPort.isEmpty { portText = queryPort }
        if host?.isEmpty == true { host = nil }
        let port: Int
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw CopydeskError(.usage, "the port in the catalog URL is not a port number: \(portText)")
            }
            port = value
        } else {
            port = Int(environment["PGPORT"] ?? "") ?? 5432
        }
        let user = userInfo.map(Self.decode) ?? query["user"] ?? environment["PGUSER"] ?? Self.currentUser()
        guard !user.isEmpty else { throw CopydeskError(.usage, "the catalog URL names no user") }
        self.user = user
        self.port = port
        self.database = path.isEmpty ? (query["dbname"] ?? environment["PGDATABASE"] ?? user) : path
        if let host, host.hasPrefix("/") {
            self.socketDirectory = host
            self.host = nil
        } else if let host {
            self.host = host
            self.socketDirectory = nil
        } else {
            let fromEnvironment = environment["PGHOST"].flatMap { $0.isEmpty ? nil : $0 }
            if let fromEnvironment, !fromEnvironment.hasPrefix("/") {
                self.host = fromEnvironment
                self.socketDirectory = nil
            } else {
                self.host = nil
                self.socketDirectory =
                    fromEnvironment
                    ?? Self.defaultSocketDirectories.first { directory in
                        FileManager.default.fileExists(atPath: "\(directory)/.s.PGSQL.\(port)")
                    } ?? Self.defaultSocketDirectories[0]
            }
        }
        let mode = query["sslmode"] ?? environment["PGSSLMODE"]
        switch mode {
        case nil: self.tls = self.host == nil ? .disable : .prefer
        case "disable", "allow": self.tls = .disable
        case "prefer": self.tls = .prefer
        case "require", "verify-ca": self.tls = .require
        case "verify-full": self.tls = .verifyFull
        case let other?:
            throw CopydeskError(.usage, "unknown sslmode '\(other)' (disable, prefer, require, verify-full)")
        }
    }

    /// The URL as messages show it: never a password.
    public var description: String {
        let user = Self.encode(user)
        let database = Self.encode(database)
        if let host {
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(user)@\(shown):\(port)/\(database)"
        }
        let port = port == 5432 ? "" : "&port=\(port)"
        return "postgresql://\(user)@/\(database)?host=\(socketDirectory ?? "")\(port)"
    }

    /// The server's Unix socket, for a socket connection.
    var socketPath: String? {
        socketDirectory.map { "\($0)/.s.PGSQL.\(port)" }
    }

    /// The password for this connection: `$PGPASSWORD`, else the first matching line of the
    /// `.pgpass` file (`host:port:database:user:password`, `*` matching anything; over a socket the
    /// host field matches `localhost` or the socket folder). libpq ignores a `.pgpass` that others
    /// may read, and so does copydesk.
    func password() -> String? {
        password(environment: ProcessInfo.processInfo.environment)
    }

    func password(environment: [String: String]) -> String? {
        if let password = environment["PGPASSWORD"] { return password }
        let file =
            environment["PGPASSFILE"]
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & 0o077 == 0,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return nil }
        let hosts = host.map { [$0] } ?? ["localhost", socketDirectory ?? ""]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(line)
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ values: [String]) -> Bool { field == "*" || values.contains(field) }
            if matches(fields[0], hosts), matches(fields[1], [String(port)]), matches(fields[2], [database]),
                matches(fields[3], [user])
            {
                return fields[4]
            }
        }
        return nil
    }

    /// A `.pgpass` line's fields: `:` separates, `\:` and `\\` stand for themselves.
    static func pgpassFields(_ line: Substring) -> [String] {
        var fields = [String]()
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/?#")))
            ?? text
    }

    private static func currentUser() -> String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "" }
        return String(cString: name)
    }
}
