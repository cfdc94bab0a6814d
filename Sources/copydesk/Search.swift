import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full-text search over the titles and bodies of the articles' current versions, best first.",
            discussion: """
                All words must match; a word ending in * matches as a prefix, "quoted words" as a phrase, \
                and OR between words finds either. Case and accents do not matter.
                """)

        @Argument(help: "What to search for.")
        var query: [String]

        @Flag(name: .long, help: "Print JSON Lines, one hit per line.")
        var json = false

        @Option(name: .long, help: "Show at most N hits.")
        var limit = 20

        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let hits = try await catalog.reading { try await $0.search(query.joined(separator: " "), limit: max(1, limit)) }
            if json {
                Terminal.write(hits.map { hit in
                    var object = JSONObject()
                    object.add("article", hit.article)
                    object.add("version", hit.version)
                    object.add("title", hit.title)
                    object.add("display_title", hit.displayTitle)
                    object.add("site", hit.site)
                    object.add("published", hit.published)
                    object.add("snippet", Self.marked(hit.snippet, start: "«", end: "»"))
                    object.add("rank", hit.rank)
                    object.add("killed", hit.killedAt)
                    object.add("embargo", hit.embargo)
                    object.add("embargoed", hit.embargo.map { WireMetadata(embargo: $0).isEmbargoed(at: Timestamp.now()) } ?? false)
                    return object.rendered + "\n"
                }.joined())
                return
            }
            if hits.isEmpty {
                Terminal.error("no article matches")
                return
            }
            let color = Terminal.usesColor
            var out = ""
            for hit in hits {
                let heading = "article \(hit.article)  \(hit.title ?? hit.displayTitle.map { "[\($0)]" } ?? "(untitled)")"
                out += color ? "\u{1B}[1m\(heading)\u{1B}[0m\n" : heading + "\n"
                let embargoed = hit.embargo.flatMap { embargo in
                    WireMetadata(embargo: embargo).isEmbargoed(at: Timestamp.now()) ? "EMBARGOED until \(embargo)" : nil
                }
                let killed = hit.killedAt.map { "KILLED \($0)" }
                let details = [killed, embargoed, hit.site, hit.published].compactMap { $0 }.joined(separator: ", ")
                if !details.isEmpty { out += "  \(details)\n" }
                let snippet =
                    color
                    ? Self.marked(hit.snippet, start: "\u{1B}[1;33m", end: "\u{1B}[0m")
                    : Self.marked(hit.snippet, start: "«", end: "»")
                out += "  " + snippet.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n\n"
            }
            Terminal.write(out)
        }

        static func marked(_ snippet: String, start: String, end: String) -> String {
            snippet.replacingOccurrences(of: SearchHit.matchStart, with: start)
                .replacingOccurrences(of: SearchHit.matchEnd, with: end)
        }
    }
}
