import CopydeskCore
import Testing

/// The story term counts in a fixed space (``TermSketch``).
struct TermSketchTests {
    @Test func aSmallCatalogsCountsAreExact() {
        var sketch = TermSketch()
        sketch.add(article: [1, 2, 3])
        sketch.add(article: [2, 3, 3])
        sketch.add(article: [3])
        #expect(sketch.articles == 3)
        #expect([1, 2, 3, 4].map { sketch.count($0) } == [1, 2, 3, 0])
    }

    @Test func anEpochIsA128thOfTheArticlesBeforeIt() {
        #expect(
            [0, 1, 255, 256, 6_400, 1_000_000, 2_100_000, 3_000_000].map(TermSketch.epochLength(after:))
                == [1, 1, 1, 2, 50, 7_812, 16_384, 16_384])
    }

    @Test func theMemoryCatalogAnswersTheCountsAsOfTheLastEpochsEnd() {
        // 258 one-term articles: the first 256 each end an epoch of one; then epochs of two.
        let catalog = MemoryStoryCatalog()
        func frequency() -> (Int, Int) {
            guard case .frequencies(let counts, let articles) = catalog.answer(.frequencies(keys: [7])) else { return (-1, -1) }
            return (counts[7] ?? 0, articles)
        }
        let profile = StoryProfile(articles: 1, firstSeen: "2021-03-23T12:00:00Z", lastSeen: "2021-03-23T12:00:00Z", summary: [])
        let update = StoryUpdate(story: nil, merged: [], profile: profile, fileUnder: [7], counted: [7, 7])
        for _ in 0..<256 { catalog.apply(update) }
        #expect(frequency() == (256, 256))
        catalog.apply(update)
        #expect(frequency() == (256, 256))
        catalog.apply(update)
        #expect(frequency() == (258, 258))
    }

    @Test func keyListsAreEightBytesEachLittleEndian() {
        let keys: [Int64] = [1, -7, .max, .min, 0x0102_0304_0506_0708]
        let bytes = TermSketch.bytes(of: keys)
        #expect(bytes.count == 40)
        #expect(Array(bytes.prefix(8)) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes.suffix(8)) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(TermSketch.keys(from: bytes) == keys)
        // From any collection of bytes (a slice, not contiguous from zero), a trailing part left out.
        #expect(TermSketch.keys(from: (bytes + [9, 9])[8...]) == Array(keys.dropFirst()))
        #expect(TermSketch.keys(from: bytes.lazy.map { $0 }) == keys)
    }

    @Test func anEstimateIsNeverBelowTheTruth() {
        var sketch = TermSketch()
        var truth = [Int64: Int]()
        var state: UInt64 = 7
        for _ in 0..<2_000 {
            var keys = Set<Int64>()
            for _ in 0..<64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                keys.insert(Int64(bitPattern: state >> 44))  // about a million distinct terms
            }
            sketch.add(article: keys)
            for key in keys { truth[key, default: 0] += 1 }
        }
        #expect(truth.allSatisfy { sketch.count($0.key) >= $0.value })
        // Over about 120,000 distinct terms in four million counters, almost all are exact.
        let exact = truth.filter { sketch.count($0.key) == $0.value }.count
        #expect(Double(exact) / Double(truth.count) > 0.99)
    }

    @Test func theBucketsOfATermNeverChange() {
        // Catalogs keep the counters by bucket: the hash is part of their format (SplitMix64's
        // finalizer, worked out apart from the code).
        #expect(TermSketch.buckets(of: 123_456_789) == [280_462, 3_101_243])
        #expect(TermSketch.buckets(of: -1) == [1_874_734, 4_011_007])
        #expect(TermSketch.buckets(of: 42).allSatisfy { (0..<TermSketch.articlesBucket).contains($0) })
    }

    @Test func itReadsBackWhatItWrites() throws {
        var sketch = TermSketch()
        #expect(TermSketch(encoded: sketch.encoded()) == sketch)
        for article in 0..<200 { sketch.add(article: (0..<64).map { Int64(article * 1_000 + $0) }) }
        let sparse = sketch.encoded()
        #expect(sparse.count < 200 * 64 * 2 * 8 + 100)
        #expect(TermSketch(encoded: sparse) == sketch)
        // Dense once a quarter of the counters are in use.
        for article in 0..<20_000 { sketch.add(article: (0..<64).map { Int64(article * 1_000 + $0 + 7) }) }
        let dense = sketch.encoded()
        #expect(dense.count == 3 + 4 * TermSketch.buckets)
        #expect(TermSketch(encoded: dense) == sketch)
        #expect(TermSketch(encoded: Array(dense.dropLast())) == nil)
        #expect(TermSketch(encoded: [9, 21, 0]) == nil)
    }

    @Test func aCounterSaturatesRatherThanWraps() {
        var sketch = TermSketch()
        sketch.add(Int(UInt32.max) - 1, toBucket: 5)
        sketch.add(10, toBucket: 5)
        #expect(sketch[5] == UInt32.max)
        sketch.add(1, toBucket: TermSketch.buckets)  // past the end: ignored
        #expect(Array(sketch.nonZero()).map(\.bucket) == [5])
    }
}
