public import CopydeskCore
internal import GRDB
internal import Foundation

extension SQLiteCatalog {
    /// Full-text search (SQLite FTS5, bm25 ranking, title weighted ×4) over the titles and bodies of
    /// the articles' current versions (``CurrentVersion``).
    ///
    /// - Parameter query: words to find, all of them (each may end with `*` for a prefix);
    ///   `"quoted phrases"` match as phrases, and `OR` between words finds either.
    /// - Throws: ``CopydeskError`` `.usage` for a query with nothing to search for.
    public func search(_ query: String, limit: Int = 20) async throws(CopydeskError) -> [SearchHit] {
        guard let parsed = SearchQuery(query) else {
            throw CopydeskError(.usage, "nothing to search for in '\(query)'")
        }
        let expression = Self.ftsExpression(parsed)
        return try await readAsync { db in
            // The search index follows the current version from migration v6 on; a reader may open
            // a catalog the daemon has not migrated yet.
            let columns = try db.columns(in: "article").map(\.name)
            let indexed = columns.contains("current_version_id") ? "current_version_id" : "latest_version_id"
            // Kills and embargoes from migration v8 on.
            let wire =
                columns.contains("killed_at")
                ? """
                    article.killed_at AS killed_at,
                    (SELECT embargo FROM wire_item WHERE wire_item.article_id = article.id ORDER BY wire_item.id DESC LIMIT 1)
                        AS embargo
                    """ : "NULL AS killed_at, NULL AS embargo"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT article_search.rowid AS article, article.\(indexed) AS version,
                        version.title, substr(version.body, 1, 400) AS lead, version.site, version.published,
                        snippet(article_search, 1, char(2), char(3), '…', 16) AS snippet,
                        bm25(article_search, 4.0, 1.0) AS rank, \(wire)
                    FROM article_search
                    JOIN article ON article.id = article_search.rowid
                    JOIN version ON version.id = article.\(indexed)
                    WHERE article_search MATCH ?
                    ORDER BY rank LIMIT ?
                    """,
                arguments: [expression, limit]
            ).map { row in
                SearchHit(
                    article: row["article"], version: row["version"], title: row["title"],
                    displayTitle: DisplayTitle.of(title: row["title"], paragraphs: [row["lead"] ?? ""]), site: row["site"],
                    published: row["published"], snippet: row["snippet"] ?? "", rank: row["rank"],
                    killedAt: row["killed_at"], embargo: row["embargo"])
            }
        }
    }

    /// The query as an FTS5 expression: every word a quoted string (so that punctuation and FTS5
    /// keywords in it are plain text), `word*` a prefix, phrases quoted, `OR` between alternatives.
    static func ftsExpression(_ query: SearchQuery) -> String {
        query.groups.map { group in
            group.map { term in
                switch term {
                case .word(let word, let prefix): quote(word) + (prefix ? "*" : "")
                case .phrase(let phrase): quote(phrase)
                }
            }.joined(separator: " OR ")
        }.joined(separator: " ")
    }

    private static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
