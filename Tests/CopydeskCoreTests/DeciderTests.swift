import Foundation
import CopydeskCore
import Testing

/// A catalog held in dictionaries: what ``Decider`` reads, and a `record` that files a verdict the
/// way a backend does (a new article or version is indexed under its fingerprint's keys). Counts
/// what it is asked, so that tests can hold the decider to its bounds.
final class MemoryCatalog: CatalogLookup {
    struct Version {
        var article: Int64
        var text: Article
        var contentSHA256: String
        var shingles: Int
        var creator: String
    }

    var receipts = [String: ReceiptMatch]()
    var versions = [Int64: Version]()
    var index = [Int64: [Int64]]()
    var nextArticle: Int64 = 1
    var nextVersion: Int64 = 1
    var nextReceipt: Int64 = 1
    /// How many versions' texts were read, and the most versions one key lookup returned.
    var textsRead = 0
    var largestKeyAnswer = 0

    func acceptedReceipt(rawSHA256: String, item: Int?) -> ReceiptMatch? {
        receipts[item.map { "\(rawSHA256)#\($0)" } ?? rawSHA256]
    }

    func version(contentSHA256: String) -> VersionRef? {
        versions.filter { $0.value.contentSHA256 == contentSHA256 }.min { $0.key < $1.key }
            .map { VersionRef(version: $0.key, article: $0.value.article) }
    }

    func versionHits(filedUnder keys: [Int64], limitPerKey: Int) -> [Int64: Int] {
        var hits = [Int64: Int]()
        for key in keys {
            let filed = (index[key] ?? []).sorted(by: >).prefix(limitPerKey)
            largestKeyAnswer = max(largestKeyAnswer, filed.count)
            for version in filed { hits[version, default: 0] += 1 }
        }
        return hits
    }

    func shingleCounts(ofVersions ids: [Int64]) -> [Int64: Int] {
        Dictionary(uniqueKeysWithValues: ids.compactMap { id in versions[id].map { (id, $0.shingles) } })
    }

    func storedVersions(_ ids: [Int64]) -> [Int64: StoredVersion] {
        textsRead += ids.count
        return Dictionary(
            uniqueKeysWithValues: ids.compactMap { id in
                versions[id].map { (id, StoredVersion(article: $0.article, text: $0.text)) }
            })
    }

    func isCreator(rawSHA256: String, ofVersion id: Int64) -> Bool { versions[id]?.creator == rawSHA256 }

    /// Declared items, newest last.
    var declared = [DeclaredItem]()

    func declaredItems(keys: [String]) -> [DeclaredItem] {
        declared.filter { keys.contains($0.key) }.reversed()
    }

    /// Decides on `text` as a file with these bytes and records the verdict.
    @discardableResult
    func receive(_ text: String, raw: String? = nil) throws -> Verdict {
        let prepared = PreparedArticle(try Normalizer().normalize(Array(text.utf8)))
        let rawSHA256 = raw ?? SHA256Digest.hex(of: text)
        let verdict = try Decider().decide(rawSHA256: rawSHA256, prepared, in: self)
        var stored: (article: Int64, version: Int64)?
        switch verdict {
        case .sameBytes, .sameText, .sameDeclared, .noticeForUnknownItem:
            break
        case .declaredVersion(let match):
            let id = match.sameText ?? file(prepared, article: match.article, raw: rawSHA256)
            stored = (match.article, id)
        case .newVersion(let match):
            let id = file(prepared, article: match.article, raw: rawSHA256)
            stored = (match.article, id)
        case .newArticle:
            let article = take(&nextArticle)
            stored = (article, file(prepared, article: article, raw: rawSHA256))
        }
        if let stored {
            receipts[rawSHA256] = ReceiptMatch(
                receipt: take(&nextReceipt), fileName: "f", article: stored.article, version: stored.version)
            if let wire = prepared.article.wire, let key = wire.declaredKey {
                declared.append(
                    DeclaredItem(key: key, declaredVersion: wire.version, article: stored.article, version: stored.version))
            }
        }
        return verdict
    }

    @discardableResult
    func file(_ prepared: PreparedArticle, article: Int64, raw: String) -> Int64 {
        let id = take(&nextVersion)
        versions[id] = Version(
            article: article, text: prepared.article, contentSHA256: prepared.contentSHA256,
            shingles: prepared.fingerprint.shingles.count, creator: raw)
        for key in prepared.fingerprint.keys { index[key, default: []].append(id) }
        return id
    }

    private func take(_ counter: inout Int64) -> Int64 {
        defer { counter += 1 }
        return counter
    }
}

struct DeciderTests {
    @Test func theSameBytesThenTheSameTextAreDuplicates() throws {
        let catalog = MemoryCatalog()
        #expect(try catalog.receive(Story.text) == .newArticle)
        guard case .sameBytes(let bytes) = try catalog.receive(Story.text) else {
            Issue.record("the same bytes again are not a duplicate")
            return
        }
        #expect(bytes.article == 1 && bytes.version == 1)
        // Rewrapped and with curly quotes: other bytes, the same canonical text.
        let rewrapped = Story.text.replacingOccurrences(of: "\n\n", with: "\n \n\n").replacingOccurrences(of: "“", with: "\"")
        #expect(try catalog.receive(rewrapped) == .sameText(VersionRef(version: 1, article: 1)))
    }

    @Test func nearCopiesAreVersionsWithTheirRelationAndTheClosestParent() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Story.text)
        guard case .newVersion(let revision) = try catalog.receive(Story.revision) else {
            Issue.record("a revision is not a new version")
            return
        }
        #expect(revision.article == 1 && revision.version == 1)
        #expect(revision.relation == .revision)
        guard case .newVersion(let teaser) = try catalog.receive(Story.teaser) else {
            Issue.record("a teaser is not a new version")
            return
        }
        #expect(teaser.relation == .excerpt)
        #expect(teaser.similarity == teaser.resemblance.containment)
        guard case .newVersion(let syndicated) = try catalog.receive(Story.syndicated) else {
            Issue.record("a syndicated copy is not a new version")
            return
        }
        #expect(syndicated.article == 1)
        #expect(syndicated.relation == .syndication)
        // The parent is the closest stored text, never the teaser that is also "contained" in it.
        #expect(syndicated.version != 3)
        #expect(try catalog.receive(Story.other) == .newArticle)
    }

    @Test func aTextWithoutWordsIsANewArticle() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Story.text)
        #expect(try catalog.receive("Short.") == .newArticle)
    }

    /// Hundreds of stored versions share the story's keys: each key answers at most
    /// `versionsPerKey`, and at most `verifiedCandidates` texts are read, however many there are.
    @Test func theWorkPerDecisionIsBoundedWhateverTheCatalogHolds() throws {
        let catalog = MemoryCatalog()
        let story = PreparedArticle(try Normalizer().normalize(Array(Story.text.utf8)))
        for number in 0..<200 {
            catalog.file(story, article: Int64(number + 1), raw: "raw-\(number)")
        }
        // Not the same canonical text (one word more), so the near-copy search runs.
        let revision = Story.text + "\n\nThe authority will publish the plans next week."
        let prepared = PreparedArticle(try Normalizer().normalize(Array(revision.utf8)))
        let decider = Decider()
        let match = try #require(try decider.nearestVersion(of: prepared, in: catalog))
        #expect(catalog.largestKeyAnswer == decider.versionsPerKey)
        #expect(catalog.textsRead <= decider.verifiedCandidates)
        // The newest versions are the ones a key returns.
        #expect(match.version > 200 - Int64(decider.versionsPerKey))
    }

    @Test func renormalizingTellsMetadataKnownAndNewTexts() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Story.text, raw: "original")
        try catalog.receive(Story.other, raw: "other")
        let decider = Decider()
        let stored = StoredVersion(article: 1, text: try #require(catalog.versions[1]).text)
        let sha = try #require(catalog.versions[1]).contentSHA256
        func renormalize(_ text: Article, raw: String = "original") throws -> Renormalization {
            try catalog.run(
                decider.renormalization(
                    PreparedArticle(text), rawSHA256: raw, current: stored, version: 1, currentSHA256: sha))
        }
        var retitled = stored.text
        retitled.title = "A new title"
        retitled.url = "https://example.org/ferry"
        #expect(try renormalize(retitled) == .sameText(changes: ["title", "url"]))
        #expect(try renormalize(stored.text) == .sameText(changes: []))
        // Another file with the same text may not rewrite the version's metadata.
        #expect(try renormalize(retitled, raw: "a copy") == .sameText(changes: nil))
        let other = try #require(catalog.versions[2]).text
        #expect(try renormalize(other) == .knownText(VersionRef(version: 2, article: 2)))
        var longer = stored.text
        longer.paragraphs.append("The authority will publish the plans next week.")
        guard case .newText(let similarity) = try renormalize(longer) else {
            Issue.record("a changed text is not a new text")
            return
        }
        #expect(similarity > 0.8 && similarity < 1)
    }
}

/// Agency items: their declared id and version decide before their text does.
struct DeclaredIdentityTests {
    /// A ninjs item with this id, version and body (and optional status, signals and links).
    static func item(
        id: String, version: String?, body: String, status: String = "usable", signals: [String] = [],
        replacing: String? = nil
    ) -> String {
        var fields = [
            #""uri": "\#(id)""#, #""type": "text""#, #""pubstatus": "\#(status)""#,
            #""headline": "Port strike enters its second day""#, #""body_text": "\#(body)""#,
        ]
        if let version { fields.append(#""version": "\#(version)""#) }
        if !signals.isEmpty { fields.append(#""signals": [\#(signals.map { "\"\($0)\"" }.joined(separator: ", "))]"#) }
        if let replacing { fields.append(#""replacing": ["\#(replacing)"]"#) }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static let first = "Dock workers at the northern port stayed off the job on Tuesday, halting container traffic for a second day."
    static let rewritten =
        "Talks between the dock workers' union and port operators resumed on Wednesday afternoon, mediators said, with no end to the stoppage in sight."

    @Test func aKnownIDIsAVersionWhateverItsText() throws {
        let catalog = MemoryCatalog()
        #expect(try catalog.receive(Self.item(id: "urn:wire:1", version: "1", body: Self.first)) == .newArticle)
        // A wholly different text under the same id: a version, not a new article.
        guard case .declaredVersion(let update) = try catalog.receive(Self.item(id: "urn:wire:1", version: "2", body: Self.rewritten))
        else {
            Issue.record("a new version of a known id is not a declared version")
            return
        }
        #expect(update.article == 1 && update.parent == 1 && update.relation == .update && update.isNewest)
        #expect(update.through == "id")
        // The same id and version again, even re-wrapped: a duplicate by declaration.
        guard case .sameDeclared(let again) = try catalog.receive(
            Self.item(id: "urn:wire:1", version: "2", body: Self.rewritten + " "), raw: "other bytes")
        else {
            Issue.record("the same id and version again is not a duplicate")
            return
        }
        #expect(again.article == 1 && again.version == 2)
    }

    @Test func versionsArrivingOutOfOrderAreLinkedAsTheyCome() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Self.item(id: "urn:wire:7", version: "3", body: Self.rewritten))
        guard case .declaredVersion(let late) = try catalog.receive(Self.item(id: "urn:wire:7", version: "1", body: Self.first))
        else {
            Issue.record("an earlier version arriving late is not a declared version")
            return
        }
        #expect(late.article == 1 && !late.isNewest && late.parent == 1)
        guard case .declaredVersion(let middle) = try catalog.receive(
            Self.item(id: "urn:wire:7", version: "2", body: Self.first + " Ferries were not affected."))
        else {
            Issue.record("a middle version is not a declared version")
            return
        }
        // Its parent is version 1's text (the highest declared version below 2), and 3 stays above it.
        #expect(middle.parent == 2 && !middle.isNewest)
    }

    @Test func anUnchangedTextRecordsTheVersionWithoutACopy() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Self.item(id: "urn:wire:9", version: "1", body: Self.first))
        guard case .declaredVersion(let status) = try catalog.receive(
            Self.item(id: "urn:wire:9", version: "2", body: Self.first, status: "canceled"))
        else {
            Issue.record("a withdrawal with the same text is not a declared version")
            return
        }
        #expect(status.sameText == 1)
        #expect(catalog.versions.count == 1)
    }

    @Test func aNoticeWithoutTextChangesTheItemItNamesOrIsRejected() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Self.item(id: "urn:wire:k", version: "1", body: Self.first))
        guard case .declaredVersion(let kill) = try catalog.receive(
            Self.item(id: "urn:wire:k", version: "2", body: "", status: "canceled"))
        else {
            Issue.record("a withdrawal notice of a held item is not a declared version")
            return
        }
        #expect(kill.sameText == 1 && kill.article == 1)
        guard case .noticeForUnknownItem(let reason) = try catalog.receive(
            Self.item(id: "urn:wire:unknown", version: "2", body: "", status: "canceled"))
        else {
            Issue.record("a notice about an item not held is not rejected")
            return
        }
        #expect(reason.contains("urn:wire:unknown"))
        // A usable item without a body is a flash: its headline is its text.
        #expect(try Normalizer().normalize(Array(Self.item(id: "urn:wire:e", version: "1", body: "").utf8)).paragraphs
            == ["Port strike enters its second day"])
    }

    @Test func aLinkToAKnownItemMakesAVersionAndCorrectionsSaySo() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Self.item(id: "urn:tt:a", version: "1", body: Self.first))
        guard case .declaredVersion(let linked) = try catalog.receive(
            Self.item(id: "urn:tt:b", version: "1", body: Self.rewritten, signals: ["sig:correction"], replacing: "urn:tt:a"))
        else {
            Issue.record("an item replacing a known one is not a declared version")
            return
        }
        #expect(linked.article == 1 && linked.parent == 1 && linked.relation == .correction && linked.through == "link")
    }

    @Test func anUnknownIDFallsBackOnContent() throws {
        let catalog = MemoryCatalog()
        try catalog.receive(Self.item(id: "urn:wire:x", version: "1", body: Self.first))
        // Another id with the same text: a duplicate by content.
        #expect(try catalog.receive(Self.item(id: "urn:wire:y", version: "1", body: Self.first)).basis == "content")
    }

    @Test func versionOrderIsNumericWhereBothAreNumbers() {
        #expect(WireMetadata.precedes("9", "10"))
        #expect(WireMetadata.precedes("04", "5"))
        #expect(WireMetadata.sameVersion("02", "2"))
        #expect(WireMetadata.precedes(nil, "1"))
        #expect(!WireMetadata.precedes("1", nil))
    }

    @Test func withdrawalsAndCorrectionsAreReadFromStatusAndSignals() {
        #expect(WireMetadata(status: "canceled").isWithdrawal)
        #expect(WireMetadata(signals: ["edStat:D"]).isWithdrawal)
        #expect(!WireMetadata(signals: ["sig:update"]).isWithdrawal)
        #expect(WireMetadata(signals: ["edStat:C"]).isCorrection)
        #expect(WireMetadata(signals: ["sig:correction"]).declaredRelation == .correction)
        #expect(WireMetadata(embargo: "2999-01-01T00:00:00Z").isEmbargoed(at: "2026-11-30T12:00:00Z"))
        #expect(!WireMetadata(embargo: "2020-01-01T00:00:00Z").isEmbargoed(at: "2026-11-30T12:00:00Z"))
    }
}
