import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging

/// Where the catalog lives: shared by every subcommand that touches it.
struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: "The Archive folder (default: $COPYDESK_ARCHIVE or ./Archive).")
    var archive: String?

    @Option(name: .long, help: "The catalog file (default: $COPYDESK_DATABASE or ARCHIVE/copydesk.sqlite).")
    var database: String?

    /// The Archive folder, absolute.
    var archivePath: String {
        Paths.absolute(archive ?? Paths.environment("COPYDESK_ARCHIVE") ?? "Archive")
    }

    /// The catalog file, absolute.
    var databasePath: String {
        Paths.absolute(database ?? Paths.environment("COPYDESK_DATABASE") ?? "\(archivePath)/copydesk.sqlite")
    }

    /// Opens the catalog for reading (status, log).
    func openForReading() throws -> Catalog {
        try Catalog.openForReading(path: databasePath)
    }
}

struct InboxOption: ParsableArguments {
    @Option(name: .long, help: "The Inbox folder (default: $COPYDESK_INBOX or ./Inbox).")
    var inbox: String?

    var inboxPath: String {
        Paths.absolute(inbox ?? Paths.environment("COPYDESK_INBOX") ?? "Inbox")
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "trace, debug, info, notice, warning, error or critical (default: $COPYDESK_LOG_LEVEL or info).")
    var logLevel: String?

    /// Sends swift-log output to stderr at the chosen level; called once, by the executable only.
    func bootstrap() throws {
        let name = logLevel ?? Paths.environment("COPYDESK_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw ValidationError("unknown log level '\(name)'")
        }
        // Under systemd, stderr is a journal stream: priority prefixes instead of timestamps.
        let journal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in
            JournalLogHandler(label: label, level: level, journal: journal)
        }
    }
}

enum Paths {
    static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// `path` made absolute against the working directory, without resolving symlinks.
    static func absolute(_ path: String) -> String {
        var result = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result.replacingOccurrences(of: "/./", with: "/")
    }
}
