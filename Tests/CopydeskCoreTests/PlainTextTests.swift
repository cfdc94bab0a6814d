import CopydeskCore
import Testing

struct PlainTextTests {
    @Test func headlineBeforeABlankLineIsTheTitle() {
        let parsed = PlainText.parse("NATO ministers meet in Brussels\n\nThe first paragraph.\n\nThe second one.\n")
        #expect(parsed.title == "NATO ministers meet in Brussels")
        #expect(parsed.paragraphs == ["The first paragraph.", "The second one."])
    }

    @Test func aSentenceIsNotATitle() {
        let parsed = PlainText.parse("This first line ends like a sentence.\n\nAnd more text follows.")
        #expect(parsed.title == nil)
        #expect(parsed.paragraphs.count == 2)
    }

    @Test func withoutBlankLinesEachLineIsAParagraph() {
        let parsed = PlainText.parse("Short first line\nSecond line of text.\nThird line.")
        #expect(parsed.title == nil)
        #expect(parsed.paragraphs == ["Short first line", "Second line of text.", "Third line."])
    }

    @Test func hardWrappedLinesAreJoined() {
        let text = "Title\n\nBRUSSELS (AFP) - The ministers met on\nTuesday to discuss the mission, officials\nsaid.\n\nNext paragraph."
        let parsed = PlainText.parse(text)
        #expect(parsed.title == "Title")
        #expect(parsed.paragraphs == [
            "BRUSSELS (AFP) - The ministers met on Tuesday to discuss the mission, officials said.", "Next paragraph.",
        ])
    }

    @Test func listItemsStayApart() {
        let parsed = PlainText.parse("Points\n\n- one thing\n- another thing\n\nEnd.")
        #expect(parsed.paragraphs == ["- one thing", "- another thing", "End."])
    }

    @Test func lineEndingsAndWhitespaceAreNormalized() {
        let parsed = PlainText.parse("Head  line\r\n\r\n  First\t paragraph \u{00A0}here.\r\rSecond.\u{2029}Third.")
        #expect(parsed.title == "Head line")
        #expect(parsed.paragraphs == ["First paragraph here.", "Second.", "Third."])
    }

    @Test func seedsGiveTitlesWhereTheyHaveThem() throws {
        let seeds = SharedFiles.seeds()
        try #require(seeds.count == 5)
        let normalizer = Normalizer()
        let titles = try seeds.map { try normalizer.normalize($0.bytes).title }
        #expect(titles[0] == "Blinken meets NATO allies, but no decision on Afghan withdrawal")
        #expect(titles[3] == nil)  // the seed without a headline and without blank lines
        #expect(Set(try seeds.map { try normalizer.normalize($0.bytes).contentSHA256 }).count == 5)
    }
}
