import Foundation
import Testing

@testable import CopydeskCore

/// The publication day of hand-written pages: where a page declares or shows it, which source wins,
/// and the notations dates are written in. None comes from a corpus.
struct PageDateTests {
    private func published(_ html: String) throws -> String? {
        try Normalizer().normalize(Array(html.utf8)).published
    }

    /// A page with `head` in its `<head>`, `site` in the site's header, and `top` before the
    /// headline, `below` after it.
    private func page(
        head: String = "", site: String = "", top: String = "", below: String = "", lang: String = "en"
    ) -> String {
        """
        <html lang="\(lang)"><head><title>Harbour bridge reopens</title>\(head)</head><body>
        <header class="site"><a href="/">The Coastal Courier</a>\(site)</header>
        <main><article>\(top)<h1>Harbour bridge reopens</h1>\(below)
        <p>The harbour bridge reopened on Friday after a year of repairs, the city said, and the first buses \
        crossed it in the morning.</p><p>Engineers replaced the deck and the cables; the next inspection is \
        due in five years.</p></article></main></body></html>
        """
    }

    // MARK: Declared dates

    /// The first declared value that is a date wins; one that is not (a bare year, a month) gives way.
    @Test func theFirstDeclaredValueThatIsADateWins() throws {
        let head = """
            <meta name="citation_publication_date" content="2017/01">
            <meta name="dc.date" content="2017-01-30">
            """
        #expect(try published(page(head: head)) == "2017-01-30")
    }

    /// Names of publication dates beyond Open Graph's: Dublin Core, citation, `og:article:`.
    @Test func moreMetaNamesOfThePublicationDay() throws {
        #expect(try published(page(head: #"<meta property="og:article:published_time" content="2023-11-06">"#))
            == "2023-11-06")
        #expect(try published(page(head: #"<meta name="DC.date.created" content="2021-03-05">"#)) == "2021-03-05")
        #expect(try published(page(head: #"<meta name="citation_online_date" content="2017/01/30">"#))
            == "2017-01-30")
    }

    /// A modification time is not the publication's.
    @Test func aModificationTimeIsNotThePublication() throws {
        let head = """
            <meta property="article:modified_time" content="2022-01-12T14:27:30+00:00">
            <meta property="og:updated_time" content="2022-01-12T14:27:30+00:00">
            """
        #expect(try published(page(head: head)) == nil)
    }

    /// Compact ISO 8601 (`20191018`, `20200413T16:38:07Z`).
    @Test func compactISODates() throws {
        #expect(PageDates.normalize("20191018") == "2019-10-18")
        #expect(PageDates.normalize("20200413T16:38:07Z") == "2020-04-13T16:38:07Z")
        #expect(PageDates.normalize("12345678") == nil)
        #expect(PageDates.normalize("1571428800") == nil)
        #expect(try published(page(head: #"<meta property="bt:pubDate" content="20200413T16:38:07Z">"#))
            == "2020-04-13T16:38:07Z")
    }

    /// A `datePublished` in JSON-LD that is not an article's (a `WebPage` of a publishing plugin's
    /// graph) dates the page when nothing better does; an article's wins over it.
    @Test func linkedDataOfAnyTypeDatesThePage() throws {
        let webPage = """
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage",
            "name":"Harbour bridge reopens","datePublished":"2019-09-17T14:54:31+02:00",
            "dateModified":"2019-09-18T10:00:00+02:00"}]}</script>
            """
        #expect(try published(page(head: webPage)) == "2019-09-17T14:54:31+02:00")
        let both = webPage + """
            <script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour bridge reopens",
            "datePublished":"2019-09-16T08:00:00+02:00"}</script>
            """
        #expect(try published(page(head: both)) == "2019-09-16T08:00:00+02:00")
    }

    // MARK: Notations

    @Test func datesWrittenInWords() {
        let cases: [(String, String)] = [
            ("18. Oktober 2019", "2019-10-18"), ("Posted on March 5th, 2021 by Ana", "2021-03-05"),
            ("5 de marzo de 2021", "2021-03-05"), ("1er mars 2021", "2021-03-01"), ("12 settembre 2020", "2020-09-12"),
            ("3 maart 2022", "2022-03-03"), ("Jan. 5, 2021", "2021-01-05"), ("Di, 21. April 2020 - 16:40", "2020-04-21"),
            ("duminică, 20 septembrie 2020", "2020-09-20"), ("Samstag, 19. Juli 2014", "2014-07-19"),
            ("3 de maio de 2020", "2020-05-03"), ("Mittwoch, 3. Jänner 2018", "2018-01-03"),
        ]
        for (text, day) in cases { #expect(DateText.first(in: text)?.day == day, "\(text)") }
    }

    @Test func numericDates() {
        #expect(DateText.first(in: "19.10.2019, 15:07 Uhr")?.day == "2019-10-19")
        #expect(DateText.first(in: "Stand: 2020-04-20, 14:57 Uhr")?.day == "2020-04-20")
        #expect(DateText.first(in: "10.12.19")?.day == "2019-12-10")
        #expect(DateText.first(in: "2012年6月4日")?.day == "2012-06-04")
        // Slashes: day first, unless the page writes the month first; a number over 12 decides.
        #expect(DateText.first(in: "3/5/2022 22:41")?.day == "2022-05-03")
        #expect(DateText.first(in: "3/5/2022 22:41", monthFirst: true)?.day == "2022-03-05")
        #expect(DateText.first(in: "17/02/2022")?.day == "2022-02-17")
        #expect(DateText.first(in: "06/13/2019")?.day == "2019-06-13")
        #expect(PageDates.writesMonthFirst("en-US"))
        #expect(!PageDates.writesMonthFirst("en-GB"))
        #expect(!PageDates.writesMonthFirst("de"))
    }

    @Test func numbersThatAreNotDates() {
        for text in [
            "Seite 3 von 12", "Version 1.2.3", "Python 3.6.0", "192.168.10.12", "31.02.2020", "Tel. 12.34.56",
            "12 May", "May 2020", "In 12 Jahren bis Mai 2020", "1.500 Euro", "Art. 5 (2) 2019", "Sale: 25 marketing 2021",
            "19.1.23",
        ] {
            #expect(DateText.first(in: text) == nil, "\(text)")
        }
    }

    @Test func whatTheWordsBeforeADateCallIt() {
        #expect(DateText.first(in: "Veröffentlicht am 19.10.2019")?.cue == .published)
        #expect(DateText.first(in: "Aktualisiert: 20.10.2019")?.cue == .updated)
        #expect(DateText.all(in: "Published 5 March 2021, updated 6 March 2021").map(\.cue) == [.published, .updated])
        #expect(DateText.first(in: "Stand: 12.11.2021")?.cue == DateText.Cue.none)
    }
}

// MARK: Dates shown next to the headline

extension PageDateTests {
    /// A page that declares no date is dated by the line under (or over) its headline.
    @Test func aDateLineNextToTheHeadline() throws {
        #expect(try published(page(below: #"<p class="meta">Von Ana Ruiz · 5. März 2021, 14:10 Uhr</p>"#))
            == "2021-03-05")
        #expect(try published(page(top: "<span>Pressemitteilung vom 25.01.2022 | Berlin</span>")) == "2022-01-25")
        #expect(try published(page(below: "<div>Posted on <a href=\"/2020/09/\">September 21, 2020</a></div>"))
            == "2020-09-21")
        #expect(try published(page()) == nil)
    }

    /// A dateline opening a paragraph counts; a date inside prose does not.
    @Test func aDatelineButNotADateInProse() throws {
        let dateline = """
            <p>Hamburg, 2. November 2021 – The harbour bridge reopened on Friday after a year of repairs, the city \
            said, and the first buses crossed it in the morning before the rush hour began.</p>
            """
        #expect(try published(page(below: dateline)) == "2021-11-02")
        let prose = """
            <p>The new rules, the city said on Friday, apply from the 13. Januar 2022 to every bridge of the port \
            and to the ferries that cross the harbour, whatever their size and their owner.</p>
            """
        #expect(try published(page(below: prose)) == nil)
    }

    /// Not the date of a comment, of a period ("gültig bis"), of the site's header (today's date),
    /// of navigation or of an embedded post.
    @Test func datesThatAreNotThePublication() throws {
        #expect(try published(page(below: #"<div class="comment-meta"><span>3. Januar 2020</span></div>"#)) == nil)
        #expect(try published(page(below: "<p>Angebot gültig bis 31.12.2018</p>")) == nil)
        #expect(try published(page(site: "<span>Dienstag, 8. Dezember 2020</span>")) == nil)
        #expect(try published(page(below: #"<ul class="menu"><li><a href="/x">12. Mai 2012</a></li></ul>"#)) == nil)
        #expect(try published(page(below: "<blockquote><p>Hello</p>&mdash; Ana (@ana) <a>September 27, 2020</a></blockquote>"))
            == nil)
    }

    /// A published date beats an updated one; the hAtom marker `class="entry-date updated"` is a
    /// post's publication date.
    @Test func thePublishedDateBeatsTheUpdatedOne() throws {
        let both = """
            <div class="meta"><span>Aktualisiert am 20.10.2019</span> <span>Veröffentlicht am 19.10.2019</span></div>
            """
        #expect(try published(page(below: both)) == "2019-10-19")
        let modified = """
            <div class="meta"><time class="entry-date published">10. Februar 2019</time>\
            <time class="updated">9. Februar 2019</time></div>
            """
        #expect(try published(page(top: modified)) == "2019-02-10")
        #expect(try published(page(below: #"<span class="entry-date updated">3. Mai 2022</span>"#)) == "2022-05-03")
    }

    /// A UTC timestamp whose day the page shows as the next (or previous) one is the day shown.
    @Test func aUTCTimestampIsDatedAsThePageShowsIt() throws {
        let head = #"<meta property="article:published_time" content="2019-10-18T22:04:00Z">"#
        #expect(try published(page(head: head, below: "<p>19. Oktober 2019, 00:04 Uhr</p>")) == "2019-10-19")
        // An earlier day further off is another date (an event's), not the same moment.
        #expect(try published(page(head: head, below: "<p>15. Oktober 2019</p>")) == "2019-10-18T22:04:00Z")
        #expect(try published(page(head: head)) == "2019-10-18T22:04:00Z")
    }

    /// The same moment declared twice, in UTC and with the page's own offset: the latter's day.
    @Test func theDeclaredTimeWithThePagesOwnOffsetWins() throws {
        let head = """
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2022-05-04T03:37:37Z"}</script>
            """
        let time = #"<time class="entry-date" datetime="2022-05-03T23:37:37-04:00"></time>"#
        #expect(try published(page(head: head, below: time)) == "2022-05-03T23:37:37-04:00")
        #expect(PageDates.localVariant(of: "2022-05-04T03:37:37Z", among: ["2022-05-04T05:37:37+02:00"])
            == "2022-05-04T05:37:37+02:00")
        #expect(PageDates.localVariant(of: "2022-05-04T03:37:37Z", among: ["2022-05-03T09:00:00-04:00"])
            == "2022-05-04T03:37:37Z")
    }

    /// Of several `<h1>`s (a logo, a navigation label) the one the title names is the headline; a
    /// page without `<h1>` has its headline in an `<h2>`.
    @Test func theHeadlineIsTheHeadingTheTitleNames() throws {
        let logo = """
            <html><head><title>Harbour bridge reopens | Courier</title></head><body>
            <header><h1>Courier</h1><p>The harbour city's paper since 1901, with news and sport.</p></header>
            <div>\(String(repeating: "<p>Navigation and other boxes of the page, many of them here.</p>", count: 30))</div>
            <article><h1>Harbour bridge reopens</h1><p class="meta">5. März 2021</p>
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p></article>
            </body></html>
            """
        #expect(try published(logo) == "2021-03-05")
        let noH1 = """
            <html><head><title>Harbour bridge reopens</title></head><body>
            <div class="post"><h2>Harbour bridge reopens</h2><div>Posted March 5, 2021</div>
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p></div>
            </body></html>
            """
        #expect(try published(noH1) == "2021-03-05")
        #expect(PageDates.folded(" Mes\u{AD}sen\u{AD}ger\u{AD}dienste \n sind  ") == "messengerdienste sind")
    }

    /// A dateline opens a paragraph however long; a member's registration day is not a publication.
    @Test func aLongParagraphOpenedByADateline() throws {
        let sentence = "The harbour bridge reopened on Friday after a year of repairs, the city said. "
        let long = "<p>Karlsruhe, (12.11.2021). " + String(repeating: sentence, count: 5) + "</p>"
        #expect(try published(page(below: long)) == "2021-11-12")
        #expect(try published(page(below: "<div>Beiträge: 1626<br>Registriert: 18.09.2008, 05:56</div>")) == nil)
    }

    /// A page shown as of a later day than its metadata's publication (published again, the
    /// metadata keeping the first draft's date) is dated as shown, by the declared time of that day
    /// when there is one; an earlier day shown (an event's, an older story's) does not move it.
    @Test func aLaterDayShownBeatsTheMetadata() throws {
        let head = #"<meta property="article:published_time" content="2021-11-22T18:42:22+01:00">"#
        #expect(try published(page(head: head, below: #"<p class="meta">1. Januar 2023</p>"#)) == "2023-01-01")
        #expect(try published(page(head: head, below: #"<p class="meta">5. Mai 2019</p>"#))
            == "2021-11-22T18:42:22+01:00")
        let both = head + #"<meta name="date" content="2022-02-04T15:33:00+01:00">"#
        #expect(try published(page(head: both, below: "<p>4. Februar 2022</p>")) == "2022-02-04T15:33:00+01:00")
    }

    /// A date opening a long paragraph is a dateline after a place or a label, not after prose;
    /// an appointment's date ("Termin:") is not a publication's.
    @Test func datelinesAndAppointments() throws {
        let sentence = " the harbour bridge reopened on Friday after a year of repairs, the city said."
        let prose = "<p>Wir suchen zum 1. April 2016" + String(repeating: sentence, count: 3) + "</p>"
        #expect(try published(page(below: prose)) == nil)
        let label = "<p>Pressemitteilung vom 25. Januar 2022 |" + String(repeating: sentence, count: 3) + "</p>"
        #expect(try published(page(below: label)) == "2022-01-25")
        #expect(try published(page(below: "<p>Termin: 21.02.2020, 19 Uhr</p>")) == nil)
        #expect(PageDates.isDateline("BERLIN (dpa) – ".unicodeScalars[...]))
        #expect(!PageDates.isDateline("Der nächste Stammtisch findet am ".unicodeScalars[...]))
    }

    /// Further down the article, a date counts only when its words call it the publication's.
    @Test func aPublicationDateFurtherDown() throws {
        let filler = String(repeating: "<p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p>", count: 20)
        #expect(try published(page(below: filler + "<p>Erschienen am: 01.11.2023</p>")) == "2023-11-01")
        #expect(try published(page(below: filler + "<p>Die Sitzung vom 01.11.2023</p>")) == nil)
    }

    /// A headline is found by the title's words even when quotes and spaces differ.
    @Test func theHeadlineIsFoundByTheTitlesWords() throws {
        let html = """
            <html><head><title>« Les privatisations profitent aux multinationales » - Attac</title></head><body>
            <h1>Attac France</h1>\(String(repeating: "<p>Menu entries and the site's slogan, again and again.</p>", count: 25))
            <h1>«&nbsp;Les privatisations profitent aux multinationales&nbsp;»</h1><div>jeudi 13 juin 2019</div>
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p></body></html>
            """
        #expect(try published(html) == "2019-06-13")
    }

    /// Months in Russian, Ukrainian, Polish, Czech and Turkish too.
    @Test func monthsInMoreLanguages() {
        #expect(DateText.first(in: "15 августа 2016, 13:43")?.day == "2016-08-15")
        #expect(DateText.first(in: "3 травня 2021")?.day == "2021-05-03")
        #expect(DateText.first(in: "12 października 2020")?.day == "2020-10-12")
        #expect(DateText.first(in: "5. března 2019")?.day == "2019-03-05")
        #expect(DateText.first(in: "7 Ağustos 2018")?.day == "2018-08-07")
    }

    /// The date shown by the headline beats the first `<time>` of the page elsewhere (a sidebar's);
    /// a date the page calls the publication's beats a declared time of another day.
    @Test func theShownDateBeatsATimeElsewhereAndAPublishedCueWins() throws {
        let sidebar = #"<aside><time datetime="2019-07-30">30 juil. 2019</time></aside>"#
        #expect(try published(page(top: sidebar, below: "<ul><li>27 juin 2019</li></ul>")) == "2019-06-27")
        let head = #"<meta property="article:published_time" content="2019-07-03T10:18:46Z">"#
        #expect(try published(page(head: head, below: "<p>Publié le 29 juin 2019</p>")) == "2019-06-29")
    }

    /// Addresses: `YYYYMMDD` alone in the page's address; the day in its picture's address as a
    /// last resort.
    @Test func daysInAddresses() throws {
        #expect(HTMLMetadata.dateInURL("https://a.example/texte/22/20220127-we-remember.html") == "2022-01-27")
        #expect(HTMLMetadata.dateInURL("https://a.example/images/20201007120909561.jpg") == nil)
        #expect(HTMLMetadata.dateInURL("https://a.example/story/nid03052022/") == nil)
        let picture = #"<meta property="og:image" content="https://a.example/files/2016/05/04/report.png">"#
        #expect(try published(page(head: picture)) == "2016-05-04")
    }

    /// Without a heading the title names, an `<h3>` or an element of a title class it names is the
    /// headline.
    @Test func aTitleClassOrH3Headline() throws {
        let html = """
            <html><head><title>Rain returns to the valley</title></head><body>
            <div class="h-title">Rain returns to the valley</div><div class="h-info"><span>2020-02-19 20:29:58</span></div>
            <p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p></body></html>
            """
        #expect(try published(html) == "2020-02-19")
    }

    /// A page that shows no other date is dated by its last update ("Aktualisiert am").
    @Test func theUpdateDateIsTheLastResort() throws {
        let filler = String(repeating: "<p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p>", count: 20)
        #expect(try published(page(below: filler + "<p><b>Aktualisiert am </b>17.01.2021.</p>")) == "2021-01-17")
    }

    /// Further down, a byline's date ("Von Christian am 03.05.2013") counts too.
    @Test func aBylinesDateFurtherDown() throws {
        let filler = String(repeating: "<p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p>", count: 20)
        #expect(try published(page(below: filler + "<div>Von Christian am 03.05.2013, 11:51 | 0 Meinungen</div>"))
            == "2013-05-03")
    }

    /// The date by the headline counts though a sidebar's list further away shows others in
    /// elements of the same tag; a toolbar is no menu, a menu's dates are none.
    @Test func aListFarAwayOrAToolbar() throws {
        let sidebar = "<div class=\"widget\"><ul>" + (1...3).map { "<li><a href=\"/x\">\($0). Januar 2022</a></li>" }.joined()
            + "</ul></div>"
        let filler = String(repeating: "<p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p>", count: 6)
        #expect(try published(page(below: "<div class=\"meta\"><a href=\"/x\">2. Februar 2022</a></div>" + filler + sidebar))
            == "2022-02-02")
        #expect(try published(page(below: "<div class=\"story__toolbar\"><span>02 Novembre 2023</span></div>")) == "2023-11-02")
        #expect(try published(page(below: "<ul class=\"sub-menu\"><li><span>02.11.2023</span></li></ul>")) == nil)
    }

    /// Lower-case words before a date opening a long line make it prose unless they introduce a
    /// date ("am", "vom", "le"); "Editiert am" is an update.
    @Test func proseBeforeADateAndEdits() throws {
        let sentence = " the harbour bridge reopened on Friday after a year of repairs, the city said."
        let prose = "<p>Mit der am 15. Januar 2022 in Kraft getretenen Verordnung" + String(repeating: sentence, count: 3)
            + "</p><p class=\"meta\">26. Januar 2022</p>"
        #expect(try published(page(below: prose)) == "2022-01-26")
        #expect(!PageDates.isDateline("Mit der am ".unicodeScalars[...]))
        #expect(PageDates.isDateline("Pressemitteilung vom ".unicodeScalars[...]))
        #expect(DateText.first(in: "Editiert am 19. Oktober 2019")?.cue == .updated)
    }

    /// A label split over elements ("Gespeichert von" + a name + "am ...") is read whole.
    @Test func aLabelSplitOverElements() throws {
        let filler = String(repeating: "<p>The harbour bridge reopened on Friday after a year of repairs, the city said.</p>", count: 20)
        let line = #"<div class="submitted">Gespeichert von <span class="username">rasos</span> am 24. Juli 2017 - 18:55</div>"#
        #expect(try published(page(below: filler + line)) == "2017-07-24")
    }

    /// The hAtom way: a date in the `title` of an `<abbr>` or of an element of a date class; not a
    /// member's join date.
    @Test func datesInTitleAttributes() throws {
        #expect(try published(page(top: #"<abbr class="published" title="2012-12-16T19:05:00">Sonntag</abbr>"#))
            == "2012-12-16T19:05:00")
        #expect(try published(page(top: #"<span class="updated" title="2013-04-04T18:52:11+02:00"></span>"#))
            == "2013-04-04T18:52:11+02:00")
        #expect(try published(page(top: #"<span class="joinDateText" title="10:46 AM - 20 Mar 2007">Joined</span>"#))
            == nil)
    }
}
