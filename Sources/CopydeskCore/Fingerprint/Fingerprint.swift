/// The fingerprint of one version's text: its shingles, and the keys under which the catalog's
/// locality-sensitive index files it.
///
/// Two kinds of keys, so that one index lookup finds both kinds of near-copies:
///
/// - **Band keys** find texts of similar content overall (revisions, syndicated copies): the
///   128-value ``MinHash`` signature is cut into ``bands`` bands of ``rowsPerBand`` values, and each
///   band is one key. Two texts share a band with probability 1 − (1 − J⁴)³², where J is their
///   Jaccard similarity: 0.23 at J = 0.3, 0.87 at J = 0.5, 0.99 at J = 0.6, so every pair the
///   verification would accept (J ≥ 0.5 in practice; ``Resemblance``) is found nearly always, and
///   pairs of unrelated texts (J ≈ 0.01) almost never collide (about 3·10⁻⁷ per pair).
/// - **Containment keys** find a text *contained* in another: a teaser that holds the first 40 % of
///   the story has J ≈ 0.4 with it, which the bands would find only about half of the time. These
///   keys are the ``containmentKeyCount`` smallest shingle hashes of the text (a bottom-k sketch).
///   If a short text Q lies inside a long text X, each of X's k smallest shingles that falls inside Q
///   is also among Q's k smallest, so the two share on average k·|Q∩X|/|X| keys: 12.8 for a 40 %
///   teaser, whichever of the two arrives first and wherever in X the excerpt comes from (a "lead"
///   sketch over the first shingles would miss a copy with a few extra lines at the top). A single
///   shared key is enough to make a candidate; the exact check decides.
///
/// Keys are 64-bit integers with the kind and band folded in, so one SQLite table holds them all.
public struct Fingerprint: Sendable {
    /// The version of the fingerprint scheme: tokens, shingles, hashes, signature and keys. Stored
    /// with every indexed version; bump it when any of them changes (the stored keys must then be
    /// rebuilt).
    public static let scheme = 1

    public static let bands = 32
    public static let rowsPerBand = 4
    public static let containmentKeyCount = 32

    static let bandTag: UInt64 = 0x6261_6e64  // "band"
    static let containmentTag: UInt64 = 0x636f_6e74  // "cont"

    public let shingles: ShingleSet
    public let bandKeys: [Int64]
    public let containmentKeys: [Int64]

    /// Fingerprints an article (title and body, see ``FingerprintText``).
    public init(_ article: Article) {
        self.init(tokens: FingerprintText.tokens(of: article))
    }

    public init(tokens: [String]) {
        let shingles = ShingleSet(tokens: tokens)
        self.shingles = shingles
        guard !shingles.isEmpty else {
            bandKeys = []
            containmentKeys = []
            return
        }
        let signature = MinHash(shingles).values
        bandKeys = (0..<Self.bands).map { band in
            let rows = signature[(band * Self.rowsPerBand)..<((band + 1) * Self.rowsPerBand)]
            return Int64(bitPattern: StableHash.combine(rows, seed: Self.bandTag &+ UInt64(band)))
        }
        containmentKeys = shingles.hashes.prefix(Self.containmentKeyCount).map {
            Int64(bitPattern: StableHash.mix($0 ^ Self.containmentTag))
        }
    }

    /// All index keys: band keys first, then containment keys.
    public var keys: [Int64] { bandKeys + containmentKeys }

    /// Whether a candidate found in the index is worth the exact check, given how many keys it shares
    /// and both texts' sizes.
    ///
    /// A shared band is strong evidence (unrelated texts almost never share one). Containment keys
    /// alone can come from a phrase many texts share, such as a site's footer line; so the shared
    /// count is compared with what a real version would give. If the shorter text (n shingles) were
    /// contained to the ``VersionRule/minimumContainment`` in the longer one (N shingles), about
    /// E = min(k, N) · 0.6 · n / N of the k = ``containmentKeyCount`` keys would be shared (binomially
    /// distributed); a candidate is checked when it shares at least a third of E (and at least one
    /// key). For two texts of similar size E ≈ 19, so one or two keys in common, from a shared
    /// footer, are not enough; for a 30-shingle teaser of a 330-shingle story E ≈ 1.7, so one key is.
    /// A real version falls below a third of E with a probability under 10⁻³ at E = 19.
    public static func isWorthVerifying(
        bandHits: Int, containmentHits: Int, newShingles: Int, storedShingles: Int
    ) -> Bool {
        if bandHits > 0 { return true }
        let shorter = Double(min(newShingles, storedShingles))
        let longer = Double(max(newShingles, storedShingles))
        guard longer > 0 else { return false }
        let expected = min(Double(containmentKeyCount), longer) * VersionRule.minimumContainment * shorter / longer
        return containmentHits >= max(1, Int(expected / 3))
    }
}
