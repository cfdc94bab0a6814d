internal import Foundation

/// Reads an IPTC NITF 3.x document (News Industry Text Format): the headline, byline and dateline of
/// `body.head`, the paragraphs of `body.content`, and what `head/docdata` declares about the item.
///
/// NITF is also the body of other formats: inline in a NewsML-G2 `contentSet`, in a NewsML 1.2
/// `DataContent`, and as a string in a ninjs body of type `text/vnd.IPTC.NITF`; those readers take
/// its text from ``text(of:)``.
enum NITFReader {
    /// The text of a NITF document or fragment.
    struct Text {
        var headline: String?
        var byline: String?
        var dateline: String?
        var paragraphs: [String]
    }

    /// Whether the text is a NITF document: its root element is `nitf`.
    static func isRoot(_ name: String) -> Bool { name == "nitf" }

    /// The article a NITF document holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for a document with neither a headline nor text.
    static func read(_ root: WireElement, charset: String) throws(CopydeskError) -> Article {
        let text = text(of: root)
        guard !text.paragraphs.isEmpty || text.headline != nil else {
            throw CopydeskError(.noText, "a NITF document without headline or text")
        }
        let head = root.child("head")
        let docdata = head?.child("docdata")
        var wire = WireMetadata(
            id: docdata?.child("doc-id")?[attribute: "id-string"],
            version: docdata?.child("du-key")?[attribute: "version"],
            storyKey: docdata?.child("du-key")?[attribute: "key"],
            status: docdata?[attribute: "management-status"].map(WireText.status) ?? "usable",
            urgency: docdata?.child("urgency")?[attribute: "ed-urg"].flatMap { Int($0) },
            dateline: text.dateline ?? docdata?.child("evloc")?[attribute: "city"],
            provider: docdata?.child("doc.copyright")?[attribute: "holder"]
                ?? docdata?.path("del-list", "from-src")?[attribute: "src-name"]
                ?? docdata?.child("doc-id")?[attribute: "regsrc"])
        let issued = WireText.time(docdata?.child("date.issue")?[attribute: "norm"])
        if let release = WireText.time(docdata?.child("date.release")?[attribute: "norm"]),
            issued.map({ Self.isLater(release, than: $0) }) ?? false
        {
            wire.embargo = release
        }
        if let docdata {
            for correction in docdata.children("correction") {
                wire.signals.append("correction")
                if let id = correction[attribute: "id-string"] { wire.links.append(.init(rel: "correction", id: id)) }
            }
            if let id = docdata[attribute: "management-doc-idref"] {
                let status = docdata[attribute: "management-idref-status"].map(WireText.status)
                wire.links.append(.init(rel: status.map { "management-doc-idref:\($0)" } ?? "management-doc-idref", id: id))
            }
        }
        let language = root[attribute: "xml:lang"] ?? root.child("body")?[attribute: "xml:lang"]
            ?? head?.children("meta").first { ($0[attribute: "name"] ?? "").lowercased().contains("lang") }?[attribute: "content"]
        return Article(
            format: .nitf, charset: charset, title: text.headline, byline: text.byline, published: issued,
            language: language, paragraphs: text.paragraphs.isEmpty ? [text.headline!] : text.paragraphs, wire: wire)
    }

    /// The headline, byline, dateline and paragraphs of a NITF document or of an element holding its
    /// `body` (an inline NITF fragment).
    static func text(of nitf: WireElement) -> Text {
        let body = nitf.name == "body" ? nitf : (nitf.child("body") ?? nitf.descendant("body") ?? nitf)
        let bodyHead = body.child("body.head")
        let headline = bodyHead?.child("hedline")?.child("hl1")?.line ?? nitf.path("head", "title")?.line
        let bylines = (bodyHead?.children("byline") ?? []).compactMap(\.line)
        var paragraphs = [String]()
        for content in body.children("body.content") {
            var collector = Paragraphs()
            collector.collect(content)
            paragraphs += collector.paragraphs
        }
        return Text(
            headline: headline, byline: bylines.isEmpty ? nil : bylines.joined(separator: ", "),
            dateline: bodyHead?.child("dateline")?.line, paragraphs: paragraphs)
    }

    /// Whether ISO 8601 time `a` is after `b` (both as ``WireText/time(_:)`` gives them), compared
    /// as instants; as text when either has no zone.
    static func isLater(_ a: String, than b: String) -> Bool {
        let formatter = ISO8601DateFormatter()
        guard let first = formatter.date(from: a), let second = formatter.date(from: b) else { return a > b }
        return first > second
    }

    /// Collects the paragraphs of `body.content`: each `p`, subhead (`hl2`), list item, `pre` and
    /// table row (its cells on one line) is a paragraph; `block`, `bq`, lists and tables are walked
    /// into; media and their captions, notes and footnotes are not text of the article. Text
    /// written straight into a block (outside any `p`) is a paragraph of its own.
    private struct Paragraphs {
        var paragraphs = [String]()
        private var pending = ""

        private static let paragraphElements: Set<String> = [
            "p", "hl2", "hl3", "hl4", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "li", "dt", "dd", "caption",
        ]
        private static let skipped: Set<String> = [
            "media", "media-caption", "media-reference", "media-object", "media-producer", "media-metadata",
            "note", "fn", "img", "object", "body.head", "body.end", "hedline", "byline", "dateline",
        ]

        mutating func collect(_ element: WireElement) {
            for node in element.children {
                switch node {
                case .text(let text):
                    pending += text
                case .element(let child):
                    if Self.skipped.contains(child.name) { continue }
                    if Self.paragraphElements.contains(child.name) {
                        flush()
                        if child.name == "li", child.elements.contains(where: { ["ul", "ol", "p"].contains($0.name) }) {
                            collect(child)
                            flush()
                        } else {
                            add(child.text)
                        }
                    } else if child.name == "tr" {
                        flush()
                        add(child.elements.compactMap(\.line).joined(separator: " "))
                    } else if child.elements.isEmpty || Self.isInline(child) {
                        pending += child.text
                    } else {
                        flush()
                        collect(child)
                        flush()
                    }
                }
            }
            flush()
        }

        /// An element of running text (`em`, `a`, `person`, `chron`, ...): one whose children are
        /// text or other inline elements only.
        private static func isInline(_ element: WireElement) -> Bool {
            element.elements.allSatisfy { child in
                !paragraphElements.contains(child.name) && !skipped.contains(child.name)
                    && !["block", "bq", "ul", "ol", "dl", "table", "tr", "div"].contains(child.name) && isInline(child)
            }
        }

        private mutating func flush() {
            add(pending)
            pending = ""
        }

        private mutating func add(_ text: String) {
            let line = WireText.oneLine(text)
            if !line.isEmpty { paragraphs.append(line) }
        }
    }
}
