internal import Foundation

/// The word stream a fingerprint is made of: what stays the same when one story is copied,
/// re-wrapped, re-typed and re-published.
///
/// Built from the title and the paragraphs, in order:
/// 1. boilerplate paragraphs are left out (``Boilerplate``: outlet and section labels at either end,
///    "Read more", "Leave a Comment", copyright lines), the title counting as the first paragraph, so
///    that an outlet line at the top weighs the same whether a parser took it for the title or not;
/// 2. a dateline at the start of one of the first three paragraphs is dropped (``Dateline``);
/// 3. the text is put in Unicode NFKC and case-folded, and invisible format characters (soft
///    hyphens, zero-width spaces) are deleted;
/// 4. tokens are maximal runs of letters, marks and digits, so quotes, dashes and all other
///    punctuation only separate words, and "day.Stoltenberg" reads as "day stoltenberg";
/// 5. apostrophes separate words too, and the clitic tokens left behind (`s`, `t`, `d`, `ll`, `re`,
///    `ve`, `m`) are dropped: "Blinken’s", "Blinken's" and a mangled "Blinken s" all read "blinken";
/// 6. Han, kana and Hangul characters are one token each (those scripts do not separate words).
public enum FingerprintText {
    /// How many of the first kept paragraphs may start with a dateline (outlet line, headline,
    /// then the lede).
    static let datelineParagraphs = 3

    /// The tokens of an article (title first).
    public static func tokens(of article: Article) -> [String] {
        tokens(title: article.title, paragraphs: article.paragraphs)
    }

    /// The tokens of a title and paragraphs.
    public static func tokens(title: String?, paragraphs: [String]) -> [String] {
        var all = [String]()
        all.reserveCapacity(paragraphs.count + 1)
        if let title, !title.isEmpty { all.append(title) }
        all.append(contentsOf: paragraphs)
        var kept = [String]()
        kept.reserveCapacity(all.count)
        for (index, paragraph) in all.enumerated()
        where !Boilerplate.isBoilerplate(paragraph, fromStart: index, fromEnd: all.count - 1 - index) {
            kept.append(paragraph)
        }
        if kept.isEmpty { kept = all }
        var tokens = [String]()
        tokens.reserveCapacity(kept.reduce(0) { $0 + $1.utf8.count / 5 })
        for (index, paragraph) in kept.enumerated() {
            let text = index < datelineParagraphs ? Dateline.strip(paragraph) : Substring(paragraph)
            appendTokens(of: text, to: &tokens)
        }
        return tokens
    }

    /// The tokens of a piece of text (steps 3 to 6 above).
    public static func tokens(of text: some StringProtocol) -> [String] {
        var tokens = [String]()
        appendTokens(of: text, to: &tokens)
        return tokens
    }

    static let clitics: Set<String> = ["s", "t", "d", "ll", "re", "ve", "m"]

    static func appendTokens(of text: some StringProtocol, to tokens: inout [String]) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            appendASCIITokens(of: text.utf8, to: &tokens)
            return
        }
        let folded = String(text).precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
        var current = String.UnicodeScalarView()
        func flush() {
            guard !current.isEmpty else { return }
            let token = String(current)
            if !clitics.contains(token) { tokens.append(token) }
            current = String.UnicodeScalarView()
        }
        for scalar in folded.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                if (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39)
                    || (value >= 0x41 && value <= 0x5A)
                {
                    current.append(scalar)
                } else {
                    flush()
                }
                continue
            }
            switch kind(of: scalar) {
            case .word:
                current.append(scalar)
            case .ideograph:
                flush()
                tokens.append(String(Character(scalar)))
            case .invisible:
                continue
            case .separator:
                flush()
            }
        }
        flush()
    }

    /// The ASCII case of ``appendTokens(of:to:)``, on bytes: the same tokens (runs of letters and
    /// digits, lower-cased; clitics dropped) without building them scalar by scalar.
    static func appendASCIITokens(of bytes: some Collection<UInt8>, to tokens: inout [String]) {
        var token = [UInt8]()
        token.reserveCapacity(32)
        func flush() {
            guard !token.isEmpty else { return }
            if token.count > 2 || !isClitic(token) {
                tokens.append(String(decoding: token, as: UTF8.self))
            }
            token.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            switch byte {
            case 0x61...0x7A, 0x30...0x39: token.append(byte)
            case 0x41...0x5A: token.append(byte | 0x20)
            default: flush()
            }
        }
        flush()
    }

    /// Whether a token of one or two lower-case ASCII letters is one of ``clitics``.
    static func isClitic(_ token: [UInt8]) -> Bool {
        switch token.count {
        case 1: return token[0] == 0x73 || token[0] == 0x74 || token[0] == 0x64 || token[0] == 0x6D  // s t d m
        case 2: return token == [0x6C, 0x6C] || token == [0x72, 0x65] || token == [0x76, 0x65]  // ll re ve
        default: return false
        }
    }

    enum ScalarKind {
        case word, ideograph, invisible, separator
    }

    static func kind(of scalar: Unicode.Scalar) -> ScalarKind {
        if isIdeographic(scalar.value) { return .ideograph }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return .word
        case .format:
            return .invisible
        default:
            return .separator
        }
    }

    /// Han, Hiragana, Katakana and Hangul: scripts written without spaces between words. (Swift's
    /// `isIdeographic` covers Han only.)
    static func isIdeographic(_ value: UInt32) -> Bool {
        switch value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F:
            true
        default:
            false
        }
    }
}
