/// Normalizes an HTML or XHTML page: charset, parse, metadata, main text.
enum HTMLNormalizer {
    /// The article a page holds.
    ///
    /// - Parameters:
    ///   - bytes: the raw file.
    ///   - decoded: the file as ``TextDecoder`` decoded it without reading the markup.
    ///   - format: `.html` or `.xhtml`, as sniffed.
    ///   - deadline: when to give up.
    /// - Throws: ``CopydeskError`` `.parseFailed` when libxml2 makes no document of it, `.noText`
    ///   when the page holds no text, `.tooLarge` when it has too many nodes, `.timedOut` past the
    ///   deadline.
    static func normalize(
        _ bytes: [UInt8], decoded: DecodedText, format: ArticleFormat, deadline: Deadline = .never
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

    /// A page with a few NUL bytes in it (some servers and editors leave them): the page without
    /// them, or `nil` when the bytes are not markup or hold more than one NUL per thousand bytes.
    static func withoutStrayNULs(_ bytes: [UInt8]) -> [UInt8]? {
        let nuls = bytes.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        guard nuls > 0, nuls * 1000 < bytes.count, [.html, .xhtml].contains(FormatSniffer.sniff(bytes: bytes)) else { return nil }
        return bytes.filter { $0 != 0 }
    }
}
