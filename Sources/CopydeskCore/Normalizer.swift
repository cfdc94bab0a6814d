/// Turns the bytes of one file into an ``Article``: recognises the format, decodes the charset and
/// extracts metadata and the main text. Pure: bytes in, an article or a rejection out.
public struct Normalizer: Sendable {
    /// The version of the normalization rules, recorded with every version of an article so that
    /// `copydesk reprocess` knows which versions an upgrade may change. Bump it whenever the output
    /// for some input changes.
    public static let version = 7

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
        let items = try normalizeItems(bytes, deadline: deadline)
        if let article = items.lazy.compactMap({ try? $0.get() }).first { return article }
        guard case .failure(let error) = items.first else {
            throw CopydeskError(.noText, "no item holds text")
        }
        throw error
    }

    /// Normalizes the content of one file that may hold several items (a NewsML-G2 `newsMessage`
    /// with several item sets, a ninjs array, several IPTC 7901 or ANPA messages).
    ///
    /// - Returns: one entry per item, in the file's order, at least one: the article, or why the item
    ///   is not one. A file of one item gives one entry (its position is then not reported).
    /// - Throws: ``CopydeskError`` when the file as a whole cannot be read, or when its one item is
    ///   rejected.
    public func normalizeItems(_ bytes: [UInt8], deadline: Deadline = .never) throws(CopydeskError) -> [ItemResult] {
        if let format = FormatSniffer.sniffTextWire(bytes: bytes) {
            return try Self.checked(try readTextWire(bytes, format: format, deadline: deadline), format: format)
        }
        let decoded: DecodedText
        do throws(CopydeskError) {
            decoded = try TextDecoder.decode(bytes)
        } catch {
            guard error.code == .binaryInput, let page = HTMLNormalizer.withoutStrayNULs(bytes) else { throw error }
            let format = FormatSniffer.sniff(bytes: page)
            return [.success(try HTMLNormalizer.normalize(
                page, decoded: try TextDecoder.decode(page), format: format, deadline: deadline,
                rejectingSectionFronts: true))]
        }
        let format = FormatSniffer.sniff(prefix: decoded.text)
        let items: [ItemResult]
        switch format {
        case .text:
            items = [.success(try normalizeText(decoded, deadline: deadline))]
        case .html, .xhtml:
            items = [.success(try HTMLNormalizer.normalize(
                bytes, decoded: decoded, format: format, deadline: deadline, rejectingSectionFronts: true))]
        case .ninjs:
            items = try NinjsReader.readItems(decoded.text, charset: decoded.charset.rawValue, deadline: deadline)
        case .newsmlG2:
            items = try NewsMLG2Reader.readItems(
                try WireXML.parse(decoded.text, deadline: deadline), charset: decoded.charset.rawValue, deadline: deadline)
        case .nitf:
            let root = try WireXML.parse(decoded.text, deadline: deadline)
            items = [.success(try NITFReader.read(root, charset: decoded.charset.rawValue))]
        case .newsml12:
            items = try NewsML12Reader.readItems(
                try WireXML.parse(decoded.text, deadline: deadline), charset: decoded.charset.rawValue, deadline: deadline)
        case .dpaDigitalwires:
            items = try DigitalwiresReader.readItems(decoded.text, charset: decoded.charset.rawValue, deadline: deadline)
        case .iptc7901, .anpa1312, .email:
            // Recognised only once decoded (UTF-16 text): read from the text as UTF-8.
            items = try readTextWire(Array(decoded.text.utf8), format: format, deadline: deadline)
        }
        return try Self.checked(items, format: format)
    }

    /// The items of a file as one decision: a file of one rejected item is rejected as a whole.
    private static func checked(_ items: [ItemResult], format: ArticleFormat) throws(CopydeskError) -> [ItemResult] {
        if items.count == 1, case .failure(let error) = items[0] { throw error }
        guard !items.isEmpty else { throw CopydeskError(.emptyInput, "a \(format.rawValue) file holding no item") }
        return items
    }

    /// IPTC 7901, ANPA 1312 and e-mail, read from the raw bytes (their framing and charsets are
    /// their own), after a check that the bytes are text apart from the framing's controls.
    private func readTextWire(_ bytes: [UInt8], format: ArticleFormat, deadline: Deadline) throws(CopydeskError) -> [ItemResult] {
        switch format {
        case .iptc7901:
            try ControlFraming.checkText(bytes)
            return try IPTC7901Reader.readItems(bytes, deadline: deadline)
        case .anpa1312:
            try ControlFraming.checkText(bytes)
            return try ANPA1312Reader.readItems(bytes, deadline: deadline)
        case .email:
            return [Result { () throws(CopydeskError) -> Article in try EmailReader.read(bytes, deadline: deadline) }]
        case .text, .html, .xhtml, .ninjs, .dpaDigitalwires, .newsmlG2, .nitf, .newsml12:
            throw CopydeskError(.parseFailed, "a \(format.rawValue) file is not a text wire format")
        }
    }

    /// One item of a file: its article, or why it is not one.
    public typealias ItemResult = Result<Article, CopydeskError>

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
