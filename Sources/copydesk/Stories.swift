import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Stories: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The stories: the coverage of one event across outlets, newest activity first.")

        @Flag(name: .long, help: "Print JSON Lines, one story per line (its article ids under \"articles\").")
        var json = false

        @Option(name: .long, help: "Only stories active since WHEN: ISO 8601 (2026-11-24T09:30Z), 10m, 2h, 3d, today, yesterday.")
        var since: String?

        @Option(name: .long, help: "Show at most N stories (0: all).")
        var limit = 20

        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let since = try self.since.map { text throws(CopydeskError) in
                try TimeExpression.parse(text, now: TimeExpression.nowSeconds())
            }
            let stories = try await catalog.reading { try await $0.stories(since: since, limit: max(0, limit)) }
            if json {
                Terminal.write(stories.map { $0.json.rendered + "\n" }.joined())
                return
            }
            var table = Table(header: ["STORY", "LAST SEEN", "FIRST SEEN", "ARTICLES", "OUTLETS", "HEADLINE"])
            for story in stories {
                table.rows.append([
                    String(story.story), Self.day(story.lastSeen), Self.day(story.firstSeen), String(story.articles.count),
                    String(story.outlets), story.headline ?? "",
                ])
            }
            Terminal.write(stories.isEmpty ? "no stories\n" : table.render(color: Terminal.usesColor))
        }

        /// `2026-03-23T10:15:00.000Z` → `2026-03-23 10:15`.
        static func day(_ time: String) -> String {
            String(time.replacingOccurrences(of: "T", with: " ").prefix(16))
        }
    }

    struct Story: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One story: its articles in time order, who carried it, and which share sentences with which.")

        @Argument(help: "A story id (an id merged into another story shows that story).")
        var id: Int64

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let (found, regrouped) = try await catalog.reading { reader in
                let record = try await reader.story(id)
                return (record, record == nil ? try await reader.events(limit: 1, kind: .regrouped).last : nil)
            }
            guard let record = found else {
                // Ids from before a regroup are gone: say so rather than leave the id a mystery.
                let since = regrouped.map { " (the stories were regrouped at \(Stories.day($0.time)), and ids from before are gone)" }
                throw CopydeskError(.usage, "no story \(id): unknown id" + (since ?? ""))
            }
            let sharing = StorySharing(record.articles)
            if json {
                var object = record.summary.json
                object.add("merged", record.merged)
                object.add(
                    "items",
                    record.articles.map { article in
                        var entry = JSONObject()
                        entry.add("article", article.article)
                        entry.add("time", article.time)
                        entry.add("outlet", article.outlet)
                        entry.add("headline", article.headline)
                        entry.add("agency", sharing.agency[article.article])
                        if let source = sharing.source[article.article] {
                            entry.add("shares_with", source.article)
                            entry.add("shared_sentences", Int64(source.count))
                        }
                        return entry
                    })
                print(object.rendered)
                return
            }
            let summary = record.summary
            var out = "story \(summary.story): \(summary.headline ?? "")\n"
            out += "\(summary.articles.count) article\(summary.articles.count == 1 ? "" : "s") from \(summary.outlets) "
                + "outlet\(summary.outlets == 1 ? "" : "s"), \(Stories.day(summary.firstSeen)) to \(Stories.day(summary.lastSeen))"
            if !record.merged.isEmpty { out += "; merged: " + record.merged.map(String.init).joined(separator: ", ") }
            out += "\n\n"
            var table = Table(header: ["ARTICLE", "TIME", "OUTLET", "AGENCY", "SHARES SENTENCES WITH", "HEADLINE"])
            for article in record.articles {
                let source = sharing.source[article.article].map { "article \($0.article) (\($0.count))" } ?? ""
                table.rows.append([
                    String(article.article), Stories.day(article.time), article.outlet ?? "",
                    sharing.agency[article.article] ?? "", source, article.headline ?? "",
                ])
            }
            Terminal.write(out + table.render(color: Terminal.usesColor))
        }
    }
}

extension StorySummary {
    /// The story as `stories --json` prints it.
    var json: JSONObject {
        var object = JSONObject()
        object.add("story", story)
        object.add("headline", headline)
        object.add("articles", articles)
        object.add("article_count", Int64(articles.count))
        object.add("outlets", Int64(outlets))
        object.add("first_seen", firstSeen)
        object.add("last_seen", lastSeen)
        return object
    }
}

/// Which articles of a story share sentences: for each article, the earlier article it shares the
/// most sentences with (the agency copy an outlet carried, or the outlet's own earlier text), and
/// the agency its dateline credits.
struct StorySharing {
    /// Article → the earlier article sharing most of its sentences, and how many.
    var source: [Int64: (article: Int64, count: Int)] = [:]
    /// Article → the agency its dateline credits (`BRUSSELS (AFP) -` → AFP).
    var agency: [Int64: String] = [:]

    /// `articles` in time order.
    init(_ articles: [StoryArticle]) {
        var earlier = [(article: Int64, sentences: Set<String>)]()
        for article in articles {
            if let first = article.paragraphs.first, let credit = Dateline.parse(first)?.credit {
                agency[article.article] = credit
            }
            let sentences = Self.sentences(article.paragraphs)
            let best = earlier.map { ($0.article, $0.sentences.intersection(sentences).count) }
                .filter { $0.1 > 0 }.max { $0.1 < $1.1 }
            if let best { source[article.article] = (best.0, best.1) }
            earlier.append((article.article, sentences))
        }
    }

    /// The sentences of a text worth comparing (six words or more), lower case, letters and digits
    /// only, one space between words.
    static func sentences(_ paragraphs: [String]) -> Set<String> {
        var sentences = Set<String>()
        for paragraph in paragraphs {
            var words = [String]()
            var word = ""
            func endWord() {
                if !word.isEmpty { words.append(word) }
                word = ""
            }
            func endSentence() {
                endWord()
                if words.count >= 6 { sentences.insert(words.joined(separator: " ")) }
                words.removeAll()
            }
            for character in Dateline.strip(paragraph) {
                if character.isLetter || character.isNumber {
                    word += character.lowercased()
                } else if ".!?".contains(character) {
                    endSentence()
                } else {
                    endWord()
                }
            }
            endSentence()
        }
        return sentences
    }
}
