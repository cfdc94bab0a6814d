import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where the catalog lives: shared by every subcommand that touches it.
struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: "The Archive folder (default: $COPYDESK_ARCHIVE or ./Archive).")
    var archive: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The catalog: an SQLite file, or a PostgreSQL URL postgresql://USER@HOST:PORT/DB or postgresql://USER@/DB?host=/run/postgresql (default: $COPYDESK_CATALOG, $COPYDESK_DATABASE or ARCHIVE/copydesk.sqlite).",
            valueName: "CATALOG"))
    var catalog: String?

    @Option(name: .long, help: ArgumentHelp("The older name of --catalog.", visibility: .hidden))
    var database: String?

    func validate() throws {
        if catalog != nil, database != nil {
            throw ValidationError("give --catalog or --database (its older name), not both")
        }
    }

    /// The Archive folder, absolute.
    var archivePath: String {
        Paths.absolute(FileName.argument(archive ?? Paths.environment("COPYDESK_ARCHIVE") ?? "Archive"))
    }

    /// The catalog the options name.
    var location: CatalogLocation {
        get throws {
            let named = (catalog ?? database).map(FileName.argument)
                ?? (Paths.environment("COPYDESK_CATALOG") ?? Paths.environment("COPYDESK_DATABASE")).map(FileName.argument)
            if let named, PostgresLocation.isURL(named) { return try CatalogLocation(named) }
            // SQLite opens a path as text: the escaped form turned back into its bytes.
            return .sqlite(path: Paths.plain(Paths.absolute(named ?? "\(archivePath)/copydesk.sqlite")))
        }
    }

    /// Opens the catalog for reading (status, log, show, ...).
    func openForReading() async throws -> any CatalogBackend {
        try await location.openForReading()
    }

    /// Runs `body` on the catalog opened for reading, and closes it.
    func reading<T>(_ body: (any CatalogBackend) async throws -> T) async throws -> T {
        let store = try await openForReading()
        do {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }
}

struct InboxOption: ParsableArguments {
    @Option(name: .long, help: "The Inbox folder (default: $COPYDESK_INBOX or ./Inbox).")
    var inbox: String?

    var inboxPath: String {
        Paths.absolute(FileName.argument(inbox ?? Paths.environment("COPYDESK_INBOX") ?? "Inbox"))
    }
}

/// How articles are grouped into stories: shared by the commands that assign them (`watch`,
/// `ingest`, `regroup`).
struct StoryOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long a story takes new articles after its last one: 36h, 3d, 1w (default: 3d).",
            discussion: "By published time when an article says it, else by arrival; give every command that ingests into one catalog the same window.",
            valueName: "DURATION"))
    var storyWindow: String?

    /// The longest window: a year (a story open longer than that is not one event).
    static let longestWindow = Duration.seconds(366 * 86_400)

    func validate() throws {
        _ = try window
    }

    /// The window `--story-window` gives, or the assigner's default.
    var window: Duration {
        get throws {
            guard let storyWindow else { return StoryAssigner().window }
            let window: Duration
            do {
                window = try TimeExpression.duration(storyWindow)
            } catch {
                throw ValidationError("--story-window: \(error.message)")
            }
            guard window > .zero, window <= Self.longestWindow else {
                throw ValidationError("--story-window takes a length of time from 1s to 366d")
            }
            return window
        }
    }

    /// The story assigner with the chosen window (every other rule its default).
    var assigner: StoryAssigner {
        get throws { StoryAssigner(window: try window) }
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "trace, debug, info, notice, warning, error or critical (default: $COPYDESK_LOG_LEVEL or info).")
    var logLevel: String?

    @Flag(name: .shortAndLong, help: "Log every file's decision (level info) even on a terminal.")
    var verbose = false

    /// Sends swift-log output to stderr at the chosen level; called once, by the executable only.
    ///
    /// - Parameter quietOnTerminal: the level when stderr is a terminal and neither `--log-level`,
    ///   `--verbose` nor `$COPYDESK_LOG_LEVEL` chose one (`ingest` shows its progress bar there and
    ///   only what needs a person's eye); elsewhere, and under systemd, the default stays `info`.
    func bootstrap(quietOnTerminal: Logger.Level? = nil) throws {
        let chosen = logLevel ?? (verbose ? "info" : nil) ?? Paths.environment("COPYDESK_LOG_LEVEL")
        let journal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
        let terminal = !journal && isatty(STDERR_FILENO) == 1
        let level: Logger.Level
        if let chosen {
            guard let parsed = Logger.Level(rawValue: chosen.lowercased()) else {
                throw ValidationError("unknown log level '\(chosen)'")
            }
            level = parsed
        } else {
            level = terminal ? (quietOnTerminal ?? .info) : .info
        }
        // Under systemd, stderr is a journal stream: priority prefixes instead of timestamps. On a
        // terminal each line first clears the line a progress bar may be drawn on.
        LoggingSystem.bootstrap { label in
            JournalLogHandler(label: label, level: level, journal: journal, clearsLine: terminal)
        }
    }
}

enum Paths {
    static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// An escaped path (``FileName``) as the text of its bytes, for libraries that open paths
    /// themselves (SQLite, the metrics file).
    static func plain(_ escaped: String) -> String {
        String(decoding: FileName.bytes(escaped), as: UTF8.self)
    }

    /// `path` made absolute against the working directory, without resolving symlinks.
    static func absolute(_ path: String) -> String {
        // The working directory is escaped as any name is (``FileName``): `path` already is.
        let directory = FileName.escape(Array(FileManager.default.currentDirectoryPath.utf8))
        var result = path.hasPrefix("/") ? path : directory + "/" + path
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result.replacingOccurrences(of: "/./", with: "/")
    }
}
