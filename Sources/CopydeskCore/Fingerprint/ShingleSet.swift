/// The set of word shingles of a text: every run of ``width`` consecutive tokens, hashed to 64 bits.
///
/// Two texts that share a sentence share its shingles; how many shingles two sets share is what
/// "the same text" and "contained in" are measured on (``Resemblance``).
public struct ShingleSet: Sendable, Hashable {
    /// Words per shingle. Five words are specific enough that two unrelated texts share almost none,
    /// and short enough that one edited word costs only five shingles.
    public static let width = 5

    /// The distinct shingle hashes, ascending.
    public let hashes: [UInt64]
    /// The shingle hashes in text order (with repeats): where in the text each shingle stands.
    public let sequence: [UInt64]

    /// The shingles of `tokens`. A text shorter than ``width`` tokens has one shingle: all of it.
    public init(tokens: [String]) {
        let tokenHashes = tokens.map(StableHash.fnv1a)
        var sequence = [UInt64]()
        if tokenHashes.count >= Self.width {
            sequence.reserveCapacity(tokenHashes.count - Self.width + 1)
            for start in 0...(tokenHashes.count - Self.width) {
                sequence.append(StableHash.combine(tokenHashes[start..<(start + Self.width)]))
            }
        } else if !tokenHashes.isEmpty {
            sequence.append(StableHash.combine(tokenHashes))
        }
        self.sequence = sequence
        var sorted = sequence.sorted()
        sorted.removeDuplicates()
        self.hashes = sorted
    }

    /// How many distinct shingles the text has.
    public var count: Int { hashes.count }
    public var isEmpty: Bool { hashes.isEmpty }

    /// How many shingles the two sets share (a merge of the two sorted arrays).
    public func intersectionCount(with other: ShingleSet) -> Int {
        var i = 0
        var j = 0
        var shared = 0
        let a = hashes
        let b = other.hashes
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                shared += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return shared
    }

    /// Whether `hash` is one of the shingles.
    public func contains(_ hash: UInt64) -> Bool {
        var low = 0
        var high = hashes.count
        while low < high {
            let middle = (low + high) / 2
            if hashes[middle] < hash { low = middle + 1 } else { high = middle }
        }
        return low < hashes.count && hashes[low] == hash
    }
}

extension Array where Element: Equatable {
    /// Removes adjacent repeats (on a sorted array: all repeats).
    fileprivate mutating func removeDuplicates() {
        guard count > 1 else { return }
        var write = 1
        for read in 1..<count where self[read] != self[write - 1] {
            self[write] = self[read]
            write += 1
        }
        removeLast(count - write)
    }
}
