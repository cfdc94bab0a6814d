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

    func acceptedReceipt(rawSHA256: String) -> ReceiptMatch? { receipts[rawSHA256] }

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

    /// Decides on `text` as a file with these bytes and records the verdict.
    @discardableResult
    func receive(_ text: String, raw: String? = nil) throws -> Verdict {
        let prepared = PreparedArticle(try Normalizer().normalize(Array(text.utf8)))
        let rawSHA256 = raw ?? SHA256Digest.hex(of: text)
        let verdict = try Decider().decide(rawSHA256: rawSHA256, prepared, in: self)
        switch verdict {
        case .sameBytes, .sameText:
            break
        case .newVersion(let match):
            let id = file(prepared, article: match.article, raw: rawSHA256)
            receipts[rawSHA256] = ReceiptMatch(receipt: take(&nextReceipt), fileName: "f", article: match.article, version: id)
        case .newArticle:
            let article = take(&nextArticle)
            let id = file(prepared, article: article, raw: rawSHA256)
            receipts[rawSHA256] = ReceiptMatch(receipt: take(&nextReceipt), fileName: "f", article: article, version: id)
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
