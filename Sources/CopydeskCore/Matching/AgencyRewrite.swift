/// The rule that links an agency's rewrite of its own short item (a writethrough, a summary that
/// expands a first report) to that item, when the wire declares no link between them.
///
/// Such pairs share too little text for ``VersionRule``: measured on real agency pairs (research
/// note `wire-formats.md`, lowercase word 5-shingles), the short item is 41–53 % contained in the
/// long one (Jaccard 0.10–0.16), and the long one is 2.5 to 4 times its length. Look-alikes the same
/// agency sends the same day (index tables on one template with other numbers, hourly programme
/// notes, round-ups on one topic, fund tables in parts, advisories of one line) stayed under 40 %
/// containment and Jaccard 0.2. Text alone cannot draw that line with a margin, so the rule asks the
/// wire's own metadata to agree as well:
/// - both texts are agency items of one provider;
/// - the short one has a body of its own (at least ``minimumShorterShingles``, about 50 words: not
///   an advisory line) and the long one grew from it (at least ``minimumGrowth`` times as long);
/// - at least ``minimumContainment`` of the short one is in the long one;
/// - they are close in time (``maximumSecondsApart``, where both give a time) and about one place
///   (the same dateline place where both give one; else at least two words of their headlines in
///   common);
/// - they are not different parts of a series ("Teil 1 von 4" and "Teil 2 von 4").
public enum AgencyRewrite {
    public static let minimumContainment = 0.35
    public static let minimumShorterShingles = 40
    public static let minimumGrowth = 1.5
    public static let maximumSecondsApart = 36 * 3600

    /// Whether `new` and `stored` (with this resemblance) are one agency item and its rewrite.
    public static func isRewrite(new: Article, stored: Article, resemblance: Resemblance) -> Bool {
        guard let newWire = new.wire, let storedWire = stored.wire,
            let provider = newWire.provider.map(folded), !provider.isEmpty,
            storedWire.provider.map(folded) == provider
        else { return false }
        let shorter = min(resemblance.newCount, resemblance.storedCount)
        let longer = max(resemblance.newCount, resemblance.storedCount)
        guard shorter >= minimumShorterShingles, Double(longer) >= minimumGrowth * Double(shorter),
            resemblance.containment >= minimumContainment
        else { return false }
        if let a = new.published.flatMap(CurrentVersion.Published.init)?.instant,
            let b = stored.published.flatMap(CurrentVersion.Published.init)?.instant, abs(a - b) > maximumSecondsApart
        {
            return false
        }
        if let newPart = part(of: new.title), let storedPart = part(of: stored.title), newPart != storedPart {
            return false
        }
        if let newPlace = place(of: newWire.dateline), let storedPlace = place(of: storedWire.dateline) {
            return newPlace == storedPlace
        }
        return headlineWords(new.title).intersection(headlineWords(stored.title)).count >= 2
    }

    private static func folded(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The place a dateline names: its first word, lower case ("BERLIN (dpa) -" → "berlin").
    static func place(of dateline: String?) -> String? {
        guard let dateline else { return nil }
        let word = dateline.drop { !$0.isLetter }.prefix { $0.isLetter || $0 == "-" || $0 == "." }
        return word.isEmpty ? nil : word.lowercased()
    }

    /// A headline's part number in a series: the first of two numbers joined by a word or a slash
    /// ("Teil 2 von 4", "part 2 of 4", "(2/4)"), with the total: "2/4".
    static func part(of title: String?) -> String? {
        guard let title else { return nil }
        // Runs of digits, runs of letters, and slashes, in order.
        var tokens = [String]()
        var current = ""
        for character in title.lowercased() {
            let kind = character.isNumber ? 1 : character.isLetter ? 2 : character == "/" ? 3 : 0
            let currentKind = current.first.map { $0.isNumber ? 1 : $0.isLetter ? 2 : 3 } ?? 0
            if kind != currentKind || kind == 3, !current.isEmpty {
                tokens.append(current)
                current = ""
            }
            if kind != 0 { current.append(character) }
        }
        if !current.isEmpty { tokens.append(current) }
        for index in tokens.indices.dropLast(2) where Int(tokens[index]) != nil {
            let joiner = tokens[index + 1]
            guard let total = Int(tokens[index + 2]), joiner == "/" || (joiner.count <= 3 && joiner.allSatisfy(\.isLetter))
            else { continue }
            return "\(tokens[index])/\(total)"
        }
        return nil
    }

    /// A headline's words of four letters or more, lower case.
    static func headlineWords(_ title: String?) -> Set<String> {
        guard let title else { return [] }
        return Set(title.lowercased().split { !$0.isLetter }.filter { $0.count >= 4 }.map(String.init))
    }
}
