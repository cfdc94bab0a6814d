/// How many articles carry each story term, estimated in a fixed space (a count-min sketch): the
/// rarity story assignment weighs terms by, for any number of articles and distinct terms.
///
/// Each term adds one to a counter in each of ``rows`` rows of ``width`` counters, at a place its
/// key hashes to; its estimate is the least of its counters. An estimate is never below the true
/// count and is above it only by the articles of other terms sharing its counters: exact while the
/// catalog is small, and at a million articles (about 64 million term occurrences spread over two
/// million counters a row) off by a few articles for a rare term, which moves its rarity (a log of
/// a ratio of the catalog's size) little. Exact counts would take a row a distinct term, tens of
/// millions of them, each written once an article.
///
/// Both catalogs keep the same counters (SQLite in memory beside its tables, PostgreSQL as rows of
/// `term_bucket`), so both weigh a term alike. A counter is named by its bucket: `row * width +
/// place`; ``articlesBucket`` counts the articles.
///
/// Memory follows use: the counters in use are kept in a table while they are few (a young
/// catalog, a test), and as one array of every counter (16 MiB) once they are many.
public struct TermSketch: Sendable, Equatable {
    public static let rows = 2
    public static let widthBits = 21
    public static let width = 1 << widthBits
    /// How many buckets there are, the articles' counter included.
    public static let buckets = rows * width + 1
    /// The bucket that counts the articles (the catalog's size for rarity).
    public static let articlesBucket = rows * width

    /// Every counter, by bucket (``articlesBucket`` last), once many are in use.
    private var dense: [UInt32]?
    /// The counters in use, by bucket, while few are.
    private var sparse = [Int32: UInt32]()
    /// How many counters the table holds before they move to the array (its memory then about a
    /// third of the array's).
    static let denseAt = buckets / 16

    /// How many articles were counted.
    public var articles: Int { Int(self[Self.articlesBucket]) }

    /// How many counted articles one epoch of the counts lasts, after counts of `articles`.
    ///
    /// Story assignment weighs terms by the counts as they were at the end of the last epoch, not
    /// by the counts of the article before (``StoryQuery/frequencies(keys:)``): every article of an
    /// epoch sees the same rarities, so its assignment can be worked out ahead, in the parallel
    /// stage, and holds when it commits in the same epoch. An epoch is a 128th of the articles
    /// before it (a common term's rarity moves by less than 1/128 of a log within it; measured on
    /// the stories dev set: the same groupings), one article while there are fewer than 256, and at
    /// most 16,384. A function of the count alone, so every catalog, and every writer of one, ends
    /// the epochs at the same articles.
    public static func epochLength(after articles: Int) -> Int {
        min(16_384, max(1, articles / 128))
    }

    /// An empty sketch.
    public init() {}

    /// The counter of a bucket.
    public subscript(bucket: Int) -> UInt32 {
        if let dense { return dense[bucket] }
        return sparse[Int32(bucket)] ?? 0
    }

    public static func == (a: TermSketch, b: TermSketch) -> Bool {
        a.nonZero().elementsEqual(b.nonZero()) { $0 == $1 }
    }

    /// The buckets of a term: one in each row.
    public static func buckets(of key: Int64) -> [Int] {
        (0..<rows).map { bucket(of: key, row: $0) }
    }

    static func bucket(of key: Int64, row: Int) -> Int {
        // SplitMix64's finalizer over the key and the row: every bit of the key moves every bit
        // of the place.
        var x = UInt64(bitPattern: key) &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(row + 1)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return row * width + Int(x >> UInt64(64 - widthBits))
    }

    /// How many articles carry a term (an estimate never below the truth).
    public func count(_ key: Int64) -> Int {
        var least = UInt32.max
        for row in 0..<Self.rows { least = min(least, self[Self.bucket(of: key, row: row)]) }
        return Int(least)
    }

    /// The counts of these terms that are not zero, added to `counts`.
    public func counts(of keys: some Sequence<Int64>, into counts: inout [Int64: Int]) {
        for key in keys {
            let count = count(key)
            if count > 0 { counts[key] = count }
        }
    }

    /// Counts one article carrying these terms (each counted once).
    public mutating func add(article keys: some Sequence<Int64>) {
        for key in Set(keys) {
            for row in 0..<Self.rows { add(1, toBucket: Self.bucket(of: key, row: row)) }
        }
        add(1, toBucket: Self.articlesBucket)
    }

    /// Adds to one counter (reading counters written elsewhere; saturates rather than wraps).
    public mutating func add(_ count: Int, toBucket bucket: Int) {
        guard (0..<Self.buckets).contains(bucket), count > 0 else { return }
        let sum = UInt32(min(UInt64(self[bucket]) + UInt64(count), UInt64(UInt32.max)))
        if dense != nil {
            dense![bucket] = sum
            return
        }
        sparse[Int32(bucket)] = sum
        if sparse.count > Self.denseAt {
            var all = [UInt32](repeating: 0, count: Self.buckets)
            for (at, value) in sparse { all[Int(at)] = value }
            dense = all
            sparse = [:]
        }
    }

    /// The counters that are not zero, by bucket (those after `bucket`).
    public func nonZero(after bucket: Int = -1) -> [(bucket: Int, count: Int)] {
        let start = max(0, bucket &+ 1)
        if let dense {
            return (start..<Self.buckets).filter { dense[$0] != 0 }.map { ($0, Int(dense[$0])) }
        }
        return sparse.lazy.filter { Int($0.key) >= start && $0.value != 0 }.map { (Int($0.key), Int($0.value)) }
            .sorted { $0.bucket < $1.bucket }
    }

    /// Term keys as the catalogs keep a list of them (an article's counted terms, a story's
    /// filed terms): 8 bytes each, little-endian.
    public static func bytes(of keys: [Int64]) -> [UInt8] {
        #if _endian(little)
        return keys.withUnsafeBytes { Array($0) }
        #else
        var bytes = [UInt8]()
        bytes.reserveCapacity(keys.count * 8)
        for key in keys { withUnsafeBytes(of: key.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
        #endif
    }

    /// The keys of ``bytes(of:)`` (a trailing part key is left out).
    public static func keys(from bytes: some Collection<UInt8>) -> [Int64] {
        let count = bytes.count / 8
        var keys = [Int64](repeating: 0, count: count)
        keys.withUnsafeMutableBytes { destination in
            let copied = bytes.withContiguousStorageIfAvailable { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(source)[0..<count * 8]))
            }
            guard copied == nil else { return }
            var at = bytes.startIndex
            for offset in 0..<count * 8 {
                destination[offset] = bytes[at]
                at = bytes.index(after: at)
            }
        }
        #if !_endian(little)
        for index in keys.indices { keys[index] = Int64(littleEndian: keys[index]) }
        #endif
        return keys
    }

    // MARK: Encoding: a version byte, the row width's bits, then either every counter (dense) or the
    // non-zero ones as (bucket, count) pairs (sparse, while fewer than a quarter are non-zero); all
    // little-endian UInt32.

    static let version: UInt8 = 1

    public func encoded() -> [UInt8] {
        let used = nonZero()
        let sparse = used.count < Self.buckets / 4
        var bytes = [UInt8]()
        bytes.reserveCapacity(3 + 4 * (sparse ? 2 * used.count : Self.buckets))
        bytes.append(Self.version)
        bytes.append(UInt8(Self.widthBits))
        bytes.append(sparse ? 1 : 0)
        func append(_ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        if sparse {
            for (bucket, count) in used {
                append(UInt32(bucket))
                append(UInt32(count))
            }
        } else {
            for bucket in 0..<Self.buckets { append(self[bucket]) }
        }
        return bytes
    }

    /// A sketch from ``encoded()`` (nil when the bytes are not one of this shape).
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 3, bytes[0] == Self.version, bytes[1] == UInt8(Self.widthBits), bytes[2] <= 1,
            (bytes.count - 3) % 4 == 0
        else { return nil }
        let words = (bytes.count - 3) / 4
        func word(_ index: Int) -> UInt32 {
            let at = 3 + 4 * index
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
        }
        self.init()
        if bytes[2] == 1 {
            guard words % 2 == 0 else { return nil }
            for pair in 0..<words / 2 {
                let bucket = Int(word(2 * pair))
                guard bucket < Self.buckets else { return nil }
                add(Int(word(2 * pair + 1)), toBucket: bucket)
            }
        } else {
            guard words == Self.buckets else { return nil }
            dense = (0..<words).map(word)
        }
    }
}
