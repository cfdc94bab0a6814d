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
        if let fast = canonicalizeSimple(text) { return fast }
        return canonicalizeByFoundation(text)
    }

    /// ``canonicalize(_:)`` through Foundation's NFKC and case folding: right for every text, and
    /// slow (most of `extract`'s time before the fast path below).
    static func canonicalizeByFoundation(_ text: String) -> String {
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

    /// ``canonicalize(_:)`` in one pass over the UTF-8 bytes, for a text made only of scalars whose
    /// NFKC form and case folding are known here (ASCII, Latin-1 letters, the common quotes and
    /// dashes); `nil` for any other text, which then takes the Foundation path. None of these
    /// scalars composes with another, so scalar-by-scalar mapping equals the whole-text one; the
    /// tests compare both paths on every scalar the fast path accepts.
    static func canonicalizeSimple(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                var value: UInt32
                if byte < 0x80 {
                    value = UInt32(byte)
                    index += 1
                } else if byte & 0xE0 == 0xC0, index + 1 < count {
                    value = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                    index += 2
                } else if byte & 0xF0 == 0xE0, index + 2 < count {
                    value = UInt32(byte & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6
                        | UInt32(bytes[index + 2] & 0x3F)
                    index += 3
                } else {
                    return nil
                }
                guard let mapped = simpleFold(value) else { return nil }
                switch mapped {
                case .whitespace:
                    pendingSpace = !out.isEmpty
                    continue
                case .ignored:
                    continue
                case .scalar(let folded):
                    value = folded
                case .expansion(let ascii):
                    if pendingSpace {
                        out.append(0x20)
                        pendingSpace = false
                    }
                    out.append(contentsOf: UnsafeBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount))
                    continue
                }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                if value < 0x80 {
                    out.append(UInt8(value))
                } else if value < 0x800 {
                    out.append(UInt8(0xC0 | value >> 6))
                    out.append(UInt8(0x80 | value & 0x3F))
                } else {
                    out.append(UInt8(0xE0 | value >> 12))
                    out.append(UInt8(0x80 | (value >> 6) & 0x3F))
                    out.append(UInt8(0x80 | value & 0x3F))
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    enum SimpleFold {
        case whitespace
        /// A format character (soft hyphen, zero-width space), left out.
        case ignored
        case scalar(UInt32)
        /// Several ASCII characters (`ß` folds to `ss`, `…` is `...` in NFKC).
        case expansion(StaticString)
    }

    /// What NFKC, case folding and ``unifiedPunctuation(_:)`` make of a scalar, for the scalars
    /// the fast path knows; `nil` for all others.
    static func simpleFold(_ value: UInt32) -> SimpleFold? {
        switch value {
        case 0x09 ... 0x0D, 0x20, 0x85, 0xA0, 0x2028, 0x2029:
            return .whitespace
        case 0x41 ... 0x5A:
            return .scalar(value | 0x20)
        case 0x60:
            return .scalar(0x27)
        case 0x00 ... 0x7F:
            // Other C0 controls are neither whitespace nor format characters: kept as they are.
            return .scalar(value)
        case 0xAD, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF:
            return .ignored
        case 0xC0 ... 0xD6, 0xD8 ... 0xDE:
            return .scalar(value + 0x20)
        case 0xAB, 0xBB:
            return .scalar(0x22)
        case 0xD7, 0xE0 ... 0xFF, 0xA1 ... 0xA7, 0xA9, 0xAC, 0xAE, 0xB0, 0xB1, 0xB6, 0xB7, 0xBF:
            return .scalar(value)
        case 0x2018, 0x2019, 0x201A, 0x201B:
            return .scalar(0x27)
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2039, 0x203A:
            return .scalar(0x22)
        case 0x2010, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212:
            return .scalar(0x2D)
        case 0x2016, 0x2020, 0x2021, 0x2022, 0x2023, 0x2027, 0x2030, 0x20AC:
            return .scalar(value)
        case 0xDF, 0x1E9E:
            return .expansion("ss")
        case 0x2026:
            return .expansion("...")
        // Latin Extended-A (Central European letters): pairs of capital and small letter, the
        // capital first; left to Foundation: İ, Ĳ, Ŀ, ŉ, ſ, whose folding or NFKC form differs.
        case 0x100 ... 0x12F, 0x134 ... 0x137, 0x14A ... 0x177, 0x218 ... 0x21B:
            return .scalar(value | 1)
        case 0x131, 0x138:
            return .scalar(value)
        case 0x139 ... 0x13E, 0x141 ... 0x148, 0x179 ... 0x17E:
            return .scalar(value & 1 == 1 ? value + 1 : value)
        case 0x178:
            return .scalar(0xFF)
        // Cyrillic.
        case 0x400 ... 0x40F:
            return .scalar(value + 0x50)
        case 0x410 ... 0x42F:
            return .scalar(value + 0x20)
        case 0x430 ... 0x45F:
            return .scalar(value)
        // CJK: ideographs, kana (without the combining and compatibility marks), punctuation.
        case 0x3000:
            return .whitespace
        case 0x3001 ... 0x301C, 0x3041 ... 0x3096, 0x30A1 ... 0x30FE, 0x4E00 ... 0x9FFF:
            return .scalar(value)
        default:
            return nil
        }
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
