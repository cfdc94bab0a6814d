import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The ingestion log, oldest to newest: one line per event.")

        @Flag(name: .long, help: "Print JSON Lines, one event per line.")
        var json = false

        @Flag(name: .shortAndLong, help: "Keep printing new events as the daemon commits them (Ctrl-C to stop).")
        var follow = false

        @Option(name: .long, help: "Only events since WHEN: ISO 8601 (2026-11-24T09:30Z), 10m, 2h, 3d, today, yesterday.")
        var since: String?

        @Option(name: .long, help: "Show the newest N events (0 for all).")
        var limit = 100

        @Option(name: .long, help: "Only events of this kind (\(EventKind.allCases.map(\.rawValue).joined(separator: ", "))).")
        var event: String?

        @Option(name: .long, help: "Only events about this file (its name as logged).")
        var file: String?

        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
            if let event, EventKind(rawValue: event) == nil {
                throw ValidationError(
                    "unknown event kind '\(event)'; one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            var filter = EventFilter(kind: event.flatMap(EventKind.init(rawValue:)), file: file)
            if let since {
                filter.since = try TimeExpression.parse(since, now: TimeExpression.nowSeconds())
            }
            let store = try await catalog.openForReading()
            let events = try await store.events(filter, limit: limit)
            let table = EventTable(color: Terminal.usesColor)
            if json {
                Terminal.write(events.map { $0.json.rendered + "\n" }.joined())
            } else {
                Terminal.write(table.render(events, fixedWidths: follow))
            }
            guard follow else { return }
            if let last = events.last {
                filter.afterID = last.id
            } else {
                filter.afterID = try await store.lastEvent()?.id ?? 0
            }
            while true {
                try await store.waitForEvents(after: filter.afterID ?? 0, timeout: .seconds(5))
                let new = try await store.events(filter, limit: 0)
                guard let last = new.last else { continue }
                filter.afterID = last.id
                Terminal.write(
                    json ? new.map { $0.json.rendered + "\n" }.joined() : table.rows(new, fixedWidths: true))
            }
        }
    }
}

/// The log as a table: time, event, file, article, similarity, message.
struct EventTable {
    var color: Bool

    static let header = ["TIME", "EVENT", "FILE", "ARTICLE", "SIMILARITY", "MESSAGE"]
    /// Column widths when rows arrive one at a time (`--follow`).
    static let fixedWidths = [23, 11, 28, 7, 10, 0]

    /// The header and the rows.
    func render(_ events: [IngestEvent], fixedWidths: Bool = false) -> String {
        var table = Table(header: Self.header)
        table.rows = events.map(cells)
        if fixedWidths { table.minimumWidths = Self.fixedWidths }
        return table.render(color: color, colorize: colorize)
    }

    /// Only the rows, at the fixed widths.
    func rows(_ events: [IngestEvent], fixedWidths: Bool) -> String {
        var table = Table(header: Self.header)
        table.rows = events.map(cells)
        table.minimumWidths = Self.fixedWidths
        return table.render(color: color, colorize: colorize, header: false)
    }

    private func cells(_ event: IngestEvent) -> [String] {
        [
            String(event.time.replacingOccurrences(of: "T", with: " ").dropLast()), event.kind.rawValue,
            (event.file ?? "") + (event.item.map { " [item \($0)]" } ?? ""), event.article.map(String.init) ?? "",
            event.similarity.map { String(format: "%.2f", $0) } ?? "", event.message ?? "",
        ]
    }

    /// Colours the event column by kind.
    private func colorize(_ column: Int, _ text: String) -> String {
        guard column == 1, let kind = EventKind(rawValue: text.trimmingCharacters(in: .whitespaces)) else { return text }
        let code =
            switch kind {
            case .newArticle: "32"
            case .newVersion: "36"
            case .duplicate: "33"
            case .rejected, .error: "31"
            default: "2"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
