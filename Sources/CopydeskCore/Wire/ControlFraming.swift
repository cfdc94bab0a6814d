/// The transmission framing of IPTC 7901 and ANPA 1312: each message starts with SOH (after SYN
/// bytes in ANPA), its text runs from STX to ETX, and a trailer (a time stamp) runs from ETX to EOT.
/// A file may hold several messages one after the other.
enum ControlFraming {
    static let soh: UInt8 = 0x01
    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03
    static let eot: UInt8 = 0x04
    static let syn: UInt8 = 0x16
    static let unitSeparator: UInt8 = 0x1F

    /// One message of a file.
    struct Message {
        /// From after SOH to STX (or to the end of the first line, when there is no STX).
        var header: ArraySlice<UInt8>
        /// From after STX to ETX (or to EOT or the message's end when ETX is missing).
        var text: ArraySlice<UInt8>
        /// From after ETX to EOT: the time stamp and sign-off the format puts there.
        var trailer: ArraySlice<UInt8>
        var hasSTX: Bool
        var hasETX: Bool
    }

    /// Which of the two framings the start of a file has, or `nil`.
    ///
    /// `bytes` are the file's start (raw, or text as UTF-8). After a UTF-8 BOM, SYN bytes and white
    /// space the file must start with SOH. ANPA 1312 is SYN SYN SOH, or SOH and a header of a
    /// letter, four digits and the unit separator (`a0421`␟); IPTC 7901 is SOH with an STX in the
    /// first 4 KiB.
    static func sniff(_ bytes: some Collection<UInt8>) -> ArticleFormat? {
        let head = Array(bytes.prefix(4096))
        var index = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var syns = 0
        while index < head.count, head[index] == syn || head[index] == 0x20 || (0x09 ... 0x0D).contains(head[index]) {
            if head[index] == syn { syns += 1 }
            index += 1
        }
        guard index < head.count, head[index] == soh else { return nil }
        let header = head[(index + 1)...].prefix(6)
        if syns > 0 || header.count == 6 && isLetter(header.first!)
            && header.dropFirst().prefix(4).allSatisfy({ (0x30 ... 0x39).contains($0) }) && header.last == unitSeparator
        {
            return .anpa1312
        }
        return head[(index + 1)...].contains(stx) ? .iptc7901 : nil
    }

    private static func isLetter(_ value: UInt8) -> Bool {
        (0x41 ... 0x5A).contains(value) || (0x61 ... 0x7A).contains(value)
    }

    /// One result per message of the file, in order, each read by `read`.
    ///
    /// - Throws: ``CopydeskError`` `.parseFailed` naming `layout` when the file holds no message.
    static func items(
        _ bytes: [UInt8], layout: String, read: (Message) throws(CopydeskError) -> Article
    ) throws(CopydeskError) -> [Result<Article, CopydeskError>] {
        let messages = messages(bytes)
        guard !messages.isEmpty else { throw CopydeskError(.parseFailed, "no \(layout) message in the file") }
        return messages.map { message in Result { () throws(CopydeskError) -> Article in try read(message) } }
    }

    /// The messages of a file, each from one SOH to the next; a stretch with nothing but white space
    /// and control characters (SOH repeated, padding between messages) is none.
    static func messages(_ bytes: [UInt8]) -> [Message] {
        let starts = bytes.indices.filter { bytes[$0] == soh }
        return starts.enumerated().compactMap { number, start in
            let next = number + 1 < starts.count ? starts[number + 1] : bytes.endIndex
            guard bytes[(start + 1) ..< next].contains(where: { $0 > 0x20 && $0 != 0x7F }) else { return nil }
            var end = next
            while end > start + 1, bytes[end - 1] == syn { end -= 1 }
            let body = bytes[(start + 1) ..< end]
            let stxAt = body.firstIndex(of: stx)
            let lineEnd = body.firstIndex(of: 0x0A) ?? body.endIndex
            let header = body[..<(stxAt ?? lineEnd)]
            let textStart = stxAt.map { $0 + 1 } ?? lineEnd
            let rest = body[textStart...]
            let etxAt = rest.firstIndex(of: etx)
            let textEnd = etxAt ?? rest.firstIndex(of: eot) ?? rest.endIndex
            let trailerStart = etxAt.map { $0 + 1 } ?? textEnd
            let trailerEnd = body[trailerStart...].firstIndex(of: eot) ?? body.endIndex
            return Message(
                header: header, text: rest[..<textEnd], trailer: body[trailerStart ..< trailerEnd],
                hasSTX: stxAt != nil, hasETX: etxAt != nil)
        }
    }

    /// Refuses framed bytes that are not text: NUL bytes (but for padding at the end), or more than
    /// 1% control characters other than the framing's own (SOH, STX, ETX, EOT, BEL, DC1 to DC4, SYN,
    /// the unit separator, DEL) and tab, line ends and form feed.
    ///
    /// - Throws: ``CopydeskError`` `.binaryInput` with the count found.
    static func checkText(_ bytes: [UInt8]) throws(CopydeskError) {
        let content = bytes[..<(bytes.lastIndex(where: { $0 != 0 }).map { $0 + 1 } ?? 0)]
        var nul = 0
        var control = 0
        for byte in content where byte < 0x20 {
            switch byte {
            case 0: nul += 1
            case 0x01 ... 0x04, 0x07, 0x09 ... 0x0D, 0x11 ... 0x14, 0x16, 0x1F: break
            default: control += 1
            }
        }
        if nul > 0 {
            throw CopydeskError(.binaryInput, "binary content: \(nul) NUL byte\(nul == 1 ? "" : "s") in a framed wire file")
        }
        if control * 100 > content.count {
            throw CopydeskError(.binaryInput, "binary content: \(control) control characters in \(content.count) bytes")
        }
    }

    /// Bytes of a message as text: control characters other than tab and line ends become spaces
    /// (7901 rings BEL in flash notices; ANPA marks formats with DC1 to DC4 between header fields),
    /// then UTF-8 when the bytes are valid UTF-8, else windows-1252. Line ends become line feeds.
    static func text(_ bytes: ArraySlice<UInt8>) -> (text: String, charset: String) {
        let kept = bytes.map { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D ? $0 : 0x20 }
        let (text, charset) = WireText.decode(Array(kept), label: nil)
        return (text.replacingCRLF(), charset)
    }
}

extension String {
    /// CRLF and lone CR as LF.
    func replacingCRLF() -> String {
        guard unicodeScalars.contains("\r") else { return self }
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousCR = true
                continue
            }
            if scalar == "\n", previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
