import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The ingestion log, oldest to newest: one line per event.")

        @Flag(name: .long, help: "Print JSON Lines, one event per line.")
        var json = false

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

        func run() throws {
            let kind = event.flatMap(EventKind.init(rawValue:))
            let events = try catalog.openForReading().events(limit: limit, kind: kind, file: file)
            if json {
                Terminal.write(events.map { $0.json.rendered + "\n" }.joined())
                return
            }
            let color = Terminal.usesColor
            var table = Table(header: ["TIME", "EVENT", "FILE", "ARTICLE", "SIMILARITY", "MESSAGE"])
            for event in events {
                var kind = event.kind.rawValue
                if color { kind = Self.colored(event.kind, kind) }
                table.rows.append([
                    event.time.replacingOccurrences(of: "T", with: " "), kind, event.file ?? "",
                    event.article.map(String.init) ?? "", event.similarity.map { String(format2: $0) } ?? "",
                    event.message ?? "",
                ])
            }
            Terminal.write(table.render(color: color))
        }

        static func colored(_ kind: EventKind, _ text: String) -> String {
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
}

extension String {
    init(format2 value: Double) {
        let rounded = (value * 100).rounded() / 100
        self = String(rounded)
    }
}
