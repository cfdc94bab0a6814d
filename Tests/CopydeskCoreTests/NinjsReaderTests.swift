import CopydeskCore
import Testing

/// ninjs items of each generation, written for these tests after the ninjs schemas.
struct NinjsReaderTests {
    func read(_ json: String) throws -> Article {
        try Normalizer().normalize(Array(json.utf8))
    }

    @Test func aVersion1ItemWithAnHTMLBody() throws {
        let article = try read(
            """
            {"uri": "urn:example:wire:2026:harbour", "type": "text", "version": "3", "pubstatus": "usable",
             "versioncreated": "2026-03-02T10:15:00Z", "urgency": 4, "language": "en",
             "byline": "By Ann Example", "located": "Harbourtown",
             "headline": "Harbour authority approves the new ferry terminal",
             "body_html": "<p>The harbour authority on Monday approved plans for a new ferry terminal on the eastern pier.</p><p>Construction is due to start in September, the authority said in a statement.</p>"}
            """)
        #expect(article.format == .ninjs)
        #expect(article.title == "Harbour authority approves the new ferry terminal")
        #expect(article.byline == "By Ann Example")
        #expect(article.language == "en")
        #expect(article.published == "2026-03-02T10:15:00Z")
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs[1].hasPrefix("Construction is due"))
        let wire = try #require(article.wire)
        #expect(wire.id == "urn:example:wire:2026:harbour")
        #expect(wire.version == "3")
        #expect(wire.status == "usable")
        #expect(wire.urgency == 4)
        #expect(wire.dateline == "Harbourtown")
    }

    @Test func aVersion3ItemInCamelCaseWithLists() throws {
        let article = try read(
            """
            {"$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.0.json",
             "uri": "urn:example:wire:2026:storm", "type": "text", "version": 2, "pubStatus": "stat:canceled",
             "versionCreated": "2026-03-03T08:00:00+01:00", "language": "de",
             "headlines": [{"role": "sub", "value": "Ports closed"}, {"role": "main", "value": "Storm closes the ports"}],
             "bodies": [{"role": "main", "contentType": "text/plain",
                         "value": "The storm closed every port on the coast.\\n\\nFerries stayed in harbour all day."}],
             "signals": [{"uri": "sig:update"}]}
            """)
        #expect(article.title == "Storm closes the ports")
        #expect(article.paragraphs == ["The storm closed every port on the coast.", "Ferries stayed in harbour all day."])
        #expect(article.wire?.status == "canceled")
        #expect(article.wire?.version == "2")
        #expect(article.wire?.signals == ["sig:update"])
    }

    @Test func aPictureItemIsNoArticle() {
        #expect(throws: CopydeskError.self) {
            try read(#"{"uri": "urn:example:pic:1", "type": "picture", "headline": "Harbour at dawn", "version": "1"}"#)
        }
    }

    @Test func aHeadlineOnlyTextItemIsAnArticleAndAnEmptyOneIsNot() throws {
        let flash = try read(#"{"uri": "urn:example:wire:flash", "type": "text", "version": "1", "headline": "Storm closes every port"}"#)
        #expect(flash.title == "Storm closes every port")
        #expect(flash.paragraphs == ["Storm closes every port"])
        #expect(throws: CopydeskError.self) {
            try read(#"{"uri": "urn:example:wire:empty", "type": "text", "version": "1"}"#)
        }
    }

    @Test func otherJSONIsStillText() throws {
        let article = try read(#"{"title": "a note", "items": [1, 2, 3]}"#)
        #expect(article.format == .text)
        #expect(article.wire == nil)
    }

    @Test func anArrayGivesOneResultPerItem() throws {
        let items = try Normalizer().normalizeItems(Array(
            """
            [{"uri": "urn:example:wire:a", "type": "text", "headline": "Council passes the budget",
              "body_text": "The city council passed the budget on Tuesday by nine votes to four."},
             {"uri": "urn:example:pic:b", "type": "picture", "headline": "The council chamber"},
             {"uri": "urn:example:wire:c", "type": "text", "headline": "Library reopens",
              "body_text": "The central library reopened on Wednesday after a year of repairs."}]
            """.utf8))
        #expect(items.count == 3)
        #expect(try items[0].get().wire?.id == "urn:example:wire:a")
        #expect(throws: CopydeskError.self) { try items[1].get() }
        #expect(try items[2].get().title == "Library reopens")
        // The single-item view takes the first article.
        #expect(try read(#"[{"uri": "urn:x:1", "type": "text", "body_text": "One paragraph of text."}]"#).wire?.id == "urn:x:1")
    }

    @Test func roleSuffixedHeadlinesAndBodiesOfVersion1() throws {
        let article = try read(
            #"{"uri": "urn:example:x", "type": "text", "headline_main": "Bridge closed for repairs", "body_main": "The bridge is closed.", "body_richtext": "<p>The old bridge over the river is closed for repairs until May.</p><p>Buses take a detour.</p>"}"#)
        #expect(article.title == "Bridge closed for repairs")
        #expect(article.paragraphs == ["The old bridge over the river is closed for repairs until May.", "Buses take a detour."])
    }

    @Test func aGuidStandsInForAMissingURI() throws {
        let article = try read(#"{"guid": "example-guid-7", "type": "text", "headline": "Rain", "body_text": "Rain is expected on Sunday across the north."}"#)
        #expect(article.format == .ninjs)
        #expect(article.wire?.id == "example-guid-7")
    }
}
