/// Reads IPTC NewsML 1.2: the `NewsItem`s of a `NewsML` document.
///
/// Identity comes from `Identification/NewsIdentifier` (`PublicIdentifier` is the item's id,
/// `RevisionId` its version, `NewsItemId` the key common to its revisions, `RevisionId
/// @PreviousRevision` a link to the revision it follows), status, urgency and times from
/// `NewsManagement`, headline, byline and dateline from the first `NewsLines` that give them. The
/// text is in `ContentItem`s of media type Text whose `DataContent` holds NITF, XHTML or plain
/// text; components in the role of a caption, headline, subheadline, style sheet, contact or logo
/// are not the article's body, and when a `Body` or `Main` component exists only it is.
///
/// A document gives one result per `NewsItem` that holds article text; one whose items hold none
/// (a photo with its caption) is rejected, naming what it holds.
enum NewsML12Reader {
    /// Roles whose text is not the body of the article.
    private static let notBody: Set<String> = [
        "caption", "headline", "subheadline", "stylesheet", "contact", "logo", "video", "photo", "picture",
        "graphic", "audio", "thumbnail", "preview", "abstract", "summary",
    ]

    /// One result per `NewsItem` with article text.
    ///
    /// - Throws: ``CopydeskError`` `.noText` when no item holds article text
    ///   (`no article text: Photo, Text (captions only)`), `.emptyInput` for a document without items.
    static func readItems(_ root: WireElement, charset: String, deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        let items = root.name == "NewsItem" ? [root] : root.children("NewsItem")
        guard !items.isEmpty else { throw CopydeskError(.emptyInput, "a NewsML document without a NewsItem") }
        var results = [Result<Article, CopydeskError>]()
        var rejections = [CopydeskError]()
        for item in items {
            let contents = contentItems(in: item)
            let body = contents.filter { $0.isText && $0.isBody }
            guard !body.isEmpty else {
                let media = Set(contents.compactMap(\.mediaType)).sorted()
                let captionsOnly = contents.contains(where: \.isText) ? " (captions only)" : ""
                let what = media.isEmpty ? "no content" : media.joined(separator: ", ")
                rejections.append(CopydeskError(.noText, "no article text: \(what)\(captionsOnly)"))
                continue
            }
            results.append(Result { () throws(CopydeskError) -> Article in
                try read(item, body: body, charset: charset, deadline: deadline)
            })
        }
        guard !results.isEmpty else { throw rejections[0] }
        return results
    }

    /// A `ContentItem` with the role of the component it is in.
    private struct Content {
        var element: WireElement
        var role: String?

        var mediaType: String? { element.child("MediaType")?[attribute: "FormalName"] }

        var isText: Bool {
            guard element.child("DataContent") != nil else { return false }
            if let mediaType { return mediaType.lowercased() == "text" }
            let mime = (element.child("MimeType")?[attribute: "FormalName"] ?? "").lowercased()
            let format = (element.child("Format")?[attribute: "FormalName"] ?? "").lowercased()
            if mime.contains("css") || format.contains("css") { return false }
            return mime.hasPrefix("text/") || mime.contains("xml") || ["nitf", "html", "text"].contains { format.contains($0) }
        }

        /// Whether the role is a body's (or none).
        var isBody: Bool {
            guard let role = role?.lowercased() else { return true }
            return !notBody.contains(String(role.filter { $0 != " " }))
        }

        var isMainBody: Bool { ["body", "main", "maintext", "bodytext"].contains(role?.lowercased() ?? "") }
    }

    /// The content items of an item in document order, each with the nearest role above it.
    private static func contentItems(in item: WireElement) -> [Content] {
        var found = [Content]()
        func walk(_ component: WireElement, role: String?) {
            let role = component.child("Role")?[attribute: "FormalName"] ?? role
            for child in component.elements {
                switch child.name {
                case "NewsComponent": walk(child, role: role)
                case "ContentItem": found.append(Content(element: child, role: role))
                default: continue
                }
            }
        }
        for component in item.children("NewsComponent") { walk(component, role: nil) }
        let main = found.filter { $0.isText && $0.isMainBody }
        guard !main.isEmpty else { return found }
        return found.filter { !$0.isText || $0.isMainBody }
    }

    /// The article of one item whose body is in `body`.
    private static func read(_ item: WireElement, body: [Content], charset: String, deadline: Deadline) throws(CopydeskError) -> Article {
        let identifier = item.path("Identification", "NewsIdentifier")
        let management = item.child("NewsManagement")
        let lines = item.descendants("NewsLines")
        func line(_ name: String) -> String? { lines.lazy.compactMap { $0.child(name)?.line }.first }
        let headline = line("HeadLine")
        var paragraphs = [String]()
        var inlineByline: String?
        for content in body {
            guard let data = content.element.child("DataContent") else { continue }
            if let nitf = data.descendant("nitf") ?? (data.descendant("body.content") != nil ? data : nil) {
                let text = NITFReader.text(of: nitf)
                paragraphs += text.paragraphs
                inlineByline = inlineByline ?? text.byline
            } else if data.descendant("body") != nil || data.descendant("p") != nil {
                let text = try NewsMLG2Reader.xhtml(data, deadline: deadline)
                paragraphs += text.paragraphs
                inlineByline = inlineByline ?? text.byline
            } else {
                paragraphs += WireText.paragraphs(data.text)
            }
        }
        if let headline, paragraphs.first?.lowercased() == headline.lowercased() { paragraphs.removeFirst() }
        guard !paragraphs.isEmpty || headline != nil else {
            throw CopydeskError(.noText, "a NewsItem without headline or text")
        }
        let revision = identifier?.child("RevisionId")
        var wire = WireMetadata(
            id: identifier?.child("PublicIdentifier")?.line, version: revision?.line,
            // The item's versions share its NewsItemId within one DateId (the provider qualifies it
            // in ``WireMetadata/declaredKey``).
            storyKey: identifier?.child("NewsItemId")?.line.map { id in
                identifier?.child("DateId")?.line.map { "\($0):\(id)" } ?? id
            },
            status: management?.child("Status")?[attribute: "FormalName"].map(WireText.status) ?? "usable",
            urgency: management?.child("Urgency")?[attribute: "FormalName"].flatMap { Int($0) },
            embargo: WireText.time(management?.path("StatusWillChange", "DateAndTime")?.line),
            dateline: line("DateLine"),
            provider: identifier?.child("ProviderId")?.line)
        if let update = revision?[attribute: "Update"], update.uppercased() != "N" {
            wire.signals.append("Update:\(update)")
        }
        if let previous = revision?[attribute: "PreviousRevision"], previous != "0",
            let provider = identifier?.child("ProviderId")?.line, let date = identifier?.child("DateId")?.line,
            let key = identifier?.child("NewsItemId")?.line
        {
            wire.links.append(.init(rel: "PreviousRevision", id: "urn:newsml:\(provider):\(date):\(key):\(previous)"))
        }
        let language = item[attribute: "xml:lang"] ?? item.descendant("DescriptiveMetadata")?.child("Language")?[attribute: "FormalName"]
        return Article(
            format: .newsml12, charset: charset, title: headline, byline: line("ByLine") ?? inlineByline,
            published: WireText.time(management?.child("ThisRevisionCreated")?.line ?? management?.child("FirstCreated")?.line),
            language: language, paragraphs: paragraphs.isEmpty ? [headline!] : paragraphs, wire: wire)
    }
}
