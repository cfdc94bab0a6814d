public import CopydeskCore
import Foundation

/// A deterministic pseudo-random generator (SplitMix64), so that article `i` is the same text in
/// every run and a probe can rebuild any stored article from its index.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix(state)
    }
}

/// Ranks drawn with Zipf frequencies: rank `k` (from 0) with weight 1 / (k + 1)^exponent.
struct Zipf: Sendable {
    /// Cumulative weights, normalized.
    let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        var cumulative = [Double]()
        cumulative.reserveCapacity(count)
        for rank in 1...count {
            total += 1 / pow(Double(rank), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    func draw(_ random: inout SplitMix64) -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Synthetic news articles with the statistics that matter to the index: a Zipf vocabulary (so
/// common words and phrases recur across unrelated articles), stock phrases, and per-site footer
/// lines that hundreds or thousands of articles share (the "hot keys" a real catalog has).
///
/// With `events`, each article also reports on an event (``SyntheticEvents``): it names the
/// event's people, place and organisation and gives its numbers, as story assignment reads them.
/// Without, the text is all lower case but for each sentence's first word: no names, no numbers.
public struct SyntheticNews: Sendable {
    public static let vocabularySize = 40_000
    public static let siteCount = 500
    static let stockPhraseCount = 200

    let words: [String]
    /// Zipf weights over `words`.
    let frequencies: Zipf
    let stockPhrases: [String]
    let siteFooters: [String]
    let events: SyntheticEvents?

    /// - Parameter events: whether articles report on events, with names, places and numbers.
    public init(events: Bool = false) {
        var random = SplitMix64(seed: 42)
        let onsets = [
            "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "st",
            "tr", "ch", "sh", "pl", "gr",
        ]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
        var seen = Set<String>()
        var words = [String]()
        while words.count < Self.vocabularySize {
            let syllables = 1 + Int(random.next() % 4)
            var word = ""
            for _ in 0..<syllables {
                word += onsets[Int(random.next() % UInt64(onsets.count))]
                word += vowels[Int(random.next() % UInt64(vowels.count))]
            }
            if random.next() % 3 == 0 { word += ["n", "r", "s", "t", "l"][Int(random.next() % 5)] }
            if seen.insert(word).inserted { words.append(word) }
        }
        self.words = words
        frequencies = Zipf(count: words.count, exponent: 1.05)
        var phrases = [String]()
        var footers = [String]()
        var generator = SplitMix64(seed: 7)
        for _ in 0..<Self.stockPhraseCount {
            phrases.append(
                (0..<(4 + Int(generator.next() % 4))).map { _ in words[Int(generator.next() % 400)] }
                    .joined(separator: " "))
        }
        for site in 0..<Self.siteCount {
            footers.append(
                "Follow the \(words[site]) \(words[site + 1]) desk for more news, and tell us what you think about "
                    + (0..<6).map { _ in words[Int(generator.next() % 2000)] }.joined(separator: " ") + ".")
        }
        stockPhrases = phrases
        siteFooters = footers
        self.events = events ? SyntheticEvents(avoiding: seen) : nil
    }

    public func word(_ random: inout SplitMix64) -> String {
        words[frequencies.draw(&random)]
    }

    public func sentence(_ random: inout SplitMix64) -> String {
        var parts = [String]()
        let length = 8 + Int(random.next() % 13)
        for _ in 0..<length { parts.append(word(&random)) }
        if random.next() % 7 == 0 {
            parts.insert(stockPhrases[Int(random.next() % UInt64(stockPhrases.count))], at: Int(random.next() % 4))
        }
        var text = parts.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + "."
    }

    /// Article `index` of the synthetic catalog: a title and 8 to 12 paragraphs (about 450 words),
    /// ending with its site's footer (with `events`: naming its event's people, place and numbers).
    public func article(_ index: Int) -> Article {
        article(index, event: events?.event(of: index))
    }

    /// The event article `index` reports on (nil without `events`).
    public func event(of index: Int) -> Int? {
        events?.event(of: index)
    }

    /// Article `index`'s text, reporting on `event` (with `events`).
    func article(_ index: Int, event: Int?) -> Article {
        var random = SplitMix64(seed: UInt64(index) &* 0x2545_f491_4f6c_dd1d)
        let title = (0..<(6 + Int(random.next() % 5))).map { _ in word(&random) }.joined(separator: " ")
        var paragraphs = [String]()
        for _ in 0..<(8 + Int(random.next() % 5)) {
            paragraphs.append((0..<(2 + Int(random.next() % 3))).map { _ in sentence(&random) }.joined(separator: " "))
        }
        var headline = title.prefix(1).uppercased() + title.dropFirst()
        if let events, let event {
            events.report(event, index: index, title: &headline, paragraphs: &paragraphs, news: self)
        }
        let site = index % Self.siteCount
        paragraphs.append(siteFooters[site])
        return Article(
            format: .text, charset: "utf-8", title: headline, site: "site\(site).example", paragraphs: paragraphs)
    }

    /// The kinds of files the benchmark decides on.
    public enum ProbeKind: String, CaseIterable, Sendable {
        case new, revision, syndication, teaser
    }

    /// A probe of `kind` built from stored article `index` (or, for `.new`, a fresh article: with
    /// `events`, a fresh text on the event of article `index`).
    public func probe(_ kind: ProbeKind, index: Int, fresh: Int) -> Article {
        var random = SplitMix64(seed: UInt64(index) ^ 0xfeed)
        switch kind {
        case .new:
            return article(fresh, event: events?.event(of: index))
        case .revision:
            var article = article(index)
            let target = Int(random.next() % UInt64(article.paragraphs.count - 1))
            var words = article.paragraphs[target].split(separator: " ").map(String.init)
            for _ in 0..<2 {
                words[Int(random.next() % UInt64(words.count))] = word(&random)
            }
            article.paragraphs[target] = words.joined(separator: " ")
            article.paragraphs.insert(sentence(&random), at: article.paragraphs.count - 1)
            return article
        case .syndication:
            var article = article(index)
            article.paragraphs[0] = "BRUSSELS (AFP) - " + article.paragraphs[0]
            article.paragraphs[1] = article.paragraphs[1] + article.paragraphs[2]
            article.paragraphs.remove(at: 2)
            article.paragraphs.insert("Metro Daily", at: 0)
            article.site = "wire\(index % 7).example"
            return article
        case .teaser:
            var article = article(index)
            article.paragraphs = Array(article.paragraphs.prefix(max(1, article.paragraphs.count * 2 / 5)))
            article.paragraphs.append("Read more")
            return article
        }
    }
}


extension SyntheticNews {
    /// Article `index` as the text of a file: the title line, then paragraphs separated by blank
    /// lines.
    public func fileText(_ index: Int) -> String {
        let article = article(index)
        return ([article.title ?? ""] + article.paragraphs).joined(separator: "\n\n") + "\n"
    }

    /// Writes articles `range` as text files `prefix-NNNNNN.txt` into `folder`.
    public func writeFiles(_ range: Range<Int>, to folder: String, prefix: String = "article") throws {
        for index in range {
            let name = String(format: "%@-%06d.txt", prefix, index)
            try Data(fileText(index).utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }
}

/// The pages of `../shared/corpora/extraction-dev` (real saved web pages), found beside the package.
public enum DevPages {
    /// The package's root folder.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The folders holding the pages.
    public static var folders: [String] {
        let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora/extraction-dev")
        return ["cache", "eval"].map { corpus.appendingPathComponent($0).path }
    }

    /// Every page's path, sorted.
    public static func paths() -> [String] {
        folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { folder + "/" + $0 }
        }
    }

    /// Every page's bytes.
    public static func load() -> [[UInt8]] {
        paths().compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
    }
}
