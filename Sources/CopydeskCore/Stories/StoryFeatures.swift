internal import Foundation

/// The who, where, when and what of one article, as hashed term keys with counts: what
/// ``StoryAssigner`` compares a new article with the stories it may belong to.
///
/// Computed once per article, in the parallel stage (before the serialized decision), from the
/// normalized ``Article``. The rules are about the shape of the text, not about one language's
/// vocabulary (there are no lists of names):
/// - **names**: runs of capitalised words (`Antony Blinken`, `NATO`): each word as a part, and each
///   pair of adjacent words as a unit. A capitalised word that the same article also writes in lower
///   case is a common word put in front of a sentence or in a title-case headline (`The`, `Enters`), and is
///   not a name; a word at the start of a sentence, or in the headline, counts only when the
///   article also capitalises it in the middle of a sentence.
/// - **places**: the place of an agency dateline (`BRUSSELS (AFP) -`), and a name right after
///   `in` or `at`.
/// - **numbers**: tokens with a digit (`6.1`, `2008`, `23`), and each with its neighbouring word
///   (`march 23`, `6.1 magnitude`): dates, scores, tolls and magnitudes.
/// - **words**: the other content words (three letters or more), case-folded.
///
/// Terms of the headline and the lede count ``leadWeight`` times: they say what the event is.
///
/// Each term is a fixed 64-bit key (``StableHash``) of its channel and its folded text, so that
/// the same name in two articles is the same key whatever the case or the apostrophe style.
public struct StoryFeatures: Sendable, Hashable {
    /// What kind of signal a term is: its channel, part of its key.
    public enum Channel: UInt8, Sendable, Hashable, CaseIterable {
        /// Two adjacent words of a name (`antony blinken`).
        case name = 1
        /// One word of a name, or a one-word name (`blinken`, `nato`).
        case namePart = 2
        /// A place: a dateline's, or a name after `in` / `at`.
        case place = 3
        /// A token with a digit.
        case number = 4
        /// A number with a neighbouring word.
        case numberContext = 5
        /// Any other content word.
        case word = 6
    }

    /// One term of an article.
    public struct Term: Sendable, Hashable {
        public var key: Int64
        public var channel: Channel
        /// How many times the article carries it.
        public var count: Int

        public init(key: Int64, channel: Channel, count: Int) {
            self.key = key
            self.channel = channel
            self.count = count
        }
    }

    /// The most terms an article is described by (names and places first, then numbers, then the
    /// most frequent words): bounds every question an assignment asks and the rows its decision
    /// writes. Measured on stories-dev through `copydesk ingest` (release, this machine): 400 terms
    /// F1 0.793 at 330 random-text files/s, 128 terms 0.794 at 450, 64 terms 0.792 at 590.
    public static let maxTerms = 64

    /// Below this many words of body, a headline's capitalised words and a sentence's first word
    /// count as names without the body confirming them (there is too little body to).
    static let shortBody = 40

    /// How many of the first kept paragraphs (the headline counting as one) are the lead, and how
    /// many times a term found there counts.
    static let leadParagraphs = 2
    static let leadWeight = 3

    /// The article's distinct terms, ordered by key.
    public var terms: [Term]

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// The features of a normalized article.
    public init(_ article: Article) {
        self.init(title: article.title, paragraphs: article.paragraphs)
    }

    /// The key of a term: its channel and its folded text, hashed.
    public static func key(_ channel: Channel, _ text: String) -> Int64 {
        Int64(bitPattern: StableHash.mix(StableHash.fnv1a(text) ^ (UInt64(channel.rawValue) &* 0x9E37_79B9_7F4A_7C15)))
    }

    /// The features of a title and paragraphs (boilerplate and datelines left out, as for the
    /// fingerprint).
    public init(title: String?, paragraphs: [String]) {
        var texts: [Int64: String]?
        self.init(title: title, paragraphs: paragraphs, texts: &texts)
    }

    /// The terms of an article with their texts (channel and folded text, before hashing): for
    /// inspecting what assignment compared.
    public static func described(_ article: Article) -> [(term: Term, text: String)] {
        var texts: [Int64: String]? = [:]
        let features = StoryFeatures(title: article.title, paragraphs: article.paragraphs, texts: &texts)
        return features.terms.map { ($0, texts?[$0.key] ?? "") }
    }

    init(title: String?, paragraphs: [String], texts: inout [Int64: String]?) {
        var all = [String]()
        if let title, !title.isEmpty { all.append(title) }
        let titleCount = all.count
        all.append(contentsOf: paragraphs)
        var kept = [(text: Substring, isTitle: Bool)]()
        var places = [String]()
        for (index, paragraph) in all.enumerated()
        where !Boilerplate.isBoilerplate(paragraph, fromStart: index, fromEnd: all.count - 1 - index) {
            var text = Substring(paragraph)
            if kept.count < FingerprintText.datelineParagraphs, let dateline = Dateline.parse(paragraph) {
                places.append(dateline.place)
                text = Dateline.strip(paragraph)
            }
            kept.append((text, index < titleCount))
        }
        // Every paragraph as words with their case and what separates them.
        let tokenized = kept.map { (words: Self.words(in: $0.text), isTitle: $0.isTitle) }
        var lowerSeen = Set<String>()
        var capitalMidSentence = Set<String>()
        var bodyWords = 0
        for paragraph in tokenized where !paragraph.isTitle {
            bodyWords += paragraph.words.count
            for word in paragraph.words {
                if word.isCapitalised {
                    if !word.startsSentence { capitalMidSentence.insert(word.folded) }
                } else if word.hasLetter {
                    lowerSeen.insert(word.folded)
                }
            }
        }

        var counts = [Int64: (Channel, Int)]()
        func add(_ channel: Channel, _ text: String) {
            let key = Self.key(channel, text)
            if texts != nil { texts?[key] = text }
            counts[key, default: (channel, 0)].1 += weight
        }
        var weight = 1
        for place in places {
            let folded = Self.fold(place)
            if !folded.isEmpty { add(.place, folded) }
        }
        for (position, paragraph) in tokenized.enumerated() {
            // The headline and the lede say what the event is: their terms count more.
            weight = position < Self.leadParagraphs ? Self.leadWeight : 1
            let words = paragraph.words
            // Names: runs of capitalised words joined by nothing but spaces.
            var index = 0
            while index < words.count {
                guard words[index].isCapitalised else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < words.count, words[end].isCapitalised, words[end].joined { end += 1 }
                var run = [String]()
                for position in index..<end {
                    let word = words[position]
                    let isName: Bool
                    if lowerSeen.contains(word.folded) {
                        isName = false
                    } else if paragraph.isTitle {
                        isName = capitalMidSentence.contains(word.folded) || bodyWords < Self.shortBody
                    } else if word.startsSentence {
                        isName = capitalMidSentence.contains(word.folded) || end - index > 1
                            || bodyWords < Self.shortBody
                    } else {
                        isName = true
                    }
                    if isName {
                        run.append(word.folded)
                    } else if !run.isEmpty {
                        emitName(run, after: index > 0 ? words[index - 1] : nil)
                        run.removeAll()
                    }
                }
                if !run.isEmpty { emitName(run, after: index > 0 ? words[index - 1] : nil) }
                index = end
            }
            // Numbers, with their neighbours.
            for (position, word) in words.enumerated() where word.hasDigit {
                add(.number, word.folded)
                if position > 0, words[position].joined {
                    add(.numberContext, words[position - 1].folded + " " + word.folded)
                }
                if position + 1 < words.count, words[position + 1].joined {
                    add(.numberContext, word.folded + " " + words[position + 1].folded)
                }
            }
            // Content words.
            for word in words where !word.hasDigit && word.folded.unicodeScalars.count >= 3 {
                add(.word, word.folded)
            }
        }

        func emitName(_ run: [String], after previous: Word?) {
            // Single letters are initials or pronouns, not names.
            let run = run.filter { $0.unicodeScalars.count > 1 }
            guard !run.isEmpty else { return }
            for part in run { add(.namePart, part) }
            // Adjacent pairs rather than whole runs: `Secretary of State Antony Blinken` and
            // `Antony Blinken` share `antony blinken` whatever title goes before.
            for index in run.indices.dropLast() { add(.name, run[index] + " " + run[index + 1]) }
            if let previous, !previous.isCapitalised, previous.folded == "in" || previous.folded == "at" {
                add(.place, run.joined(separator: " "))
            }
        }

        var terms = counts.map { Term(key: $0.key, channel: $0.value.0, count: $0.value.1) }
        if terms.count > Self.maxTerms {
            terms.sort { a, b in
                let rankA = a.channel == .word ? 1 : 0
                let rankB = b.channel == .word ? 1 : 0
                if rankA != rankB { return rankA < rankB }
                if a.count != b.count { return a.count > b.count }
                return a.key < b.key
            }
            terms.removeLast(terms.count - Self.maxTerms)
        }
        terms.sort { $0.key < $1.key }
        self.terms = terms
    }

    /// A word of the text as written.
    struct Word {
        /// Case-folded, apostrophes and clitics dropped (`blinken`, `o brien` reads `obrien`).
        var folded: String
        var isCapitalised: Bool
        var hasDigit: Bool
        var hasLetter: Bool
        /// Whether it starts a sentence (or the paragraph).
        var startsSentence: Bool
        /// Whether only spaces separate it from the word before (no punctuation).
        var joined: Bool
    }

    /// Case-folds a piece of text the way term texts are (NFKC, case folding, letters and digits).
    static func fold(_ text: some StringProtocol) -> String {
        FingerprintText.tokens(of: text).joined(separator: " ")
    }

    /// The words of a paragraph: maximal runs of letters, marks and digits, with `'` / `’` inside a
    /// word kept in it (`O'Brien`) and a trailing clitic dropped (`Blinken's`); `.` and `,` between
    /// digits stay in a number (`6.1`, `1,200`).
    static func words(in text: Substring) -> [Word] {
        var words = [Word]()
        var current = String.UnicodeScalarView()
        var startsSentence = true
        var joined = false
        var separator = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)

        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return false
            }
        }
        func flush() {
            guard !current.isEmpty else { return }
            var raw = String(current)
            current = String.UnicodeScalarView()
            // A trailing clitic after an apostrophe: Blinken's, Reid’s. (Most words hold none: the
            // scalar scan spares them Foundation's string search.)
            if raw.unicodeScalars.contains(where: { $0 == "'" || $0 == "’" }) {
                for apostrophe in ["'", "’"] {
                    if let range = raw.range(of: apostrophe, options: .backwards) {
                        let tail = raw[range.upperBound...].lowercased()
                        if FingerprintText.clitics.contains(tail) { raw = String(raw[..<range.lowerBound]) }
                    }
                }
            }
            let first = raw.unicodeScalars.first!
            let hasDigit = raw.unicodeScalars.contains { $0.properties.numericType != nil }
            var folded = hasDigit ? raw.lowercased() : fold(raw)
            let dropped: Unicode.Scalar = hasDigit ? "," : " "
            if folded.unicodeScalars.contains(dropped) {
                folded.unicodeScalars.removeAll { $0 == dropped }
            }
            guard !folded.isEmpty else { return }
            words.append(
                Word(
                    folded: folded, isCapitalised: first.properties.isUppercase,
                    hasDigit: hasDigit,
                    hasLetter: raw.unicodeScalars.contains { $0.properties.isAlphabetic },
                    startsSentence: startsSentence, joined: joined))
            startsSentence = false
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if isWordScalar(scalar) {
                if current.isEmpty {
                    // What separated this word from the previous one.
                    let separatorText = String(separator)
                    joined = !words.isEmpty && separatorText.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
                    if separatorText.unicodeScalars.contains(where: { ".!?:;…\"“”«»()".unicodeScalars.contains($0) }) {
                        startsSentence = startsSentence || separatorText.unicodeScalars.contains {
                            ".!?:…\"“«".unicodeScalars.contains($0)
                        }
                    }
                    separator = String.UnicodeScalarView()
                }
                current.append(scalar)
            } else if !current.isEmpty, index + 1 < scalars.count, isWordScalar(scalars[index + 1]),
                (scalar == "'" || scalar == "’" || scalar == "-"
                    || ((scalar == "." || scalar == ",") && current.last!.properties.numericType != nil
                        && scalars[index + 1].properties.numericType != nil))
            {
                current.append(scalar)
            } else {
                flush()
                separator.append(scalar)
            }
            index += 1
        }
        flush()
        return words
    }
}
