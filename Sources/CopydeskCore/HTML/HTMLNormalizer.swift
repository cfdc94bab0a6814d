/// Normalizes an HTML or XHTML page: charset, parse, metadata, main text.
enum HTMLNormalizer {
    /// The article a page holds.
    ///
    /// - Parameters:
    ///   - bytes: the raw file.
    ///   - decoded: the file as ``TextDecoder`` decoded it without reading the markup.
    ///   - format: `.html` or `.xhtml`, as sniffed.
    ///   - deadline: when to give up.
    ///   - rejectingSectionFronts: whether a page that is a list of teasers with no article is
    ///     rejected (a web page); an agency item's HTML body is always its article.
    /// - Throws: ``CopydeskError`` `.parseFailed` when libxml2 makes no document of it, `.noText`
    ///   when the page holds no text, `.notAnArticle` when it is a section front (and
    ///   `rejectingSectionFronts`), `.tooLarge` when it has too many nodes, `.timedOut` past the
    ///   deadline.
    static func normalize(
        _ bytes: [UInt8], decoded: DecodedText, format: ArticleFormat, deadline: Deadline = .never,
        rejectingSectionFronts: Bool = false
    ) throws(CopydeskError) -> Article {
        let input = HTMLCharset.utf8(bytes, decoded: decoded)
        try deadline.check()
        // The libxml2 tree is freed as soon as it is flattened.
        let tree = try HTMLDocument(utf8: input.utf8, deadline: deadline).flatten(deadline: deadline)
        try deadline.check()
        let metadata = HTMLMetadata(tree: tree)
        var extractor = ContentExtractor(tree: tree, deadline: deadline)
        var paragraphs = try extractor.extract()
        if paragraphs.isEmpty, let fallback = try extractor.fallbackText() {
            paragraphs = fallback
        }
        if let replacement = LinkedDataBody.replacement(for: paragraphs, articleBody: metadata.articleBody) {
            paragraphs = replacement
        }
        guard !paragraphs.isEmpty else {
            throw CopydeskError(.noText, "the page holds no article text")
        }
        // A section front: the text would be a wall of other stories' teasers. A page that
        // declares itself an article (an `articleBody`, `og:type` article, a publication time) is
        // one all the same.
        if rejectingSectionFronts, let front = extractor.sectionFront, metadata.articleBody == nil,
            !declaresArticle(tree)
        {
            throw CopydeskError(.notAnArticle, "the page is a section front: \(front.teasers) teasers and no article text")
        }
        paragraphs = paragraphs.map(ComposedForm.of)
        return Article(
            format: format,
            charset: input.charset,
            title: metadata.title,
            byline: metadata.byline,
            published: metadata.published,
            site: metadata.site,
            url: metadata.url,
            language: metadata.language,
            paragraphs: paragraphs
        )
    }

    /// Whether the page's `<meta>` tags call it an article: `og:type` `article`, or an
    /// `article:published_time`.
    private static func declaresArticle(_ tree: HTMLTree) -> Bool {
        guard let head = tree.nodes.firstIndex(where: { $0.tag == .head || $0.tag == .body }), tree.nodes[head].tag == .head
        else { return false }
        for index in head + 1 ..< Int(tree.nodes[head].end) where tree.nodes[index].tag == .meta {
            guard let key = tree.attributeRange(.property, of: index) ?? tree.attributeRange(.name, of: index) else {
                continue
            }
            let name = tree.bytes[key]
            if name.count == 22, name.lowercasedASCIIContains("article:published_time") { return true }
            if name.count == 7, name.lowercasedASCIIContains("og:type"), let content = tree.attributeRange(.content, of: index),
                tree.bytes[content].lowercasedASCIIContains("article")
            {
                return true
            }
        }
        return false
    }

    /// A page with a few NUL bytes in it (some servers and editors leave them): the page without
    /// them, or `nil` when the bytes are not markup or hold more than one NUL per thousand bytes.
    static func withoutStrayNULs(_ bytes: [UInt8]) -> [UInt8]? {
        let nuls = bytes.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        guard nuls > 0, nuls * 1000 < bytes.count, [.html, .xhtml].contains(FormatSniffer.sniff(bytes: bytes)) else { return nil }
        return bytes.filter { $0 != 0 }
    }
}
