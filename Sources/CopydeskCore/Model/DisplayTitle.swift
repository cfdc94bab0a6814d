/// What to show where an article's title goes when it has none (a plain-text file whose first line
/// is not a headline): its first words, about ``length`` characters cut at a word and ended with
/// "…". Derived, never stored as the title: `title` stays empty and displays mark the text as
/// derived (`[The finance ministers of the union agreed…]`).
public enum DisplayTitle {
    /// About how many characters of the text are shown.
    public static let length = 80

    /// The title, or the derived text when there is none; `nil` when there is no text either.
    public static func of(title: String?, paragraphs: [String]) -> String? {
        if let title, !title.isEmpty { return title }
        return derived(from: paragraphs)
    }

    /// The text as shown in place of a title: the title, or `[first words…]`.
    public static func shown(title: String?, paragraphs: [String]) -> String {
        if let title, !title.isEmpty { return title }
        return derived(from: paragraphs).map { "[\($0)]" } ?? ""
    }

    /// The first words of the text, at most ``length`` characters (plus "…" when cut), cut at a
    /// word boundary; whitespace, line breaks included, collapsed to single spaces.
    public static func derived(from paragraphs: [String]) -> String? {
        var words = [Substring]()
        var count = 0
        var cut = false
        outer: for paragraph in paragraphs {
            for word in paragraph.split(whereSeparator: \.isWhitespace) {
                let added = (words.isEmpty ? 0 : 1) + word.count
                if count + added > length {
                    cut = true
                    break outer
                }
                words.append(word)
                count += added
            }
        }
        if words.isEmpty {
            // One word longer than the whole length: cut inside it.
            guard let first = paragraphs.lazy.flatMap({ $0.split(whereSeparator: \.isWhitespace) }).first else {
                return nil
            }
            return String(first.prefix(length)) + "…"
        }
        var text = words.joined(separator: " ")
        if cut {
            while let last = text.last, last.isPunctuation, last != ")" { text.removeLast() }
            text += "…"
        }
        return text
    }
}
