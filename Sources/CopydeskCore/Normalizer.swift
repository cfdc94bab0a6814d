/// Turns the bytes of one file into an ``Article``: recognises the format, decodes the charset and
/// extracts metadata and the main text. Pure: bytes in, an article or a rejection out.
public struct Normalizer: Sendable {
    /// The version of the normalization rules, recorded with every version of an article so that
    /// `copydesk reprocess` knows which versions an upgrade may change. Bump it whenever the output
    /// for some input changes.
    public static let version = 5

    public init() {}

    /// Normalizes the content of one file.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - deadline: when to give up (checked in the long loops, see ``Deadline``).
    /// - Returns: the article the file holds.
    /// - Throws: ``CopydeskError`` with a rejection code (``CopydeskError/Code/isRejection``): empty,
    ///   binary, undecodable, holding no text, too many nodes, or past the deadline.
    public func normalize(_ bytes: [UInt8], deadline: Deadline = .never) throws(CopydeskError) -> Article {
        let decoded: DecodedText
        do throws(CopydeskError) {
            decoded = try TextDecoder.decode(bytes)
        } catch {
            guard error.code == .binaryInput, let page = HTMLNormalizer.withoutStrayNULs(bytes) else { throw error }
            let format = FormatSniffer.sniff(bytes: page)
            return try HTMLNormalizer.normalize(
                page, decoded: try TextDecoder.decode(page), format: format, deadline: deadline)
        }
        let format = FormatSniffer.sniff(prefix: decoded.text)
        switch format {
        case .text:
            return try normalizeText(decoded, deadline: deadline)
        case .html, .xhtml:
            return try HTMLNormalizer.normalize(bytes, decoded: decoded, format: format, deadline: deadline)
        case .ninjs:
            return try NinjsReader.read(decoded.text, charset: decoded.charset.rawValue, deadline: deadline)
        }
    }

    func normalizeText(_ decoded: DecodedText, deadline: Deadline) throws(CopydeskError) -> Article {
        let parsed = try PlainText.parse(decoded.text, deadline: deadline)
        guard !parsed.paragraphs.isEmpty || parsed.title != nil else {
            throw CopydeskError(.emptyInput, "only whitespace, no text")
        }
        return Article(
            format: .text,
            charset: decoded.charset.rawValue,
            title: parsed.title,
            paragraphs: parsed.paragraphs.isEmpty ? [parsed.title!] : parsed.paragraphs
        )
    }
}
