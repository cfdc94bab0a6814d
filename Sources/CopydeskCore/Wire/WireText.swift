/// What the text wire readers (IPTC 7901, ANPA 1312, e-mail, dpa digitalwires) share: charsets by
/// label, HTML bodies through the HTML normalizer, paragraphs of wrapped lines, the agency dateline.
enum WireText {
    /// One result per JSON object of `list` (an element that is not an object is rejected as such,
    /// named `what` and its position), read by `read`.
    static func items(
        _ list: [Any], what: String, read: (_ object: [String: Any]) throws(CopydeskError) -> Article
    ) -> [Result<Article, CopydeskError>] {
        list.enumerated().map { position, element in
            Result { () throws(CopydeskError) -> Article in
                guard let object = element as? [String: Any] else {
                    throw CopydeskError(.parseFailed, "\(what) \(position) is not an object")
                }
                return try read(object)
            }
        }
    }

    /// Whether a property's text is markup (it opens with a tag, or holds paragraph or break tags).
    static func looksLikeMarkup(_ text: String) -> Bool {
        let start = text.drop { $0.isWhitespace }
        if start.first == "<" { return true }
        return ["<p>", "<p ", "<br", "</p>", "<div"].contains { text.contains($0) }
    }

    /// Whitespace runs collapsed to one space, ends trimmed.
    static func oneLine(_ text: some StringProtocol) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Bytes in the charset a label names (an e-mail part's `charset=`), as text and the charset's
    /// name. Bytes that are valid UTF-8 are UTF-8 whatever the label says (a part declared ISO-8859-1
    /// whose bytes are UTF-8 was mislabelled); a label copydesk does not know, or bytes its charset
    /// cannot decode, fall back on windows-1252, which decodes every byte.
    static func decode(_ bytes: [UInt8], label: String?) -> (text: String, charset: String) {
        let name = label.map { String($0.trimmingASCIIWhitespace()).lowercased() }
        let unicode = name.flatMap(Charset.init(label:))
        if let unicode, [.utf16LE, .utf16BE, .utf32LE, .utf32BE].contains(unicode),
            let decoded = try? TextDecoder.decode(bytes[...], as: unicode)
        {
            return (decoded.text, decoded.charset.rawValue)
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            return (text, Charset.utf8.rawValue)
        }
        if unicode == nil, let name, let legacy = LegacyCharset(label: name),
            let converted = HTMLCharset.convert(bytes, from: legacy.iconvName)
        {
            return (String(decoding: converted, as: UTF8.self), legacy.name)
        }
        return (TextDecoder.decodeWindows1252(bytes[...]), Charset.windows1252.rawValue)
    }

    /// The paragraphs of an HTML body (a fragment or a whole document), by the HTML normalizer's
    /// text rules: a fragment is wrapped in an `<article>` of an otherwise empty page first.
    ///
    /// - Throws: ``CopydeskError`` `.noText` when the markup holds no text, `.timedOut` past the
    ///   deadline.
    static func paragraphs(html: String, deadline: Deadline) throws(CopydeskError) -> [String] {
        let lowered = html.prefix(4096).lowercased()
        let isPage = lowered.contains("<html") || lowered.contains("<body")
        let page = Array((isPage ? html : "<!doctype html><html><body><article>\(html)</article></body></html>").utf8)
        let article = try HTMLNormalizer.normalize(
            page, decoded: DecodedText(text: String(decoding: page, as: UTF8.self), charset: .utf8),
            format: .html, deadline: deadline)
        return article.paragraphs
    }

    /// The paragraphs of plain text: blocks separated by blank lines, the lines of a hard-wrapped
    /// block joined (``PlainText``'s rule), without taking a title out of the first line. Wire copy
    /// and mail are wrapped at 60 to 80 characters, so a block of short lines is one paragraph
    /// even when the text has no blank line.
    static func paragraphs(plain text: String, deadline: Deadline) throws(CopydeskError) -> [String] {
        var paragraphs = [String]()
        for block in try PlainText.blocks(of: text, deadline: deadline) {
            if PlainText.isHardWrapped(block) {
                paragraphs.append(block.joined(separator: " "))
            } else {
                paragraphs.append(contentsOf: block)
            }
        }
        return paragraphs.map(ComposedForm.of)
    }

    /// The agency dateline at the start of a paragraph, as written up to and including its dash:
    /// `Peine (dpa/lni) -`, `GROSSETO, Italy (AP) --`, `MADRID, 21 Nov. 2024 (Europa Press) -`.
    ///
    /// A place of one to eight words starting with a capital letter, a credit in parentheses (at
    /// most 40 characters), then a dash (`-`, `--`, `–`, `—`) followed by a space. Without the
    /// credit a capitalised phrase and a dash are too often the text itself, so none is taken.
    static func dateline(of paragraph: String) -> String? {
        guard let first = paragraph.first, first.isUppercase,
            let open = paragraph.prefix(100).firstIndex(of: "("),
            let close = paragraph[open...].prefix(42).firstIndex(of: ")")
        else { return nil }
        let place = paragraph[..<open]
        let words = place.split(separator: " ")
        guard (1 ... 8).contains(words.count), place.last == " ", !place.contains(where: { "!?;:«»\"“”„".contains($0) }),
            close > paragraph.index(after: open)
        else { return nil }
        let credit = paragraph[paragraph.index(after: open) ..< close]
        guard !credit.contains("("), credit.first?.isLetter == true else { return nil }
        var rest = paragraph[paragraph.index(after: close)...]
        rest = rest.drop(while: { $0 == " " })
        let dash = rest.prefix(while: { "-–—".contains($0) })
        guard (1 ... 2).contains(dash.count) else { return nil }
        let after = rest[dash.endIndex...]
        guard after.first == " " || after.isEmpty else { return nil }
        return oneLine(paragraph[..<dash.endIndex])
    }
}

extension Substring {
    /// ``Swift/String/trimmingASCIIWhitespace()`` for a substring.
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[start ... end]
    }
}
