import CopydeskCore
import Testing

/// ``CurrentVersion``: the newest full text of the article's own line.
struct CurrentVersionTests {
    typealias Candidate = CurrentVersion.Candidate

    @Test func aTeaserAfterTheFullTextLeavesTheFullTextCurrent() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 700, outlet: nil),
            Candidate(id: 2, parent: 1, relation: .excerpt, length: 120, outlet: nil),
        ]
        #expect(CurrentVersion.choose(versions) == 1)
    }

    @Test func theFullTextAfterATeaserBecomesCurrent() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 120, outlet: nil),
            Candidate(id: 2, parent: 1, relation: .excerpt, length: 700, outlet: nil),
            // A second teaser, matched against the first one: still a teaser.
            Candidate(id: 3, parent: 1, relation: .revision, length: 118, outlet: nil),
        ]
        #expect(CurrentVersion.choose(versions) == 2)
    }

    @Test func theNewestRevisionOfTheOwnLineIsCurrentAndASyndicatedCopyIsNot() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 700, outlet: nil),
            Candidate(id: 2, parent: 1, relation: .revision, length: 720, outlet: nil),
            Candidate(id: 3, parent: 2, relation: .syndication, length: 690, outlet: nil),
            Candidate(id: 4, parent: 3, relation: .revision, length: 700, outlet: nil),
        ]
        // 3 and 4 are another outlet's copy and its update: beside the line.
        #expect(CurrentVersion.choose(versions) == 2)
        let revised = versions + [Candidate(id: 5, parent: 1, relation: .revision, length: 730, outlet: nil)]
        #expect(CurrentVersion.choose(revised) == 5)
    }

    /// Where versions name their outlet, the outlet decides the line, whatever a version was matched
    /// against: the outlet's update, closest to the agency's copy, is still its own text.
    @Test func theOutletDecidesTheLineWhereVersionsNameIt() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 700, outlet: "example.com"),
            Candidate(id: 2, parent: 1, relation: .syndication, length: 690, outlet: "wire.example.org"),
            Candidate(id: 3, parent: 2, relation: .syndication, length: 710, outlet: "example.com"),
        ]
        #expect(CurrentVersion.choose(versions) == 3)
        let copyLast = Array(versions.prefix(1)) + [
            Candidate(id: 4, parent: 1, relation: .syndication, length: 705, outlet: "wire.example.org")
        ]
        #expect(CurrentVersion.choose(copyLast) == 1)
    }

    @Test func aTeaserFirstAndAnotherOutletsFullTextMakeThatFullTextCurrent() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 100, outlet: "a.example"),
            Candidate(id: 2, parent: 1, relation: .excerpt, length: 700, outlet: "b.example"),
        ]
        #expect(CurrentVersion.choose(versions) == 2)
    }

    @Test func onlyTeasersLeaveTheNewestCurrentAndNoVersionsNone() {
        #expect(CurrentVersion.choose([]) == nil)
        #expect(CurrentVersion.choose([Candidate(id: 7, parent: nil, relation: nil, length: 90, outlet: nil)]) == 7)
    }

    /// Versions arriving out of order: a revision that declares an earlier publication than the
    /// current text does not replace it; without declared times, arrival decides.
    @Test func aLateOlderRevisionDoesNotReplaceANewerOne() {
        func version(_ id: Int64, parent: Int64?, _ published: String?) -> Candidate {
            Candidate(
                id: id, parent: parent, relation: parent == nil ? nil : .revision, length: 700, site: nil, url: nil,
                published: published)
        }
        let outOfOrder = [
            version(1, parent: nil, "2021-03-23T10:00:00Z"), version(2, parent: 1, "2021-03-23T14:30:00+01:00"),
            version(3, parent: 1, "2021-03-23T12:00:00+01:00"),
        ]
        #expect(CurrentVersion.choose(outOfOrder) == 2)
        let inOrder = outOfOrder.prefix(2) + [version(3, parent: 2, "2021-03-23T15:00:00+01:00")]
        #expect(CurrentVersion.choose(Array(inOrder)) == 3)
        // Day precision compares by day; an unknown time leaves arrival to decide.
        #expect(CurrentVersion.choose([version(1, parent: nil, "2021-03-24"), version(2, parent: 1, "2021-03-23")]) == 1)
        #expect(CurrentVersion.choose([version(1, parent: nil, "2021-03-23"), version(2, parent: 1, "2021-03-23T23:00:00Z")]) == 2)
        // A time against a bare date: arrival decides (the date's zone is unknown).
        #expect(CurrentVersion.choose([version(1, parent: nil, "2024-05-02"), version(2, parent: 1, "2024-05-02T01:00:00+03:00")]) == 2)
        #expect(CurrentVersion.choose([version(1, parent: nil, "2024-05-02T01:00:00+03:00"), version(2, parent: 1, "2024-05-01")]) == 2)
        #expect(CurrentVersion.choose([version(1, parent: nil, "2021-03-24"), version(2, parent: 1, nil)]) == 2)
    }

    /// `reprocess` re-reads the first version after the outlet's revision arrived: the new reading
    /// stands where the first version stands, and the revision stays current.
    @Test func aReNormalizedReadingOfAnOldVersionDoesNotBecomeCurrent() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 700, outlet: nil),
            Candidate(id: 2, parent: 1, relation: .revision, length: 720, outlet: nil),
            Candidate(id: 3, parent: 1, relation: nil, length: 705, outlet: nil),
        ]
        #expect(CurrentVersion.choose(versions) == 2)
        #expect(CurrentVersion.choose(versions + [Candidate(id: 4, parent: 2, relation: nil, length: 725, outlet: nil)]) == 4)
    }

    /// A URL's host and a site name are different kinds of outlet: they say nothing about each other.
    @Test func outletsOfDifferentKindsAreNotCompared() {
        let versions = [
            Candidate(id: 1, parent: nil, relation: nil, length: 700, site: nil, url: "https://www.example.com/a"),
            Candidate(id: 2, parent: 1, relation: .revision, length: 720, site: "Example", url: nil),
        ]
        #expect(CurrentVersion.choose(versions) == 2)
        #expect(CurrentVersion.outlet(site: "Example ", url: nil) == "site:example")
        #expect(CurrentVersion.outlet(site: nil, url: "https://www.Example.com/a?b") == "host:example.com")
    }

    @Test func publishedTimesAreReadAsInstants() {
        let utc = CurrentVersion.Published("2021-03-23T10:00:00Z")
        let paris = CurrentVersion.Published("2021-03-23T11:00:00+01:00")
        #expect(utc?.instant == paris?.instant)
        #expect(utc?.instant == 1_616_493_600)
        #expect(CurrentVersion.Published("2021-03-23")?.instant == nil)
        #expect(CurrentVersion.Published("2021-03-23")?.day == 18_709)
        #expect(CurrentVersion.Published("March 2021") == nil)
        #expect(CurrentVersion.Published("2021-03-23T10:00:00.250-05:00")?.instant == 1_616_511_600)
    }

    @Test func theOrderOfTheListDoesNotMatter() {
        let versions = [
            Candidate(id: 2, parent: 1, relation: .excerpt, length: 120, outlet: nil),
            Candidate(id: 1, parent: nil, relation: nil, length: 700, outlet: nil),
        ]
        #expect(CurrentVersion.choose(versions) == 1)
    }
}

/// ``DisplayTitle``: an untitled article is shown by its first words, marked as derived.
struct DisplayTitleTests {
    @Test func firstWordsCutAtAWord() throws {
        let paragraphs = [
            "US Secretary of State Antony Blinken on Tuesday at a press conference in Brussels said the allies "
                + "would decide together.", "Second paragraph.",
        ]
        let derived = try #require(DisplayTitle.derived(from: paragraphs))
        #expect(derived == "US Secretary of State Antony Blinken on Tuesday at a press conference in…")
        #expect(derived.count <= DisplayTitle.length + 1)
        #expect(DisplayTitle.shown(title: nil, paragraphs: paragraphs) == "[\(derived)]")
        #expect(DisplayTitle.shown(title: "A headline", paragraphs: paragraphs) == "A headline")
        #expect(DisplayTitle.of(title: "", paragraphs: paragraphs) == derived)
    }

    @Test func shortTextsAreWholeAndEmptyTextsHaveNone() {
        #expect(DisplayTitle.derived(from: ["Short  text\nover lines."]) == "Short text over lines.")
        #expect(DisplayTitle.derived(from: []) == nil)
        #expect(DisplayTitle.derived(from: [String(repeating: "x", count: 200)]) == String(repeating: "x", count: 80) + "…")
    }
}
