public import CopydeskCore

/// Where a catalog lives, as `--catalog` (or `--database`, or `$COPYDESK_CATALOG`) names it, and the
/// backend that opens it.
public enum CatalogLocation: Sendable, Hashable {
    /// An SQLite file (the embedded default, one machine).
    case sqlite(path: String)
    /// A PostgreSQL database that several nodes share.
    case postgres(PostgresLocation)

    /// The location an argument names: a `postgresql://` (or `postgres://`) URL, or else an SQLite
    /// file path.
    ///
    /// - Throws: ``CopydeskError`` `.usage` for a URL that cannot be read.
    public init(_ argument: String) throws(CopydeskError) {
        if PostgresLocation.isURL(argument) {
            self = .postgres(try PostgresLocation(url: argument))
        } else {
            self = .sqlite(path: argument)
        }
    }

    /// What messages name: the file path, or the URL without a password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }

    /// The engine's name, as `status` shows it.
    public var backend: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgresql"
        }
    }

    /// Opens the catalog for writing (creating and migrating it where needed).
    ///
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for other writers before it fails.
    ///   - storyAssigner: how each new article is assigned to a story (`--story-window`).
    public func openForWriting(
        busyTimeout: Duration, storyAssigner: StoryAssigner = StoryAssigner()
    ) async throws(CopydeskError) -> any CatalogBackend {
        switch self {
        case .sqlite(let path):
            try SQLiteCatalog(path: path, busyTimeout: busyTimeout, storyAssigner: storyAssigner)
        case .postgres(let location):
            try await PostgresCatalog.openForWriting(location, busyTimeout: busyTimeout, storyAssigner: storyAssigner)
        }
    }

    /// Opens an existing catalog for reading only (the commands): never creates, migrates or writes
    /// it.
    public func openForReading() async throws(CopydeskError) -> any CatalogBackend {
        switch self {
        case .sqlite(let path): try SQLiteCatalog.openForReading(path: path)
        case .postgres(let location): try await PostgresCatalog.openForReading(location)
        }
    }
}
