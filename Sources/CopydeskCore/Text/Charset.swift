/// A character encoding copydesk decodes, with its IANA name.
public enum Charset: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case utf32LE = "utf-32le"
    case utf32BE = "utf-32be"
    case windows1252 = "windows-1252"

    /// The charset a label names, by the WHATWG Encoding labels copydesk supports
    /// (`utf8`, `latin1`, `ascii` and `cp1252` included); `nil` for an unknown label.
    ///
    /// Like browsers, `iso-8859-1`, `latin1` and `us-ascii` are decoded as windows-1252, which is a
    /// superset of them for every byte that real pages use.
    public init?(label: String) {
        let label = label.trimmingASCIIWhitespace().lowercased()
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode20utf8":
            self = .utf8
        case "utf-16le", "utf-16", "unicode", "ucs-2", "csunicode", "iso-10646-ucs-2", "unicodefeff":
            self = .utf16LE
        case "utf-16be", "unicodefffe":
            self = .utf16BE
        case "utf-32le", "utf-32":
            self = .utf32LE
        case "utf-32be":
            self = .utf32BE
        case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
            "iso-ir-100", "ibm819", "cp819", "csisolatin1", "us-ascii", "ascii", "ansi_x3.4-1968",
            "iso_8859-1:1987", "iso88591":
            self = .windows1252
        default:
            return nil
        }
    }
}

extension String {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
