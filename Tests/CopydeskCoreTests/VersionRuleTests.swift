import CopydeskCore
import Foundation
import Testing

struct VersionRuleTests {
    func article(_ text: String) throws -> Article {
        try Normalizer().normalize(Array(text.utf8))
    }

    func resemblance(_ new: Article, _ stored: Article) -> Resemblance {
        Resemblance(
            new: ShingleSet(tokens: FingerprintText.tokens(of: new)),
            stored: ShingleSet(tokens: FingerprintText.tokens(of: stored)))
    }

    @Test func measuresJaccardAndContainment() {
        let r = Resemblance(newCount: 40, storedCount: 100, sharedCount: 40, leadAlignment: 1)
        #expect(r.jaccard == 0.4)
        #expect(r.containment == 1)
        #expect(r.lengthRatio == 0.4)
        #expect(r.newIsShorter)
        #expect(VersionRule.isVersion(r))
        #expect(
            !VersionRule.isVersion(Resemblance(newCount: 400, storedCount: 420, sharedCount: 120, leadAlignment: 0)))
    }

    @Test func shortTextsMustBeNearlyEqual() {
        // A 10-shingle blurb found inside a long text is not enough.
        #expect(!VersionRule.isVersion(Resemblance(newCount: 10, storedCount: 300, sharedCount: 10, leadAlignment: 1)))
        #expect(VersionRule.isVersion(Resemblance(newCount: 10, storedCount: 11, sharedCount: 10, leadAlignment: 1)))
    }

    @Test func versionsOfTheStoryMatchAndAnotherStoryDoesNot() throws {
        let story = try article(Story.text)
        for copy in [Story.revision, Story.syndicated, Story.teaser] {
            #expect(VersionRule.isVersion(resemblance(try article(copy), story)))
            #expect(VersionRule.isVersion(resemblance(story, try article(copy))))
        }
        let other = resemblance(try article(Story.other), story)
        #expect(other.containment < 0.1)
        #expect(!VersionRule.isVersion(other))
    }

    @Test func theSeedsAreFiveDistinctArticles() throws {
        let seeds = try SharedFiles.seeds().map { try Normalizer().normalize($0.bytes) }
        try #require(seeds.count == 5, "../shared/seeds is missing")
        for i in 0..<seeds.count {
            for j in (i + 1)..<seeds.count {
                let r = resemblance(seeds[i], seeds[j])
                #expect(!VersionRule.isVersion(r), "seeds \(i) and \(j): containment \(r.containment)")
            }
        }
        // Seeds 000 and 001 rewrite one AFP story: they share sentences, not most of their text.
        let afp = resemblance(seeds[0], seeds[1])
        #expect(afp.containment > 0.2 && afp.containment < 0.45)
        #expect(afp.jaccard < 0.2)
    }

    @Test func relationFollowsWhatDiffers() throws {
        let story = try article(Story.text)
        func relation(_ copy: Article, _ stored: Article) -> VersionRelation {
            VersionRelation.infer(new: copy, stored: stored, resemblance: resemblance(copy, stored))
        }
        #expect(relation(try article(Story.revision), story) == .revision)
        #expect(relation(try article(Story.syndicated), story) == .syndication)
        #expect(relation(story, try article(Story.syndicated)) == .syndication)
        #expect(relation(try article(Story.teaser), story) == .excerpt)
        // The full story arriving after its teaser: the pair is still an excerpt relation.
        #expect(relation(story, try article(Story.teaser)) == .excerpt)

        var onSite = story
        onSite.site = "Harbour News"
        onSite.url = "https://www.harbour.example/news/terminal?utm=x"
        var elsewhere = try article(Story.revision)
        elsewhere.site = "Coastal Daily"
        #expect(relation(elsewhere, onSite) == .syndication)
        var sameURL = elsewhere
        sameURL.url = "http://harbour.example/news/terminal/"
        #expect(relation(sameURL, onSite) == .revision)
        var byline = try article(Story.revision)
        byline.byline = "By Anna Berg"
        var otherByline = story
        otherByline.byline = "By Jonas Ek, AP"
        #expect(relation(byline, otherByline) == .syndication)
    }

    @Test func continuationLinesAreRecognised() {
        #expect(Boilerplate.isContinuation("Read more »"))
        #expect(Boilerplate.isContinuation("Weiterlesen"))
        #expect(Boilerplate.isContinuation("The minister said the talks would…"))
        #expect(!Boilerplate.isContinuation("The talks ended."))
    }

    @Test func wordDiffFindsChangedWordsAndParagraphs() {
        let diff = WordDiff(
            old: ["The cost is 240 million euros.", "Work starts soon."],
            new: ["The cost is 260 million euros.", "Work starts soon.", "Plans follow."])
        #expect(!diff.isEmpty)
        #expect(diff.counts.removed == 1)
        #expect(diff.counts.inserted == 3)
        #expect(diff.segments.first == WordDiff.Segment(change: .same, words: ["The", "cost", "is"]))
        #expect(diff.segments.contains(WordDiff.Segment(change: .removed, words: ["240"])))
        #expect(WordDiff(old: ["a b"], new: ["a  b"]).isEmpty)
    }
}
