/// What a person typed to `copydesk search`, parsed the same way for every backend: words (all of
/// them must match; `word*` a prefix), `"quoted phrases"`, and `OR` between two terms for either.
/// `OR` binds tighter than the implicit AND: `storm OR flood harbour` is (storm or flood) and
/// harbour. Anything else (punctuation, other operators) is plain text.
public struct SearchQuery: Sendable, Hashable {
    public enum Term: Sendable, Hashable {
        case word(String, prefix: Bool)
        case phrase(String)
    }

    /// The terms all of which must match; each one a list of alternatives (joined by `OR`).
    public var groups: [[Term]]

    /// Parses `text`; nil when it holds nothing to search for.
    public init?(_ text: String) {
        var terms = [Term?]()  // nil: an OR between two terms
        var phrase: String?
        for raw in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(raw)
            if phrase != nil {
                if word.hasSuffix("\"") {
                    word.removeLast()
                    phrase! += " " + word
                    if Self.meaningful(phrase!) { terms.append(.phrase(phrase!)) }
                    phrase = nil
                } else {
                    phrase! += " " + word
                }
                continue
            }
            if word.hasPrefix("\"") {
                word.removeFirst()
                if word.hasSuffix("\""), !word.isEmpty {
                    word.removeLast()
                    if Self.meaningful(word) { terms.append(.phrase(word)) }
                } else {
                    phrase = word
                }
                continue
            }
            if word == "OR" {
                if let last = terms.last, last != nil { terms.append(nil) }
                continue
            }
            let prefix = word.hasSuffix("*")
            if prefix { word.removeLast() }
            guard Self.meaningful(word) else { continue }
            terms.append(.word(word, prefix: prefix))
        }
        if let phrase, Self.meaningful(phrase) { terms.append(.phrase(phrase)) }
        var groups = [[Term]]()
        var joining = false
        for term in terms {
            guard let term else {
                joining = !groups.isEmpty
                continue
            }
            if joining {
                groups[groups.count - 1].append(term)
            } else {
                groups.append([term])
            }
            joining = false
        }
        guard !groups.isEmpty else { return nil }
        self.groups = groups
    }

    private static func meaningful(_ text: String) -> Bool {
        text.contains { $0.isLetter || $0.isNumber }
    }
}
