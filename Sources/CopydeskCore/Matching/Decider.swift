/// What one decision reads of the catalog, inside the transaction that records it.
///
/// A catalog backend answers these from its own tables; ``Decider`` needs nothing else, so the
/// procedure is written once whatever the engine. Every call is bounded: by a hash, by at most
/// `limit` versions per fingerprint key, or by the few candidates a decision verifies. Each takes a
/// whole set of keys or ids at once, so that a backend over a network answers in one round trip.
public protocol CatalogLookup {
    /// The first accepted receipt of these exact bytes, if any.
    func acceptedReceipt(rawSHA256: String) throws -> ReceiptMatch?
    /// The version that holds this canonical text (``PreparedArticle/contentSHA256``), if any.
    func version(contentSHA256: String) throws -> VersionRef?
    /// For each key, the versions filed under it (at most `limitPerKey`, newest first), tallied: each
    /// version found with the number of the `keys` it was found under.
    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) throws -> [Int64: Int]
    /// The number of shingles each of these versions was indexed with (versions not indexed are left
    /// out).
    func shingleCounts(ofVersions ids: [Int64]) throws -> [Int64: Int]
    /// These versions' texts and articles (versions that do not exist are left out).
    func storedVersions(_ ids: [Int64]) throws -> [Int64: StoredVersion]
}

/// A receipt whose bytes a new file repeats.
public struct ReceiptMatch: Sendable, Hashable {
    public var receipt: Int64
    public var fileName: String
    public var article: Int64
    public var version: Int64

    public init(receipt: Int64, fileName: String, article: Int64, version: Int64) {
        self.receipt = receipt
        self.fileName = fileName
        self.article = article
        self.version = version
    }
}

/// A stored version, by its id and its article's.
public struct VersionRef: Sendable, Hashable {
    public var version: Int64
    public var article: Int64

    public init(version: Int64, article: Int64) {
        self.version = version
        self.article = article
    }
}

/// A stored version's text as the catalog holds it.
public struct StoredVersion: Sendable, Hashable {
    public var article: Int64
    public var text: Article

    public init(article: Int64, text: Article) {
        self.article = article
        self.text = text
    }
}

/// A normalized article with what every decision on it needs, computed once, before the serialized
/// part (the parallel stage of the pipeline, or a reprocess worker).
public struct PreparedArticle: Sendable {
    public let article: Article
    /// ``Article/contentSHA256``.
    public let contentSHA256: String
    public let fingerprint: Fingerprint

    public init(_ article: Article) {
        self.article = article
        self.contentSHA256 = article.contentSHA256
        self.fingerprint = Fingerprint(article)
    }
}

/// A stored version that a new text was recognised as a version of.
public struct VersionMatch: Sendable, Hashable {
    public var article: Int64
    public var version: Int64
    public var resemblance: Resemblance
    public var relation: VersionRelation

    public init(article: Int64, version: Int64, resemblance: Resemblance, relation: VersionRelation) {
        self.article = article
        self.version = version
        self.resemblance = resemblance
        self.relation = relation
    }

    /// The similarity recorded with the new version: the containment for an excerpt (how much of the
    /// shorter text is in the longer), the Jaccard similarity otherwise.
    public var similarity: Double {
        relation == .excerpt ? resemblance.containment : resemblance.jaccard
    }
}

/// What a received text is, against what the catalog holds.
public enum Verdict: Sendable, Hashable {
    /// The same bytes as an accepted receipt.
    case sameBytes(ReceiptMatch)
    /// The same canonical text as a stored version.
    case sameText(VersionRef)
    /// A near-copy of a stored version: a new version of its article.
    case newVersion(VersionMatch)
    /// Nothing like it is held.
    case newArticle

    /// The article and version a duplicate repeats.
    public var duplicateOf: VersionRef? {
        switch self {
        case .sameBytes(let match): VersionRef(version: match.version, article: match.article)
        case .sameText(let ref): ref
        case .newVersion, .newArticle: nil
        }
    }
}

/// The decision procedure: what a new text is, given what the catalog holds.
///
/// In order: the same bytes as an accepted receipt, or the same canonical text as a stored version,
/// is a duplicate; a near-copy of a stored version (candidates from the fingerprint index, verified
/// exactly on their shingle sets by ``VersionRule``, the closest kept) is a new version of its
/// article with the relation ``VersionRelation/infer(new:stored:resemblance:)`` gives; anything
/// else is a new article.
///
/// Pure: it reads the catalog only through ``CatalogLookup``. A backend runs it inside the write
/// transaction that records its verdict, so two copies of one text that arrive together cannot both
/// become new articles.
public struct Decider: Sendable {
    /// How many versions one key returns at most, newest first. A key shared by more versions is
    /// either boilerplate common to many texts (then it says little) or a story carried by many
    /// outlets (then its newest versions serve as well as all of them); either way the lookup cost
    /// stays bounded however large the catalog grows.
    public var versionsPerKey = 64
    /// How many candidates, ranked by shared keys, are looked at (their size read from the index).
    public var rankedCandidates = 16
    /// How many of those are verified exactly at most (each costs reading and shingling the stored
    /// text).
    public var verifiedCandidates = 8
    /// A Jaccard similarity at which a match found through the bands is final: the containment keys
    /// are then not looked up. A version the containment keys alone would find shares no band, so its
    /// Jaccard similarity is almost surely below 0.5 (``Fingerprint``) and it could not be a closer
    /// parent. Saves half the index lookups for revisions and syndicated copies.
    public var finalBandMatchJaccard = 0.8

    public init() {}

    /// Decides what `prepared` (received as bytes with hash `rawSHA256`) is.
    public func decide(
        rawSHA256: String, _ prepared: PreparedArticle, in catalog: some CatalogLookup
    ) throws -> Verdict {
        if let match = try catalog.acceptedReceipt(rawSHA256: rawSHA256) { return .sameBytes(match) }
        if let match = try catalog.version(contentSHA256: prepared.contentSHA256) { return .sameText(match) }
        if let match = try nearestVersion(of: prepared, in: catalog) { return .newVersion(match) }
        return .newArticle
    }

    /// The stored version `prepared` is a near-copy of, if any.
    ///
    /// The band keys are looked up first; unless that gives a close match, the containment keys
    /// next. Reads only index rows and the candidates' own rows, at most ``versionsPerKey`` per key
    /// and ``verifiedCandidates`` texts: the cost does not grow with the catalog.
    public func nearestVersion(of prepared: PreparedArticle, in catalog: some CatalogLookup) throws -> VersionMatch? {
        let fingerprint = prepared.fingerprint
        guard !fingerprint.shingles.isEmpty else { return nil }
        var search = Search(prepared: prepared, budget: verifiedCandidates)
        let bandHits = try catalog.versionHits(filedUnder: fingerprint.bandKeys, limitPerKey: versionsPerKey)
        try search.verify(bandHits: bandHits, containmentHits: [:], ranking: rankedCandidates, in: catalog)
        if let best = search.best, best.resemblance.jaccard >= finalBandMatchJaccard { return best }
        let containmentHits = try catalog.versionHits(
            filedUnder: fingerprint.containmentKeys, limitPerKey: versionsPerKey)
        try search.verify(bandHits: bandHits, containmentHits: containmentHits, ranking: rankedCandidates, in: catalog)
        return search.best
    }

    /// The state of one search for the nearest version: what was looked at, what is left of the
    /// verification budget, the closest match so far.
    private struct Search {
        let prepared: PreparedArticle
        var budget: Int
        var looked = Set<Int64>()
        var best: VersionMatch?

        init(prepared: PreparedArticle, budget: Int) {
            self.prepared = prepared
            self.budget = budget
        }

        mutating func verify(
            bandHits: [Int64: Int], containmentHits: [Int64: Int], ranking: Int, in catalog: some CatalogLookup
        ) throws {
            guard budget > 0 else { return }
            let hits = bandHits.merging(containmentHits, uniquingKeysWith: +)
            let ranked = hits.filter { !looked.contains($0.key) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
                .prefix(ranking).map(\.key)
            guard !ranked.isEmpty else { return }
            looked.formUnion(ranked)
            let sizes = try catalog.shingleCounts(ofVersions: ranked)
            let newCount = prepared.fingerprint.shingles.count
            let worth = ranked.filter { id in
                guard let stored = sizes[id] else { return false }
                return Fingerprint.isWorthVerifying(
                    bandHits: bandHits[id] ?? 0, containmentHits: containmentHits[id] ?? 0,
                    newShingles: newCount, storedShingles: stored)
            }.prefix(budget)
            guard !worth.isEmpty else { return }
            let texts = try catalog.storedVersions(Array(worth))
            for id in worth {
                guard let stored = texts[id] else { continue }
                budget -= 1
                let storedShingles = ShingleSet(tokens: FingerprintText.tokens(of: stored.text))
                let resemblance = Resemblance(new: prepared.fingerprint.shingles, stored: storedShingles)
                guard VersionRule.isVersion(resemblance) else { continue }
                // The closest version is the parent: a revision descends from the full text it edits
                // rather than from a teaser of it that also "contains" it.
                if let best,
                    (best.resemblance.jaccard, best.resemblance.containment)
                        >= (resemblance.jaccard, resemblance.containment)
                {
                    continue
                }
                let relation = VersionRelation.infer(
                    new: prepared.article, stored: stored.text, resemblance: resemblance)
                best = VersionMatch(article: stored.article, version: id, resemblance: resemblance, relation: relation)
            }
        }
    }
}

/// What reprocessing reads of the catalog, besides what a decision reads.
public protocol RenormalizationLookup: CatalogLookup {
    /// Whether the original with this raw hash is the one version `id` was made from (the first
    /// accepted receipt that created it, or the reprocess that did): only that original may rewrite
    /// the version's metadata.
    func isCreator(rawSHA256: String, ofVersion id: Int64) throws -> Bool
}

/// What re-normalizing an archived original found, against the version that holds its text now.
public enum Renormalization: Sendable, Hashable {
    /// The same canonical text. `changes` names the metadata fields that differ (empty: none), or is
    /// nil when this original did not make the version (another file with the same text has
    /// metadata of its own) and so may not rewrite it.
    case sameText(changes: [String]?)
    /// A different text that the catalog already holds as another version.
    case knownText(VersionRef)
    /// A different text, new to the catalog: a new version whose parent is the old one, with their
    /// Jaccard similarity.
    case newText(similarity: Double)
}

extension Decider {
    /// What the current normalizer's reading of an original (`prepared`, made from the bytes with
    /// hash `rawSHA256`) is, against `current`, the version that holds the original's text now (with
    /// its canonical hash `currentSHA256`). (A reading the normalizer rejects is no reading: the old
    /// version stays.)
    public func renormalize(
        _ prepared: PreparedArticle, rawSHA256: String, current: StoredVersion, version: Int64,
        currentSHA256: String, in catalog: some RenormalizationLookup
    ) throws -> Renormalization {
        if prepared.contentSHA256 == currentSHA256 {
            guard try catalog.isCreator(rawSHA256: rawSHA256, ofVersion: version) else {
                return .sameText(changes: nil)
            }
            return .sameText(changes: current.text.metadataChanges(to: prepared.article))
        }
        if let known = try catalog.version(contentSHA256: prepared.contentSHA256) { return .knownText(known) }
        let stored = ShingleSet(tokens: FingerprintText.tokens(of: current.text))
        return .newText(similarity: Resemblance(new: prepared.fingerprint.shingles, stored: stored).jaccard)
    }
}

extension Article {
    /// The names of the metadata fields (title, byline, published, site, url, language) whose values
    /// differ in `other`.
    public func metadataChanges(to other: Article) -> [String] {
        var changed = [String]()
        if title != other.title { changed.append("title") }
        if byline != other.byline { changed.append("byline") }
        if published != other.published { changed.append("published") }
        if site != other.site { changed.append("site") }
        if url != other.url { changed.append("url") }
        if language != other.language { changed.append("language") }
        return changed
    }
}
