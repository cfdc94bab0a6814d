internal import Foundation

/// Reads an e-mail message (RFC 5322 with MIME, RFC 2045-2047): the Subject is the headline, the
/// Message-ID the item's identifier, the Date its publication time, and the text the body.
///
/// The body is the message's text/plain part (in a multipart/alternative, the plain part is
/// preferred; an HTML part is read only when there is no plain one, through the HTML normalizer's
/// text rules). Attachments (a `Content-Disposition: attachment` or a part with a file name) and
/// parts that are not text are left out. Transfer encodings (quoted-printable, base64) and the
/// declared charsets are decoded; headers may hold RFC 2047 encoded-words. The signature after a
/// `-- ` line is not body. The sender (From) is not the author: a mail has no byline.
enum EmailReader {
    /// The deepest nesting of multiparts read; deeper parts are left out.
    static let maxDepth = 12

    /// Whether the bytes start with a header block of an e-mail: lines that are RFC 5322 fields
    /// (a name of printable ASCII without space or colon, a colon) or their folded continuations,
    /// ended by an empty line, with a From field and at least two of Date, Subject, Message-ID,
    /// MIME-Version and To. An mbox `From ` line may come first.
    static func looksLikeEmail(_ bytes: some Collection<UInt8>) -> Bool {
        var names = Set<String>()
        var lineNumber = 0
        var sawEnd = false
        let window = bytes.prefix(16384)
        var lineStart = window.startIndex
        // Line by line, stopping at the first that is not a header (the first line of most files).
        while lineStart < window.endIndex {
            let lineEnd = window[lineStart...].firstIndex(of: 0x0A) ?? window.endIndex
            let rawLine = window[lineStart ..< lineEnd]
            lineStart = lineEnd < window.endIndex ? window.index(after: lineEnd) : lineEnd
            var line = ArraySlice(rawLine)
            if line.last == 0x0D { line = line.dropLast() }
            defer { lineNumber += 1 }
            if line.isEmpty {
                sawEnd = lineNumber > 0
                break
            }
            if lineNumber == 0, line.starts(with: Array("From ".utf8)) { continue }
            if line.first == 0x20 || line.first == 0x09 {
                guard !names.isEmpty else { return false }
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex, colon - line.startIndex <= 76,
                line[..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else { return false }
            names.insert(String(decoding: line[..<colon], as: UTF8.self).lowercased())
        }
        guard sawEnd, names.contains("from") else { return false }
        return ["date", "subject", "message-id", "mime-version", "to"].filter(names.contains).count >= 2
    }

    /// The article the message holds.
    ///
    /// - Throws: ``CopydeskError`` `.noText` when the message has neither subject nor text (only
    ///   attachments), `.binaryInput` when its text part is not text.
    static func read(_ bytes: [UInt8], deadline: Deadline) throws(CopydeskError) -> Article {
        var start = bytes.startIndex
        if bytes.starts(with: Array("From ".utf8)), let newline = bytes.firstIndex(of: 0x0A) {
            start = newline + 1
        }
        let message = Entity(bytes[start...])
        let subject = message.header("subject").map(Self.decodeWords).map(WireText.oneLine).flatMap { $0.isEmpty ? nil : $0 }
        var paragraphs = [String]()
        var charset = Charset.utf8.rawValue
        if let text = try message.text(deadline: deadline, depth: 0) {
            charset = text.charset
            try BinarySniffer.checkDecoded(text.text)
            switch text.kind {
            case .plain:
                paragraphs = try WireText.paragraphs(plain: Self.withoutSignature(text.text), deadline: deadline)
            case .html:
                do throws(CopydeskError) {
                    paragraphs = try WireText.paragraphs(html: text.text, deadline: deadline)
                } catch where error.code == .noText {
                    paragraphs = []
                }
            }
        }
        guard subject != nil || !paragraphs.isEmpty else {
            throw CopydeskError(.noText, "an e-mail without subject or text (attachments only), not an article")
        }
        var wire = WireMetadata(
            id: message.header("message-id").flatMap(Self.messageID), status: "usable",
            dateline: paragraphs.first.flatMap(WireText.dateline),
            provider: message.header("from").map(Self.decodeWords).flatMap(Self.sender))
        if let supersedes = message.header("supersedes").flatMap(Self.messageID) {
            wire.links = [.init(rel: "supersedes", id: supersedes)]
        }
        let language = message.header("content-language").map {
            WireText.oneLine($0.split(separator: ",").first ?? "")
        }
        return Article(
            format: .email, charset: charset, title: subject,
            published: message.header("date").flatMap(Self.date),
            language: language?.isEmpty == false ? language : nil,
            paragraphs: paragraphs.isEmpty ? [subject!] : paragraphs, wire: wire)
    }

    /// The text before the signature: the last line that is `-- ` (or `--`) and everything after it.
    static func withoutSignature(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let separator = lines.lastIndex(where: { $0 == "-- " || $0 == "--" }) else { return text }
        lines.removeSubrange(separator...)
        return lines.joined(separator: "\n")
    }

    /// `<id@host>` → `id@host`.
    static func messageID(_ value: String) -> String? {
        var id = Substring(WireText.oneLine(value))
        if let open = id.firstIndex(of: "<") {
            id = id[id.index(after: open)...]
            if let close = id.firstIndex(of: ">") { id = id[..<close] }
        }
        let trimmed = id.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// The sender's display name (`dpa Nachrichten <newsdesk@example.org>` → `dpa Nachrichten`), or
    /// the address when there is none.
    static func sender(_ value: String) -> String? {
        let text = WireText.oneLine(value)
        if let open = text.firstIndex(of: "<") {
            let name = text[..<open].trimmingASCIIWhitespace().trimmingCharacters(in: "\"")
            if !name.isEmpty { return name }
            return messageID(text)
        }
        return text.isEmpty ? nil : text
    }

    // MARK: - MIME entities

    /// A message or a part of one: its header fields and its body's bytes.
    struct Entity {
        enum Kind { case plain, html }

        /// Header fields in order, names lowercased, folded lines unfolded.
        var fields: [(name: String, value: String)]
        var body: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) {
            var fields = [(name: String, value: String)]()
            var index = bytes.startIndex
            var bodyStart = bytes.endIndex
            while index < bytes.endIndex {
                let lineEnd = bytes[index...].firstIndex(of: 0x0A) ?? bytes.endIndex
                var line = bytes[index ..< lineEnd]
                if line.last == 0x0D { line = line.dropLast() }
                let next = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
                if line.isEmpty {
                    bodyStart = next
                    break
                }
                let text = WireText.decode(Array(line), label: nil).text
                if line.first == 0x20 || line.first == 0x09, !fields.isEmpty {
                    fields[fields.count - 1].value += text
                } else if let colon = text.firstIndex(of: ":") {
                    fields.append((String(text[..<colon]).lowercased().trimmingCharacters(in: " \t"),
                                   String(text[text.index(after: colon)...])))
                } else {
                    // Not a header line: the part has no header block, its body starts here.
                    bodyStart = index
                    break
                }
                index = next
            }
            self.fields = fields
            body = bytes[min(bodyStart, bytes.endIndex)...]
        }

        /// The first field of that name (lowercase), its value trimmed.
        func header(_ name: String) -> String? {
            fields.first { $0.name == name }.map { String($0.value.trimmingASCIIWhitespace()) }
        }

        /// `text/plain; charset="utf-8"` → (`text/plain`, [`charset`: `utf-8`]).
        var contentType: (type: String, parameters: [String: String]) {
            guard let value = header("content-type") else { return ("text/plain", [:]) }
            let (type, parameters) = EmailReader.parameters(value)
            return (type.contains("/") ? type : "text/plain", parameters)
        }

        var isAttachment: Bool {
            if let disposition = header("content-disposition") {
                let (kind, parameters) = EmailReader.parameters(disposition)
                if kind == "attachment" || parameters.keys.contains(where: { $0.hasPrefix("filename") }) { return true }
            }
            return contentType.parameters.keys.contains { $0 == "name" || $0.hasPrefix("name*") }
        }

        /// The body after its transfer encoding is undone.
        ///
        /// - Throws: ``CopydeskError`` `.undecodable` for a base64 body that is not base64 (more than
        ///   a few characters outside its alphabet besides line breaks: decoding would give noise).
        func decodedBody() throws(CopydeskError) -> [UInt8] {
            switch header("content-transfer-encoding")?.lowercased() {
            case "base64"?:
                let foreign = body.filter { !EmailReader.isBase64Character($0) && $0 != 0x0A && $0 != 0x0D && $0 != 0x20 && $0 != 0x09 }
                guard foreign.count <= max(2, body.count / 100) else {
                    throw CopydeskError(.undecodable, "an e-mail part declared base64 whose body is not base64")
                }
                return EmailReader.base64(body)
            case "quoted-printable"?: return EmailReader.quotedPrintable(body)
            default: return Array(body)
            }
        }

        /// The text this entity gives the article: its own when it is a text part, else the
        /// preferred part of a multipart (plain before HTML in an alternative; the first part that
        /// has text in the others), or the text of a message forwarded inline. Attachments and
        /// other media give none.
        func text(deadline: Deadline, depth: Int) throws(CopydeskError) -> (kind: Kind, text: String, charset: String)? {
            try deadline.check()
            guard depth <= EmailReader.maxDepth, depth == 0 || !isAttachment else { return nil }
            let (type, parameters) = contentType
            if type.hasPrefix("multipart/") {
                guard let boundary = parameters["boundary"], !boundary.isEmpty else {
                    return try decodedText(.plain, parameters)
                }
                let parts = EmailReader.parts(of: body, boundary: boundary).map(Entity.init)
                var found = [(kind: Kind, text: String, charset: String)]()
                // A part that cannot be decoded is passed over while another gives the text.
                var failure: CopydeskError?
                for part in parts {
                    do throws(CopydeskError) {
                        if let text = try part.text(deadline: deadline, depth: depth + 1) {
                            if type != "multipart/alternative" { return text }
                            found.append(text)
                        }
                    } catch where error.code == .undecodable {
                        failure = failure ?? error
                    }
                }
                if found.isEmpty, let failure { throw failure }
                return found.first { $0.kind == .plain } ?? found.first
            }
            switch type {
            case "text/plain": return try decodedText(.plain, parameters)
            case "text/html": return try decodedText(.html, parameters)
            case "message/rfc822", "message/global":
                // A forwarded message inline: its own header block, then its body.
                return try Entity(ArraySlice(try decodedBody())).text(deadline: deadline, depth: depth + 1)
            default: return nil
            }
        }

        private func decodedText(_ kind: Kind, _ parameters: [String: String]) throws(CopydeskError)
            -> (kind: Kind, text: String, charset: String)?
        {
            let (text, charset) = WireText.decode(try decodedBody(), label: parameters["charset"])
            var plain = text.replacingCRLF()
            if kind == .plain, parameters["format"]?.lowercased() == "flowed" {
                plain = EmailReader.unflowed(plain, deleteSpace: parameters["delsp"]?.lowercased() == "yes")
            }
            guard plain.contains(where: { !$0.isWhitespace }) else { return nil }
            return (kind, plain, charset)
        }
    }

    /// The parts of a multipart body: between the lines `--boundary`, up to `--boundary--` (or the
    /// end, when the message was cut). The preamble and epilogue are not parts.
    static func parts(of body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array("--\(boundary)".utf8)
        var parts = [ArraySlice<UInt8>]()
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[index ..< lineEnd]
            if line.starts(with: marker) {
                let rest = line.dropFirst(marker.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || closing {
                    if let start = partStart {
                        // The line break before the boundary belongs to the boundary.
                        var end = index
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[start ..< end])
                    }
                    if closing { return parts }
                    partStart = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
                }
            }
            index = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
        }
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }

    /// `type/subtype; name=value; name="quoted value"` → the lowercased first element and the
    /// parameters (names lowercased). RFC 2231 continuations are not joined; encoded values keep
    /// their encoding.
    static func parameters(_ value: String) -> (String, [String: String]) {
        var items = [String]()
        var current = ""
        var quoted = false
        for character in value {
            if character == "\"" { quoted.toggle() }
            if character == ";", !quoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        let first = String(items[0].trimmingASCIIWhitespace()).lowercased()
        var parameters = [String: String]()
        for item in items.dropFirst() {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let name = String(item[..<equals].trimmingASCIIWhitespace()).lowercased()
            var value = String(item[item.index(after: equals)...].trimmingASCIIWhitespace())
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if parameters[name] == nil { parameters[name] = value }
        }
        return (first, parameters)
    }

    // MARK: - Encodings

    /// Whether a byte belongs to base64's alphabet (either variant) or is its padding.
    static func isBase64Character(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41 ... 0x5A, 0x61 ... 0x7A, 0x30 ... 0x39, 0x2B, 0x2D, 0x2F, 0x5F, 0x3D: true
        default: false
        }
    }

    /// Base64 as mail carries it: line breaks and other characters outside the alphabet are
    /// skipped, missing padding is tolerated, a last incomplete group gives what it can.
    static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt32
            switch byte {
            case 0x41 ... 0x5A: value = UInt32(byte - 0x41)
            case 0x61 ... 0x7A: value = UInt32(byte - 0x61 + 26)
            case 0x30 ... 0x39: value = UInt32(byte - 0x30 + 52)
            case 0x2B, 0x2D: value = 62
            case 0x2F, 0x5F: value = 63
            case 0x3D: bits = 0; buffer = 0; continue
            default: continue
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        return output
    }

    /// Quoted-printable: `=XX` is a byte, `=` at a line's end joins it to the next, trailing white
    /// space of a line is dropped; a malformed `=` stays as written.
    static func quotedPrintable(_ bytes: some Collection<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 0x3D {
                var after = index + 1
                while after < input.count, input[after] == 0x20 || input[after] == 0x09 { after += 1 }
                if after < input.count, input[after] == 0x0D || input[after] == 0x0A {
                    // A soft line break.
                    index = after + (input[after] == 0x0D && after + 1 < input.count && input[after + 1] == 0x0A ? 2 : 1)
                    continue
                }
                if after == input.count {
                    index = after
                    continue
                }
                if index + 2 < input.count, let high = hex(input[index + 1]), let low = hex(input[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                output.append(byte)
            } else if byte == 0x5F, underscoreIsSpace {
                output.append(0x20)
            } else if byte == 0x20 || byte == 0x09 {
                var after = index
                while after < input.count, input[after] == 0x20 || input[after] == 0x09 { after += 1 }
                if after == input.count || input[after] == 0x0D || input[after] == 0x0A {
                    index = after
                    continue
                }
                output.append(contentsOf: input[index ..< after])
                index = after
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30 ... 0x39: byte - 0x30
        case 0x41 ... 0x46: byte - 0x41 + 10
        case 0x61 ... 0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Text in `format=flowed` (RFC 3676): a line ending in a space continues on the next line
    /// (with `delsp=yes` the space goes); the signature line `-- ` stays a line.
    static func unflowed(_ text: String, deleteSpace: Bool) -> String {
        var result = ""
        for line in text.components(separatedBy: "\n") {
            let flowed = line.hasSuffix(" ") && line != "-- "
            result += flowed && deleteSpace ? String(line.dropLast()) : line
            if !flowed { result += "\n" }
        }
        return result
    }

    /// A header value with its RFC 2047 encoded-words (`=?utf-8?q?Gr=C3=BCnen?=`,
    /// `=?iso-8859-1?b?...?=`) decoded; white space between two encoded-words goes.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasEncoded = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (decoded, after) = encodedWord(rest) {
                if !lastWasEncoded { result += pendingSpace }
                pendingSpace = ""
                result += decoded
                rest = after
                lastWasEncoded = true
                continue
            }
            let character = rest.removeFirst()
            if character.isWhitespace {
                pendingSpace.append(character)
                continue
            }
            result += pendingSpace
            pendingSpace = ""
            result.append(character)
            lastWasEncoded = false
        }
        return result + pendingSpace
    }

    /// The encoded-word at the start of `text` decoded, and the text after it.
    private static func encodedWord(_ text: Substring) -> (String, Substring)? {
        let inner = text.dropFirst(2)
        guard let firstMark = inner.firstIndex(of: "?") else { return nil }
        let charset = inner[..<firstMark].split(separator: "*").first.map(String.init) ?? ""
        let afterCharset = inner[inner.index(after: firstMark)...]
        guard let encoding = afterCharset.first, afterCharset.dropFirst().first == "?" else { return nil }
        let payloadStart = afterCharset.dropFirst(2)
        guard let end = payloadStart.range(of: "?=") else { return nil }
        let payload = Array(payloadStart[..<end.lowerBound].utf8)
        guard !payload.contains(0x20) else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "Q", "q": bytes = quotedPrintable(payload, underscoreIsSpace: true)
        case "B", "b": bytes = base64(payload)
        default: return nil
        }
        return (WireText.decode(bytes, label: charset).text, payloadStart[end.upperBound...])
    }

    // MARK: - Dates

    /// An RFC 5322 date (`Wed, 25 Sep 2024 10:37:24 +0200`, also without weekday or seconds, with
    /// an obsolete zone name such as `GMT` or `EST`) in ISO 8601 with its offset.
    static func date(_ value: String) -> String? {
        var tokens = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        if let first = tokens.first, Int(first) == nil { tokens.removeFirst() }
        guard tokens.count >= 4, let day = Int(tokens[0]), (1 ... 31).contains(day),
            let month = months[tokens[1].prefix(3).lowercased()], var year = Int(tokens[2])
        else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        let clock = tokens[3].split(separator: ":").map { Int($0) }
        guard clock.count >= 2, clock.allSatisfy({ $0 != nil }), clock[0]! < 24, clock[1]! < 60,
            clock.count < 3 || clock[2]! < 61
        else { return nil }
        let offset = tokens.count > 4 ? zone(tokens[4]) : "Z"
        guard let offset else { return nil }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let seconds = clock.count > 2 ? clock[2]! : 0
        return "\(year)-\(two(month))-\(two(day))T\(two(clock[0]!)):\(two(clock[1]!)):\(two(min(seconds, 59)))\(offset)"
    }

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    /// `+0200` → `+02:00`; `GMT`, `UT`, `Z` → `Z`; the US zone names of RFC 822; any other name
    /// (military letters, a comment) as UTC, as RFC 5322 asks for zones it does not define.
    private static func zone(_ token: String) -> String? {
        if let sign = token.first, sign == "+" || sign == "-", token.count == 5, token.dropFirst().allSatisfy(\.isASCII),
            Int(token.dropFirst()) != nil
        {
            let digits = token.dropFirst()
            return "\(sign)\(digits.prefix(2)):\(digits.suffix(2))"
        }
        let names = ["GMT": "Z", "UT": "Z", "UTC": "Z", "Z": "Z", "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00",
                     "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00"]
        return names[token.uppercased()] ?? "Z"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        Substring(self).trimmingCharacters(in: set)
    }
}
