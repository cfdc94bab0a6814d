internal import Foundation

/// Reads IPTC 7901 messages: a header line after SOH (service and sequence number, priority digit,
/// category, word count), keyword lines, then after STX a heading block closed by ` =`, the body,
/// and ETX with a time stamp; EOT ends the message. A file may hold several messages.
///
/// The heading block holds the headline, the byline (`Von …`, `By …`) and notices the agency sends
/// with the item (`(Eil)`, `(Berichtigung: …)`, `EXTRA`, `1ST LEAD`, `(Foto …)`): the notices are
/// kept as the item's signals, as written. The body ends where the agency's notes not meant for
/// publication start (`# Notizblock`, "not for publication") and loses its sign-off line (`dpa
/// kre/su yysw`). 7901 declares no identifier, version or status: the status is `usable`.
enum IPTC7901Reader {
    /// One result per message of the file, in order.
    ///
    /// - Throws: ``CopydeskError`` `.parseFailed` when the file holds no SOH-framed message.
    static func readItems(_ bytes: [UInt8], deadline: Deadline) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        try ControlFraming.items(bytes, layout: "IPTC 7901 (SOH … STX … ETX)") { message throws(CopydeskError) in
            try read(message, deadline: deadline)
        }
    }

    /// The article one message holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` for a message with neither headline nor text.
    static func read(_ message: ControlFraming.Message, deadline: Deadline) throws(CopydeskError) -> Article {
        let header = ControlFraming.text(message.header).text
        let transmission = header.split(separator: "\n").map(WireText.oneLine).first { !$0.isEmpty }
        let (text, charset) = ControlFraming.text(message.text)
        var lines = text.components(separatedBy: "\n")
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }

        let heading = Heading(lines)
        let bodyLines = Self.withoutNotes(Array(lines[heading.lineCount...]))
        var paragraphs = try WireText.paragraphs(plain: bodyLines.joined(separator: "\n"), deadline: deadline)
        if let last = paragraphs.last, isSignOff(last) { paragraphs.removeLast() }
        guard heading.headline != nil || !paragraphs.isEmpty else {
            throw CopydeskError(.noText, "an IPTC 7901 message without headline or text")
        }
        let wire = WireMetadata(
            status: "usable", signals: heading.notices, urgency: transmission.flatMap(Self.priority),
            dateline: paragraphs.prefix(3).lazy.compactMap(WireText.dateline).first)
        return Article(
            format: .iptc7901, charset: charset, title: heading.headline, byline: heading.byline,
            paragraphs: paragraphs.isEmpty ? [heading.headline!] : paragraphs, wire: wire)
    }

    /// The priority digit of the header line (`bdt0000 3 pl 1609  dpa 0000` → 3): among the three
    /// tokens after the service and sequence number (which some agencies write apart), the first
    /// that is one digit from 1 to 9.
    static func priority(_ transmission: String) -> Int? {
        let tokens = transmission.split(separator: " ")
        guard let token = tokens.dropFirst().prefix(3).first(where: { $0.count == 1 && $0.first!.isASCII && $0.first!.isNumber }),
            let digit = Int(token), digit > 0
        else { return nil }
        return digit
    }

    /// The heading block of a message's text: the lines up to the first that ends with `=`. Blank
    /// lines may stand between notices and the headline, not after the headline's first line. A
    /// text without such a line has a heading only when its first block is at most four lines
    /// followed by more text and leaves, after its notices, a line that reads like a headline.
    struct Heading {
        var headline: String?
        var byline: String?
        var notices: [String] = []
        /// How many lines of the text the heading takes.
        var lineCount = 0

        /// The most lines looked at for the heading's `=`.
        static let maxLines = 20

        init(_ lines: [String]) {
            var end: Int?
            var depth = 0
            var sawText = false
            for (index, line) in lines.prefix(Self.maxLines).enumerated() {
                let text = WireText.oneLine(line)
                if text.isEmpty {
                    if sawText { break }
                    continue
                }
                if text.hasSuffix("=") {
                    end = index
                    break
                }
                if depth == 0 && !text.hasPrefix("(") && !Self.isCapitalNotice(text) { sawText = true }
                depth = max(0, depth + Self.depth(text))
            }
            if let end {
                lineCount = end + 1
                var heading = lines[...end].map { WireText.oneLine($0) }
                heading[end] = WireText.oneLine(heading[end].dropLast())
                classify(heading.filter { !$0.isEmpty })
                return
            }
            let block = lines.prefix(while: { !$0.allSatisfy(\.isWhitespace) })
            guard (1 ... 4).contains(block.count), lines.count > block.count else { return }
            var candidate = Heading([])
            candidate.classify(block.map { WireText.oneLine($0) })
            if let headline = candidate.headline, PlainText.looksLikeHeadline(headline) {
                self = candidate
                lineCount = block.count
            }
        }

        /// Sorts the heading's lines into notices (parenthesised, possibly over several lines; short
        /// lines in capitals before the headline, or wire notices such as `1ST LEAD` after it), the
        /// byline (a line after the headline starting with `Von` or `By`, with the lines after it) and
        /// the headline (the rest, joined).
        mutating func classify(_ lines: [String]) {
            enum Kind { case notice, byline, headline }
            var units = [(text: String, kind: Kind)]()
            var index = 0
            while index < lines.count {
                var line = lines[index]
                if line.hasPrefix("(") {
                    var depth = Self.depth(line)
                    while depth > 0, index + 1 < lines.count {
                        index += 1
                        line += " " + lines[index]
                        depth += Self.depth(lines[index])
                    }
                    // "(Ex-)Minister tritt zurück" opens with a parenthesis but is no notice.
                    units.append((line, line.hasSuffix(")") ? .notice : .headline))
                } else {
                    units.append((line, .headline))
                }
                index += 1
            }
            var seenHeadline = false
            for position in units.indices where units[position].kind == .headline {
                let line = units[position].text
                let later = units[(position + 1)...].filter { $0.kind == .headline }
                let laterHeadline = later.contains { !Self.isCapitalNotice($0.text) }
                if !seenHeadline, Self.isCapitalNotice(line) && laterHeadline || Self.isWireNotice(line) && !later.isEmpty {
                    units[position].kind = .notice
                } else if seenHeadline, Self.isWireNotice(line) {
                    units[position].kind = .notice
                } else if seenHeadline, byline == nil, Self.startsByline(line) {
                    units[position].kind = .byline
                    byline = line
                } else if let current = byline {
                    // A byline over two lines ("Von A und" / "B, dpa") or a second author's line.
                    units[position].kind = .byline
                    byline = current + " " + line
                } else {
                    seenHeadline = true
                }
            }
            notices = units.filter { $0.kind == .notice }.map(\.text)
            let words = units.filter { $0.kind == .headline }.map(\.text)
            headline = words.isEmpty ? nil : words.joined(separator: " ")
        }

        private static func depth(_ line: String) -> Int {
            line.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) }
        }

        /// A short line in capitals (`EXTRA`, `1ST LEAD`, `URGENT`): at most four words, two capital
        /// letters or more and no small letter.
        static func isCapitalNotice(_ line: String) -> Bool {
            line.split(separator: " ").count <= 4 && !line.contains(where: \.isLowercase)
                && line.filter(\.isUppercase).count >= 2
        }

        /// A capital notice that names what the take is (a lead, a writethru, a correction, …),
        /// whether it stands before or after the headline.
        static func isWireNotice(_ line: String) -> Bool {
            guard isCapitalNotice(line) else { return false }
            let words: Set<String> = [
                "LEAD", "WRITETHRU", "WRITETHROUGH", "EXTRA", "URGENT", "FLASH", "BULLETIN", "CORRECTION", "CORRECTED",
                "REPEAT", "ADVISORY", "UPDATE", "UPDATED", "KILL", "WITHDRAWAL", "EIL", "EILT", "BLITZ", "VORRANG",
                "KORREKTUR", "BERICHTIGUNG", "WIEDERHOLUNG", "ZUSAMMENFASSUNG", "NEU",
            ]
            return line.split(whereSeparator: { $0 == " " || $0 == "-" }).contains { words.contains(String($0)) }
        }

        static func startsByline(_ line: String) -> Bool {
            ["Von ", "By ", "VON ", "BY "].contains { line.hasPrefix($0) } && line.count <= 200
        }
    }

    /// The body lines before the agency's notes that are not for publication: a `# Notizblock`
    /// heading, or a line saying the following is not for publication (with the `* * *` rule
    /// before it).
    static func withoutNotes(_ lines: [String]) -> [String] {
        guard let cut = lines.firstIndex(where: isNotesStart) else { return lines }
        var kept = Array(lines[..<cut])
        while let last = kept.last, last.allSatisfy({ $0.isWhitespace || $0 == "*" }) { kept.removeLast() }
        return kept
    }

    private static func isNotesStart(_ line: String) -> Bool {
        let text = WireText.oneLine(line).lowercased()
        if text.hasPrefix("#"), text.drop(while: { $0 == "#" }).trimmingASCIIWhitespace().hasPrefix("notizblock") { return true }
        if text == "notizblock" { return true }
        return text.contains("nicht zur veröffentlichung bestimmt") || text.contains("not for publication")
            || text.contains("not intended for publication")
    }

    /// A sign-off line (`dpa kre/su yysw a3 lön mda`): at most ten short tokens in small letters and
    /// digits (with `/` and `-`), the first a word; one token only when it holds a `/` (`ab/cd`).
    static func isSignOff(_ paragraph: String) -> Bool {
        let tokens = paragraph.split(separator: " ")
        guard (1 ... 10).contains(tokens.count), tokens.count > 1 || tokens[0].contains("/"),
            tokens[0].allSatisfy({ $0.isLetter || $0 == "/" })
        else { return false }
        return tokens.allSatisfy { token in
            token.count <= 12 && token.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "/" || $0 == "-" }
        }
    }
}
