internal import Foundation

/// The canonical form of an article text, on which "the same text again" is decided.
///
/// Two bodies have the same canonical key when they differ only in Unicode form (NFKC), letter case
/// (full case folding), quote, apostrophe and dash style, whitespace and paragraph breaks, or in
/// boilerplate lines (an outlet name at the top, "Read more" at the end). The body itself keeps those
/// lines as received; only the key ignores them.
public enum CanonicalText {
    /// The canonical key of a body given as paragraphs: the paragraphs that are not boilerplate,
    /// canonicalized and joined by single spaces.
    ///
    /// When every paragraph looks like boilerplate, all of them are kept: the key is then still
    /// specific to the text.
    public static func key(paragraphs: [String]) -> String {
        var kept = [String]()
        kept.reserveCapacity(paragraphs.count)
        for (index, paragraph) in paragraphs.enumerated() {
            let fromEnd = paragraphs.count - 1 - index
            if Boilerplate.isBoilerplate(paragraph, fromStart: index, fromEnd: fromEnd) { continue }
            kept.append(paragraph)
        }
        if kept.isEmpty { kept = paragraphs }
        return canonicalize(kept.joined(separator: " "))
    }

    /// NFKC, case folding, unified punctuation, collapsed whitespace.
    public static func canonicalize(_ text: String) -> String {
        let folded: String
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            folded = text.lowercased()
        } else {
            folded = text.precomposedStringWithCompatibilityMapping
                .folding(options: [.caseInsensitive], locale: nil)
        }
        var out = [UInt8]()
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if scalar.isSpaceLike {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            if scalar.value < 0x80 {
                out.append(UInt8(scalar.value == 0x60 ? 0x27 : scalar.value))  // ` is an apostrophe
            } else if !scalar.isFormatCharacter {
                UTF8.encode(unifiedPunctuation(scalar)) { out.append($0) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Curly, angled and prime quotes become `'` or `"`; hyphens, dashes and minus signs become `-`.
    static func unifiedPunctuation(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0x0060, 0x00B4, 0x02BC, 0x02B9, 0xFF07:
            "'"
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0x00AB, 0x00BB, 0x2039, 0x203A, 0x301D, 0x301E,
            0xFF02:
            "\""
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D:
            "-"
        default:
            scalar
        }
    }
}
