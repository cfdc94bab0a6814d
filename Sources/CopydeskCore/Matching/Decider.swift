/// What one decision reads of the catalog, inside the transaction that records it.
///
/// A catalog backend answers these from its own tables; ``Decider`` needs nothing else, so the
/// procedure is written once whatever the engine. Every call is bounded: by a hash, by at most
/// `limitPerKey` versions per fingerprint key, or by the few candidates a decision verifies. Each
/// takes a whole set of keys or ids at once, so that a backend over a network answers in one round
/// trip. An engine whose driver is asynchronous answers the same questions through
/// ``AsyncCatalogLookup``.
public protocol CatalogLookup {
    /// The first accepted receipt of these exact bytes, if any; for an item of a file that holds
    /// several (`item` is its position), the first accepted item at that position of a file of these
    /// bytes.
    func acceptedReceipt(rawSHA256: String, item: Int?) throws -> ReceiptMatch?
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
    /// Whether the original with this raw hash is the one version `id` was made from (the first
    /// accepted receipt that created it, or the reprocess that did): only that original may rewrite
    /// the version's metadata.
    func isCreator(rawSHA256: String, ofVersion id: Int64) throws -> Bool
    /// The agency items filed under these declared keys (``WireMetadata/declaredKey``, or the ids
    /// an item links to), at most ``Decider/itemsPerDeclaredKey`` per key, newest first.
    func declaredItems(keys: [String]) throws -> [DeclaredItem]
}

/// ``CatalogLookup`` for an engine whose driver is asynchronous: the same questions, awaited.
public protocol AsyncCatalogLookup {
    func acceptedReceipt(rawSHA256: String, item: Int?) async throws -> ReceiptMatch?
    func version(contentSHA256: String) async throws -> VersionRef?
    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) async throws -> [Int64: Int]
    func shingleCounts(ofVersions ids: [Int64]) async throws -> [Int64: Int]
    func storedVersions(_ ids: [Int64]) async throws -> [Int64: StoredVersion]
    func isCreator(rawSHA256: String, ofVersion id: Int64) async throws -> Bool
    func declaredItems(keys: [String]) async throws -> [DeclaredItem]
}

/// One question a decision asks of the catalog (see ``CatalogLookup``).
public enum LookupQuery: Sendable, Hashable {
    case acceptedReceipt(rawSHA256: String, item: Int?)
    case version(contentSHA256: String)
    case versionHits(keys: [Int64], limitPerKey: Int)
    case shingleCounts(versions: [Int64])
    case storedVersions([Int64])
    case isCreator(rawSHA256: String, version: Int64)
    case declared(keys: [String])
}

/// The catalog's answer to a ``LookupQuery``, of the matching case.
public enum LookupAnswer: Sendable, Hashable {
    case acceptedReceipt(ReceiptMatch?)
    case version(VersionRef?)
    case versionHits([Int64: Int])
    case shingleCounts([Int64: Int])
    case storedVersions([Int64: StoredVersion])
    case isCreator(Bool)
    case declared([DeclaredItem])
}

extension CatalogLookup {
    /// Answers one question.
    public func answer(_ query: LookupQuery) throws -> LookupAnswer {
        switch query {
        case .acceptedReceipt(let raw, let item): .acceptedReceipt(try acceptedReceipt(rawSHA256: raw, item: item))
        case .version(let sha): .version(try version(contentSHA256: sha))
        case .versionHits(let keys, let limit): .versionHits(try versionHits(filedUnder: keys, limitPerKey: limit))
        case .shingleCounts(let ids): .shingleCounts(try shingleCounts(ofVersions: ids))
        case .storedVersions(let ids): .storedVersions(try storedVersions(ids))
        case .isCreator(let raw, let id): .isCreator(try isCreator(rawSHA256: raw, ofVersion: id))
        case .declared(let keys): .declared(try declaredItems(keys: keys))
        }
    }

    /// Runs a decision or re-normalization procedure to its end, answering its questions.
    public func run<Procedure: LookupProcedure>(_ procedure: Procedure) throws -> Procedure.Result {
        var procedure = procedure
        var answer: LookupAnswer?
        while true {
            switch procedure.next(answer) {
            case .finished(let result): return result
            case .ask(let query): answer = try self.answer(query)
            }
        }
    }
}

extension AsyncCatalogLookup {
    /// Answers one question.
    public func answer(_ query: LookupQuery) async throws -> LookupAnswer {
        switch query {
        case .acceptedReceipt(let raw, let item):
            .acceptedReceipt(try await acceptedReceipt(rawSHA256: raw, item: item))
        case .version(let sha): .version(try await version(contentSHA256: sha))
        case .versionHits(let keys, let limit):
            .versionHits(try await versionHits(filedUnder: keys, limitPerKey: limit))
        case .shingleCounts(let ids): .shingleCounts(try await shingleCounts(ofVersions: ids))
        case .storedVersions(let ids): .storedVersions(try await storedVersions(ids))
        case .isCreator(let raw, let id): .isCreator(try await isCreator(rawSHA256: raw, ofVersion: id))
        case .declared(let keys): .declared(try await declaredItems(keys: keys))
        }
    }

    /// Runs a decision or re-normalization procedure to its end, answering its questions.
    public func run<Procedure: LookupProcedure>(_ procedure: Procedure) async throws -> Procedure.Result {
        var procedure = procedure
        var answer: LookupAnswer?
        while true {
            switch procedure.next(answer) {
            case .finished(let result): return result
            case .ask(let query): answer = try await self.answer(query)
            }
        }
    }
}

/// A procedure that reads the catalog only by asking questions, one at a time: written once, run by
/// a synchronous engine (SQLite, inside its write transaction) or an asynchronous one (PostgreSQL)
/// alike, and by tests over a dictionary.
public protocol LookupProcedure: Sendable {
    associatedtype Result: Sendable
    /// The next step, given the answer to the previous question (nil at the start).
    mutating func next(_ answer: LookupAnswer?) -> LookupStep<Result>
}

/// What a ``LookupProcedure`` does next.
public enum LookupStep<Result: Sendable>: Sendable {
    case ask(LookupQuery)
    case finished(Result)
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

/// An agency item the catalog holds: the key it was filed under, the version it declared, and the
/// version that holds its text.
public struct DeclaredItem: Sendable, Hashable {
    public var key: String
    public var declaredVersion: String?
    public var article: Int64
    public var version: Int64

    public init(key: String, declaredVersion: String?, article: Int64, version: Int64) {
        self.key = key
        self.declaredVersion = declaredVersion
        self.article = article
        self.version = version
    }
}

/// A new version recognised by what an agency item declares (its id, or a link to the item it
/// replaces), whatever its text.
public struct DeclaredMatch: Sendable, Hashable {
    public var article: Int64
    /// The version it follows (the stored item of the highest declared version below its own, else
    /// the nearest above it, for a version arriving late; the linked item's for a link).
    public var parent: Int64?
    public var relation: VersionRelation
    /// A version of the article that already holds this exact text: the declared version is
    /// recorded against it, without a second copy of the text.
    public var sameText: Int64?
    /// Whether its declared version is above every stored one of its story (false for a version
    /// that arrives after a later one).
    public var isNewest: Bool
    /// What linked it: its own id (`id`) or a link it declares (`link`).
    public var through: String

    public init(
        article: Int64, parent: Int64?, relation: VersionRelation, sameText: Int64? = nil, isNewest: Bool,
        through: String
    ) {
        self.article = article
        self.parent = parent
        self.relation = relation
        self.sameText = sameText
        self.isNewest = isNewest
        self.through = through
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
    /// The who/where/when signals story assignment compares (``StoryFeatures``); empty when the
    /// article was prepared for a procedure that assigns no story (re-normalization).
    public let storyFeatures: StoryFeatures
    /// The article's story assignment worked out ahead of its turn, when the catalog can
    /// (``StoryPlan``).
    public var storyPlan: StoryPlan?

    /// - Parameter stories: whether the article may start or join a story (false for a
    ///   re-normalized reading, which keeps its article's story): the features are extracted only
    ///   then.
    public init(_ article: Article, stories: Bool = true) {
        self.article = article
        self.contentSHA256 = article.contentSHA256
        self.fingerprint = Fingerprint(article)
        self.storyFeatures = stories ? StoryFeatures(article) : StoryFeatures(terms: [])
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
    /// An agency item with the id and version of one held (a re-delivery): a duplicate, whatever
    /// its text.
    case sameDeclared(DeclaredItem)
    /// A version an agency item declares of an article held (see ``DeclaredMatch``).
    case declaredVersion(DeclaredMatch)
    /// An agency notice without text (a withdrawal, a status change) about an item the catalog does
    /// not hold: nothing to attach it to, so it is rejected with this reason (and the file kept).
    case noticeForUnknownItem(String)

    /// What decided: `declared` when the item's declared identity did, `content` otherwise.
    public var basis: String {
        switch self {
        case .sameDeclared, .declaredVersion: "declared"
        default: "content"
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
/// Pure: it reads the catalog only through the questions of ``LookupProcedure``. A backend runs it
/// inside the write transaction that records its verdict, so two copies of one text that arrive
/// together cannot both become new articles.
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
    /// How many items one declared key returns at most, newest first (an agency re-sends a story
    /// a few dozen times at most; the bound keeps a reused key cheap).
    public static let itemsPerDeclaredKey = 256

    public init() {}

    /// The procedure that decides what `prepared` (received as bytes with hash `rawSHA256`, or as
    /// the item at position `item` of a file of those bytes) is.
    public func decision(rawSHA256: String, item: Int? = nil, _ prepared: PreparedArticle) -> Decision {
        Decision(decider: self, rawSHA256: rawSHA256, item: item, prepared: prepared, exactChecks: true)
    }

    /// The procedure that finds the stored version `prepared` is a near-copy of, if any (the
    /// near-copy part of ``decision(rawSHA256:_:)`` alone: no exact checks), as a verdict:
    /// ``Verdict/newVersion(_:)`` or ``Verdict/newArticle``.
    public func nearestVersion(of prepared: PreparedArticle) -> Decision {
        Decision(decider: self, rawSHA256: "", item: nil, prepared: prepared, exactChecks: false)
    }

    /// Decides what `prepared` is, asking `catalog`.
    public func decide(rawSHA256: String, item: Int? = nil, _ prepared: PreparedArticle, in catalog: some CatalogLookup)
        throws -> Verdict
    {
        try catalog.run(decision(rawSHA256: rawSHA256, item: item, prepared))
    }

    /// The stored version `prepared` is a near-copy of, if any.
    public func nearestVersion(of prepared: PreparedArticle, in catalog: some CatalogLookup) throws -> VersionMatch? {
        guard case .newVersion(let match) = try catalog.run(nearestVersion(of: prepared)) else { return nil }
        return match
    }

    /// One decision in progress: the exact checks, then the band keys and, unless that gives a close
    /// match, the containment keys. Reads only index rows and the candidates' own rows, at most
    /// ``Decider/versionsPerKey`` per key and ``Decider/verifiedCandidates`` texts: the cost does not
    /// grow with the catalog.
    public struct Decision: LookupProcedure {
        private enum Stage: Sendable {
            case start
            case sameBytes
            case declared
            case declaredText(DeclaredMatch, bothUnversioned: Bool)
            case sameText
            case hits(containment: Bool)
            case counts(ranked: [Int64])
            case texts(worth: [Int64])
        }

        let decider: Decider
        let rawSHA256: String
        let item: Int?
        let prepared: PreparedArticle
        let exactChecks: Bool
        private var stage = Stage.start
        private var bandHits = [Int64: Int]()
        private var containmentHits = [Int64: Int]()
        private var containmentSearched = false
        private var looked = Set<Int64>()
        private var budget: Int
        private var best: VersionMatch?

        init(decider: Decider, rawSHA256: String, item: Int?, prepared: PreparedArticle, exactChecks: Bool) {
            self.decider = decider
            self.rawSHA256 = rawSHA256
            self.item = item
            self.prepared = prepared
            self.exactChecks = exactChecks
            self.budget = decider.verifiedCandidates
        }

        public mutating func next(_ answer: LookupAnswer?) -> LookupStep<Verdict> {
            switch (stage, answer) {
            case (.start, _) where exactChecks:
                stage = .sameBytes
                return .ask(.acceptedReceipt(rawSHA256: rawSHA256, item: item))
            case (.start, _):
                return searchIndex(containment: false)
            case (.sameBytes, .acceptedReceipt(let match)):
                if let match { return .finished(.sameBytes(match)) }
                if let wire = prepared.article.wire {
                    let keys = (wire.declaredKey.map { [$0] } ?? []) + wire.linkedIDs
                    if !keys.isEmpty {
                        stage = .declared
                        return .ask(.declared(keys: keys))
                    }
                }
                stage = .sameText
                return .ask(.version(contentSHA256: prepared.contentSHA256))
            case (.declared, .declared(let items)):
                let notice = prepared.article.paragraphs.isEmpty
                switch resolveDeclared(items) {
                case .duplicate(let item):
                    return .finished(.sameDeclared(item))
                case .version(var match, _) where notice:
                    // No text of its own: recorded against the text of the version it follows.
                    match.sameText = match.parent
                    return .finished(.declaredVersion(match))
                case .version(let match, let bothUnversioned):
                    stage = .declaredText(match, bothUnversioned: bothUnversioned)
                case nil where notice:
                    let wire = prepared.article.wire
                    return .finished(
                        .noticeForUnknownItem(
                            "a \(wire?.status ?? "status") notice without text for \(wire?.id ?? "an item") the catalog does not hold"))
                case nil:
                    stage = .sameText
                }
                return .ask(.version(contentSHA256: prepared.contentSHA256))
            case (.declaredText(var match, let bothUnversioned), .version(let known)):
                if let known {
                    // The same id without a version, and the same text: a re-delivery.
                    if bothUnversioned, known.article == match.article { return .finished(.sameText(known)) }
                    // The text is held (one copy of a text in the catalog): the declared version is
                    // recorded against it.
                    match.sameText = known.version
                }
                return .finished(.declaredVersion(match))
            case (.sameText, .version(let match)):
                if let match { return .finished(.sameText(match)) }
                return searchIndex(containment: false)
            case (.hits(let containment), .versionHits(let hits)):
                if containment { containmentHits = hits } else { bandHits = hits }
                return rank()
            case (.counts(let ranked), .shingleCounts(let sizes)):
                let newCount = prepared.fingerprint.shingles.count
                let worth = ranked.filter { id in
                    guard let stored = sizes[id] else { return false }
                    return Fingerprint.isWorthVerifying(
                        bandHits: bandHits[id] ?? 0, containmentHits: containmentHits[id] ?? 0,
                        newShingles: newCount, storedShingles: stored)
                }.prefix(budget)
                guard !worth.isEmpty else { return roundDone() }
                stage = .texts(worth: Array(worth))
                return .ask(.storedVersions(Array(worth)))
            case (.texts(let worth), .storedVersions(let texts)):
                for id in worth {
                    guard let stored = texts[id] else { continue }
                    budget -= 1
                    verify(id, stored)
                }
                return roundDone()
            default:
                preconditionFailure("the catalog answered \(String(describing: answer)) to a question of stage \(stage)")
            }
        }

        private enum DeclaredOutcome {
            case duplicate(DeclaredItem)
            case version(DeclaredMatch, bothUnversioned: Bool)
        }

        /// What the items filed under this item's declared key and links say it is: a re-delivery
        /// (the same id and version), a version of their article, or nothing (none is held).
        private func resolveDeclared(_ items: [DeclaredItem]) -> DeclaredOutcome? {
            guard let wire = prepared.article.wire else { return nil }
            let mine = wire.version
            if let key = wire.declaredKey {
                let own = items.filter { $0.key == key }
                // The article of the story's highest declared version (two articles can share a key
                // only if an older release split them).
                if let top = own.max(by: { WireMetadata.precedes($0.declaredVersion, $1.declaredVersion) }) {
                    let story = own.filter { $0.article == top.article }
                    if mine != nil, let same = story.first(where: { WireMetadata.sameVersion($0.declaredVersion, mine) }) {
                        return .duplicate(same)
                    }
                    let before = story.filter { WireMetadata.precedes($0.declaredVersion, mine) }
                        .max { WireMetadata.precedes($0.declaredVersion, $1.declaredVersion) }
                    let after = story.filter { WireMetadata.precedes(mine, $0.declaredVersion) }
                        .min { WireMetadata.precedes($0.declaredVersion, $1.declaredVersion) }
                    let bothUnversioned = mine == nil && story.allSatisfy { $0.declaredVersion == nil }
                    let parent = (before ?? after ?? story.max { $0.version < $1.version })?.version
                    return .version(
                        DeclaredMatch(
                            article: top.article, parent: parent, relation: wire.declaredRelation,
                            isNewest: after == nil || bothUnversioned, through: "id"),
                        bothUnversioned: bothUnversioned)
                }
            }
            let links = Set(wire.linkedIDs)
            if let linked = items.filter({ links.contains($0.key) }).max(by: { $0.version < $1.version }) {
                return .version(
                    DeclaredMatch(
                        article: linked.article, parent: linked.version, relation: wire.declaredRelation, isNewest: true,
                        through: "link"),
                    bothUnversioned: false)
            }
            return nil
        }

        /// Looks up the band keys, or the containment keys.
        private mutating func searchIndex(containment: Bool) -> LookupStep<Verdict> {
            let fingerprint = prepared.fingerprint
            guard !fingerprint.shingles.isEmpty else { return .finished(.newArticle) }
            containmentSearched = containment
            stage = .hits(containment: containment)
            return .ask(
                .versionHits(
                    keys: containment ? fingerprint.containmentKeys : fingerprint.bandKeys,
                    limitPerKey: decider.versionsPerKey))
        }

        /// Ranks the candidates not looked at yet by shared keys, and asks their sizes.
        private mutating func rank() -> LookupStep<Verdict> {
            guard budget > 0 else { return roundDone() }
            let hits = bandHits.merging(containmentHits, uniquingKeysWith: +)
            let ranked = hits.filter { !looked.contains($0.key) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
                .prefix(decider.rankedCandidates).map(\.key)
            guard !ranked.isEmpty else { return roundDone() }
            looked.formUnion(ranked)
            stage = .counts(ranked: ranked)
            return .ask(.shingleCounts(versions: ranked))
        }

        /// After the band round: final when it found a close match, else the containment round;
        /// after that, the verdict.
        private mutating func roundDone() -> LookupStep<Verdict> {
            // (With the verification budget spent, the containment keys could change nothing.)
            if !containmentSearched, budget > 0, (best?.resemblance.jaccard ?? 0) < decider.finalBandMatchJaccard {
                return searchIndex(containment: true)
            }
            return .finished(best.map(Verdict.newVersion) ?? .newArticle)
        }

        private mutating func verify(_ id: Int64, _ stored: StoredVersion) {
            let storedShingles = ShingleSet(tokens: FingerprintText.tokens(of: stored.text))
            let resemblance = Resemblance(new: prepared.fingerprint.shingles, stored: storedShingles)
            let isRewrite =
                !VersionRule.isVersion(resemblance)
                && AgencyRewrite.isRewrite(new: prepared.article, stored: stored.text, resemblance: resemblance)
            guard isRewrite || VersionRule.isVersion(resemblance) else { return }
            // The closest version is the parent: a revision descends from the full text it edits
            // rather than from a teaser of it that also "contains" it.
            if let best,
                (best.resemblance.jaccard, best.resemblance.containment)
                    >= (resemblance.jaccard, resemblance.containment)
            {
                return
            }
            let relation =
                isRewrite
                ? .writethrough : VersionRelation.infer(new: prepared.article, stored: stored.text, resemblance: resemblance)
            best = VersionMatch(article: stored.article, version: id, resemblance: resemblance, relation: relation)
        }
    }
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
    /// The procedure that tells what the current normalizer's reading of an original (`prepared`,
    /// made from the bytes with hash `rawSHA256`) is, against `current`, the version `version` that
    /// holds the original's text now (with its canonical hash `currentSHA256`). (A reading the
    /// normalizer rejects is no reading: the old version stays.)
    public func renormalization(
        _ prepared: PreparedArticle, rawSHA256: String, current: StoredVersion, version: Int64,
        currentSHA256: String
    ) -> RenormalizationProcedure {
        RenormalizationProcedure(
            prepared: prepared, rawSHA256: rawSHA256, current: current, version: version,
            sameText: prepared.contentSHA256 == currentSHA256)
    }

    /// See ``renormalization(_:rawSHA256:current:version:currentSHA256:)``.
    public struct RenormalizationProcedure: LookupProcedure {
        let prepared: PreparedArticle
        let rawSHA256: String
        let current: StoredVersion
        let version: Int64
        let sameText: Bool

        public func next(_ answer: LookupAnswer?) -> LookupStep<Renormalization> {
            switch answer {
            case nil where sameText:
                return .ask(.isCreator(rawSHA256: rawSHA256, version: version))
            case nil:
                return .ask(.version(contentSHA256: prepared.contentSHA256))
            case .isCreator(let creator)?:
                return .finished(.sameText(changes: creator ? current.text.metadataChanges(to: prepared.article) : nil))
            case .version(let known?)?:
                return .finished(.knownText(known))
            case .version(nil)?:
                let stored = ShingleSet(tokens: FingerprintText.tokens(of: current.text))
                return .finished(
                    .newText(similarity: Resemblance(new: prepared.fingerprint.shingles, stored: stored).jaccard))
            default:
                preconditionFailure("the catalog answered \(String(describing: answer)) to a re-normalization")
            }
        }
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
