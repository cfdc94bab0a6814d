public import CopydeskCore

/// Where a catalog lives, as `--catalog` (or `--database`, or `$COPYDESK_CATALOG`) names it, and the
/// backend that opens it.
public enum CatalogLocation: Sendable, Hashable {
    /// An SQLite file (the embedded default, one machine).
    case sqlite(path: String)

    /// The location an argument names: any argument that is not a connection URL is an SQLite file
    /// path.
    public init(_ argument: String) {
        self = .sqlite(path: argument)
    }

    /// What messages name: the file path.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        }
    }

    /// The engine's name, as `status` shows it.
    public var backend: String {
        switch self {
        case .sqlite: "sqlite"
        }
    }

    /// Opens the catalog for writing (creating and migrating it where needed).
    ///
    /// - Parameter busyTimeout: how long a write waits for other writers before it fails.
    public func openForWriting(busyTimeout: Duration) async throws(CopydeskError) -> any CatalogBackend {
        switch self {
        case .sqlite(let path): try SQLiteCatalog(path: path, busyTimeout: busyTimeout)
        }
    }

    /// Opens an existing catalog for reading only (the commands): never creates, migrates or writes
    /// it.
    public func openForReading() async throws(CopydeskError) -> any CatalogBackend {
        switch self {
        case .sqlite(let path): try SQLiteCatalog.openForReading(path: path)
        }
    }
}
