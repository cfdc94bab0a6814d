import CopydeskCore
import Foundation
import Testing

/// NewsML-G2, NITF and NewsML 1.2 documents written for these tests after the IPTC specifications
/// (invented agencies, people and text).
struct WireXMLTests {
    func read(_ xml: String) throws -> Article {
        try Normalizer().normalize(Array(xml.utf8))
    }

    func items(_ xml: String) throws -> [Normalizer.ItemResult] {
        try Normalizer().normalizeItems(Array(xml.utf8))
    }

    func rejection(_ xml: String) -> CopydeskError? {
        do {
            _ = try read(xml)
            return nil
        } catch let error as CopydeskError {
            return error
        } catch {
            return nil
        }
    }

    /// A G2 text item with inline NITF, or with the given `contentSet` content.
    static func g2Item(
        guid: String = "urn:newsml:example.org:20260302:harbour", version: Int = 3, itemClass: String = "ninat:text",
        headline: String = "Harbour authority approves the new ferry terminal", extraMeta: String = "",
        content: String? = nil
    ) -> String {
        let body = content ?? """
            <inlineXML contenttype="application/nitf+xml">
              <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/">
                <body>
                  <body.head>
                    <hedline><hl1>\(headline)</hl1></hedline>
                    <byline>By Ann Example, <byttl>Harbour Correspondent</byttl></byline>
                  </body.head>
                  <body.content>
                    <p>HARBOURTOWN (Example News) - The harbour authority on Monday approved plans for a new ferry terminal.</p>
                    <p>Construction is due to start in September, the authority said.</p>
                  </body.content>
                </body>
              </nitf>
            </inlineXML>
            """
        return """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="\(guid)" version="\(version)" standard="NewsML-G2" xml:lang="en-GB">
              <itemMeta>
                <itemClass qcode="\(itemClass)"/>
                <provider qcode="nprov:EXN"><name>Example News</name></provider>
                <versionCreated>2026-03-02T10:15:00+01:00</versionCreated>
                <firstCreated>2026-03-02T09:00:00+01:00</firstCreated>
                \(extraMeta)
              </itemMeta>
              <contentMeta>
                <urgency>4</urgency>
                <located qcode="geo:1"><name>Harbourtown</name></located>
                <headline role="hdlrole:short">Ferry terminal approved</headline>
                <headline>\(headline)</headline>
              </contentMeta>
              <contentSet>\(body)</contentSet>
            </newsItem>
            """
    }

    // MARK: NewsML-G2

    @Test func aG2NewsItemWithInlineNITF() throws {
        let article = try read(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + Self.g2Item(extraMeta: """
                    <pubStatus qcode="stat:usable"/>
                    <embargoed>2026-03-02T12:00:00+01:00</embargoed>
                    <signal qcode="sig:update"/>
                    <link rel="irel:previousVersion" residref="urn:newsml:example.org:20260302:harbour" version="2"/>
                    <link rel="irel:seeAlso" href="https://example.org/more"/>
                    """))
        #expect(article.format == .newsmlG2)
        #expect(article.title == "Harbour authority approves the new ferry terminal")
        #expect(article.byline == "By Ann Example, Harbour Correspondent")
        #expect(article.language == "en-GB")
        #expect(article.published == "2026-03-02T10:15:00+01:00")
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs[0].hasPrefix("HARBOURTOWN (Example News) - The harbour"))
        let wire = try #require(article.wire)
        #expect(wire.id == "urn:newsml:example.org:20260302:harbour")
        #expect(wire.version == "3")
        #expect(wire.status == "usable")
        #expect(wire.urgency == 4)
        #expect(wire.embargo == "2026-03-02T12:00:00+01:00")
        #expect(wire.signals == ["sig:update"])
        #expect(wire.links == [.init(rel: "irel:previousVersion", id: "urn:newsml:example.org:20260302:harbour")])
        #expect(wire.dateline == "Harbourtown")
        #expect(wire.provider == "Example News")
    }

    @Test func aG2ItemWithXHTMLDropsTheHeaderAndKeepsTheDateline() throws {
        let article = try read(
            Self.g2Item(
                extraMeta: #"<pubStatus qcode="stat:cancelled"/>"#,
                content: """
                    <inlineXML contenttype="application/xhtml+xml">
                      <html xmlns="http://www.w3.org/1999/xhtml"><head><title>Harbour</title></head>
                      <body>
                        <header><h1>Harbour authority approves the new ferry terminal</h1>
                          <p class="byline">By Ann Example</p></header>
                        <section class="main">
                          <p><span class="dateline">Harbourtown (EXN) - </span>The harbour authority on Monday approved plans for a new ferry terminal on the eastern pier.</p>
                          <h2>Work starts in autumn</h2>
                          <p>Construction is due to start in September, the authority said in a statement on Monday.</p>
                        </section>
                      </body></html>
                    </inlineXML>
                    """))
        #expect(article.byline == "By Ann Example")
        #expect(article.paragraphs.first?.hasPrefix("Harbourtown (EXN) - The harbour authority") == true)
        #expect(article.paragraphs.contains("Work starts in autumn"))
        #expect(!article.paragraphs.contains("Harbour authority approves the new ferry terminal"))
        #expect(article.wire?.status == "canceled")
    }

    @Test func aG2MessageWithTwoTextItemsGivesTwoResults() throws {
        let picture = Self.g2Item(
            guid: "urn:newsml:example.org:pic:7", itemClass: "ninat:picture", headline: "The eastern pier",
            content: #"<remoteContent href="pier.jpg" contenttype="image/jpeg"/>"#)
        let second = Self.g2Item(
            guid: "urn:newsml:example.org:20260302:library", version: 1, headline: "Central library reopens",
            content: """
                <inlineData contenttype="text/plain">The central library reopened on Wednesday after a year of repairs.

                Visitors queued from eight in the morning.</inlineData>
                """)
        let message = """
            <?xml version="1.0" encoding="UTF-8"?>
            <newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
              <header><sent>2026-03-02T10:16:00Z</sent><transmitId>EXN-0001</transmitId></header>
              <itemSet>\(Self.g2Item())\(picture)\(second)</itemSet>
            </newsMessage>
            """
        let results = try items(message)
        #expect(results.count == 2)
        #expect(try results[0].get().wire?.id == "urn:newsml:example.org:20260302:harbour")
        let library = try results[1].get()
        #expect(library.title == "Central library reopens")
        #expect(library.paragraphs == [
            "The central library reopened on Wednesday after a year of repairs.", "Visitors queued from eight in the morning.",
        ])
    }

    @Test func aPictureOnlyItemIsRejectedAsSuch() {
        let error = rejection(
            Self.g2Item(
                itemClass: "ninat:picture", headline: "The eastern pier at dawn",
                content: #"<remoteContent href="pier.jpg" contenttype="image/jpeg"/>"#))
        #expect(error?.code == .noText)
        #expect(error?.message == "no text item: newsItem(picture)")
    }

    @Test func conceptAndPlanningItemsAreNotNewsItems() {
        let concept = rejection("""
            <conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:example:concept:1" version="1">
              <itemMeta><itemClass qcode="cinat:concept"/></itemMeta>
              <concept><conceptId qcode="people:1"/><name>Ann Example</name></concept>
            </conceptItem>
            """)
        #expect(concept?.message == "not a news item: conceptItem(concept)")
        let planning = rejection("""
            <planningItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:example:plan:1" version="1">
              <itemMeta><itemClass qcode="plinat:newscoverage"/></itemMeta>
            </planningItem>
            """)
        #expect(planning?.message == "not a news item: planningItem(newscoverage)")
        let message = rejection("""
            <newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
            \(Self.g2Item(itemClass: "ninat:video", content: "<remoteContent href=\"v.mp4\"/>"))
            </itemSet></newsMessage>
            """)
        #expect(message?.message == "no text item: newsItem(video)")
    }

    @Test func aHeadlineOnlyItemIsAnArticle() throws {
        let article = try read(Self.g2Item(content: #"<inlineXML contenttype="application/nitf+xml"><!-- no text --></inlineXML>"#))
        #expect(article.title == "Harbour authority approves the new ferry terminal")
        #expect(article.paragraphs == ["Harbour authority approves the new ferry terminal"])
    }

    // MARK: NITF

    @Test func aNITFDocumentWithDuKeyAndACancellation() throws {
        let article = try read("""
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <!DOCTYPE nitf SYSTEM "nitf-3-6.dtd">
            <nitf version="-//IPTC//DTD NITF 3.6//EN" xml:lang="de">
              <head>
                <title>Hafen genehmigt Fährterminal</title>
                <docdata management-status="canceled" management-doc-idref="EXN-20260302-0040" management-idref-status="canceled">
                  <correction info="Zahl berichtigt" id-string="EXN-20260302-0040" regsrc="EXN"/>
                  <doc-id regsrc="EXN" id-string="EXN-20260302-0041"/>
                  <du-key key="hafen-faehre" version="2" generation="2"/>
                  <urgency ed-urg="3"/>
                  <date.issue norm="20260302T101500+0100"/>
                  <date.release norm="20260302T120000+0100"/>
                  <doc.copyright holder="Example News"/>
                </docdata>
              </head>
              <body>
                <body.head>
                  <hedline><hl1>Hafen genehmigt neues Fährterminal</hl1><hl2>Baubeginn im Herbst</hl2></hedline>
                  <byline>Von Anna Beispiel, <byttl>Korrespondentin</byttl></byline>
                  <dateline><location><city>Hafenstadt</city></location></dateline>
                </body.head>
                <body.content>
                  <block>
                    <p>Hafenstadt (EXN) - Die Hafenbehörde hat am Montag den Bau eines neuen Fährterminals genehmigt.</p>
                    <hl2>Kosten</hl2>
                    <ul><li>Erster Bauabschnitt: 20 Millionen Euro</li><li>Zweiter Bauabschnitt: 35 Millionen Euro</li></ul>
                    <table><tr><th>Jahr</th><th>Fähren</th></tr><tr><td>2027</td><td>12</td></tr></table>
                    <media media-type="image"><media-caption>Der Ostkai am Morgen.</media-caption></media>
                  </block>
                </body.content>
                <body.end><tagline>EXN ab/cd</tagline></body.end>
              </body>
            </nitf>
            """)
        #expect(article.format == .nitf)
        #expect(article.title == "Hafen genehmigt neues Fährterminal")
        #expect(article.byline == "Von Anna Beispiel, Korrespondentin")
        #expect(article.language == "de")
        #expect(article.published == "2026-03-02T10:15:00+01:00")
        #expect(article.paragraphs == [
            "Hafenstadt (EXN) - Die Hafenbehörde hat am Montag den Bau eines neuen Fährterminals genehmigt.", "Kosten",
            "Erster Bauabschnitt: 20 Millionen Euro", "Zweiter Bauabschnitt: 35 Millionen Euro", "Jahr Fähren", "2027 12",
        ])
        let wire = try #require(article.wire)
        #expect(wire.id == "EXN-20260302-0041")
        #expect(wire.version == "2")
        #expect(wire.storyKey == "hafen-faehre")
        #expect(wire.status == "canceled")
        #expect(wire.urgency == 3)
        #expect(wire.embargo == "2026-03-02T12:00:00+01:00")
        #expect(wire.dateline == "Hafenstadt")
        #expect(wire.provider == "Example News")
        #expect(wire.signals == ["correction"])
        #expect(wire.links.map(\.id) == ["EXN-20260302-0040", "EXN-20260302-0040"])
    }

    // MARK: NewsML 1.2

    static func newsML12(revision: String, components: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <NewsML Version="1.2">
          <NewsEnvelope><DateAndTime>20260302T101500+0000</DateAndTime></NewsEnvelope>
          <NewsItem xml:lang="en">
            <Identification><NewsIdentifier>
              <ProviderId>example.org</ProviderId><DateId>20260302</DateId><NewsItemId>harbour-17</NewsItemId>
              \(revision)
              <PublicIdentifier>urn:newsml:example.org:20260302:harbour-17:2U</PublicIdentifier>
            </NewsIdentifier></Identification>
            <NewsManagement>
              <NewsItemType FormalName="News"/>
              <FirstCreated>20260302T090000+0000</FirstCreated>
              <ThisRevisionCreated>20260302T101500+0000</ThisRevisionCreated>
              <Status FormalName="Usable"/><Urgency FormalName="4"/>
            </NewsManagement>
            <NewsComponent>
              <NewsLines>
                <HeadLine>Harbour authority approves the new ferry terminal</HeadLine>
                <ByLine>By Ann Example</ByLine><DateLine>HARBOURTOWN</DateLine>
              </NewsLines>
              \(components)
            </NewsComponent>
          </NewsItem>
        </NewsML>
        """
    }

    @Test func aNewsML12ItemWithARevision() throws {
        let article = try read(
            Self.newsML12(
                revision: #"<RevisionId PreviousRevision="1" Update="U">2</RevisionId>"#,
                components: """
                    <NewsComponent><Role FormalName="Caption"/>
                      <ContentItem><MediaType FormalName="Text"/><DataContent>The eastern pier at dawn.</DataContent></ContentItem>
                    </NewsComponent>
                    <NewsComponent><Role FormalName="Main"/>
                      <ContentItem><MediaType FormalName="Text"/><Format FormalName="NITF"/>
                        <DataContent><nitf><body><body.content>
                          <p>The harbour authority on Monday approved plans for a new ferry terminal.</p>
                          <p>Construction is due to start in September.</p>
                        </body.content></body></nitf></DataContent>
                      </ContentItem>
                    </NewsComponent>
                    """))
        #expect(article.format == .newsml12)
        #expect(article.title == "Harbour authority approves the new ferry terminal")
        #expect(article.byline == "By Ann Example")
        #expect(article.language == "en")
        #expect(article.paragraphs == [
            "The harbour authority on Monday approved plans for a new ferry terminal.", "Construction is due to start in September.",
        ])
        let wire = try #require(article.wire)
        #expect(wire.id == "urn:newsml:example.org:20260302:harbour-17:2U")
        #expect(wire.version == "2")
        #expect(wire.storyKey == "20260302:harbour-17")
        #expect(wire.status == "usable")
        #expect(wire.urgency == 4)
        #expect(wire.dateline == "HARBOURTOWN")
        #expect(wire.links == [.init(rel: "PreviousRevision", id: "urn:newsml:example.org:20260302:harbour-17:1")])
        #expect(wire.signals == ["Update:U"])
    }

    @Test func aNewsML12PhotoWithOnlyACaptionIsRejected() {
        let error = rejection(
            Self.newsML12(
                revision: "<RevisionId PreviousRevision=\"0\" Update=\"N\">1</RevisionId>",
                components: """
                    <NewsComponent><Role FormalName="Caption"/>
                      <ContentItem><MediaType FormalName="Text"/><DataContent>The eastern pier at dawn.</DataContent></ContentItem>
                    </NewsComponent>
                    <NewsComponent><Role FormalName="Main"/>
                      <ContentItem Href="pier.jpg"><MediaType FormalName="Photo"/></ContentItem>
                    </NewsComponent>
                    """))
        #expect(error?.code == .noText)
        #expect(error?.message == "no article text: Photo, Text (captions only)")
    }

    // MARK: recognition and decoding

    @Test func pagesAndTextAreStillRecognisedAsBefore() {
        #expect(FormatSniffer.sniff(prefix: "<!DOCTYPE html><html><body><p>x</p></body></html>") == .html)
        #expect(FormatSniffer.sniff(prefix: "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>") == .xhtml)
        #expect(FormatSniffer.sniff(prefix: "A plain text about the newsItem and the nitf format.") == .text)
        #expect(FormatSniffer.sniff(prefix: "<?xml version=\"1.0\"?>\n<rss><channel/></rss>") == .text)
        #expect(FormatSniffer.sniff(prefix: "<!DOCTYPE nitf SYSTEM \"nitf.dtd\">\n<nitf/>") == .nitf)
        #expect(FormatSniffer.sniff(prefix: "\u{FEFF}<!-- feed -->\n<nar:newsMessage xmlns:nar=\"x\"/>") == .newsmlG2)
        #expect(FormatSniffer.sniff(prefix: "\n<NewsML Version=\"1.2\"/>") == .newsml12)
    }

    @Test func aFileDeclaringLatin1WhoseBytesAreUTF8ReadsAsUTF8() throws {
        let article = try read("""
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <nitf><body><body.head><hedline><hl1>Größte Fähre läuft aus</hl1></hedline></body.head>
            <body.content><p>Die größte Fähre der Reederei ist am Morgen ausgelaufen.</p></body.content></body></nitf>
            """)
        #expect(article.title == "Größte Fähre läuft aus")
    }

    @Test func entitiesOfAnUnreadNITFDTDReadAsTheirCharacters() throws {
        let article = try read("""
            <?xml version="1.0"?>
            <!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">
            <nitf><body><body.head><hedline><hl1>Caf&eacute; on the quay reopens</hl1></hedline></body.head>
            <body.content><p>The caf&eacute;&nbsp;on the quay reopened &mdash; after a year.</p></body.content></body></nitf>
            """)
        #expect(article.title == "Café on the quay reopens")
        #expect(article.paragraphs == ["The café on the quay reopened — after a year."])
    }

    @Test func aNinjsBodyInNITFGoesThroughTheNITFReader() throws {
        let nitf = #"<nitf><body><body.head><byline>By Ann Example</byline></body.head><body.content><p>The first paragraph of the story.</p><p>The second paragraph.</p></body.content></body></nitf>"#
        let json = try JSONSerialization.data(withJSONObject: [
            "uri": "urn:example:ninjs:1", "type": "text", "headlines": [["role": "main", "value": "A story"]],
            "bodies": [["role": "nitf", "contentType": "text/vnd.IPTC.NITF", "value": nitf]],
        ])
        let article = try Normalizer().normalize(Array(json))
        #expect(article.format == .ninjs)
        #expect(article.paragraphs == ["The first paragraph of the story.", "The second paragraph."])
    }
}

/// Wire-shaped attacks: each file is read quickly, in bounded memory, and nothing outside it is
/// read or fetched.
struct WireXMLHostileInputTests {
    static func laughs(root: String) -> String {
        var declarations = #"<!ENTITY lol "lol">"#
        var previous = "lol"
        for level in 1 ... 9 {
            declarations += "\n<!ENTITY lol\(level) \"\(String(repeating: "&\(previous);", count: 10))\">"
            previous = "lol\(level)"
        }
        return "<?xml version=\"1.0\"?>\n<!DOCTYPE \(root) [\n\(declarations)\n]>\n"
    }

    func outcome(_ xml: String) -> (Article?, CopydeskError?, Duration) {
        let clock = ContinuousClock()
        var article: Article?
        var failure: CopydeskError?
        let elapsed = clock.measure {
            do {
                article = try Normalizer().normalize(Array(xml.utf8), deadline: Deadline(limit: .seconds(10)))
            } catch let error as CopydeskError {
                failure = error
            } catch {}
        }
        return (article, failure, elapsed)
    }

    @Test func billionLaughsInNITFIsRejectedQuickly() {
        let (article, error, elapsed) = outcome(
            Self.laughs(root: "nitf")
                + "<nitf><body><body.head><hedline><hl1>Laughs &lol9;</hl1></hedline></body.head>"
                + "<body.content><p>Article text &lol9; and more words.</p></body.content></body></nitf>")
        #expect(elapsed < .seconds(5))
        if let article { #expect(article.body.utf8.count < 100_000) } else { #expect(error?.code.isRejection == true) }
    }

    @Test func billionLaughsInG2IsRejectedQuickly() {
        let (article, error, elapsed) = outcome(
            Self.laughs(root: "newsItem")
                + #"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1">"#
                + #"<itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentMeta><headline>Bomb &lol9;</headline></contentMeta>"#
                + #"<contentSet><inlineData contenttype="text/plain">Some text &lol9; here.</inlineData></contentSet></newsItem>"#)
        #expect(elapsed < .seconds(5))
        if let article { #expect(article.body.utf8.count < 100_000) } else { #expect(error?.code.isRejection == true) }
    }

    @Test func anExternalEntityIsNeverRead() throws {
        let (article, error, _) = outcome("""
            <?xml version="1.0"?>
            <!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY host SYSTEM "file:///etc/hostname">]>
            <nitf><body><body.head><hedline><hl1>Leak &secret;</hl1></hedline></body.head>
            <body.content><p>Before &secret; after &host; and the article text goes on.</p></body.content></body></nitf>
            """)
        #expect(error == nil)
        let text = [article?.title ?? "", article?.body ?? ""].joined(separator: "\n")
        #expect(!text.contains("root:"))
        #expect(text.contains("the article text goes on"))
        if let hostname = try? String(contentsOfFile: "/etc/hostname", encoding: .utf8) {
            let name = hostname.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.count > 3 { #expect(!text.contains(name)) }
        }
    }

    @Test func anExternalDTDOnTheNetworkIsNotFetched() {
        // Port 9 (discard) on a documentation address: a fetch would hang or fail, not finish at once.
        let (article, _, elapsed) = outcome("""
            <?xml version="1.0"?>
            <!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.6//EN" "http://192.0.2.1:9/nitf-3-6.dtd">
            <nitf><body><body.head><hedline><hl1>External DTD</hl1></hedline></body.head>
            <body.content><p>The article text of a document that names an external DTD.</p></body.content></body></nitf>
            """)
        #expect(elapsed < .seconds(2))
        #expect(article?.title == "External DTD")
    }

    @Test func deepNestingIsRejected() {
        let depth = 50_000
        let (article, error, elapsed) = outcome(
            "<nitf><body><body.content>" + String(repeating: "<block>", count: depth) + "<p>deep</p>"
                + String(repeating: "</block>", count: depth) + "</body.content></body></nitf>")
        #expect(elapsed < .seconds(5))
        #expect(article == nil)
        #expect(error?.code == .parseFailed)
    }

    @Test func aHugeAttributeIsBounded() {
        let (article, error, elapsed) = outcome(
            #"<nitf><body><body.head><hedline><hl1 class=""# + String(repeating: "a", count: 12_000_000)
                + #"">Huge attribute</hl1></hedline></body.head><body.content><p>Text of the article.</p></body.content></body></nitf>"#)
        #expect(elapsed < .seconds(10))
        if article == nil { #expect(error?.code.isRejection == true) }
    }
}
