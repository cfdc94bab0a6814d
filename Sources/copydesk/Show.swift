import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An article with all its versions (relation, parent, similarity) and every file received for it.")

        @Argument(help: "An article id, a file name as logged, or a SHA-256 prefix (8 or more hex digits).")
        var reference: String

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let (id, found) = try await catalog.reading { store in
                let id = try await store.resolveArticle(reference)
                return (id, try await store.article(id))
            }
            guard let article = found else {
                throw CopydeskError(.usage, "no article \(id)")
            }
            if json {
                print(article.json.rendered)
            } else {
                Terminal.write(Self.render(article, color: Terminal.usesColor))
            }
        }

        static func render(_ article: ArticleRecord, color: Bool) -> String {
            func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
            // Named after its current version; an untitled text by its first words, marked as derived.
            let title = article.displayTitle.map { article.titleIsDerived ? "[\($0)]" : $0 }
            var out = bold("article \(article.id)") + (title.map { ": \($0)" } ?? "") + "\n"
            if let story = article.story { out += "story \(story) (copydesk story \(story))\n" }
            out +=
                "created \(article.createdAt), \(article.versions.count) version"
                + "\(article.versions.count == 1 ? "" : "s"), \(article.receipts.count) file"
                + "\(article.receipts.count == 1 ? "" : "s")\n"
            if let current = article.current {
                out += "current version \(current.id) (* below: its newest full text)"
                if let latest = article.latestVersion, latest != current.id {
                    out += "; latest arrival: version \(latest)"
                }
                out += "\n"
            }
            if let killed = article.killedAt {
                out += bold("KILLED") + " \(killed.replacingOccurrences(of: "T", with: " ")): withdrawn by the agency\n"
            }
            if let wire = article.latestWire?.wire {
                var line = "wire: " + [
                    wire.provider.map { "provider \($0)" }, wire.id.map { "id \($0)" },
                    wire.version.map { "version \($0)" }, "status \(wire.status)",
                    wire.urgency.map { "urgency \($0)" }, wire.dateline.map { "dateline \($0)" },
                ].compactMap { $0 }.joined(separator: ", ")
                if let embargo = wire.embargo {
                    line += wire.isEmbargoed(at: Timestamp.now()) ? "; EMBARGOED until \(embargo)" : "; embargo \(embargo) (lifted)"
                }
                out += line + "\n"
            }
            out += "\n"
            var versions = Table(header: [
                "VERSION", "CREATED", "RELATION", "PARENT", "SIMILARITY", "WORDS", "SITE", "CONTENT SHA-256", "TITLE",
            ])
            for version in article.versions {
                let words = version.text.paragraphs.reduce(0) { $0 + $1.split(whereSeparator: \.isWhitespace).count }
                versions.rows.append([
                    String(version.id) + (version.id == article.current?.id ? "*" : ""),
                    version.createdAt.replacingOccurrences(of: "T", with: " "),
                    version.displayRelation, version.parent.map(String.init) ?? "",
                    version.similarity.map { String(format2: $0) } ?? "", String(words), version.text.site ?? "",
                    String(version.contentSHA256.prefix(16)),
                    DisplayTitle.shown(title: version.text.title, paragraphs: version.text.paragraphs),
                ])
            }
            out += versions.render(color: color)
            out += "\n"
            var receipts = Table(header: [
                "RECEIPT", "ARRIVED", "DECISION", "VERSION", "RAW SHA-256", "ARCHIVE PATH", "FILE",
            ])
            for receipt in article.receipts {
                receipts.rows.append([
                    String(receipt.id), receipt.arrivedAt.replacingOccurrences(of: "T", with: " "),
                    receipt.decision.rawValue, receipt.version.map(String.init) ?? "",
                    String(receipt.rawSHA256.prefix(16)), receipt.archivePath,
                    receipt.fileName + (receipt.item.map { " [item \($0)]" } ?? ""),
                ])
            }
            out += receipts.render(color: color)
            if !article.wireItems.isEmpty {
                out += "\n"
                var items = Table(header: [
                    "RECEIPT", "RECORDED", "ID", "WIRE VERSION", "STATUS", "SIGNALS", "URGENCY", "EMBARGO", "TEXT", "BASIS",
                ])
                for item in article.wireItems {
                    items.rows.append([
                        item.receipt.map(String.init) ?? "", item.recordedAt.replacingOccurrences(of: "T", with: " "),
                        item.wire.id ?? "", item.wire.version ?? "", item.wire.status,
                        item.wire.signals.joined(separator: " "), item.wire.urgency.map(String.init) ?? "",
                        item.wire.embargo ?? "", "version \(item.version)", item.basis,
                    ])
                }
                out += items.render(color: color)
            }
            return out
        }
    }
}

extension ArticleRecord {
    /// The article as `show --json` prints it: the article's fields, then `versions` and `receipts`
    /// as arrays of objects, oldest first.
    var json: JSONObject {
        var object = JSONObject()
        object.add("article", id)
        object.add("created", createdAt)
        object.add("display_title", displayTitle)
        object.add("current_version", current?.id)
        object.add("latest_version", latestVersion)
        object.add("killed", killedAt)
        object.add("story", story)
        object.add(
            "wire",
            wireItems.map { item in
                var entry = item.wire.jsonObject
                entry.add("receipt", item.receipt)
                entry.add("text_version", item.version)
                entry.add("basis", item.basis)
                entry.add("recorded", item.recordedAt)
                entry.add("embargoed_now", item.wire.isEmbargoed(at: Timestamp.now()))
                return entry
            })
        object.add(
            "versions",
            versions.map { version in
                var entry = JSONObject()
                entry.add("version", version.id)
                entry.add("created", version.createdAt)
                entry.add("parent", version.parent)
                entry.add("relation", version.relation?.rawValue)
                entry.add("renormalized", version.renormalized)
                entry.add("similarity", version.similarity)
                entry.add("title", version.text.title)
                entry.add("display_title", DisplayTitle.of(title: version.text.title, paragraphs: version.text.paragraphs))
                entry.add("current", version.id == current?.id)
                entry.add("byline", version.text.byline)
                entry.add("published", version.text.published)
                entry.add("site", version.text.site)
                entry.add("url", version.text.url)
                entry.add("language", version.text.language)
                entry.add("format", version.text.format.rawValue)
                entry.add("charset", version.text.charset)
                entry.add("content_sha256", version.contentSHA256)
                entry.add("normalizer_version", version.normalizerVersion)
                entry.add("body", version.text.body)
                return entry
            })
        object.add(
            "receipts",
            receipts.map { receipt in
                var entry = JSONObject()
                entry.add("receipt", receipt.id)
                entry.add("file", receipt.fileName)
                entry.add("arrived", receipt.arrivedAt)
                entry.add("size", receipt.size)
                entry.add("raw_sha256", receipt.rawSHA256)
                entry.add("format", receipt.format)
                entry.add("charset", receipt.charset)
                entry.add("decision", receipt.decision.rawValue)
                entry.add("version", receipt.version)
                entry.add("similarity", receipt.similarity)
                entry.add("archive_path", receipt.archivePath)
                entry.add("state", receipt.state)
                entry.add("item", receipt.item.map(Int64.init))
                return entry
            })
        return object
    }
}

extension VersionRecord {
    /// The RELATION column of `show`.
    var displayRelation: String {
        if renormalized { return "renormalized" }
        return relation?.rawValue ?? "first"
    }
}
