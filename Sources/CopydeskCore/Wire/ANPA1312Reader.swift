internal import Foundation

/// Reads ANPA 1312 messages in the layout AP and others send: SYN SYN SOH, a header of the service
/// letter and message number, then a line with the priority letter, the category, the slug with
/// its take key (`BC-ML--Syria-Deraa 1stLd-Writethru`), the date and the word count; after STX
/// caret lines (`^`) for the keyword line, the headline, the byline (`^By …=`) and its title line,
/// then the body in tab-indented paragraphs, and ETX with a trailer time stamp
/// (`AP-WF-07-09-13 1037GMT`). A file may hold several messages.
///
/// The slug is the story key that groups the takes of a story; the take key (`1stLd-Writethru`,
/// `2ndLd`, `Correction`) is the item's signal. The priority letter gives the urgency (`f` flash
/// 1, `b` bulletin 2, `u` urgent 3; the routine letters none). ANPA declares no identifier,
/// version or status: the status is `usable`.
enum ANPA1312Reader {
    /// One result per message of the file, in order.
    ///
    /// - Throws: ``CopydeskError`` `.parseFailed` when the file holds no SOH-framed message.
    static func readItems(_ bytes: [UInt8], deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        try ControlFraming.items(bytes, layout: "ANPA 1312 (SYN SYN SOH … STX … ETX)") { message throws(CopydeskError) in
            try read(message, deadline: deadline)
        }
    }

    /// The article one message holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for a message with neither headline nor text.
    static func read(_ message: ControlFraming.Message, deadline: Deadline) throws(CopydeskError) -> Article {
        let headerLines = ControlFraming.text(message.header).text.split(separator: "\n").map(WireText.oneLine)
        var slug = headerLines.lazy.compactMap(Slug.init(headerLine:)).first
        let (text, charset) = ControlFraming.text(message.text)
        let lines = text.components(separatedBy: "\n")

        // The caret lines before the body: keyword line, headline, byline, title line, notes.
        var carets = [String]()
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if carets.isEmpty, !line.hasPrefix("^"), !line.hasPrefix("\t"), let slug,
                line.replacingOccurrences(of: " ", with: "").hasPrefix(slug.key)
            {
                // The keyword line without its caret.
                carets.append(Self.withoutMarkup(line))
            } else if line.hasPrefix("^") {
                carets.append(Self.withoutMarkup(line))
            } else if !line.allSatisfy(\.isWhitespace) {
                break
            }
            index += 1
        }
        if let first = carets.first, Slug.isKeywordLine(first, slug: slug) {
            let keyword = Slug(keywordLine: first)
            if slug == nil { slug = keyword } else if slug?.takeKey == nil { slug?.takeKey = keyword?.takeKey }
            carets.removeFirst()
        }
        let headline = carets.first { !$0.isEmpty && !Self.startsByline($0) }
        let byline = carets.first(where: Self.startsByline)

        let paragraphs = try Self.paragraphs(Array(lines[index...]), deadline: deadline)
        guard headline != nil || !paragraphs.isEmpty else {
            throw CopydeskError(.noText, "an ANPA 1312 message without headline or text")
        }
        let wire = WireMetadata(
            storyKey: slug?.key, status: "usable", signals: slug?.takeKey.map { [$0] } ?? [],
            urgency: slug?.priority.flatMap(Self.urgency),
            dateline: paragraphs.first.flatMap(WireText.dateline))
        return Article(
            format: .anpa1312, charset: charset, title: headline, byline: byline,
            published: Self.published(ControlFraming.text(message.trailer).text),
            paragraphs: paragraphs.isEmpty ? [headline!] : paragraphs, wire: wire)
    }

    /// A caret line without its markup: the leading `^`, the trailing `<` (end of line) and `=`
    /// (end of header field).
    static func withoutMarkup(_ line: String) -> String {
        var text = Substring(line)
        while text.first == "^" { text = text.dropFirst() }
        while let last = text.last, last == "<" || last == "=" || last.isWhitespace { text = text.dropLast() }
        return WireText.oneLine(text)
    }

    private static func startsByline(_ line: String) -> Bool {
        line.hasPrefix("By ") || line.hasPrefix("BY ")
    }

    /// The body: a tab starts a paragraph, lines without it continue the paragraph, a blank line
    /// ends it; caret lines inside the body are paragraphs of their own. A body without any
    /// tab-indented line is read as plain text (blocks separated by blank lines).
    private static func paragraphs(_ lines: [String], deadline: Deadline) throws(CopydeskError) -> [String] {
        guard lines.contains(where: { $0.hasPrefix("\t") }) else {
            return try WireText.paragraphs(plain: lines.joined(separator: "\n"), deadline: deadline)
        }
        var paragraphs = [String]()
        var current = [String]()
        func close() {
            let text = WireText.oneLine(current.joined(separator: " "))
            if !text.isEmpty { paragraphs.append(ComposedForm.of(text)) }
            current = []
        }
        for (number, line) in lines.enumerated() {
            try deadline.check(every: number)
            if line.allSatisfy(\.isWhitespace) {
                close()
            } else if line.hasPrefix("\t") {
                close()
                current.append(line)
            } else if line.hasPrefix("^") {
                close()
                current.append(withoutMarkup(line))
                close()
            } else {
                current.append(line)
            }
        }
        close()
        return paragraphs
    }

    /// `f` flash, `b` bulletin, `u` urgent; the routine priorities (`r`, `d`, `a`, `z`, …) give none.
    static func urgency(_ priority: Character) -> Int? {
        switch priority.lowercased() {
        case "f": 1
        case "b": 2
        case "u": 3
        default: nil
        }
    }

    /// The trailer's time stamp (`AP-WF-07-09-13 1037GMT`: month, day, two-digit year, hours and
    /// minutes in GMT) in ISO 8601.
    static func published(_ trailer: String) -> String? {
        let characters = Array(trailer)
        guard let gmt = characters.indices.first(where: { characters[$0...].starts(with: "GMT") }), gmt >= 13 else {
            return nil
        }
        // "MM-DD-YY HHMM" ends where GMT starts.
        let stamp = characters[(gmt - 13) ..< gmt]
        let parts = stamp.split(whereSeparator: { $0 == "-" || $0 == " " }).compactMap { Int(String($0)) }
        guard parts.count == 4, (1 ... 12).contains(parts[0]), (1 ... 31).contains(parts[1]), parts[3] / 100 < 24,
            parts[3] % 100 < 60
        else { return nil }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = parts[2] < 70 ? 2000 + parts[2] : 1900 + parts[2]
        return "\(year)-\(two(parts[0]))-\(two(parts[1]))T\(two(parts[3] / 100)):\(two(parts[3] % 100)):00Z"
    }

    /// What the header's slug line declares: priority, category, slug and take key.
    struct Slug {
        var priority: Character?
        var key: String
        var takeKey: String?

        /// The header line `r i BC-EU--Italy-ShipTrial 1stLd-Writethru 07-09 0158`: a priority letter,
        /// a category letter, the slug, the take key up to the `MM-DD` date.
        init?(headerLine line: String) {
            let tokens = line.split(separator: " ").map(String.init)
            guard tokens.count >= 3, tokens[0].count == 1, tokens[1].count <= 2,
                tokens[0].first!.isLetter, tokens[1].allSatisfy(\.isLetter)
            else { return nil }
            priority = tokens[0].first
            key = tokens[2]
            let rest = tokens[3...].prefix { !Self.isDate($0) }
            takeKey = rest.isEmpty ? nil : rest.joined(separator: " ")
        }

        /// The keyword line `BC-ML--Syria-Deraa, 1stLd-Writethru,74`: slug, take key, word count.
        init?(keywordLine line: String) {
            var parts = line.split(separator: ",").map { WireText.oneLine($0) }
            if let last = parts.last, Int(last) != nil { parts.removeLast() }
            guard let first = parts.first, !first.isEmpty else { return nil }
            priority = nil
            key = first.replacingOccurrences(of: " ", with: "")
            takeKey = parts.count > 1 ? parts[1...].joined(separator: " ") : nil
        }

        private static func isDate(_ token: String) -> Bool {
            let parts = token.split(separator: "-")
            return parts.count == 2 && parts.allSatisfy { $0.count <= 2 && Int($0) != nil }
        }

        /// Whether the first caret line is the keyword line (the slug again, ending in the word
        /// count, or starting like a slug: `BC-`, `AM-`, `PM-`) rather than the headline.
        static func isKeywordLine(_ line: String, slug: Slug?) -> Bool {
            let compact = line.replacingOccurrences(of: " ", with: "")
            if let slug, compact.hasPrefix(slug.key) { return true }
            if let last = line.split(separator: ",").last, line.contains(","), Int(WireText.oneLine(last)) != nil {
                return !line.contains(". ")
            }
            let prefix = line.prefix(3)
            return prefix.count == 3 && prefix.last == "-" && prefix.dropLast().allSatisfy(\.isUppercase)
                && line.contains("--")
        }
    }
}
