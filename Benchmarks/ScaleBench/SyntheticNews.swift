import CopydeskCore

/// A deterministic pseudo-random generator (SplitMix64), so that article `i` is the same text in
/// every run and a probe can rebuild any stored article from its index.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix(state)
    }
}

/// Synthetic news articles with the statistics that matter to the index: a Zipf vocabulary (so
/// common words and phrases recur across unrelated articles), stock phrases, and per-site footer
/// lines that hundreds or thousands of articles share (the "hot keys" a real catalog has).
struct SyntheticNews {
    static let vocabularySize = 40_000
    static let siteCount = 500
    static let stockPhraseCount = 200

    let words: [String]
    /// Cumulative Zipf weights over `words`.
    let cumulative: [Double]
    let stockPhrases: [String]
    let siteFooters: [String]

    init() {
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
        var total = 0.0
        var cumulative = [Double]()
        cumulative.reserveCapacity(words.count)
        for rank in 1...words.count {
            total += 1 / pow(Double(rank), 1.05)
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
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
    }

    func word(_ random: inout SplitMix64) -> String {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return words[low]
    }

    func sentence(_ random: inout SplitMix64) -> String {
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
    /// ending with its site's footer.
    func article(_ index: Int) -> Article {
        var random = SplitMix64(seed: UInt64(index) &* 0x2545_f491_4f6c_dd1d)
        let title = (0..<(6 + Int(random.next() % 5))).map { _ in word(&random) }.joined(separator: " ")
        var paragraphs = [String]()
        for _ in 0..<(8 + Int(random.next() % 5)) {
            paragraphs.append((0..<(2 + Int(random.next() % 3))).map { _ in sentence(&random) }.joined(separator: " "))
        }
        let site = index % Self.siteCount
        paragraphs.append(siteFooters[site])
        return Article(
            format: .text, charset: "utf-8", title: title.prefix(1).uppercased() + title.dropFirst(),
            site: "site\(site).example", paragraphs: paragraphs)
    }

    /// The kinds of files the benchmark decides on.
    enum ProbeKind: String, CaseIterable {
        case new, revision, syndication, teaser
    }

    /// A probe of `kind` built from stored article `index` (or, for `.new`, a fresh article).
    func probe(_ kind: ProbeKind, index: Int, fresh: Int) -> Article {
        var random = SplitMix64(seed: UInt64(index) ^ 0xfeed)
        switch kind {
        case .new:
            return article(fresh)
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

#if canImport(Glibc)
    import Glibc
#endif
