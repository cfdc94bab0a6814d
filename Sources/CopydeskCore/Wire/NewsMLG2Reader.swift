/// Reads IPTC NewsML-G2: a `newsItem`, or the items of a `newsMessage`.
///
/// An item is an article when its `itemMeta/itemClass` is text (`ninat:text`, or an agency's own
/// scheme such as `icls:text`; an item without a class counts as text when its `contentSet` holds
/// inline text). The headline is `contentMeta/headline` (the one without a role, or the main one /
/// rank 1), the byline `contentMeta/by` (else the byline of the inline NITF or XHTML), the body the
/// first rendition of the `contentSet` that holds text: inline XHTML (through the HTML normalizer,
/// without its `<header>` block), inline NITF (through ``NITFReader``) or inline plain text.
///
/// A `newsMessage` gives one result per text item of its item sets; pictures, videos, graphics and
/// packages that travel with a text item are its components, not items of their own. Concept,
/// planning, catalog and knowledge items and messages without a text item are rejected with a
/// reason that names what they hold.
enum NewsMLG2Reader {
    /// The root elements of NewsML-G2 documents.
    static let roots: Set<String> = [
        "newsItem", "newsMessage", "packageItem", "conceptItem", "planningItem", "catalogItem", "knowledgeItem",
    ]

    /// The `rel` values (without their scheme alias) of links to an earlier version of the item.
    private static let versionLinks: Set<String> = ["previousversion", "prevversion", "evolvedfrom", "derivedfrom"]

    /// One result per text item of the document.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for a document without a text item (naming what it
    ///   holds: `not a news item: conceptItem(concept)`, `no text item: newsItem(picture)`),
    ///   `.emptyInput` for a message without items.
    static func readItems(_ root: WireElement, charset: String, deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        let items: [WireElement]
        switch root.name {
        case "newsMessage":
            items = root.children("itemSet").flatMap(\.elements).filter { roots.contains($0.name) }
            guard !items.isEmpty else { throw CopydeskError(.emptyInput, "a newsMessage without items") }
        case "newsItem":
            items = [root]
        default:
            throw CopydeskError(.noText, "not a news item: \(describe(root))")
        }
        let texts = items.filter(isText)
        guard !texts.isEmpty else {
            throw CopydeskError(.noText, "no text item: \(items.map(describe).joined(separator: ", "))")
        }
        return texts.map { item in
            Result { () throws(CopydeskError) -> Article in try read(item, charset: charset, deadline: deadline) }
        }
    }

    /// `newsItem(picture)`: the element and the code of its item class.
    private static func describe(_ item: WireElement) -> String {
        guard let qcode = item.path("itemMeta", "itemClass")?[attribute: "qcode"] else { return item.name }
        return "\(item.name)(\(WireText.code(qcode)))"
    }

    private static func isText(_ item: WireElement) -> Bool {
        guard item.name == "newsItem" else { return false }
        if let qcode = item.path("itemMeta", "itemClass")?[attribute: "qcode"] {
            return WireText.code(qcode).lowercased() == "text"
        }
        return item.child("contentSet")?.elements.contains { ["inlineXML", "inlineData"].contains($0.name) } ?? false
    }

    /// The article one text item holds.
    static func read(_ item: WireElement, charset: String, deadline: Deadline) throws(CopydeskError) -> Article {
        let itemMeta = item.child("itemMeta")
        let contentMeta = item.child("contentMeta")
        let headline = headline(contentMeta)
        var body = try body(item.child("contentSet"), deadline: deadline)
        if let headline, let first = body.paragraphs.first, first.lowercased() == headline.lowercased() {
            body.paragraphs.removeFirst()
        }
        guard !body.paragraphs.isEmpty || headline != nil else {
            throw CopydeskError(.noText, "an empty newsItem: neither headline nor text")
        }
        let located = contentMeta?.child("located")
        var wire = WireMetadata(
            id: item[attribute: "guid"], version: item[attribute: "version"],
            status: (itemMeta?.child("pubStatus")).flatMap { $0[attribute: "qcode"] ?? $0.line }.map(WireText.status) ?? "usable",
            urgency: contentMeta?.child("urgency")?.line.flatMap { Int($0) },
            embargo: WireText.time(itemMeta?.child("embargoed")?.line),
            dateline: contentMeta?.child("dateline")?.line ?? located?.child("name")?.line ?? located?[attribute: "literal"],
            provider: itemMeta?.child("provider").flatMap {
                $0.child("name")?.line ?? $0[attribute: "literal"] ?? $0[attribute: "qcode"] ?? $0[attribute: "uri"]
            })
        wire.signals = (itemMeta?.children("signal") ?? []).compactMap { $0[attribute: "qcode"] ?? $0[attribute: "uri"] }
        wire.links = (itemMeta?.children("link") ?? []).compactMap(versionLink)
        let byline = (contentMeta?.children("by") ?? []).compactMap(\.line).first ?? body.byline
        return Article(
            format: .newsmlG2, charset: charset, title: headline, byline: byline,
            published: WireText.time(itemMeta?.child("versionCreated")?.line ?? itemMeta?.child("firstCreated")?.line),
            language: item[attribute: "xml:lang"] ?? contentMeta?.child("language")?[attribute: "tag"],
            paragraphs: body.paragraphs.isEmpty ? [headline!] : body.paragraphs, wire: wire)
    }

    /// The main headline: no role, or the role `main`, or rank 1; else the first.
    private static func headline(_ contentMeta: WireElement?) -> String? {
        let headlines = (contentMeta?.children("headline") ?? []).filter { $0.line != nil }
        let main = headlines.first { headline in
            if let role = headline[attribute: "role"] { return WireText.code(role).lowercased() == "main" }
            return headline[attribute: "rank"] == "1"
        } ?? headlines.first { $0[attribute: "role"] == nil } ?? headlines.first
        return main?.line
    }

    /// A link to an earlier version: `rel` previousVersion, prevVersion, evolvedFrom or derivedFrom
    /// (any scheme alias), or a link without `rel` that names an item and its version.
    private static func versionLink(_ link: WireElement) -> WireMetadata.Link? {
        guard let id = link[attribute: "residref"] ?? link[attribute: "guidref"] ?? link[attribute: "href"] else { return nil }
        if let rel = link[attribute: "rel"] {
            return versionLinks.contains(WireText.code(rel).lowercased()) ? .init(rel: rel, id: id) : nil
        }
        guard link[attribute: "version"] != nil, link[attribute: "residref"] ?? link[attribute: "guidref"] != nil else {
            return nil
        }
        return .init(rel: "previousVersion", id: id)
    }

    /// The text of the first rendition of the content set that holds any, and the byline written
    /// in it.
    private static func body(_ contentSet: WireElement?, deadline: Deadline) throws(CopydeskError) -> (paragraphs: [String], byline: String?) {
        for rendition in contentSet?.elements ?? [] {
            let type = (rendition[attribute: "contenttype"] ?? "").lowercased()
            var found: (paragraphs: [String], byline: String?) = ([], nil)
            switch rendition.name {
            case "inlineXML":
                if type.contains("nitf") || rendition.descendant("nitf") != nil || rendition.descendant("body.content") != nil {
                    let nitf = NITFReader.text(of: rendition.descendant("nitf") ?? rendition)
                    found = (nitf.paragraphs, nitf.byline)
                } else {
                    found = try xhtml(rendition, deadline: deadline)
                }
            case "inlineData":
                if type.contains("html") {
                    found = try xhtml(WireElement(name: "div", attributes: [:], children: [.text(rendition.text)]), raw: true, deadline: deadline)
                } else {
                    found = (WireText.paragraphs(rendition.text), nil)
                }
            default:
                continue
            }
            if !found.paragraphs.isEmpty { return found }
        }
        return ([], nil)
    }

    /// The paragraphs of inline XHTML (its `body`, without `head` and `header` blocks) through the
    /// HTML normalizer, and the text of an element of class `byline` in it.
    ///
    /// - Parameter raw: the element's text is itself markup (an `inlineData` rendition in HTML).
    static func xhtml(_ container: WireElement, raw: Bool = false, deadline: Deadline) throws(CopydeskError) -> (paragraphs: [String], byline: String?) {
        let body = container.descendant("body") ?? container
        let byline = byline(in: body)
        let markup = raw ? container.text : flattenedDatelines(body.removing { ["header", "head", "title"].contains($0.name) }).innerMarkup
        do {
            return (try WireText.htmlParagraphs(markup, deadline: deadline).paragraphs, byline)
        } catch where error.code == .noText {
            return ([], byline)
        }
    }

    /// The element with each `dateline` element's inner markup replaced by its text: the dateline
    /// (`Berlin <span class="credit">(dpa)</span> - `) is the start of the first paragraph, and the
    /// credit in it is not a picture credit for the HTML rules to leave out.
    private static func flattenedDatelines(_ element: WireElement) -> WireElement {
        var copy = element
        if copy.classes.contains("dateline") {
            copy.children = [.text(element.text)]
            return copy
        }
        copy.children = element.children.map { node in
            guard case .element(let child) = node else { return node }
            return .element(flattenedDatelines(child))
        }
        return copy
    }

    /// The text of the first element of class `byline`.
    private static func byline(in element: WireElement) -> String? {
        for child in element.elements {
            if child.classes.contains("byline") { return child.line }
            if let found = byline(in: child) { return found }
        }
        return nil
    }
}
