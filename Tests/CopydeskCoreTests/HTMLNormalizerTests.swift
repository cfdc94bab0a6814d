import Foundation
import Testing

@testable import CopydeskCore

/// Hand-written pages: boilerplate around a short article, metadata in its usual places, charsets,
/// broken markup. None comes from a corpus.
enum HTMLFixtures {
    static let article = """
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <title>Harbour bridge reopens after repairs | The Coastal Courier</title>
        <meta property="og:site_name" content="The Coastal Courier">
        <meta property="og:title" content="Harbour bridge reopens after repairs">
        <meta name="author" content="Mira Jensen">
        <meta property="article:published_time" content="2024-05-03T09:15:00+02:00">
        <link rel="canonical" href="https://courier.example/news/harbour-bridge">
        <style>body { color: red }</style>
        <script>var tracking = "do not extract this";</script>
        </head>
        <body class="single has-sidebar">
        <div id="cookie-consent" class="cookie-banner">We use cookies to improve your experience. Accept all</div>
        <header class="site-header"><a href="/">The Coastal Courier</a>
          <nav class="main-nav"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
          <li><a href="/weather">Weather</a></li></ul></nav></header>
        <div class="breadcrumb"><a href="/">Home</a> › <a href="/news">News</a></div>
        <main id="main">
        <article class="post type-post tag-share-this">
          <h1>Harbour bridge reopens after repairs</h1>
          <div class="byline">By <a rel="author" href="/mira">Mira Jensen</a></div>
          <div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
          <div class="entry-content">
            <p>The harbour bridge reopened to traffic on Friday morning, three months after engineers closed it
            to replace corroded cables, the city council said.</p>
            <figure><img src="bridge.jpg" alt=""><figcaption>The bridge at dawn. Photo: Port Authority</figcaption></figure>
            <p>Commuters had faced detours of up to forty minutes while the work went on, and local shops on
            both banks reported a drop in trade during the closure.</p>
            <h2>What changed</h2>
            <p>Engineers replaced all twelve main cables, strengthened the deck and added a wider cycle lane,
            which the council says will carry twice as many riders as before.</p>
            <ul>
              <li>Twelve new steel cables</li>
              <li>A cycle lane three metres wide</li>
            </ul>
            <div class="newsletter-signup"><p>Sign up for our morning newsletter and never miss a story.</p>
              <form><input type="email"><button>Subscribe</button></form></div>
            <p>The next inspection is due in the spring, when divers will check the foundations below the
            waterline for any further damage.</p>
          </div>
          <div class="related-posts"><h3>Related stories</h3><ul>
            <li><a href="/a">Ferry timetable changes for the summer season</a></li>
            <li><a href="/b">Council approves new parking charges in the old town</a></li></ul></div>
        </article>
        <section id="comments" class="comments-area"><h3>2 comments</h3>
          <div class="comment"><p>Finally! It took them long enough to get this bridge fixed, honestly.</p></div>
        </section>
        </main>
        <aside class="sidebar"><h3>Most read</h3><ol><li><a href="/x">Storm warning for the weekend</a></li></ol></aside>
        <footer class="site-footer"><p>© 2024 The Coastal Courier. All rights reserved.</p>
          <a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a></footer>
        <script>document.write("late script");</script>
        </body></html>
        """

    static let jsonLD = """
        <html><head>
        <title>Ignored title - Example Site</title>
        <script type="application/ld+json">
        {"@context":"https://schema.org","@graph":[
          {"@type":"WebSite","name":"Example Site"},
          {"@type":"NewsArticle","headline":"Rain returns to the valley",
           "author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Tom Berg"}],
           "datePublished":"2023-11-20T06:30:00Z","publisher":{"@type":"Organization","name":"Valley Times"},
           "mainEntityOfPage":{"@id":"https://valley.example/rain"},"inLanguage":"es"}]}
        </script></head>
        <body><div class="story-body"><p>After four dry months, steady rain fell across the valley overnight,
        filling reservoirs that farmers had watched shrink all summer long.</p></div></body></html>
        """
}

struct HTMLNormalizerTests {
    private func normalize(_ html: String) throws -> Article {
        try Normalizer().normalize(Array(html.utf8))
    }

    @Test func keepsTheArticleAndDropsThePageAroundIt() throws {
        let article = try normalize(HTMLFixtures.article)
        let body = article.body
        #expect(article.format == .html)
        #expect(body.contains("The harbour bridge reopened to traffic on Friday morning"))
        #expect(body.contains("Commuters had faced detours"))
        #expect(body.contains("The next inspection is due in the spring"))
        for boilerplate in [
            "We use cookies", "Sport", "Home", "Facebook", "Photo: Port Authority", "morning newsletter",
            "Ferry timetable", "It took them long enough", "Storm warning", "All rights reserved", "Imprint",
            "do not extract this", "late script", "color: red",
        ] {
            #expect(!body.contains(boilerplate), "kept \(boilerplate)")
        }
    }

    @Test func headingsAndListItemsAreParagraphsOfTheirOwn() throws {
        let paragraphs = try normalize(HTMLFixtures.article).paragraphs
        #expect(paragraphs.contains("What changed"))
        #expect(paragraphs.contains("Twelve new steel cables"))
        #expect(paragraphs.contains("A cycle lane three metres wide"))
        #expect(paragraphs.allSatisfy { !$0.hasPrefix(" ") && !$0.hasSuffix(" ") && !$0.contains("  ") })
    }

    @Test func readsMetadataFromMetaTags() throws {
        let article = try normalize(HTMLFixtures.article)
        #expect(article.title == "Harbour bridge reopens after repairs")
        #expect(article.byline == "Mira Jensen")
        #expect(article.published == "2024-05-03T09:15:00+02:00")
        #expect(article.site == "The Coastal Courier")
        #expect(article.url == "https://courier.example/news/harbour-bridge")
        #expect(article.language == "en-GB")
        #expect(article.charset == "utf-8")
    }

    /// A page that declares no date is dated by the day its address names.
    @Test func aPageWithoutADeclaredDateIsDatedByItsURL() throws {
        let page = """
            <html><head><title>Harbour bridge reopens</title>
            <link rel="canonical" href="https://courier.example/news/2019/10/18/harbour-bridge-reopens"></head>
            <body><article><h1>Harbour bridge reopens</h1><p>The harbour bridge reopened on Friday after a year \
            of repairs, the city said, and the first buses crossed it in the morning.</p></article></body></html>
            """
        let article = try normalize(page)
        #expect(article.published == "2019-10-18")
        #expect(HTMLMetadata.dateInURL("https://a.example/2021-03-23-blinken-in-brussels") == "2021-03-23")
        #expect(HTMLMetadata.dateInURL("https://a.example/news/2021/3/9/title.html") == "2021-03-09")
        #expect(HTMLMetadata.dateInURL("https://a.example/story/123456789/2021") == nil)
        #expect(HTMLMetadata.dateInURL("https://a.example/2021/13/40/x") == nil)
        #expect(HTMLMetadata.dateInURL("https://a.example/item?date=2021/03/23") == nil)
        #expect(HTMLMetadata.dateInURL("https://2021.example/x") == nil)
    }

    /// A page that declares no date and whose address names none is dated by the date it shows:
    /// a `<time>` without `datetime`, or an element of class "date" (not a comment's).
    @Test func aPageIsDatedByTheDateItShows() throws {
        func page(_ header: String) -> String {
            """
            <html><head><title>Harbour bridge reopens</title></head><body>
            <div class="comment-date">3. Januar 2020</div>
            <article><h1>Harbour bridge reopens</h1>\(header)<p>The harbour bridge reopened on Friday after \
            a year of repairs, the city said, and the first buses crossed it in the morning.</p></article>
            </body></html>
            """
        }
        #expect(try normalize(page("<time>18. Oktober 2019</time>")).published == "2019-10-18")
        #expect(try normalize(page("<p class=\"post-date\">Posted on March 5, 2021</p>")).published == "2021-03-05")
        #expect(try normalize(page("<span class=\"datum\">Veröffentlicht am 19.10.2019 um 14:34 Uhr</span>")).published == "2019-10-19")
        #expect(try normalize(page("")).published == nil)
        // Teasers of other articles, each with its day: a list, not the article's date.
        let teasers = (1...3).map { "<div class=\"teaser-date\">0\($0).02.2020</div>" }.joined()
        #expect(try normalize(page(teasers)).published == nil)
        #expect(try normalize(page("<time>5 May 2020</time><time>6 May 2020</time>")).published == nil)
        #expect(HTMLMetadata.dateInText("Stand: 2020-04-20, 14:57 Uhr") == "2020-04-20")
        #expect(HTMLMetadata.dateInText("Seite 3 von 12") == nil)
    }

    @Test func prefersJSONLDArticleData() throws {
        let article = try normalize(HTMLFixtures.jsonLD)
        #expect(article.title == "Rain returns to the valley")
        #expect(article.byline == "Ana Ruiz, Tom Berg")
        #expect(article.published == "2023-11-20T06:30:00Z")
        #expect(article.site == "Valley Times")
        #expect(article.url == "https://valley.example/rain")
        #expect(article.language == "es")
        #expect(article.body.hasPrefix("After four dry months"))
    }

    /// A byline that names the outlet (a domain name, a publishing system's account) gives way to
    /// the next candidate; the label before a name goes ("Author:", "View all posts by").
    @Test func aBylineIsAPersonNotTheOutlet() throws {
        let page = """
            <html><head><title>Harbour bridge reopens</title>
            <meta name="author" content="thecourier.news">
            <meta name="dc.creator" content="admin">
            </head><body><article><h1>Harbour bridge reopens</h1>
            <div class="byline"><a href="/mira">View all posts by Mira Jensen</a></div>
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said, and the first \
            buses crossed it in the morning.</p></article></body></html>
            """
        #expect(try normalize(page).byline == "Mira Jensen")
        #expect(HTMLMetadata.strippingBy("Author: Ana Ruiz") == "Ana Ruiz")
        #expect(HTMLMetadata.strippingBy("Von: Tom Berg") == "Tom Berg")
        #expect(HTMLMetadata.strippingBy("Posted by Ana Ruiz") == "Ana Ruiz")
        #expect(HTMLMetadata.strippingBy("Bylander Smith") == "Bylander Smith")
        #expect(HTMLMetadata.strippingBy("Dina Levy") == "Dina Levy")
        #expect(HTMLMetadata.namesOutlet("Valley Times (www.valleytimes.com)"))
        #expect(HTMLMetadata.namesOutlet("Admin"))
        #expect(!HTMLMetadata.namesOutlet("Ana Ruiz"))
        #expect(!HTMLMetadata.namesOutlet("J. R. Smith"))
        #expect(!HTMLMetadata.namesOutlet("Redaktion"))
    }

    /// The title is the headline the page shows when a declared title names it: not the site's
    /// banner `<h1>`, without the kicker over it, a hidden separator or the subtitle under it.
    @Test func theTitleIsTheHeadlineThePageShows() throws {
        let body = """
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said, and the first \
            buses crossed it in the morning.</p>
            """
        // A kicker in its own element, a hidden separator, a declared title with the kicker.
        let kicker = """
            <html><head><meta property="og:title" content="Traffic: Harbour bridge reopens after a year"></head>
            <body><article><h1><span class="article-kicker">Traffic</span><span class="visually-hidden">: </span>\
            <span>Harbour bridge reopens after a year</span></h1>\(body)</article></body></html>
            """
        #expect(try normalize(kicker).title == "Harbour bridge reopens after a year")
        // A blog: the site's name in a banner <h1> linking home, the post's title in an <h2>.
        let blog = """
            <html><head><title>Harbour bridge reopens | Quay Notes</title></head><body>
            <header><h1><a href="https://quaynotes.example/">Quay Notes</a></h1></header>
            <article><h2>Harbour bridge reopens</h2>\(body)</article></body></html>
            """
        #expect(try normalize(blog).title == "Harbour bridge reopens")
        // A subtitle under the headline.
        let subtitle = """
            <html><head><meta property="og:title" content="Bridge reopens after a year of repairs - The Courier"></head>
            <body><article><h1><span>Bridge reopens after a year of repairs</span>\
            <small class="subtitle">What drivers need to know</small></h1>\(body)</article></body></html>
            """
        #expect(try normalize(subtitle).title == "Bridge reopens after a year of repairs")
        // A heading that is not what the page declares (a section's name) is not the title.
        let section = """
            <html><head><meta property="og:title" content="Harbour bridge reopens"></head>
            <body><h1>Local news</h1><article>\(body)</article></body></html>
            """
        #expect(try normalize(section).title == "Harbour bridge reopens")
        // Separators in a row share a space: no part runs backwards.
        #expect(HTMLHeadline.Reference.parts(of: "a | | b - c") == ["a", "| b - c", "a | | b", "c"])
        #expect(HTMLHeadline.Reference.parts(of: "Bridge reopens :: Courier") == ["Bridge reopens", "Courier"])
        #expect(HTMLHeadline.Reference.parts(of: "| Bridge |").isEmpty)
    }

    /// A page that declares no author: the byline line under the headline ("By Jane Doe | 12 May"),
    /// else a link to the author's page on the same site; a declared author that is the site's own
    /// name gives way to the person the page shows.
    @Test func aBylineShownUnderTheHeadline() throws {
        let text = """
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said, and the first \
            buses crossed it in the morning.</p>
            """
        let line = """
            <html><head><title>Harbour bridge reopens | Courier</title></head><body>
            <nav><p>By train or by bus: <a href="/travel">Travel</a></p></nav>
            <article><h1>Harbour bridge reopens</h1><p class="meta">By Mira Jensen | 12 May 2021</p>\(text)
            </article></body></html>
            """
        #expect(try normalize(line).byline == "Mira Jensen")
        let link = """
            <html><head><title>Harbour bridge reopens</title>
            <link rel="canonical" href="https://courier.example/news/bridge"></head><body>
            <a href="https://video.example/author/courier">Courier Video</a>
            <article><h1>Harbour bridge reopens</h1><p><a href="/author/mjensen">Mira Jensen</a></p>\(text)
            </article></body></html>
            """
        #expect(try normalize(link).byline == "Mira Jensen")
        let site = """
            <html><head><title>Harbour bridge reopens</title><meta property="og:site_name" content="The Courier">
            <meta name="author" content="The Courier"></head><body>
            <article><h1>Harbour bridge reopens</h1><p>Von Mira Jensen</p>\(text)</article></body></html>
            """
        #expect(try normalize(site).byline == "Mira Jensen")
        // A personal site bears its author's name: with no other name, the site's name stays.
        let personal = """
            <html><head><title>Harbour bridge reopens</title><meta property="og:site_name" content="Mira Jensen">
            <meta name="author" content="Mira Jensen"></head><body>
            <article><h1>Harbour bridge reopens</h1>\(text)</article></body></html>
            """
        #expect(try normalize(personal).byline == "Mira Jensen")
        #expect(ShownBylines.personName("Jane Doe am 8.12.2022") == "Jane Doe")
        #expect(ShownBylines.personName("Walter von Aachen, Berlin") == "Walter von Aachen")
        #expect(ShownBylines.personName("clicking accept") == nil)
        #expect(ShownBylines.personName("Ana Ruiz, Ali Khan y Eva Berg") == "Ana Ruiz, Ali Khan, Eva Berg")
        #expect(ShownBylines.personName("Ana Ruiz, CNN") == "Ana Ruiz")
        #expect(ShownBylines.personName("Posted on May 5") == nil)
        #expect(ShownBylines.nameAfterLabel("Datum: 19.11.2021 Autor: Eva Berg Quelle: Agentur") == "Eva Berg")
        #expect(ShownBylines.nameAfterLabel("Posted on May 5, 2021 by Ana Ruiz") == "Ana Ruiz")
        #expect(ShownBylines.nameAfterLabel("Veröffentlicht vonEva Berg") == "Eva Berg")
    }

    @Test func cutsTheSiteNameOffTheTitle() {
        #expect(HTMLMetadata.cleanTitle("Bridge reopens | Courier", site: "Courier", heading: nil) == "Bridge reopens")
        #expect(HTMLMetadata.cleanTitle("Courier - Bridge reopens", site: "Courier", heading: nil) == "Bridge reopens")
        #expect(
            HTMLMetadata.cleanTitle("The bridge reopens after repairs – Daily News", site: nil, heading: nil)
                == "The bridge reopens after repairs")
        #expect(HTMLMetadata.cleanTitle("Q&A: what now?", site: "Courier", heading: nil) == "Q&A: what now?")
    }

    @Test func fallsBackToTitleAndHeading() throws {
        let article = try normalize(
            "<html><head><title>Plain page title</title></head><body><h1>Heading</h1>"
                + "<p>Some text of a page that has no metadata at all, only a title and a paragraph.</p></body></html>")
        #expect(article.title == "Plain page title")
        #expect(article.byline == nil)
        #expect(article.published == nil)
    }

    @Test func publishedTimeFromTimeElement() throws {
        let article = try normalize(
            "<html><body><article><time datetime=\"2022-01-05 14:03\">5 Jan</time>"
                + "<p>A paragraph long enough to be the article text of this small page, with a comma.</p>"
                + "</article></body></html>")
        #expect(article.published == "2022-01-05T14:03:00")
    }

    @Test func normalizesDates() {
        #expect(ISO8601Normalizer.normalize("2021-03-23T10:00:00+01:00") == "2021-03-23T10:00:00+01:00")
        #expect(ISO8601Normalizer.normalize("2021-03-23T10:00:00.123+0000") == "2021-03-23T10:00:00Z")
        #expect(ISO8601Normalizer.normalize("2021-03-23") == "2021-03-23")
        #expect(ISO8601Normalizer.normalize("23.03.2021") == "2021-03-23")
        #expect(ISO8601Normalizer.normalize("Tue, 23 Mar 2021 10:00:00 GMT") == "2021-03-23")
        #expect(ISO8601Normalizer.normalize("March 23, 2021") == "2021-03-23")
        #expect(ISO8601Normalizer.normalize("yesterday") == nil)
        #expect(ISO8601Normalizer.normalize("2021-13-40") == nil)
    }

    @Test func pageWithoutTextIsRejected() {
        #expect(throws: CopydeskError.self) {
            try normalize("<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>")
        }
        do {
            _ = try normalize("<html><body>   </body></html>")
            Issue.record("an empty page was accepted")
        } catch let error as CopydeskError {
            #expect(error.code.isRejection)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

struct HTMLCharsetTests {
    private func page(_ head: String, _ text: String) -> String {
        "<html><head>\(head)</head><body><p>\(text)</p></body></html>"
    }

    /// A page whose paragraph is `text`, given as raw bytes.
    private func page(_ head: String, bytes text: [UInt8]) -> [UInt8] {
        Array("<html><head>\(head)</head><body><p>".utf8) + text + Array("</p></body></html>".utf8)
    }

    @Test func declaredLatin1IsWindows1252() throws {
        // "Grüße, café – „Text“" in windows-1252.
        let text: [UInt8] = Array("Gr".utf8) + [0xFC, 0xDF] + Array("e, caf".utf8) + [0xE9, 0x20, 0x96, 0x20, 0x84]
            + Array("Text".utf8) + [0x93]
        let article = try Normalizer().normalize(page("<meta charset=\"iso-8859-1\">", bytes: text))
        #expect(article.charset == "windows-1252")
        #expect(article.body == "Grüße, café – „Text“")
    }

    @Test func validUTF8WinsOverAWrongDeclaration() throws {
        let html = page("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">", "Grüße aus Köln")
        let article = try Normalizer().normalize(Array(html.utf8))
        #expect(article.charset == "utf-8")
        #expect(article.body == "Grüße aus Köln")
    }

    @Test func declaredUTF8WithAFewBrokenSequencesStaysUTF8() throws {
        // A teaser cut in the middle of "ó" (0xC3 0xB3) among Polish text that is valid UTF-8.
        let polish = Array("Nie możemy pozwolić na ataki, mówią dziennikarze i zwolennicy fundacji. ".utf8)
        let text = polish + polish + polish + Array("papieros".utf8) + [0xC3, 0x2E, 0x2E, 0x2E] + polish + polish
            + polish
        let article = try Normalizer().normalize(page("<meta charset=\"UTF-8\">", bytes: text))
        #expect(article.charset == "utf-8")
        #expect(article.body.contains("Nie możemy pozwolić"))
        #expect(article.body.contains("papieros\u{FFFD}..."))
        // A page that declares UTF-8 but is windows-1252 throughout is still windows-1252.
        let latin: [UInt8] = Array("Gr".utf8) + [0xFC, 0xDF] + Array("e aus K".utf8) + [0xF6] + Array("ln".utf8)
        let mislabelled = try Normalizer().normalize(page("<meta charset=\"utf-8\">", bytes: latin))
        #expect(mislabelled.body == "Grüße aus Köln")
    }

    @Test func legacyCharsetsGoThroughIconv() throws {
        // "日本語" in Shift_JIS, "Привет" in KOI8-R.
        let japanese = try Normalizer().normalize(
            page("<meta charset=\"Shift_JIS\">", bytes: [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA]))
        #expect(japanese.charset == "shift_jis")
        #expect(japanese.body == "日本語")
        let russian = try Normalizer().normalize(
            page("<meta charset=koi8-r>", bytes: [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]))
        #expect(russian.charset == "koi8-r")
        #expect(russian.body == "Привет")
    }

    @Test func findsTheDeclaredLabel() {
        #expect(HTMLCharset.declaredLabel(in: Array("<?xml version=\"1.0\" encoding='ISO-8859-2'?><html>".utf8)) == "iso-8859-2")
        #expect(HTMLCharset.declaredLabel(in: Array("<html><head><META CHARSET = \"GB2312\" >".utf8)) == "gb2312")
        #expect(HTMLCharset.declaredLabel(in: Array("<html><head><title>x</title></head>".utf8)) == nil)
        #expect(LegacyCharset(label: "windows-1251")?.iconvName == "CP1251")
        #expect(LegacyCharset(label: "iso-8859-15")?.name == "iso-8859-15")
        #expect(LegacyCharset(label: "iso-8859-1") == nil)
    }

    @Test func utf16PageWithBOM() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in page("", "Zürich im Schnee").utf16 {
            bytes.append(UInt8(unit & 0xFF))
            bytes.append(UInt8(unit >> 8))
        }
        let article = try Normalizer().normalize(bytes)
        #expect(article.charset == "utf-16le")
        #expect(article.body == "Zürich im Schnee")
    }

    @Test func strayNULBytesDoNotRejectAPage() throws {
        let text = "A page that a server padded with a few NUL bytes somewhere in its markup. "
        var bytes = Array(page("", String(repeating: text, count: 60)).utf8)
        bytes.insert(contentsOf: [0, 0, 0], at: 20)
        let article = try Normalizer().normalize(bytes)
        #expect(article.body.hasPrefix("A page that a server padded"))
    }
}

struct HTMLRobustnessTests {
    @Test func brokenMarkupIsRecovered() throws {
        let html = """
            <html><body><div class="content"><p>First paragraph of a broken page, never closed
            <p>Second <b>bold <i>and italic</b> text</i> with misnested tags, and more words here.
            <table><tr><td>cell one<td>cell two</table>
            <p>Third paragraph after a table without closing tags & a stray ampersand < and less-than.
            </div></div></span></body></html></html><p>after the end
            """
        let article = try Normalizer().normalize(Array(html.utf8))
        #expect(article.body.contains("First paragraph of a broken page"))
        #expect(article.body.contains("Second bold and italic text with misnested tags"))
        #expect(article.body.contains("Third paragraph after a table"))
    }

    @Test func deepNestingDoesNotOverflowTheStack() throws {
        let depth = 20000
        let html = "<html><body>" + String(repeating: "<div>", count: depth)
            + "<p>Deep down, a paragraph of text that is long enough to count as an article.</p>"
            + String(repeating: "</div>", count: depth) + "</body></html>"
        let article = try Normalizer().normalize(Array(html.utf8))
        #expect(article.body.contains("Deep down"))
    }

    @Test func garbageAfterAMarkupStartDoesNotCrash() {
        var bytes = Array("<html><body>".utf8)
        var state: UInt32 = 12345
        for _ in 0 ..< 50000 {
            state = state &* 1_103_515_245 &+ 12345
            let byte = UInt8(truncatingIfNeeded: state >> 16)
            bytes.append(byte < 0x20 ? 0x3C : byte)
        }
        _ = try? Normalizer().normalize(bytes)
    }

    @Test func entitiesAreNotExpandedFromOutside() throws {
        let html = """
            <!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <html><body><p>Text with an entity &xxe; that must stay unresolved, and some more words.</p></body></html>
            """
        let article = try Normalizer().normalize(Array(html.utf8))
        #expect(!article.body.contains("root:"))
    }

    @Test func xhtmlIsParsedLeniently() throws {
        let html = """
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de"><head><title>T</title></head>
            <body><p>Ein Absatz&nbsp;mit Entität und <br/> Zeilenumbruch, lang genug für einen Artikel.</p></body></html>
            """
        let article = try Normalizer().normalize(Array(html.utf8))
        #expect(article.format == .xhtml)
        #expect(article.language == "de")
        #expect(article.body.contains("Ein Absatz mit Entität"))
    }
}

struct ClassHintsTests {
    private func hints(_ value: String) -> ClassHints {
        ClassHints.of(Array(value.utf8)[...])
    }

    @Test func recognisesBoilerplateWords() {
        #expect(hints("site-footer").contains(.pageFrame))
        #expect(hints("share-buttons").contains(.share))
        #expect(hints("comments-area").contains(.comments))
        #expect(hints("top-ad-slot").contains(.advertising))
        #expect(hints("entry-content").contains(.articleBody))
        #expect(hints("sr-only").contains(.hidden))
    }

    @Test func ignoresWordsThatOnlyLookAlike() {
        #expect(!hints("post-76e426d9-56de-40ad-9504").contains(.advertising))
        #expect(!hints("header").contains(.advertising))
        #expect(!hints("o-section--has-ads").contains(.advertising))
        #expect(!hints("field-label-hidden").contains(.hidden))
        #expect(!hints("tag-share-the-love category-related").contains(.share))
        #expect(!hints("box article modal-enabled").contains(.overlay))
        #expect(!hints("iz-pagebody--wsidebar").contains(.sidebar))
    }

    @Test func dateLines() {
        #expect(LineRules.isBoilerplateLine("31. Mai 2021"))
        #expect(LineRules.isBoilerplateLine("Updated: 03.05.2021, 14:02"))
        #expect(LineRules.isBoilerplateLine("Share"))
        #expect(!LineRules.isBoilerplateLine("2021"))
        #expect(!LineRules.isBoilerplateLine("200 g Zucker"))
        #expect(!LineRules.isBoilerplateLine("The bridge opened on 3 May."))
    }
}
