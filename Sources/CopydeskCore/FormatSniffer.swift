internal import Foundation

/// Recognises the format of a file by its content; the file name's extension is only a hint.
public enum FormatSniffer {
    /// How much of a file the sniff reads. Pages saved from misconfigured servers carry PHP warnings,
    /// inline styles or scripts before their `<html>` (tens of kilobytes of them); a plain text
    /// holds no `<html` or `<body` tag at all.
    public static let window = 65536

    /// The format of a document whose text, or the start of it, is `prefix` (decoded text, or raw
    /// bytes of an ASCII-compatible encoding read as Latin-1). Only the first ``window`` bytes are
    /// read.
    ///
    /// Markup is recognised when, after a BOM, whitespace and comments, the text starts with a
    /// doctype, an XML declaration followed by an `<html` element, or one of the elements that begin
    /// an HTML page (`<html`, `<head`, `<body`, `<meta`, `<title`); or when the first ``window``
    /// characters hold an `<html` or `<body` tag anywhere (after server warnings, a stray
    /// `<style>` or `<script>`). XHTML is markup with an XML declaration or the XHTML namespace.
    ///
    /// Before that, agency formats are recognised by their content: the text wire formats
    /// (``sniffTextWire(bytes:)``) first, since an e-mail may carry an HTML part; JSON as a dpa
    /// digitalwires entry or a ninjs item (even one whose body holds markup) by the keys each
    /// declares; XML whose root element (or doctype name) is a NewsML-G2 item or message, `nitf` or
    /// `NewsML` (see ``wireFormat(ofRoot:)``).
    public static func sniff(prefix: some StringProtocol) -> ArticleFormat {
        if let wire = sniffTextWire(bytes: prefix.utf8.prefix(window)) { return wire }
        if DigitalwiresReader.looksLikeDigitalwires(prefix) { return .dpaDigitalwires }
        if NinjsReader.looksLikeNinjs(prefix) { return .ninjs }
        if let root = xmlRootName(utf8Prefix(prefix, 8192)), let format = wireFormat(ofRoot: root) { return format }
        // The first 2 KiB as bytes, ASCII lower-cased: every tag and keyword looked for is ASCII.
        var head = Array(utf8Prefix(prefix, 2048).utf8)
        for index in head.indices where head[index] >= 0x41 && head[index] <= 0x5A { head[index] |= 0x20 }
        var rest = head[...]
        while true {
            rest = withoutLeadingSpace(rest)
            guard rest.starts(with: "<!--".utf8), let end = rest.firstRange(of: "-->".utf8) else { break }
            rest = rest[end.upperBound...]
        }
        let isXML = rest.starts(with: "<?xml".utf8)
        let startsLikeHTML = ["<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<!doctype"].contains {
            rest.starts(with: $0.utf8)
        }
        let holdsHTML = head[...].lowercasedASCIIContains("<html") || head[...].lowercasedASCIIContains("<body")
            || holdsPageTag(prefix.utf8.prefix(window))
        guard startsLikeHTML || holdsHTML || (isXML && head[...].lowercasedASCIIContains("<html")) else {
            return .text
        }
        if isXML || head[...].lowercasedASCIIContains("http://www.w3.org/1999/xhtml") { return .xhtml }
        return .html
    }

    /// The bytes after leading whitespace (any Unicode white space) and byte-order marks.
    private static func withoutLeadingSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x20 || (0x09 ... 0x0D).contains(byte) {
                index += 1
                continue
            }
            guard byte >= 0x80 else { break }
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator),
                scalar == "\u{FEFF}" || scalar.properties.isWhitespace
            else { break }
            index += UTF8.width(scalar)
        }
        return bytes[index...]
    }

    /// The start of `text` up to `count` UTF-8 bytes (fewer, to end on a whole character): a bound
    /// found without counting characters one by one.
    static func utf8Prefix(_ text: some StringProtocol, _ count: Int) -> Substring {
        let whole = Substring(text)
        let utf8 = whole.utf8
        guard utf8.count > count else { return whole }
        var end = utf8.index(utf8.startIndex, offsetBy: count)
        // Back to the start of a Unicode scalar (a continuation byte is 10xxxxxx).
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return whole[..<end]
    }

    /// The wire format whose documents have the root element `name` (its local name), if any.
    static func wireFormat(ofRoot name: Substring) -> ArticleFormat? {
        if NewsMLG2Reader.roots.contains(String(name)) { return .newsmlG2 }
        switch name {
        case "nitf": return .nitf
        case "NewsML": return .newsml12
        default: return nil
        }
    }

    /// The local name of the root element of an XML document, read from its start: after a BOM,
    /// whitespace, the XML declaration, processing instructions and comments, the name a doctype
    /// declares or the first start tag's. Nil when the text does not start like XML.
    static func xmlRootName(_ text: some StringProtocol) -> Substring? {
        var rest = Substring(text)
        while true {
            rest = rest.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
            if rest.hasPrefix("<?") {
                guard let end = rest.range(of: "?>") else { return nil }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<!--") {
                guard let end = rest.range(of: "-->") else { return nil }
                rest = rest[end.upperBound...]
            } else if rest.prefix(9).lowercased() == "<!doctype" {
                return localName(rest.dropFirst(9).drop(while: \.isWhitespace))
            } else if rest.hasPrefix("<") {
                return localName(rest.dropFirst())
            } else {
                return nil
            }
        }
    }

    /// The name at the start of `text` (up to whitespace, `>`, `/` or `[`), without its prefix.
    private static func localName(_ text: Substring) -> Substring? {
        let name = text.prefix(while: { !$0.isWhitespace && !">/[".contains($0) })
        let local = name.lastIndex(of: ":").map { name[name.index(after: $0)...] } ?? name
        return local.isEmpty ? nil : local
    }

    /// The text wire formats recognised by their structure at the file's start, before any
    /// decoding (their control characters would have a file refused as binary, and an e-mail's
    /// parts declare charsets of their own): IPTC 7901 and ANPA 1312 by their SOH … STX framing
    /// (ANPA's SYN SYN SOH and `a0421`␟ header), an e-mail by a header block of RFC 5322 fields with
    /// From and two of Date, Subject, Message-ID, MIME-Version and To. `nil` for anything else: a
    /// text that merely starts with `From:` or holds `=` lines stays a text.
    public static func sniffTextWire(bytes: some Collection<UInt8>) -> ArticleFormat? {
        if let framed = ControlFraming.sniff(bytes) { return framed }
        return EmailReader.looksLikeEmail(bytes) ? .email : nil
    }

    /// The format of raw bytes, read as Latin-1 for the sniff (every markup character is ASCII).
    public static func sniff(bytes: some Collection<UInt8>) -> ArticleFormat {
        var prefix = String.UnicodeScalarView()
        for byte in bytes.prefix(window) where byte != 0 {
            prefix.append(Unicode.Scalar(byte))
        }
        return sniff(prefix: String(prefix))
    }

    /// Whether `bytes` hold an `<html` or `<body` start tag (the name followed by `>`, `/` or
    /// whitespace), in any case.
    static func holdsPageTag(_ bytes: some Collection<UInt8>) -> Bool {
        let text = Array(bytes)
        guard text.count >= 6 else { return false }
        for index in 0 ..< text.count - 5 where text[index] == 0x3C {
            let name = text[index + 1 ..< index + 5]
            guard name.lowercasedASCIIContains("html") || name.lowercasedASCIIContains("body") else { continue }
            switch text[index + 5] {
            case 0x3E, 0x2F, 0x20, 0x09, 0x0A, 0x0D: return true
            default: continue
            }
        }
        return false
    }
}
