import Testing

@testable import CopydeskCore

/// The normalizer's bounds: a time limit checked inside its long loops, and a cap on the nodes of a
/// page, so that no single file takes unbounded time or memory.
struct BoundsTests {
    /// A deadline that passed a second ago, for a limit of 50 ms.
    static let passed = Deadline(limit: .milliseconds(50), from: .now - .seconds(1))

    static func page(paragraphs: Int) -> [UInt8] {
        var html = "<html><head><title>A long page</title></head><body><article>"
        for index in 0..<paragraphs {
            html += "<p>Paragraph \(index) of the article, with a <b>few</b> words and a <a href=\"/x\">link</a>.</p>"
        }
        return Array((html + "</article></body></html>").utf8)
    }

    @Test func theLimitReadsAsSeconds() {
        #expect(Deadline.format(.seconds(30)) == "30 s")
        #expect(Deadline.format(.milliseconds(50)) == "0.05 s")
        #expect(Deadline.format(.milliseconds(1500)) == "1.5 s")
        #expect(Deadline.format(.milliseconds(2125)) == "2.125 s")
        #expect(Deadline.never.hasPassed == false)
        #expect(Deadline(limit: .seconds(60)).hasPassed == false)
        #expect(Self.passed.hasPassed)
    }

    @Test func aPageParsedPastItsDeadlineIsRejectedWithTheLimit() {
        #expect {
            try Normalizer().normalize(Self.page(paragraphs: 2000), deadline: Self.passed)
        } throws: { error in
            let error = error as? CopydeskError
            return error?.code == .timedOut && error?.code.isRejection == true
                && error?.reason == "took longer than 0.05 s to normalize"
        }
    }

    @Test func theParseItselfStopsAtTheDeadline() {
        // Past the deadline before libxml2 starts: the wrapped SAX callbacks stop it within 1,024 nodes.
        #expect(throws: Self.passed.error) {
            _ = try HTMLDocument(utf8: Self.page(paragraphs: 2000), deadline: Self.passed)
        }
        #expect(throws: Never.self) {
            _ = try HTMLDocument(utf8: Self.page(paragraphs: 2000), deadline: Deadline(limit: .seconds(600)))
        }
    }

    @Test func theTreeWalkAndTheExtractionCheckTheDeadline() throws {
        let tree = try HTMLDocument(utf8: Self.page(paragraphs: 2000)).flatten()
        #expect(throws: Self.passed.error) {
            _ = try HTMLDocument(utf8: Self.page(paragraphs: 2000)).flatten(deadline: Self.passed)
        }
        var extractor = ContentExtractor(tree: tree, deadline: Self.passed)
        #expect(throws: Self.passed.error) { _ = try extractor.extract() }
        var unhurried = ContentExtractor(tree: tree)
        #expect(try unhurried.extract().count == 2000)
    }

    @Test func plainTextChecksTheDeadline() {
        let text = (0..<10_000).map { "Paragraph \($0) of a long wire story." }.joined(separator: "\n\n")
        #expect(throws: Self.passed.error) { _ = try Normalizer().normalize(Array(text.utf8), deadline: Self.passed) }
        #expect(throws: Self.passed.error) { _ = try PlainText.parse(text, deadline: Self.passed) }
        #expect(PlainText.parse(text).paragraphs.count == 10_000)
    }

    @Test func aPageWithTooManyNodesIsRejectedBeforeItTakesTheMemory() {
        // 3 nodes per paragraph: the element, its attribute, its text.
        let page = Array(("<html><body>" + String(repeating: "<p class=x>y</p>", count: 400) + "</body></html>").utf8)
        #expect {
            _ = try HTMLDocument(utf8: page, maxNodes: 1000)
        } throws: { error in
            let error = error as? CopydeskError
            return error?.code == .tooLarge && error?.reason.contains("more than 1000 elements") == true
        }
        #expect(throws: Never.self) { _ = try HTMLDocument(utf8: page, maxNodes: 1300) }
    }
}
