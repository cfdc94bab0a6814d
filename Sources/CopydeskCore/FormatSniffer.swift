internal import Foundation

/// Recognises the format of a file by its content; the file name's extension is only a hint.
public enum FormatSniffer {
    /// The format of a document whose first characters are `prefix` (decoded text, or raw bytes of an
    /// ASCII-compatible encoding read as Latin-1).
    ///
    /// Markup is recognised when, after a BOM, whitespace and comments, the text starts with a
    /// doctype, an XML declaration followed by an `<html` element, or one of the elements that begin
    /// an HTML page (`<html`, `<head`, `<body`, `<meta`, `<title`); or when the start of the text holds
    /// `<html` or `<body` anywhere. XHTML is markup with an XML declaration or the XHTML namespace.
    public static func sniff(prefix: some StringProtocol) -> ArticleFormat {
        let head = String(prefix.prefix(2048)).lowercased()
        var rest = Substring(head)
        while true {
            rest = rest.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
            guard rest.hasPrefix("<!--") else { break }
            guard let end = rest.range(of: "-->") else { break }
            rest = rest[end.upperBound...]
        }
        let isXML = rest.hasPrefix("<?xml")
        let startsLikeHTML = ["<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<!doctype"].contains {
            rest.hasPrefix($0)
        }
        let holdsHTML = contains(head, "<html") || contains(head, "<body")
        guard startsLikeHTML || holdsHTML || (isXML && contains(head, "<html")) else { return .text }
        if isXML || contains(head, "http://www.w3.org/1999/xhtml") { return .xhtml }
        return .html
    }

    /// Whether `needle` (ASCII) occurs in `text`, compared byte by byte (Foundation's `contains`
    /// costs a bridge to NSString per call).
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            let count = needle.utf8CodeUnitCount
            guard count > 0, haystack.count >= count else { return count == 0 }
            let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: count)
            let first = pattern[0]
            var index = 0
            while index <= haystack.count - count {
                if haystack[index] == first {
                    var matched = 1
                    while matched < count && haystack[index + matched] == pattern[matched] { matched += 1 }
                    if matched == count { return true }
                }
                index += 1
            }
            return false
        }
    }

    /// The format of raw bytes, read as Latin-1 for the sniff (every markup character is ASCII).
    public static func sniff(bytes: some Collection<UInt8>) -> ArticleFormat {
        var prefix = String.UnicodeScalarView()
        for byte in bytes.prefix(2048) where byte != 0 {
            prefix.append(Unicode.Scalar(byte))
        }
        return sniff(prefix: String(prefix))
    }
}
