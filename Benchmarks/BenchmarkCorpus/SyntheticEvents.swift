import Foundation

/// The events synthetic articles report on, for story assignment: who (people, organisations),
/// where (places) and how many (numbers), drawn from fixed vocabularies of made-up names.
///
/// Names are drawn with Zipf frequencies, so that a few people and places recur across many
/// unrelated events (a head of state, a capital) while most are rare, as in a news feed. Each
/// article belongs to one event (``event(of:)``): about a third to an event of its own, most to an
/// event that a few neighbouring articles (published minutes apart) also report on, and one in ten
/// to a running event covered by hundreds of articles over about two days of the feed. An article
/// names its event's main person and place in the headline and lede, mentions its people, place,
/// organisation and numbers in about half of its other paragraphs, and names two people or places
/// that have nothing to do with the event: about 10 to 15 mentions in 450 words.
struct SyntheticEvents: Sendable {
    static let personCount = 50_000
    static let firstNameCount = 400
    static let placeCount = 5_000
    static let organisationCount = 300
    /// How many consecutive articles share a neighbourhood's events, and how many events it has.
    static let neighbourhood = 64
    static let neighbourhoodEvents = 8
    /// How many consecutive articles a running event spans, and how many run at once.
    static let runningSpan = 20_000
    static let runningEvents = 4

    let firstNames: [String]
    let surnames: [String]
    let places: [String]
    let organisations: [String]
    let people: Zipf
    let placeFrequencies: Zipf
    let organisationFrequencies: Zipf

    /// What an event is about.
    struct Cast {
        /// Indices of `surnames` (each person's first name follows from it).
        var people: [Int]
        var place: Int
        var organisation: Int?
        /// Numbers with the word that follows them (`23 bouvan`).
        var numbers: [String]
    }

    /// - Parameter vocabulary: the common words; no name folds to one of them (a capitalised word
    ///   that an article also writes in lower case is not a name).
    init(avoiding vocabulary: Set<String>) {
        var random = SplitMix64(seed: 1_066)
        var seen = vocabulary
        func names(_ count: Int, onsets: [String], vowels: [String], endings: [String]) -> [String] {
            var names = [String]()
            while names.count < count {
                var name = ""
                for _ in 0..<(1 + Int(random.next() % 3)) {
                    name += onsets[Int(random.next() % UInt64(onsets.count))]
                    name += vowels[Int(random.next() % UInt64(vowels.count))]
                }
                name += endings[Int(random.next() % UInt64(endings.count))]
                let capitalised = name.prefix(1).uppercased() + name.dropFirst()
                if seen.insert(name).inserted { names.append(capitalised) }
            }
            return names
        }
        let onsets = ["b", "d", "f", "g", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "kr", "dr", "gl", "al", "el", "or"]
        let vowels = ["a", "e", "i", "o", "u", "y", "ia", "eo"]
        firstNames = names(Self.firstNameCount, onsets: onsets, vowels: vowels, endings: ["", "a", "o", "n", "el"])
        surnames = names(
            Self.personCount, onsets: onsets, vowels: vowels,
            endings: ["ov", "ez", "son", "ski", "elli", "ard", "berg", "ani", "ouk", "ner"])
        places = names(
            Self.placeCount, onsets: onsets, vowels: vowels,
            endings: ["ville", "burg", "stad", "pol", "grad", "mouth", "ona", "ia", "abad", "holm"])
        var acronyms = [String]()
        let letters = Array("ABCDEFGHIJKLMNOPRSTUVWZ")
        while acronyms.count < Self.organisationCount {
            let acronym = String((0..<(3 + Int(random.next() % 2))).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
            if seen.insert(acronym.lowercased()).inserted { acronyms.append(acronym) }
        }
        organisations = acronyms
        people = Zipf(count: Self.personCount, exponent: 0.9)
        placeFrequencies = Zipf(count: Self.placeCount, exponent: 1)
        organisationFrequencies = Zipf(count: Self.organisationCount, exponent: 1)
    }

    /// The event article `index` reports on: its own (a negative id), one of its neighbourhood's,
    /// or a running one (ids from 2^40).
    func event(of index: Int) -> Int {
        var random = SplitMix64(seed: UInt64(index) &* 0x9e37_79b9_7f4a_7c15 ^ 0xe7e7)
        let roll = random.next() % 100
        if roll < 35 { return -(index + 1) }
        if roll < 90 {
            return index / Self.neighbourhood * Self.neighbourhoodEvents
                + Int(random.next() % UInt64(Self.neighbourhoodEvents))
        }
        return (1 << 40) + index / Self.runningSpan * Self.runningEvents + Int(random.next() % UInt64(Self.runningEvents))
    }

    func cast(of event: Int, news: SyntheticNews) -> Cast {
        var random = SplitMix64(seed: UInt64(bitPattern: Int64(event)) ^ 0xca57)
        let people = (0..<(2 + Int(random.next() % 2))).map { _ in self.people.draw(&random) }
        let place = placeFrequencies.draw(&random)
        let organisation = random.next() % 2 == 0 ? organisationFrequencies.draw(&random) : nil
        var numbers = ["\(2 + random.next() % 998) \(news.word(&random))"]
        if random.next() % 2 == 0 { numbers.append("\(1 + random.next() % 9).\(random.next() % 10) \(news.word(&random))") }
        return Cast(people: people, place: place, organisation: organisation, numbers: numbers)
    }

    func fullName(_ person: Int) -> String {
        firstNames[person % firstNames.count] + " " + surnames[person]
    }

    /// Writes article `index`'s report on `event` into its headline and paragraphs (before the
    /// footer).
    func report(_ event: Int, index: Int, title: inout String, paragraphs: inout [String], news: SyntheticNews) {
        let cast = cast(of: event, news: news)
        var random = SplitMix64(seed: UInt64(index) ^ 0x5707_1e5)
        let main = cast.people[Int(random.next() % UInt64(cast.people.count))]
        title = Self.insert(surnames[main] + " in " + places[cast.place], into: title, &random)
        paragraphs[0] = Self.insert(fullName(main), into: paragraphs[0], &random)
        paragraphs[0] = Self.insert("in " + places[cast.place], into: paragraphs[0], &random)
        paragraphs[0] = Self.insert(cast.numbers[0], into: paragraphs[0], &random)
        var mentions = cast.people.flatMap { [fullName($0), surnames[$0]] } + ["in " + places[cast.place]] + cast.numbers
        if let organisation = cast.organisation { mentions.append(organisations[organisation]) }
        for paragraph in paragraphs.indices.dropFirst() where random.next() % 2 == 0 {
            let mention = mentions[Int(random.next() % UInt64(mentions.count))]
            paragraphs[paragraph] = Self.insert(mention, into: paragraphs[paragraph], &random)
        }
        // Names that have nothing to do with the event.
        for _ in 0..<2 {
            let paragraph = Int(random.next() % UInt64(paragraphs.count))
            let mention = random.next() % 2 == 0 ? fullName(people.draw(&random)) : "at " + places[placeFrequencies.draw(&random)]
            paragraphs[paragraph] = Self.insert(mention, into: paragraphs[paragraph], &random)
        }
    }

    /// `text` with `phrase` put in the middle of one of its sentences (never first).
    static func insert(_ phrase: String, into text: String, _ random: inout SplitMix64) -> String {
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let positions = (1..<max(2, words.count)).filter { !words[$0 - 1].hasSuffix(".") }
        let position = positions.isEmpty ? words.count : positions[Int(random.next() % UInt64(positions.count))]
        words.insert(phrase, at: min(position, words.count))
        return words.joined(separator: " ")
    }
}
