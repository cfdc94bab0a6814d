import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changed between two versions of an article, word by word.",
            discussion: """
                Without V1 and V2, the current version (the article's newest full text) is compared with the \
                version it came from. Removed words are \
                shown [-like this-] and inserted words {+like this+}, or in red and green on a terminal \
                (unless NO_COLOR is set); unchanged paragraphs are summarized.
                """)

        @Argument(help: "An article id, a file name as logged, or a SHA-256 prefix (8 or more hex digits).")
        var reference: String

        @Argument(help: "The older version's id.")
        var from: Int64?

        @Argument(help: "The newer version's id.")
        var to: Int64?

        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            if (from == nil) != (to == nil) { throw ValidationError("give both versions (V1 V2) or neither") }
        }

        func run() async throws {
            let (id, found) = try await catalog.reading { store in
                let id = try await store.resolveArticle(reference)
                return (id, try await store.article(id))
            }
            guard let article = found else { throw CopydeskError(.usage, "no article \(id)") }
            let pair: (VersionRecord, VersionRecord)
            if let from, let to {
                pair = (try Self.version(from, of: article), try Self.version(to, of: article))
            } else {
                // The current version (the article's best full text) against the version it came from.
                guard let current = article.current else {
                    throw CopydeskError(.usage, "article \(id) has no versions")
                }
                guard let base = current.parent.flatMap({ parent in article.versions.first(where: { $0.id == parent }) })
                else {
                    let others = article.versions.filter { $0.id != current.id }.map { String($0.id) }
                    Terminal.write(
                        others.isEmpty
                            ? "article \(id) has one version (\(current.id)); nothing to compare\n"
                            : "article \(id): its current version \(current.id) has no earlier version; give two "
                                + "versions to compare (the others: \(others.joined(separator: ", ")))\n")
                    return
                }
                pair = (base, current)
            }
            Terminal.write(Self.render(old: pair.0, new: pair.1, color: Terminal.usesColor))
        }

        static func version(_ id: Int64, of article: ArticleRecord) throws -> VersionRecord {
            guard let version = article.versions.first(where: { $0.id == id }) else {
                throw CopydeskError(
                    .usage,
                    "version \(id) is not a version of article \(article.id) (its versions: "
                        + article.versions.map { String($0.id) }.joined(separator: ", ") + ")")
            }
            return version
        }

        static func render(old: VersionRecord, new: VersionRecord, color: Bool) -> String {
            func paint(_ code: String, _ text: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
            func describe(_ version: VersionRecord) -> String {
                var parts = ["version \(version.id)", version.createdAt]
                if let relation = version.relation, let parent = version.parent {
                    parts.append("\(relation.rawValue) of \(parent)")
                }
                if let site = version.text.site { parts.append(site) }
                return parts.joined(separator: ", ")
            }
            var out = paint("1", "--- " + describe(old)) + "\n" + paint("1", "+++ " + describe(new)) + "\n"
            let fields: [(String, String?, String?)] = [
                ("title", old.text.title, new.text.title), ("byline", old.text.byline, new.text.byline),
                ("published", old.text.published, new.text.published), ("site", old.text.site, new.text.site),
                ("url", old.text.url, new.text.url), ("format", old.text.format.rawValue, new.text.format.rawValue),
            ]
            for (name, before, after) in fields where before != after {
                out += "\(name): " + paint("31", before ?? "(none)") + " → " + paint("32", after ?? "(none)") + "\n"
            }
            let diff = WordDiff(old: old.text.paragraphs, new: new.text.paragraphs)
            if diff.isEmpty {
                out += "\nthe texts are the same word for word\n"
                return out
            }
            let (removed, inserted) = diff.counts
            out += "\n\(removed) word\(removed == 1 ? "" : "s") removed, \(inserted) inserted\n\n"
            // One output paragraph at a time: printed when it holds a change, counted otherwise.
            var paragraph = ""
            var changed = false
            var unchanged = 0
            func flush() {
                if changed {
                    if unchanged > 0 {
                        out += paint("2", "[… \(unchanged) unchanged paragraph\(unchanged == 1 ? "" : "s") …]") + "\n\n"
                    }
                    unchanged = 0
                    out += paragraph + "\n\n"
                } else if !paragraph.isEmpty {
                    unchanged += 1
                }
                paragraph = ""
                changed = false
            }
            func append(_ text: String) {
                if !paragraph.isEmpty { paragraph += " " }
                paragraph += text
            }
            for segment in diff.segments {
                switch segment.change {
                case .same:
                    var run = [String]()
                    for word in segment.words {
                        if word == WordDiff.paragraphBreak {
                            if !run.isEmpty { append(run.joined(separator: " ")) }
                            run = []
                            flush()
                        } else {
                            run.append(word)
                        }
                    }
                    if !run.isEmpty { append(run.joined(separator: " ")) }
                case .removed:
                    // Removed paragraph breaks (paragraphs joined) show inline as ¶.
                    let text = segment.words.map { $0 == WordDiff.paragraphBreak ? "¶" : $0 }.joined(separator: " ")
                    append(color ? paint("31;9", text) : "[-\(text)-]")
                    changed = true
                case .inserted:
                    // Inserted paragraph breaks start a new paragraph; an inserted paragraph is printed
                    // as one of its own.
                    let parts = segment.words.split(
                        separator: WordDiff.paragraphBreak, omittingEmptySubsequences: false)
                    for (index, part) in parts.enumerated() {
                        if index > 0 {
                            if changed || index > 1 || !parts[0].isEmpty {
                                append(color ? paint("32", "¶") : "{+¶+}")
                                changed = true
                            }
                            flush()
                        }
                        guard !part.isEmpty else { continue }
                        let text = part.joined(separator: " ")
                        append(color ? paint("32", text) : "{+\(text)+}")
                        changed = true
                    }
                }
            }
            flush()
            if unchanged > 0 {
                out += paint("2", "[… \(unchanged) unchanged paragraph\(unchanged == 1 ? "" : "s") …]") + "\n"
            }
            return out
        }
    }
}
