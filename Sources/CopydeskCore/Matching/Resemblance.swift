/// How much two texts have in common, measured exactly on their shingle sets.
public struct Resemblance: Sendable, Hashable {
    /// Shingles of the new text, of the stored text, and of both.
    public var newCount: Int
    public var storedCount: Int
    public var sharedCount: Int
    /// Of the shared shingles, the share that lies at the start of the longer text (within its first
    /// 1.25·|shorter| + 20 shingles): 1 for a teaser, which is the lead of its story; about the
    /// shorter's share of the longer for a text found somewhere inside another.
    public var leadAlignment: Double

    /// Compares a new text with a stored one.
    public init(new: ShingleSet, stored: ShingleSet) {
        newCount = new.count
        storedCount = stored.count
        sharedCount = new.intersectionCount(with: stored)
        let (shorter, longer) = new.count <= stored.count ? (new, stored) : (stored, new)
        guard sharedCount > 0 else {
            leadAlignment = 0
            return
        }
        let leadLength = shorter.count + shorter.count / 4 + 20
        var inLead = Set<UInt64>()
        for hash in longer.sequence.prefix(leadLength) where shorter.contains(hash) {
            inLead.insert(hash)
        }
        leadAlignment = Double(inLead.count) / Double(sharedCount)
    }

    public init(newCount: Int, storedCount: Int, sharedCount: Int, leadAlignment: Double) {
        self.newCount = newCount
        self.storedCount = storedCount
        self.sharedCount = sharedCount
        self.leadAlignment = leadAlignment
    }

    /// |A∩B| / |A∪B|.
    public var jaccard: Double {
        let union = newCount + storedCount - sharedCount
        return union == 0 ? 0 : Double(sharedCount) / Double(union)
    }

    /// |A∩B| / min(|A|, |B|): the share of the shorter text found in the longer one.
    public var containment: Double {
        let smaller = min(newCount, storedCount)
        return smaller == 0 ? 0 : Double(sharedCount) / Double(smaller)
    }

    /// The shorter text's length over the longer's (in shingles).
    public var lengthRatio: Double {
        let larger = max(newCount, storedCount)
        return larger == 0 ? 1 : Double(min(newCount, storedCount)) / Double(larger)
    }

    /// Whether the new text is the shorter of the two.
    public var newIsShorter: Bool { newCount < storedCount }
}
