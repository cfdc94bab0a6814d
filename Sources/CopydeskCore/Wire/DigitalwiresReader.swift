internal import Foundation

/// Reads dpa digitalwires JSON entries: the `urn` (the same for every version of an article),
/// `version`, `pubstatus`, `signal`, `urgency`, `embargoed`, `dateline`, `headline`, `byline`,
/// `language`, `version_created`, and the body in `article_html`.
///
/// The body is `article_html` alone, through the HTML normalizer's text rules: the teaser, kicker,
/// infobox and link box, the notepad (`Notizblock`), editorial notes and media are fields of their
/// own, not text of the article. A file holds one entry, an array of them, or an API answer with
/// an `entries` array (one result per entry).
enum DigitalwiresReader {
    /// Whether the text is JSON with a digitalwires entry: a `urn` and one of the keys that only
    /// digitalwires has (`article_html`, `entry_id`, or `format` naming digitalwires).
    static func looksLikeDigitalwires(_ text: some StringProtocol) -> Bool {
        let start = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        guard start.first == "{" || start.first == "[" else { return false }
        let head = String(text.prefix(8192))
        guard head.contains("\"urn\"") else { return false }
        return head.contains("\"article_html\"") || head.contains("\"entry_id\"") || head.contains("\"digitalwires")
    }

    /// The entries of a file, one result each.
    ///
    /// - Throws: ``CopydeskError`` `.parseFailed` for JSON that cannot be read, `.emptyInput` for an
    ///   empty list of entries.
    static func readItems(_ text: String, charset: String, deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        guard let data = text.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) else {
            throw CopydeskError(.parseFailed, "not valid JSON: a digitalwires file holds an entry, a list of them or an API answer with entries")
        }
        let entries: [Any]
        if let object = value as? [String: Any], let list = object["entries"] as? [Any] {
            entries = list
        } else {
            entries = (value as? [Any]) ?? [value]
        }
        guard !entries.isEmpty else { throw CopydeskError(.emptyInput, "a digitalwires file without entries") }
        return WireText.items(entries, what: "digitalwires entry") { object throws(CopydeskError) in
            try read(object, charset: charset, deadline: deadline)
        }
    }

    /// The article one entry holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for an entry without text (a picture or media entry, an
    ///   empty one).
    static func read(_ entry: [String: Any], charset: String, deadline: Deadline) throws(CopydeskError) -> Article {
        func string(_ key: String) -> String? {
            guard let value = entry[key] as? String else { return nil }
            let trimmed = WireText.oneLine(value)
            return trimmed.isEmpty ? nil : trimmed
        }
        func scalar(_ key: String) -> String? {
            string(key) ?? (entry[key] as? NSNumber)?.stringValue
        }
        let headline = string("headline")
        var paragraphs = [String]()
        if let html = entry["article_html"] as? String, html.contains(where: { !$0.isWhitespace }) {
            do throws(CopydeskError) {
                paragraphs = try WireText.paragraphs(html: html, deadline: deadline)
            } catch where error.code == .noText {
                paragraphs = []
            }
        }
        guard !paragraphs.isEmpty || headline != nil && entry["article_html"] is String else {
            let type = string("type").map { " (\($0))" } ?? ""
            throw CopydeskError(.noText, "a digitalwires entry\(type) without article text, not an article")
        }
        let categories = (entry["categories"] as? [[String: Any]]) ?? []
        func qcodes(_ type: String) -> [String] {
            categories.filter { ($0["type"] as? String) == type }.compactMap { $0["qcode"] as? String }
        }
        var signals = [String]()
        for signal in Self.list(entry["signal"]) + Self.list(entry["signals"]) + qcodes("dnltype:signal")
        where !signals.contains(signal) {
            signals.append(signal)
        }
        let status = (string("pubstatus") ?? qcodes("dnltype:pubstatus").first).map(WireText.status) ?? "usable"
        let wire = WireMetadata(
            id: string("urn"), version: scalar("version"), status: status, signals: signals,
            urgency: scalar("urgency").flatMap { Int($0) },
            embargo: string("embargoed").flatMap(ISO8601Normalizer.normalize),
            dateline: string("dateline"), provider: string("creditline"))
        return Article(
            format: .dpaDigitalwires, charset: charset, title: headline, byline: string("byline"),
            published: (string("version_created") ?? string("content_created")).flatMap(ISO8601Normalizer.normalize),
            language: string("language"), paragraphs: paragraphs.isEmpty ? [headline!] : paragraphs, wire: wire)
    }

    /// A string, a list of strings, or nothing.
    private static func list(_ value: Any?) -> [String] {
        if let text = value as? String {
            return text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        }
        return (value as? [Any])?.compactMap { $0 as? String } ?? []
    }
}
