/// Lines that are not part of an article's text wherever they appear: calls to action, share and
/// comment prompts, ad labels, copyright notices, and short outlet or section labels at either end.
///
/// Used for the canonical key only: bodies keep these lines as received.
public enum Boilerplate {
    /// Phrases that make up a whole boilerplate line (compared case-insensitively, without trailing
    /// punctuation), in the languages copydesk meets most.
    static let phrases: Set<String> = [
        "read more", "read more here", "continue reading", "click here", "see more", "learn more",
        "leave a comment", "leave a reply", "add comment", "comments", "show comments", "post a comment",
        "share", "share this", "share this article", "share this story", "share on facebook", "share on twitter",
        "tweet", "email", "print", "advertisement", "ad", "sponsored", "sponsored content",
        "subscribe", "subscribe now", "sign up", "sign up for our newsletter", "newsletter",
        "related", "related articles", "related stories", "more from", "you may also like", "recommended",
        "back to top", "top", "next article", "previous article",
        "weiterlesen", "mehr lesen", "mehr zum thema", "anzeige", "teilen", "kommentare", "drucken",
        "lire la suite", "publicité", "partager", "commentaires", "leer más", "publicidad", "compartir",
    ]

    /// Prefixes of boilerplate lines: copyright notices, "Powered by", "Follow us on".
    static let prefixes: [String] = [
        "©", "copyright ", "(c) ", "all rights reserved", "powered by ", "follow us on ", "follow us:",
        "click here to ", "sign up for ", "subscribe to ", "download our app", "alle rechte vorbehalten",
        "tous droits réservés",
    ]

    /// The most words a label line at the top or bottom of a text has ("Dunya News", "World").
    static let edgeLabelMaxWords = 4
    /// How many paragraphs at each end are looked at for labels.
    static let edgeWidth = 2

    /// Whether `paragraph` is boilerplate, given its distance from the first and the last paragraph.
    public static func isBoilerplate(_ paragraph: String, fromStart: Int, fromEnd: Int) -> Bool {
        // Phrases and the "powered by" test concern lines of a few words; for longer paragraphs
        // only the start matters, so a long paragraph is not lower-cased or searched whole.
        let short = words(in: paragraph.utf8, upTo: 12) <= 12
        let lowered = short ? paragraph.lowercased() : String(paragraph.prefix(40)).lowercased()
        if short {
            let trimmed = lowered.trimmingCharacters(in: ".:!…»›>→ ")
            if phrases.contains(String(trimmed)) { return true }
        }
        if prefixes.contains(where: { lowered.hasPrefix($0) }) { return true }
        if short, contains(lowered, anyOf: ["powered by", "all rights reserved"]) {
            return true
        }
        if fromStart < edgeWidth || fromEnd < edgeWidth {
            return isLabel(paragraph)
        }
        return false
    }

    /// Lines that point to the rest of a text a teaser was cut from.
    static let continuationPhrases: Set<String> = [
        "read more", "read more here", "continue reading", "keep reading", "read the full story",
        "read the full article", "full story", "weiterlesen", "mehr lesen", "lire la suite", "leer más",
        "seguir leyendo", "continua a leggere", "lees verder", "czytaj dalej", "leia mais",
    ]

    /// Whether `paragraph` (the last of a text) points to the rest of it: a "Read more" line, or
    /// text cut off with an ellipsis.
    public static func isContinuation(_ paragraph: String) -> Bool {
        let lowered = paragraph.lowercased()
        if continuationPhrases.contains(String(lowered.trimmingCharacters(in: ".:!…»›>→[]() "))) { return true }
        return lowered.hasSuffix("…") || lowered.hasSuffix("...") || lowered.hasSuffix("[…]")
    }

    /// A short line without sentence punctuation: an outlet, section or category name.
    static func isLabel(_ paragraph: String) -> Bool {
        guard let last = paragraph.last, words(in: paragraph.utf8, upTo: edgeLabelMaxWords) <= edgeLabelMaxWords
        else { return false }
        return !".!?\"”’'»)".contains(last) && !paragraph.contains(where: \.isNumber)
    }

    /// Words (runs of characters other than U+0020) in `bytes`, counting stops after `limit + 1`.
    static func words(in bytes: String.UTF8View, upTo limit: Int) -> Int {
        var count = 0
        var inWord = false
        for byte in bytes {
            if byte == 0x20 {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
                if count > limit { return count }
            }
        }
        return count
    }

    static func contains(_ text: String, anyOf needles: [String]) -> Bool {
        needles.contains { text.contains($0) }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        let characters = Set(set)
        guard let start = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let end = lastIndex(where: { !characters.contains($0) })!
        return self[start...end]
    }
}
