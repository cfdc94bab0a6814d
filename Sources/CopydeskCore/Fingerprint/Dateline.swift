/// An agency dateline at the start of a paragraph: `BRUSSELS (AFP) -`, `NAPA COUNTY, Calif. (KGO) --`,
/// `BERLIN –`.
///
/// Wire copy carried by another outlet gains (or loses) one; it is not part of the story's text, so
/// the fingerprint skips it, and a dateline present on one side only is a sign of syndication.
public struct Dateline: Sendable, Hashable {
    /// The place in capitals, as written (`BRUSSELS`, `NAPA COUNTY, Calif.`).
    public var place: String
    /// The credit in parentheses (`AFP`, `Reuters`), if any.
    public var credit: String?
    /// Where the text after the dateline starts in the paragraph.
    public var textStart: String.Index

    /// The most words a place name has (`SAN LUIS OBISPO COUNTY` has four).
    static let maxPlaceWords = 4
    /// The longest credit accepted between parentheses.
    static let maxCreditLength = 30

    /// The dateline at the start of `paragraph`, if it has one.
    ///
    /// A dateline is one to four words in capitals (letters, `.`, `'`, `-`), optionally `, Region`
    /// (`, Calif.`), optionally a credit in parentheses, then a dash (`-`, `--`, `–`, `—`) followed
    /// by a space. A capitalized word with a dash after it (`NATO – the alliance …`) also matches;
    /// that costs the fingerprint one word, the same on every copy.
    public static func parse(_ paragraph: String) -> Dateline? {
        var scanner = Substring(paragraph)
        var words = 0
        var letters = 0
        while words < maxPlaceWords {
            guard let word = capitalWord(&scanner) else { break }
            words += 1
            letters += word
            if scanner.first == " ", let next = scanner.dropFirst().first, next.isUppercase {
                let saved = scanner
                scanner = scanner.dropFirst()
                if capitalWordAhead(scanner) { continue }
                scanner = saved
            }
            break
        }
        guard words > 0, letters >= 2 else { return nil }
        var placeEnd = scanner.startIndex
        // ", Calif." / ", Md."
        if scanner.hasPrefix(", "), let region = regionWord(scanner.dropFirst(2)) {
            scanner = scanner[region...]
            placeEnd = scanner.startIndex
        }
        let place = String(paragraph[paragraph.startIndex..<placeEnd])
        var credit: String?
        let afterPlace = scanner.drop(while: { $0 == " " })
        scanner = afterPlace
        if scanner.first == "(", let close = scanner.firstIndex(of: ")") {
            let inner = scanner[scanner.index(after: scanner.startIndex)..<close]
            if !inner.isEmpty, inner.count <= maxCreditLength, !inner.contains("(") {
                credit = String(inner)
                scanner = scanner[scanner.index(after: close)...].drop(while: { $0 == " " })
            }
        }
        guard let dash = scanner.first, "-–—".contains(dash) else { return nil }
        scanner = scanner.dropFirst()
        if scanner.first == "-" { scanner = scanner.dropFirst() }
        guard scanner.first == " " || scanner.first == "\u{00A0}" else { return nil }
        scanner = scanner.drop(while: { $0 == " " || $0 == "\u{00A0}" })
        return Dateline(place: place, credit: credit, textStart: scanner.startIndex)
    }

    /// The paragraph without its datelines (a rewrite may stack two: `WASHINGTON (Reuters) --
    /// NAPA COUNTY, Calif. (KGO) --`).
    public static func strip(_ paragraph: String) -> Substring {
        var rest = Substring(paragraph)
        for _ in 0..<2 {
            let text = String(rest)
            guard let dateline = parse(text) else { break }
            rest = text[dateline.textStart...]
        }
        return rest
    }

    /// Consumes one word in capitals and returns how many letters it has.
    private static func capitalWord(_ scanner: inout Substring) -> Int? {
        guard let first = scanner.first, first.isUppercase else { return nil }
        var letters = 0
        var index = scanner.startIndex
        while index < scanner.endIndex {
            let character = scanner[index]
            if character.isLetter {
                guard character.isUppercase else { return nil }
                letters += 1
            } else if !".'’-".contains(character) {
                break
            }
            index = scanner.index(after: index)
        }
        // A dash directly after the word is the dateline's dash, not part of the name.
        while index > scanner.startIndex, scanner[scanner.index(before: index)] == "-" {
            index = scanner.index(before: index)
        }
        guard letters > 0 else { return nil }
        scanner = scanner[index...]
        return letters
    }

    private static func capitalWordAhead(_ scanner: Substring) -> Bool {
        var copy = scanner
        return capitalWord(&copy) != nil && (copy.first == " " || copy.first == "," || copy.first == "(")
    }

    /// The end of a short region name after the place (`Calif.`, `N.Y.`, `Texas`).
    private static func regionWord(_ text: Substring) -> String.Index? {
        guard let first = text.first, first.isUppercase else { return nil }
        let word = text.prefix(while: { $0.isLetter || $0 == "." })
        guard word.count <= 12 else { return nil }
        return word.endIndex
    }
}
