/// The format copydesk recognised a file as, by its content.
public enum ArticleFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case text
    case html
    case xhtml
    /// IPTC ninjs (News in JSON), 1.x to 3.x.
    case ninjs
    /// IPTC NewsML-G2: a `newsItem` or a `newsMessage` (and the other G2 items, which are rejected).
    case newsmlG2 = "newsml-g2"
    /// IPTC NITF 3.x (News Industry Text Format).
    case nitf
    /// IPTC NewsML 1.2.
    case newsml12 = "newsml-1.2"
    /// dpa's digitalwires JSON (an entry with a `urn`, `version`, `pubstatus` and `article_html`).
    case dpaDigitalwires = "dpa-digitalwires"
    /// IPTC 7901 (SOH header, STX text, ETX, EOT), one or several messages per file.
    case iptc7901
    /// ANPA 1312 in the AP layout (SYN SYN SOH, caret header lines, tab-indented body, ETX trailer).
    case anpa1312
    /// An e-mail message (RFC 5322 with MIME).
    case email
}

/// One normalized article: what a file says, independent of how it was wrapped.
///
/// An `Article` is pure data produced by ``Normalizer`` from bytes in memory. Every later step (the
/// decision, the catalog, the commands) works on this value only, whatever the input format was.
public struct Article: Sendable, Hashable {
    /// The format the bytes were recognised as.
    public var format: ArticleFormat
    /// The character encoding the bytes were decoded from (an IANA name such as `utf-8`).
    public var charset: String
    public var title: String?
    public var byline: String?
    /// The publication time as found in the input, normalized to ISO 8601 where it could be parsed.
    public var published: String?
    public var site: String?
    public var url: String?
    public var language: String?
    /// The main text, one element per paragraph (headings and list items are paragraphs of their own).
    public var paragraphs: [String]
    /// What an agency item declares about itself; nil for a page or a plain text.
    public var wire: WireMetadata?

    public init(
        format: ArticleFormat,
        charset: String,
        title: String? = nil,
        byline: String? = nil,
        published: String? = nil,
        site: String? = nil,
        url: String? = nil,
        language: String? = nil,
        paragraphs: [String],
        wire: WireMetadata? = nil
    ) {
        self.format = format
        self.charset = charset
        self.title = title
        self.byline = byline
        self.published = published
        self.site = site
        self.url = url
        self.language = language
        self.paragraphs = paragraphs
        self.wire = wire
    }

    /// The body as one string: paragraphs separated by a blank line.
    public var body: String {
        paragraphs.joined(separator: "\n\n")
    }

    /// The canonical text key of the body (see ``CanonicalText``).
    public var canonicalKey: String {
        CanonicalText.key(paragraphs: paragraphs)
    }

    /// The lowercase hex SHA-256 of ``canonicalKey``: equal for texts that differ only in wrapping,
    /// case, quote style, whitespace or boilerplate lines.
    public var contentSHA256: String {
        SHA256Digest.hex(of: canonicalKey)
    }
}
