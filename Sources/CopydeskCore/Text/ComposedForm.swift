internal import Foundation

/// Unicode normalization form C (canonical composition), the form the web recommends for text.
///
/// Pages store some letters decomposed (a base letter and a combining mark) or in a form that
/// NFC spells otherwise (Bengali `য়` U+09DF is `য` + nukta in NFC); the extracted text is composed
/// so that the same words are the same characters whichever way a page stored them.
enum ComposedForm {
    /// `text` in NFC. Text whose scalars all lie where NFC changes nothing (below U+0300: ASCII,
    /// Latin-1 and Latin Extended letters; U+2010–U+20CF: dashes, quotes, ellipsis, currency) is
    /// returned as it is, without calling Foundation.
    static func of(_ text: String) -> String {
        for scalar in text.unicodeScalars where scalar.value >= 0x300 {
            if scalar.value < 0x2010 || scalar.value > 0x20CF {
                return text.precomposedStringWithCanonicalMapping
            }
        }
        return text
    }
}
