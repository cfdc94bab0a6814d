import CopydeskCore
import Testing

/// dpa digitalwires entries written for these tests after the format's field names (invented text).
struct DigitalwiresReaderTests {
    static let embargoed = """
        {"format": "digitalwires@0.9.1", "type": "text", "entry_id": "Xy12abc",
         "urn": "urn:newsml:example.com:20260101:260302-99-000123", "version": 3, "pubstatus": "usable",
         "signal": "sig:update", "embargoed": "2026-03-02T18:00:00+01:00", "urgency": 4, "language": "de",
         "version_created": "2026-03-02T12:05:00+01:00", "kicker": "Verkehr",
         "headline": "Fähre nimmt wieder Kurs auf die Inseln", "teaser": "Nach drei Tagen Sturm fahren die Fähren wieder.",
         "byline": "Von Anna Beispiel, xyz", "dateline": "Kiel (xyz) - ", "creditline": "xyz",
         "article_html": "<section class=\\"main\\"><p>Nach drei Tagen Sturm hat die Reederei den Betrieb wieder aufgenommen.</p><h2>Volle Schiffe</h2><p>Die Reederei erwartet volle Schiffe.</p></section>",
         "infobox_html": "<section class=\\"infobox\\"><p>Fahrplan: stündlich</p></section>",
         "notepad": {"public_html": "<section><p>Zu diesem Text gibt es Bilder.</p></section>"},
         "categories": [{"type": "dnltype:signal", "qcode": "sig:update"}]}
        """

    @Test func anEmbargoedEntry() throws {
        let article = try Normalizer().normalize(Array(Self.embargoed.utf8))
        #expect(article.format == .dpaDigitalwires)
        #expect(article.title == "Fähre nimmt wieder Kurs auf die Inseln")
        #expect(article.byline == "Von Anna Beispiel, xyz")
        #expect(article.language == "de")
        #expect(article.published == "2026-03-02T12:05:00+01:00")
        #expect(article.paragraphs == [
            "Nach drei Tagen Sturm hat die Reederei den Betrieb wieder aufgenommen.", "Volle Schiffe",
            "Die Reederei erwartet volle Schiffe.",
        ])
        let wire = try #require(article.wire)
        #expect(wire.id == "urn:newsml:example.com:20260101:260302-99-000123")
        #expect(wire.version == "3")
        #expect(wire.status == "usable")
        #expect(wire.signals == ["sig:update"])
        #expect(wire.urgency == 4)
        #expect(wire.embargo == "2026-03-02T18:00:00+01:00")
        #expect(wire.dateline == "Kiel (xyz) -")
        #expect(wire.provider == "xyz")
    }

    @Test func statusFromTheCategoriesAndEntriesOfAnAPIAnswer() throws {
        let answer = """
            {"entries": [
              {"urn": "urn:newsml:example.com:20260101:a", "version": 1, "entry_id": "a1",
               "headline": "Brücke gesperrt", "article_html": "<section class=\\"main\\"><p>Die Brücke ist gesperrt.</p></section>",
               "categories": [{"type": "dnltype:pubstatus", "qcode": "stat:canceled"}]},
              {"urn": "urn:newsml:example.com:20260101:b", "version": 2, "entry_id": "b2", "type": "image",
               "headline": "Die Brücke am Morgen"}
            ]}
            """
        let items = try Normalizer().normalizeItems(Array(answer.utf8))
        #expect(items.count == 2)
        let first = try items[0].get()
        #expect(first.wire?.status == "canceled")
        #expect(first.wire?.version == "1")
        #expect(first.paragraphs == ["Die Brücke ist gesperrt."])
        #expect(throws: CopydeskError.self) { try items[1].get() }
    }

    @Test func aNinjsItemFromTheSameAgencyStaysNinjs() throws {
        let ninjs = """
            {"uri": "urn:newsml:example.com:20260101:c", "type": "text", "version": "1",
             "headline": "Library reopens", "body_html": "<p>The central library reopened on Wednesday.</p>"}
            """
        #expect(try Normalizer().normalize(Array(ninjs.utf8)).format == .ninjs)
    }
}
