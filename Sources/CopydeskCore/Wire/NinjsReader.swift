internal import Foundation

/// Reads an IPTC ninjs item (News in JSON, versions 1.x to 3.x): the headline, byline, body,
/// language, times and the identity and status the item declares.
///
/// The versions name their properties differently: 1.x and 2.x in lowercase (`versioncreated`,
/// `body_html`, `headline`), 2.x with lists (`headlines`, `bodies`, each with a `role` and a
/// `contenttype`), 3.x in camel case (`versionCreated`, `pubStatus`, `contentType`). Property names
/// are therefore compared lowercased and without `_`. A body in HTML goes through the HTML
/// normalizer's text rules, as a page's does.
enum NinjsReader {
    /// Whether the text is a JSON object that declares itself a ninjs item: a `uri` (or `guid`) or the ninjs
    /// schema, with a type, headline or body of a news item.
    static func looksLikeNinjs(_ text: some StringProtocol) -> Bool {
        let body = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        let start = body.first == "[" ? body.dropFirst().drop(while: \.isWhitespace) : body
        guard start.first == "{" else { return false }
        let head = String(text.prefix(4096)).lowercased()
        let declared = head.contains("\"uri\"") || head.contains("\"guid\"") || head.contains("ninjs")
        let newsLike = ["\"type\"", "\"headline", "\"body", "\"versioncreated\"", "\"version\""].contains {
            head.contains($0)
        }
        return declared && newsLike
    }

    /// The items a file holds: one object, or an array of them (one result per element, in order).
    ///
    /// - Throws: ``CopydeskError`` `.parseFailed` for JSON that cannot be read or is neither an object
    ///   nor an array of objects.
    static func readItems(_ text: String, charset: String, deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        guard let data = text.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) else {
            throw CopydeskError(.parseFailed, "not valid JSON: a ninjs file holds one JSON object or an array of them")
        }
        let objects: [Any] = (value as? [Any]) ?? [value]
        guard !objects.isEmpty else { throw CopydeskError(.emptyInput, "an empty ninjs array, no item") }
        return WireText.items(objects, what: "element of the ninjs array") { object throws(CopydeskError) in
            try read(object, charset: charset, deadline: deadline)
        }
    }

    /// The article one item holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for an item without text (a picture, a video, an empty
    ///   item), naming what it is.
    static func read(_ object: [String: Any], charset: String, deadline: Deadline) throws(CopydeskError) -> Article {
        let item = Properties(object)
        let type = item.string("type")?.lowercased() ?? "text"
        let headline =
            item.string("headline") ?? item.role(in: "headlines", preferring: ["main", "headline"])
            ?? item.suffixed("headline").first?.value
        let byline = item.string("byline") ?? item.string("by")
        var paragraphs = try body(of: item, deadline: deadline)
        let wire = Self.wire(of: item)
        // A status notice (a withdrawal, a hold) may carry no text: it changes the item it names.
        let isNotice = paragraphs.isEmpty && wire.id != nil && wire.status != "usable"
        // A text item may be a headline alone (a flash): its headline is its text.
        if paragraphs.isEmpty, !isNotice, type == "text", let headline { paragraphs = [WireText.oneLine(headline)] }
        guard !paragraphs.isEmpty || isNotice else {
            let what = ["picture", "graphic", "video", "audio", "component"].contains(type) ? "\(type) item" : "item"
            throw CopydeskError(.noText, "a ninjs \(what) without text, not an article")
        }
        return Article(
            format: .ninjs, charset: charset, title: headline.map(WireText.oneLine), byline: byline.map(WireText.oneLine),
            published: (item.string("versioncreated") ?? item.string("firstcreated")).flatMap(ISO8601Normalizer.normalize),
            language: item.string("language"), paragraphs: paragraphs, wire: wire)
    }

    /// What the item declares about itself.
    private static func wire(of item: Properties) -> WireMetadata {
        var wire = WireMetadata(
            id: item.string("uri") ?? item.string("guid"), version: item.scalar("version"),
            status: item.string("pubstatus").map(WireText.status) ?? "usable",
            urgency: item.scalar("urgency").flatMap { Int($0) },
            embargo: item.string("embargoed").flatMap(ISO8601Normalizer.normalize),
            dateline: item.located, provider: item.provider)
        wire.signals = item.signals
        wire.links = item.links
        return wire
    }

    /// The body's paragraphs: an HTML body through the HTML normalizer, a plain one split at blank
    /// lines (or at line ends, when it has no blank line).
    private static func body(of item: Properties, deadline: Deadline) throws(CopydeskError) -> [String] {
        // ninjs 1.x also names bodies and headlines by a role suffix (`body_main`, `body_richtext`,
        // `headline_main`): one whose value is markup is read as HTML.
        let suffixed = item.suffixed("body").filter { !["html", "xhtml", "text"].contains($0.role) }
        let suffixedHTML = suffixed.first { WireText.looksLikeMarkup($0.value) }?.value
        let suffixedText = suffixed.first { !WireText.looksLikeMarkup($0.value) }?.value
        if let html = item.string("bodyhtml") ?? item.string("bodyxhtml") ?? item.body(html: true) ?? suffixedHTML {
            let page = Array("<!doctype html><html><body><article>\(html)</article></body></html>".utf8)
            let article = try HTMLNormalizer.normalize(
                page, decoded: try TextDecoder.decode(page), format: .html, deadline: deadline)
            return article.paragraphs
        }
        if let nitf = item.body(type: "nitf") {
            do {
                return NITFReader.text(of: try WireXML.parse(nitf, deadline: deadline)).paragraphs
            } catch where error.code == .parseFailed {
                // Not XML after all: read it as the plain text below.
            }
        }
        guard let text = item.string("bodytext") ?? item.body(html: false) ?? item.body(type: "nitf") ?? suffixedText
        else { return [] }
        let separator = text.contains("\n\n") ? "\n\n" : "\n"
        return text.components(separatedBy: separator).map(WireText.oneLine).filter { !$0.isEmpty }
    }

    /// An item's properties by normalized name (lowercased, `_` dropped).
    private struct Properties {
        let values: [String: Any]

        init(_ object: [String: Any]) {
            var values = [String: Any]()
            for (key, value) in object {
                values[key.lowercased().replacingOccurrences(of: "_", with: "")] = value
            }
            self.values = values
        }

        /// The string properties named `prefix_<role>` (their names were read without `_`), the
        /// role `main` first.
        func suffixed(_ prefix: String) -> [(role: String, value: String)] {
            values.keys.filter { $0.hasPrefix(prefix) && $0.count > prefix.count && $0 != prefix + "s" }.sorted()
                .compactMap { key in string(key).map { (role: String(key.dropFirst(prefix.count)), value: $0) } }
                .sorted { ($0.role == "main" ? 0 : 1) < ($1.role == "main" ? 0 : 1) }
        }

        func string(_ name: String) -> String? {
            guard let value = values[name] as? String else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }

        /// A string or a number, as text.
        func scalar(_ name: String) -> String? {
            if let text = string(name) { return text }
            if let number = values[name] as? NSNumber { return number.stringValue }
            return nil
        }

        /// The value of the entry of list `name` whose role is one of `roles` (else the first).
        func role(in name: String, preferring roles: [String]) -> String? {
            guard let list = values[name] as? [[String: Any]] else { return nil }
            let entries = list.map(Properties.init)
            let chosen = entries.first { roles.contains($0.string("role")?.lowercased() ?? "") } ?? entries.first
            return chosen?.string("value")
        }

        /// The main body of a `bodies` list, in HTML or in plain text.
        func body(html: Bool) -> String? {
            body(where: { type in type.contains("html") == html && !type.contains("nitf") })
        }

        /// The main body of a `bodies` list whose content type names `type` (`nitf`: a whole NITF
        /// document, `text/vnd.IPTC.NITF`).
        func body(type name: String) -> String? {
            body(where: { type in type.contains(name) })
        }

        private func body(where accepts: (String) -> Bool) -> String? {
            guard let list = values["bodies"] as? [[String: Any]] else { return nil }
            let entries = list.map(Properties.init).filter { entry in
                accepts(entry.string("contenttype")?.lowercased() ?? "text/plain")
            }
            let main = entries.first { ["main", "body", ""].contains($0.string("role")?.lowercased() ?? "") } ?? entries.first
            return main?.string("value")
        }

        /// The place the item declares: `located`, a string or an object with a name.
        var located: String? {
            if let place = string("located") { return place }
            if let object = values["located"] as? [String: Any] { return Properties(object).string("name") }
            return nil
        }

        var provider: String? {
            for name in ["copyrightholder", "provider", "source"] {
                if let text = string(name) { return text }
                if let object = values[name] as? [String: Any], let text = Properties(object).string("name") {
                    return text
                }
            }
            return nil
        }

        /// Declared signals (a list of strings, or of objects with a `uri`/`name`).
        var signals: [String] {
            guard let list = values["signals"] as? [Any] else { return [] }
            return list.compactMap { entry in
                if let text = entry as? String { return text }
                guard let object = entry as? [String: Any] else { return nil }
                let properties = Properties(object)
                return properties.string("uri") ?? properties.string("name") ?? properties.string("code")
            }
        }

        /// Declared links to other items: `evolvedfrom`, `replacing` (1.x-2.x) and `links` entries.
        var links: [WireMetadata.Link] {
            var links = [WireMetadata.Link]()
            if let from = string("evolvedfrom") { links.append(.init(rel: "evolvedfrom", id: from)) }
            for name in ["replacing", "replaces"] {
                let ids = (values[name] as? [String]) ?? string(name).map({ [$0] }) ?? []
                for id in ids {
                    links.append(.init(rel: "replacing", id: id))
                }
            }
            for entry in (values["links"] as? [[String: Any]]) ?? [] {
                let link = Properties(entry)
                if let id = link.string("uri") ?? link.string("href") ?? link.string("id") {
                    links.append(.init(rel: link.string("rel") ?? "link", id: id))
                }
            }
            return links
        }
    }
}
