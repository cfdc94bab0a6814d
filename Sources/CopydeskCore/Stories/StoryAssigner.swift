internal import Foundation

/// Assigns each new article to a story, online, in one pass: the story whose profile it matches
/// best, if the match is strong enough and the story is still active, else a new story.
///
/// The procedure (``StoryAssignment``) asks the catalog three bounded questions:
/// 1. the **frequencies** of the article's terms (``StoryFeatures``) and the catalog's article
///    count: the rarity (IDF) of each term, from what has arrived so far;
/// 2. the **stories** filed under the article's rarest, heaviest terms and active in the window:
///    the candidates (never a scan), ranked by the weight of the terms they were found under;
/// 3. the **profiles** of the best few candidates.
///
/// Each candidate is scored by the event score (``StoryVector``: the mean of the cosines over names
/// and places and over numbers) between the article's terms and the story's summary (its top terms,
/// each weighted by the share of the story's articles carrying it), both weighted by rarity and by
/// channel. The article joins the best story scoring at least ``joinThreshold``. Every other
/// candidate the article scores at least ``mergeFloor`` with, and whose summary is as close as
/// ``mergeThreshold`` to the joined story's (article included), is the same event: it is merged
/// into it. A story accepts articles only within ``window`` of its last article (and not long before
/// its first).
public struct StoryAssigner: Sendable {
    /// How long a story stays open for new articles after its last one.
    public var window: Duration
    /// The least event score (0…1) for an article to join a story.
    public var joinThreshold: Double
    /// The least cosine between the story an article joins (with the article) and another active
    /// story for the two to be merged.
    public var mergeThreshold: Double
    /// The least score of the article with another story for that story to be considered for a
    /// merge.
    public var mergeFloor: Double
    /// How many of the article's heaviest terms are looked up for candidate stories.
    public var lookupTerms: Int
    /// The most stories one term answers with.
    public var storiesPerTerm: Int
    /// How many candidates are compared in full.
    public var candidates: Int
    /// How many of the article's heaviest terms the story is filed under.
    public var fileTerms: Int
    /// How many terms a story's summary keeps.
    public var summaryTerms: Int
    /// The merge pass (``StoryMergeCheck``): the least score for two stories to be one event.
    public var mergePassThreshold = 0.25
    /// The merge pass: a story of at most this many articles joins its best larger match when it is
    /// clear (``attachThreshold``, ``attachMargin``).
    public var attachSize = 3
    public var attachThreshold = 0.1
    public var attachMargin = 1.5
    /// The most rounds of one merge pass.
    public var mergePassRounds = 3

    /// The weight of each channel in a comparison.
    public static func weight(of channel: StoryFeatures.Channel) -> Double {
        switch channel {
        case .name: 3
        case .namePart: 2
        case .place: 2
        case .number: 2
        case .numberContext: 3
        case .word: 0.5
        }
    }

    public init(
        window: Duration = .seconds(3 * 86_400), joinThreshold: Double = 0.25, mergeThreshold: Double = 0.3,
        mergeFloor: Double = 0.1,
        lookupTerms: Int = 32, storiesPerTerm: Int = 16, candidates: Int = 12, fileTerms: Int = 32,
        summaryTerms: Int = 128
    ) {
        self.window = window
        self.joinThreshold = joinThreshold
        self.mergeThreshold = mergeThreshold
        self.mergeFloor = mergeFloor
        self.lookupTerms = lookupTerms
        self.storiesPerTerm = storiesPerTerm
        self.candidates = candidates
        self.fileTerms = fileTerms
        self.summaryTerms = summaryTerms
    }

    /// The earliest last activity of a story that may take an article published (or arrived) at
    /// `time`: the window before it ("" when the time does not parse: every story).
    public func activeSince(_ time: String) -> String {
        guard let seconds = StoryTime.seconds(time) else { return "" }
        return StoryTime.format(seconds - window.components.seconds)
    }

    /// The candidates of a `stories` answer, best first: each story scored by the summed `weight`
    /// of the terms it was found under (`excluding` a story: the one a merge check is about), at
    /// most ``candidates`` of them, ties by id. (The weights are summed in key order: the same sums
    /// in every process.)
    func rankCandidates(_ filed: [Int64: [Int64]], weight: (Int64) -> Double, excluding: Int64? = nil) -> [Int64] {
        var hits = [Int64: Double]()
        for key in filed.keys.sorted() {
            let stories = filed[key]!
            let termWeight = weight(key)
            for story in stories.prefix(storiesPerTerm) where story != excluding { hits[story, default: 0] += termWeight }
        }
        return hits.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(candidates).map(\.key)
    }

    /// The procedure that assigns an article with these features, published (or arrived) at `time`
    /// (ISO 8601, UTC), to a story.
    public func assignment(for features: StoryFeatures, at time: String) -> StoryAssignment {
        StoryAssignment(assigner: self, features: features, time: time)
    }
}

/// The procedure of ``StoryAssigner`` for one article: a state machine over ``StoryQuery``s.
public struct StoryAssignment: StoryProcedure {
    let assigner: StoryAssigner
    let features: StoryFeatures
    let time: String
    let seconds: Int64?
    var state = State.start
    /// The article's weighted terms (after the frequencies answer).
    var vector = [Int64: Double]()
    var idf = [Int64: Double]()
    /// The channel of each of the article's terms.
    var channels = [Int64: StoryFeatures.Channel]()
    var candidateOrder = [Int64]()
    /// The article's term keys, heaviest first (ties by key).
    var byWeight = [Int64]()

    /// What the procedure decided, for inspection (after it finished): each compared candidate's
    /// score.
    public private(set) var scores = [Int64: Double]()
    /// The `stories` answer it ranked its candidates by (empty when it asked none).
    public private(set) var answered = [Int64: [Int64]]()
    /// The candidates it compared in full (their profiles asked), ascending.
    public var candidates: [Int64] { candidateOrder.sorted() }

    /// The weight it gave each of the article's terms (after the frequencies answer).
    public func weight(of key: Int64) -> Double? { vector[key] }

    enum State {
        case start, frequencies, stories, profiles, done
    }

    init(assigner: StoryAssigner, features: StoryFeatures, time: String) {
        self.assigner = assigner
        self.features = features
        self.time = time
        self.seconds = StoryTime.seconds(time)
    }

    public mutating func next(_ answer: StoryAnswer?) -> StoryStep<StoryUpdate> {
        switch (state, answer) {
        case (.start, _):
            state = .frequencies
            return .ask(.frequencies(keys: features.terms.map(\.key)))
        case (.frequencies, .frequencies(let counts, let articles)?):
            weigh(counts, articles: articles)
            let keys = byWeight.lazy.filter { (counts[$0] ?? 0) > 0 }.prefix(assigner.lookupTerms).map { $0 }
            if keys.isEmpty { return finish(best: nil, merged: [], profiles: [:]) }
            state = .stories
            return .ask(.stories(keys: keys.sorted(), activeSince: assigner.activeSince(time), limitPerKey: assigner.storiesPerTerm))
        case (.stories, .stories(let filed)?):
            answered = filed
            candidateOrder = assigner.rankCandidates(filed, weight: { vector[$0] ?? 0 })
            if candidateOrder.isEmpty { return finish(best: nil, merged: [], profiles: [:]) }
            state = .profiles
            return .ask(.profiles(candidateOrder.sorted()))
        case (.profiles, .profiles(let profiles)?):
            return decide(profiles)
        case (.profiles, nil):
            // Resumed (a plan whose candidates hold but whose profiles changed): ask for them again.
            return .ask(.profiles(candidateOrder.sorted()))
        default:
            // An answer of the wrong kind: start a story of its own rather than guess.
            return finish(best: nil, merged: [], profiles: [:])
        }
    }

    /// The article's term weights, from the catalog's frequencies.
    mutating func weigh(_ counts: [Int64: Int], articles: Int) {
        var weighted = [(key: Int64, weight: Double)]()
        weighted.reserveCapacity(features.terms.count)
        idf.reserveCapacity(features.terms.count)
        vector.reserveCapacity(features.terms.count)
        for term in features.terms {
            let rarity = StoryAssignment.idf(frequency: counts[term.key] ?? 0, articles: articles)
            let weight = (1 + log(Double(term.count))) * rarity * StoryAssigner.weight(of: term.channel)
            idf[term.key] = rarity
            vector[term.key] = weight
            channels[term.key] = term.channel
            weighted.append((term.key, weight))
        }
        weighted.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.key < $1.key }
        byWeight = weighted.map(\.key)
    }

    /// How many articles without a term a young catalog is assumed to hold besides its own: without
    /// it, the first articles of one event, which share its names, would find those names common.
    static let priorArticles = 20

    /// Rarity: the log of the inverse share of articles carrying the term (smoothed by
    /// ``priorArticles``, with a small positive floor).
    static func idf(frequency: Int, articles: Int) -> Double {
        max(0.05, log(Double(articles + priorArticles) / Double(frequency + 1)))
    }


    mutating func decide(_ profiles: [Int64: StoryProfile]) -> StoryStep<StoryUpdate> {
        let article = StoryVector(vector, channels: channels, idf: idf)
        for id in candidateOrder.sorted() {
            guard let profile = profiles[id], isActive(profile),
                let score = article.eventScore(withSummary: profile.summary, articles: profile.articles)
            else { continue }
            scores[id] = score
        }
        let ranked = scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        guard let best = ranked.first, best.value >= assigner.joinThreshold else {
            return finish(best: nil, merged: [], profiles: [:])
        }
        // Only the stories that may change are decoded: the best, and those close enough to the
        // article to be compared with it for a merge (a score is only had from a valid summary).
        var summaries = [Int64: StorySummary]()
        for (id, score) in ranked where id == best.key || score >= assigner.mergeFloor {
            summaries[id] = StorySummary(profiles[id]!.summary)
        }
        // The story as it will be with the article; then every other candidate close enough to the
        // article to be compared whose own profile is as close to it is the same event: merged.
        var combined = summaries[best.key]!
        combined.add(features, idf: idf)
        var combinedArticles = profiles[best.key]!.articles + 1
        var merged = [Int64]()
        for (id, score) in ranked.dropFirst() where score >= assigner.mergeFloor {
            let other = summaries[id]!
            let otherArticles = profiles[id]!.articles
            let closeness = combined.cosine(with: other, articles: combinedArticles, otherArticles: otherArticles, idf: idf)
            guard closeness >= assigner.mergeThreshold else { continue }
            merged.append(id)
            combined.add(other)
            combinedArticles += otherArticles
        }
        var chosen = [Int64: (StoryProfile, StorySummary)]()
        for id in [best.key] + merged {
            if let profile = profiles[id], let summary = summaries[id] { chosen[id] = (profile, summary) }
        }
        return finish(best: best.key, merged: merged.sorted(), profiles: chosen)
    }

    /// Whether a story may take an article at this time.
    func isActive(_ profile: StoryProfile) -> Bool {
        guard let seconds else { return true }
        let window = assigner.window.components.seconds
        if let last = StoryTime.seconds(profile.lastSeen), seconds > last + window { return false }
        if let first = StoryTime.seconds(profile.firstSeen), seconds < first - window { return false }
        return true
    }

    mutating func finish(
        best: Int64?, merged: [Int64], profiles: [Int64: (StoryProfile, StorySummary)]
    ) -> StoryStep<StoryUpdate> {
        state = .done
        var summary = StorySummary()
        var articles = 0
        var first = time
        var last = time
        for id in profiles.keys.sorted() {
            let (profile, story) = profiles[id]!
            summary.add(story)
            articles += profile.articles
            if StoryTime.before(profile.firstSeen, first) { first = profile.firstSeen }
            if StoryTime.before(last, profile.lastSeen) { last = profile.lastSeen }
        }
        summary.add(features, idf: idf)
        articles += 1
        summary.prune(to: assigner.summaryTerms, articles: articles)
        let profile = StoryProfile(articles: articles, firstSeen: first, lastSeen: last, summary: summary.encoded())
        let keys = features.terms.map(\.key)
        // Before the frequencies are known (an answer of the wrong kind), file under the first keys.
        let heaviest = byWeight.isEmpty ? keys : byWeight
        return .finished(
            StoryUpdate(
                story: best, merged: merged, profile: profile,
                fileUnder: heaviest.prefix(assigner.fileTerms).sorted(), counted: keys))
    }
}

/// A story's summary: its top terms, each with how many of its articles carry it, its channel, and
/// its rarity when last seen. Stored by the catalog as an opaque blob (``StoryProfile/summary``).
///
/// Kept as two arrays in ascending key order, as it is encoded: reading, merging, pruning and
/// writing it are walks, not hash-table work, and every sum over it runs in key order (the same in
/// every process).
struct StorySummary {
    struct Entry {
        var channel: StoryFeatures.Channel
        /// How many of the story's articles carry the term.
        var articles: Float
        /// The term's rarity when an article carrying it last joined.
        var idf: Float
    }

    /// The terms, ascending.
    private(set) var keys = [Int64]()
    /// Each term's entry, in the order of ``keys``.
    private(set) var entries = [Entry]()

    init() {}

    /// How many terms it keeps.
    var count: Int { keys.count }

    /// Adds another story's summary (a merge).
    mutating func add(_ other: StorySummary) {
        var keys = [Int64]()
        var entries = [Entry]()
        keys.reserveCapacity(count + other.count)
        entries.reserveCapacity(count + other.count)
        var (i, j) = (0, 0)
        while i < count || j < other.count {
            if j == other.count || (i < count && self.keys[i] < other.keys[j]) {
                keys.append(self.keys[i])
                entries.append(self.entries[i])
                i += 1
            } else if i == count || other.keys[j] < self.keys[i] {
                keys.append(other.keys[j])
                entries.append(other.entries[j])
                j += 1
            } else {
                var mine = self.entries[i]
                mine.articles += other.entries[j].articles
                mine.idf = min(mine.idf, other.entries[j].idf)
                keys.append(self.keys[i])
                entries.append(mine)
                i += 1
                j += 1
            }
        }
        self.keys = keys
        self.entries = entries
    }

    /// Adds an article's terms, with their current rarity (a term kept already takes it).
    mutating func add(_ features: StoryFeatures, idf: [Int64: Double]) {
        let terms = features.terms.sorted { $0.key < $1.key }
        var keys = [Int64]()
        var entries = [Entry]()
        keys.reserveCapacity(count + terms.count)
        entries.reserveCapacity(count + terms.count)
        var i = 0
        for term in terms {
            let rarity = Float(idf[term.key] ?? StoryAssignment.idf(frequency: 0, articles: 0))
            while i < count, self.keys[i] < term.key {
                keys.append(self.keys[i])
                entries.append(self.entries[i])
                i += 1
            }
            if keys.last == term.key {
                entries[entries.count - 1].articles += 1
                entries[entries.count - 1].idf = rarity
            } else if i < count, self.keys[i] == term.key {
                var entry = self.entries[i]
                entry.articles += 1
                entry.idf = rarity
                keys.append(term.key)
                entries.append(entry)
                i += 1
            } else {
                keys.append(term.key)
                entries.append(Entry(channel: term.channel, articles: 1, idf: rarity))
            }
        }
        keys.append(contentsOf: self.keys[i...])
        entries.append(contentsOf: self.entries[i...])
        self.keys = keys
        self.entries = entries
    }

    /// The weight of a term in the story's vector.
    static func weight(_ entry: Entry, idf: Double, articles: Int) -> Double {
        weight(carriers: entry.articles, channel: entry.channel, idf: idf, articles: articles)
    }

    /// The weight of a term carried by `carriers` of the story's `articles`.
    static func weight(carriers: Float, channel: StoryFeatures.Channel, idf: Double, articles: Int) -> Double {
        Double(carriers) / Double(max(articles, 1)) * idf * StoryAssigner.weight(of: channel)
    }

    /// Keeps the `count` heaviest terms (ties by key).
    mutating func prune(to count: Int, articles: Int) {
        guard self.count > count else { return }
        let weights = entries.map { Self.weight($0, idf: Double($0.idf), articles: articles) }
        let order = keys.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : keys[$0] < keys[$1] }
        var kept = [Bool](repeating: false, count: self.count)
        for index in order.prefix(count) { kept[index] = true }
        keys = keys.indices.filter { kept[$0] }.map { keys[$0] }
        entries = entries.indices.filter { kept[$0] }.map { entries[$0] }
    }

    /// The story's weighted terms (a shared term weighted by its rarity now, from `idf`, the
    /// others by their stored rarity), in key order.
    func weights(articles: Int, idf: [Int64: Double]) -> [Double] {
        zip(keys, entries).map { key, entry in Self.weight(entry, idf: idf[key] ?? Double(entry.idf), articles: articles) }
    }

    /// The same as a table by key.
    func vector(articles: Int, idf: [Int64: Double]) -> [Int64: Double] {
        Dictionary(uniqueKeysWithValues: zip(keys, weights(articles: articles, idf: idf)))
    }

    /// The cosine between two stories' summaries (sums in key order).
    func cosine(with other: StorySummary, articles: Int, otherArticles: Int, idf: [Int64: Double]) -> Double {
        let mine = weights(articles: articles, idf: idf)
        let theirs = other.weights(articles: otherArticles, idf: idf)
        var dot = 0.0
        var (i, j) = (0, 0)
        while i < count, j < other.count {
            if keys[i] < other.keys[j] {
                i += 1
            } else if other.keys[j] < keys[i] {
                j += 1
            } else {
                dot += mine[i] * theirs[j]
                i += 1
                j += 1
            }
        }
        let norms = mine.reduce(0) { $0 + $1 * $1 }.squareRoot() * theirs.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norms > 0 ? dot / norms : 0
    }

    // MARK: Encoding: a version byte, then per term (by key) 8 bytes key, 1 byte channel, 4 bytes
    // article count (Float32), 4 bytes rarity (Float32), little-endian.

    static let version: UInt8 = 1
    static let entrySize = 17

    /// Whether `bytes` are a summary's encoding (its version, whole entries).
    static func isEncoding(_ bytes: [UInt8]) -> Bool {
        bytes.first == version && (bytes.count - 1) % entrySize == 0
    }

    func encoded() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(1 + count * Self.entrySize)
        bytes.append(Self.version)
        func append(_ value: UInt64, _ count: Int) {
            for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
        }
        for (key, entry) in zip(keys, entries) {
            append(UInt64(bitPattern: key), 8)
            bytes.append(entry.channel.rawValue)
            append(UInt64(entry.articles.bitPattern), 4)
            append(UInt64(entry.idf.bitPattern), 4)
        }
        return bytes
    }

    init?(_ bytes: [UInt8]) {
        guard Self.isEncoding(bytes) else { return nil }
        func read(_ offset: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            return value
        }
        let count = (bytes.count - 1) / Self.entrySize
        keys.reserveCapacity(count)
        entries.reserveCapacity(count)
        var offset = 1
        while offset < bytes.count {
            let key = Int64(bitPattern: read(offset, 8))
            guard let channel = StoryFeatures.Channel(rawValue: bytes[offset + 8]),
                keys.last.map({ $0 < key }) ?? true
            else { return nil }
            keys.append(key)
            entries.append(
                Entry(
                    channel: channel, articles: Float(bitPattern: UInt32(read(offset + 9, 4))),
                    idf: Float(bitPattern: UInt32(read(offset + 13, 4)))))
            offset += Self.entrySize
        }
    }
}

/// ISO 8601 times as story assignment compares them: seconds since 1970, and back to
/// `YYYY-MM-DDTHH:MM:SSZ`.
enum StoryTime {
    /// Seconds since 1970 of `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]`; nil when it does not parse.
    static func seconds(_ text: String) -> Int64? {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= chars.count else { return nil }
            var value: Int64 = 0
            for byte in chars[start..<start + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), chars.count >= 10, chars[4] == 0x2D, chars[7] == 0x2D,
            let month = number(5, 2), let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86_400
        var index = 10
        if index < chars.count, chars[index] == 0x54 || chars[index] == 0x20 {
            guard let hour = number(index + 1, 2), index + 3 < chars.count, chars[index + 3] == 0x3A,
                let minute = number(index + 4, 2)
            else { return seconds }
            seconds += hour * 3600 + minute * 60
            index += 6
            if index < chars.count, chars[index] == 0x3A, let second = number(index + 1, 2) {
                seconds += second
                index += 3
            }
            if index < chars.count, chars[index] == 0x2E {
                index += 1
                while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 { index += 1 }
            }
            if index < chars.count, chars[index] == 0x2B || chars[index] == 0x2D,
                let hours = number(index + 1, 2)
            {
                var minutes: Int64 = 0
                if index + 3 < chars.count {
                    let at = chars[index + 3] == 0x3A ? index + 4 : index + 3
                    minutes = number(at, 2) ?? 0
                }
                let offset = hours * 3600 + minutes * 60
                seconds += chars[index] == 0x2B ? -offset : offset
            }
        }
        return seconds
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of seconds since 1970.
    static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    /// Whether `a` is earlier than `b` (by their seconds when both parse, else as text).
    static func before(_ a: String, _ b: String) -> Bool {
        if let x = seconds(a), let y = seconds(b) { return x < y }
        return a < b
    }
}
