/// A MinHash signature of a shingle set: for each of ``permutations`` fixed random permutations of
/// the 64-bit hash space, the smallest permuted shingle.
///
/// Two sets agree on one signature value with probability equal to their Jaccard similarity, so
/// cutting the signature into bands and looking up each band finds similar sets without comparing
/// against all of them (``Fingerprint/bandKeys``).
public struct MinHash: Sendable, Hashable {
    /// Signature length. 128 values give a Jaccard estimate within ±0.044 (one standard deviation)
    /// at J = 0.5, and 32 bands of 4.
    public static let permutations = 128

    /// Permutation `i` is `mix(hash ^ seeds[i])`; the seeds are fixed (part of the scheme).
    static let seeds: [UInt64] = (0..<UInt64(permutations)).map { StableHash.mix($0 &+ 0x9e37_79b9_7f4a_7c15) }

    public let values: [UInt64]

    public init(_ shingles: ShingleSet) {
        var values = [UInt64](repeating: .max, count: Self.permutations)
        Self.seeds.withUnsafeBufferPointer { seeds in
            values.withUnsafeMutableBufferPointer { values in
                for hash in shingles.hashes {
                    for index in 0..<seeds.count {
                        let permuted = StableHash.mix(hash ^ seeds[index])
                        if permuted < values[index] { values[index] = permuted }
                    }
                }
            }
        }
        self.values = values
    }

    /// The share of signature values the two signatures agree on: an estimate of the Jaccard
    /// similarity of the two sets.
    public func estimatedJaccard(with other: MinHash) -> Double {
        let agreeing = zip(values, other.values).filter { $0 == $1 }.count
        return Double(agreeing) / Double(values.count)
    }
}
