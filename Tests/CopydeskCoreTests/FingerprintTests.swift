import CopydeskCore
import Testing

struct FingerprintTests {
    func tokens(_ text: String) -> [String] {
        FingerprintText.tokens(of: text)
    }

    func article(_ text: String) throws -> Article {
        try Normalizer().normalize(Array(text.utf8))
    }

    @Test func quotesApostrophesAndCaseDoNotMatter() {
        #expect(tokens("Blinken’s “initial thinking”") == ["blinken", "initial", "thinking"])
        #expect(tokens("BLINKEN'S \"initial thinking\"") == ["blinken", "initial", "thinking"])
        #expect(tokens("Blinken s initial thinking") == ["blinken", "initial", "thinking"])
        #expect(tokens("Washington s top diplomat") == tokens("Washington’s top diplomat"))
    }

    @Test func runTogetherParagraphsReadAsSeparateWords() {
        #expect(tokens("the next day.Stoltenberg said") == tokens("the next day. Stoltenberg said"))
    }

    @Test func unicodeFormsAndInvisibleCharactersAreUnified() {
        #expect(tokens("Zei\u{AD}tung Straße ＡＢＣ") == ["zeitung", "strasse", "abc"])
        #expect(tokens("Ko\u{308}ln") == tokens("Köln"))
        #expect(tokens("東京都") == ["東", "京", "都"])
    }

    @Test func datelinesAreRecognisedAndStripped() throws {
        let afp = try #require(Dateline.parse("BRUSSELS (AFP) - US Secretary of State"))
        #expect(afp.place == "BRUSSELS")
        #expect(afp.credit == "AFP")
        #expect(Dateline.strip("NEW YORK (dpa) -- Das ging schnell!") == "Das ging schnell!")
        #expect(Dateline.strip("BERLIN – Die Sitzung") == "Die Sitzung")
        #expect(
            Dateline.strip("WASHINGTON (Reuters) -- NAPA COUNTY, Calif. (KGO) -- A plan to bring") == "A plan to bring")
        #expect(Dateline.parse("US Secretary of State Antony Blinken - said") == nil)
        #expect(Dateline.parse("Die Hochzeitssaison ist eröffnet") == nil)
        #expect(Dateline.parse("I - me") == nil)
    }

    @Test func outletLineDatelineAndBoilerplateDoNotChangeTheTokens() throws {
        let original = try article(Story.text)
        let syndicated = try article(Story.syndicated)
        let resemblance = Resemblance(
            new: ShingleSet(tokens: FingerprintText.tokens(of: syndicated)),
            stored: ShingleSet(tokens: FingerprintText.tokens(of: original)))
        // Only the run-together paragraphs' seam differs (a few shingles).
        #expect(resemblance.jaccard > 0.95)
    }

    @Test func shingleHashesAreStableAcrossRuns() {
        // Part of the stored fingerprint scheme: a change here must bump `Fingerprint.scheme`.
        #expect(StableHash.fnv1a("abc") == 0xe71f_a219_0541_574b)
        #expect(ShingleSet(tokens: ["a", "b", "c", "d", "e"]).hashes.count == 1)
        #expect(ShingleSet(tokens: ["a", "b"]).count == 1)
        #expect(ShingleSet(tokens: []).isEmpty)
        let six = ShingleSet(tokens: ["a", "b", "c", "d", "e", "f"])
        #expect(six.count == 2)
        #expect(six.sequence.count == 2)
        #expect(six.contains(six.sequence[1]))
    }

    @Test func minHashEstimatesJaccard() throws {
        let a = ShingleSet(tokens: FingerprintText.tokens(of: try article(Story.text)))
        let b = ShingleSet(tokens: FingerprintText.tokens(of: try article(Story.revision)))
        let exact = Resemblance(new: a, stored: b).jaccard
        let estimate = MinHash(a).estimatedJaccard(with: MinHash(b))
        #expect(abs(exact - estimate) < 0.15)
    }

    @Test func fingerprintHasBandAndContainmentKeys() throws {
        let story = Fingerprint(try article(Story.text))
        #expect(story.bandKeys.count == Fingerprint.bands)
        #expect(story.containmentKeys.count == Fingerprint.containmentKeyCount)
        #expect(Set(story.keys).count == story.keys.count)
        let revision = Fingerprint(try article(Story.revision))
        #expect(!Set(story.bandKeys).isDisjoint(with: revision.bandKeys))
        // A teaser shares containment keys with its story, whichever is stored first.
        let teaser = Fingerprint(try article(Story.teaser))
        #expect(Set(story.containmentKeys).intersection(teaser.containmentKeys).count >= 2)
        #expect(Fingerprint(tokens: []).keys.isEmpty)
    }

    @Test func candidatesNeedEvidenceInProportionToTheirSize() {
        #expect(Fingerprint.isWorthVerifying(bandHits: 1, containmentHits: 0, newShingles: 500, storedShingles: 500))
        // Two texts of similar size sharing only a footer line's key: not a version.
        #expect(!Fingerprint.isWorthVerifying(bandHits: 0, containmentHits: 2, newShingles: 500, storedShingles: 480))
        #expect(Fingerprint.isWorthVerifying(bandHits: 0, containmentHits: 12, newShingles: 200, storedShingles: 500))
        // A short teaser of a long story: a single shared key is what to expect.
        #expect(Fingerprint.isWorthVerifying(bandHits: 0, containmentHits: 1, newShingles: 30, storedShingles: 330))
        #expect(!Fingerprint.isWorthVerifying(bandHits: 0, containmentHits: 0, newShingles: 30, storedShingles: 330))
    }
}
