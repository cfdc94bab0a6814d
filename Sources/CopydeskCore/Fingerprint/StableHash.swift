/// Fixed 64-bit hashes for fingerprints that are stored in the catalog and compared across runs.
///
/// Swift's `Hasher` is seeded per process, so a value hashed today would not match the same value
/// hashed tomorrow; everything that ends up in the catalog is hashed here instead. These functions
/// are part of the fingerprint scheme (``Fingerprint/scheme``): changing them changes every stored
/// key.
public enum StableHash {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a over the UTF-8 bytes of `text`.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash = fnvOffset
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* fnvPrime
        }
        return hash
    }

    /// The SplitMix64 finalizer: a bijection on 64 bits whose output bits all depend on all input
    /// bits. Turns a weak hash into one fit for MinHash, and derives independent permutations
    /// (`mix(value ^ seed)`).
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Combines an ordered sequence of hashes into one (order matters).
    public static func combine(_ values: some Sequence<UInt64>, seed: UInt64 = 0) -> UInt64 {
        var hash = mix(seed ^ fnvOffset)
        for value in values {
            hash = mix((hash ^ value) &* fnvPrime)
        }
        return hash
    }
}
