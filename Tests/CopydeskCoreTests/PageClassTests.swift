import Testing

@testable import CopydeskCore

/// Classes of pages the extraction rules were not taught by the dev set: one small hand-written
/// page per class (none comes from a corpus).
struct PageClassTests {
    private func body(_ html: String) throws -> String {
        try Normalizer().normalize(Array(html.utf8)).body
    }

    private func rejection(_ html: String) -> CopydeskError? {
        do throws(CopydeskError) {
            _ = try Normalizer().normalize(Array(html.utf8))
            return nil
        } catch {
            return error
        }
    }

    private static let prose = """
        <p>The regional council voted on Tuesday to extend the night bus network to the three villages north \
        of the river, ending a decade of campaigning by residents who had no way home after the last train.</p>
        <p>Buses will run every forty minutes between midnight and five in the morning from the first of March, \
        and the council expects about two hundred passengers a night once the service is known.</p>
        <p>The operator will hire twelve more drivers and lease four electric buses, which the council pays for \
        from the fuel levy it raised last spring, a spokeswoman said after the vote.</p>
        """

    /// Another story's running text, long enough to pass for an article of its own.
    private static let otherStory = """
        <p>The harbour authority plans a new ferry pier for the summer season and asks residents for their \
        views on the design, the timetable and the fares before the council decides in May of next year.</p>
        <p>Two designs are on show in the town hall until Friday: a floating pontoon that rises and falls with \
        the tide, and a fixed stone pier with steps, which the fishermen's association prefers to the pontoon.</p>
        <p>Whichever design wins, the work is to start in autumn and finish before the next summer season, \
        when the ferries return from their winter moorings on the other side of the bay.</p>
        """

    // MARK: - 1. A layout wrapper whose class names an off-canvas menu or panel

    /// A mega menu outside the wrapper, with a line about each section: enough text to be taken for
    /// the page's content when the wrapper is dropped.
    private static let megaMenu = """
        <div class="mega"><div class="col"><a href="/travel">Travel</a><p>Guides to the towns and valleys of \
        the region, with maps, timetables and walks for every season.</p></div>
        <div class="col"><a href="/food">Food</a><p>Markets, bakeries and the restaurants our readers \
        recommend, from the coast to the mountain huts above the lakes.</p></div>
        <div class="col"><a href="/homes">Homes</a><p>Houses for sale and to let, gardens worth a visit, and \
        the craftsmen who restore old farmhouses across the whole district.</p></div></div>
        """

    @Test(arguments: [
        "off-canvas-wrapper", "offcanvas-content", "site-panel", "drawer-container", "menu-push-wrapper",
        "overlay-wrap",
    ])
    func aWrapperAroundThePageIsNotBoilerplateForItsClass(wrapperClass: String) throws {
        let text = try body("""
            <html><body>\(Self.megaMenu)
            <div class="\(wrapperClass)"><div class="inner"><div class="logo"><a href="/">The Valley Post</a></div>
            <div class="container"><h1>Night buses for the northern villages</h1>\(Self.prose)</div>
            <div class="bottom"><a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a></div></div></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("Guides to the towns"))
    }

    @Test func aSlideOutPageBesideItsMenuIsTheArticle() throws {
        let items = ["Travel", "Food", "Homes", "Sport", "Weather"].map { "<li><a href=\"/\($0)\">\($0)</a></li>" }
        let text = try body("""
            <html><body><nav id="menu" class="mm-menu mm-offcanvas"><ul>\(items.joined())</ul></nav>
            <div id="mm-0" class="mm-page mm-slideout"><div class="logo"><a href="/">The Valley Post</a></div>
            <div class="container"><h1>Night buses for the northern villages</h1>\(Self.prose)</div></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Weather"))
    }

    @Test func anOffCanvasMenuBesideTheWrapperIsStillDropped() throws {
        let text = try body("""
            <html><body><div class="off-canvas position-left"><p>Guides to the towns and valleys of the region, \
            with maps, timetables and walks for every season, and the restaurants our readers recommend.</p></div>
            <div class="off-canvas-content"><h1>Night buses</h1>\(Self.prose)</div></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Guides to the towns"))
    }

    @Test func aConsentDialogHoldingMostOfThePageIsStillDropped() throws {
        let policy = String(
            repeating: "<p>We and our partners store and access information on your device, such as cookies, "
                + "and process personal data for personalised ads and content measurement.</p>", count: 12)
        let text = try body("""
            <html><body><div class="content"><h1>Night buses</h1><article>\(Self.prose)</article></div>
            <div class="consent-overlay-wrapper">\(policy)</div></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("our partners store"))
    }
    // MARK: - 2. Hidden content

    @Test func whatTheMarkupHidesIsNotRead() throws {
        // Hidden blocks with as much running text as an article: not a tooltip, a copy.
        let hidden = [
            "<div style=\"display: none\">", "<div style=\"DISPLAY:NONE !important\">", "<div hidden>",
            "<section aria-hidden=\"true\">", "<div style=\"visibility: hidden\">",
        ]
        for opening in hidden {
            let closing = opening.hasPrefix("<section") ? "</section>" : "</div>"
            let text = try body("""
                <html><body><article><h1>Night buses</h1>\(Self.prose)\(Self.prose)
                \(opening)\(Self.otherStory)\(Self.otherStory)\(closing)</article></body></html>
                """)
            #expect(text.contains("fuel levy"), "\(opening)")
            #expect(!text.contains("ferry pier"), "\(opening)")
        }
    }

    @Test func thePagesOfAnArticleShownOneAtATimeAreRead() throws {
        // A gallery of numbered items: one shown, the others hidden until the reader clicks on.
        let pages = (1 ... 4).map { number in
            let hidden = number == 1 ? "class=\"item\"" : "class=\"item hidden\" style=\"display: none\""
            return """
                <div \(hidden)><h2>\(number). Stop number \(number)</h2><p>The night bus stops at stop number \(number) \
                every forty minutes, with a shelter, a timetable board and a light that stays on until the last bus.</p></div>
                """
        }
        let text = try body("""
            <html><body><article><h1>Every stop of the night bus</h1>\(pages.joined())</article></body></html>
            """)
        #expect(text.contains("stop number 1 every"))
        #expect(text.contains("stop number 4 every"))
    }

    @Test func templatesAndNoscriptCopiesAreNotRead() throws {
        let text = try body("""
            <html><body><article><h1>Night buses</h1>\(Self.prose)\(Self.prose)
            <template><div class="card">\(Self.otherStory)</div></template>
            <noscript><p>Please enable JavaScript to see the comments, the map of the new routes and the \
            timetable of every line in the district.</p></noscript></article></body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("ferry pier"))
        #expect(!text.contains("enable JavaScript"))
    }

    @Test func theArticleInTheNoscriptOfAScriptRenderedPageIsRead() throws {
        let text = try body("""
            <html><body><div class="topbar"><p>The Valley Post is a newspaper for the towns and villages of the \
            upper valley, published every morning since 1921 by a cooperative of its readers.</p></div>
            <div id="app"></div><noscript><h1>Night buses</h1>\(Self.prose)</noscript>
            <div class="about"><p>Our newsroom is in the old mill by the river; readers are welcome to visit on \
            weekdays between nine and five, and to bring their letters, photographs and complaints.</p></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(text.contains("fuel levy"))
    }

    @Test func anArticleThePageShowsOnceLoadedIsRead() throws {
        let hiddenArticle = try body("""
            <html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
            <div class="lazy-article" style="display:none"><h1>Night buses</h1>\(Self.prose)</div>
            <div class="box"><p>Newsletter: the week in the valley, every Friday morning in your inbox.</p></div>
            </body></html>
            """)
        #expect(hiddenArticle.contains("night bus network"))
        let hiddenPage = try body("""
            <html><body><div id="page" aria-hidden="true" style="visibility: hidden"><h1>Night buses</h1>\(Self.prose)
            </div></body></html>
            """)
        #expect(hiddenPage.contains("fuel levy"))
    }

    // MARK: - 4. Formulas

    @Test func formulasAreReadInTheirParagraphAndTheHeadingsBetweenThemKept() throws {
        let text = try body("""
            <html><body><article><h1>Why buses bunch</h1>
            <p>Buses that leave a stop a headway <math alttext="h"><mi>h</mi></math> apart drift together: the \
            second bus picks up fewer passengers, so its dwell time shrinks and it gains on the first one every stop.</p>
            <h2>The dwell time</h2>
            <p><math display="block" alttext="{\\displaystyle t_{d}=\\beta \\lambda h}"><semantics><mrow>\
            <msub><mi>t</mi><mi>d</mi></msub><mo>=</mo><mi>β</mi><mi>λ</mi><mi>h</mi></mrow></semantics></math></p>
            <h3>Passengers waiting</h3>
            <p><math display="block"><semantics><mrow><mi>n</mi><mo>=</mo><mi>λ</mi><mi>h</mi></mrow>\
            <annotation encoding="application/x-tex">n = \\lambda h</annotation></semantics></math></p>
            <h3>Headway</h3>
            <p><math display="block"><mi>h</mi><mo>≥</mo><mn>8</mn></math></p>
            <p>Where the operator holds buses at the timing points, the headways stay even and nobody waits twice \
            as long as the timetable promises, which is what the council asked for in its bus plan.</p>
            </article></body></html>
            """)
        #expect(text.contains("a headway h apart drift together"))
        #expect(text.contains("t_{d}=\\beta \\lambda h"))
        #expect(!text.contains("displaystyle"))
        #expect(text.contains("n = \\lambda h"))
        #expect(text.contains("h ≥ 8"))
        #expect(text.contains("The dwell time"))
        #expect(text.contains("Passengers waiting"))
        #expect(text.contains("Headway"))
    }

    @Test func aFormulaHiddenBesideItsPictureIsRead() throws {
        // The formula's MathML for screen readers, hidden beside the picture sighted readers see.
        let text = try body("""
            <html><body><article><h1>Why buses bunch</h1>\(Self.prose)
            <h2 id="dwell-time"><span class="mw-headline" id="Details">Details</span></h2>
            <p>The dwell time grows with the headway: <span class="math-element"><span class="math-mathml" \
            style="display: none;"><math alttext="{\\displaystyle t_{d}=\\beta h}"><mi>t</mi></math></span>\
            <img class="math-fallback-image" aria-hidden="true" alt="t_d = beta h" src="/f.svg"></span>, so a late \
            bus gets later at every stop it serves until the one behind it catches up.</p></article></body></html>
            """)
        #expect(text.contains("grows with the headway: t_{d}=\\beta h, so a late bus"))
        #expect(text.contains("Details"))
    }

    // MARK: - 3. Galleries and other stories' teasers after the article

    private static func teaserCard(_ number: Int) -> String {
        """
        <div class="card"><a href="/story-\(number)"><img src="/pic-\(number).jpg" alt=""></a>
        <h3><a href="/story-\(number)">Ferry timetable number \(number) is out for the summer</a></h3>
        <p>The harbour authority has published the timetable, with earlier crossings on weekdays and a late \
        boat on Saturdays for the theatre crowd.</p><span class="when">2 hours ago</span></div>
        """
    }

    @Test func aStreamOfTeasersAfterTheArticleIsLeftOut() throws {
        let cards = (1 ... 6).map(Self.teaserCard).joined()
        let text = try body("""
            <html><body><div class="page"><div class="col"><h1>Night buses</h1>\(Self.prose)
            <div class="stream"><h2>You may have missed</h2>\(cards)</div></div></div></body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("theatre crowd"))
        #expect(!text.contains("Ferry timetable"))
    }

    @Test func aTeaserListBesideTheArticleDoesNotJoinIt() throws {
        let items = (1 ... 5).map { number in
            """
            <li><h4><a href="/story-\(number)">Ferry timetable number \(number) is out</a></h4><p>The harbour \
            authority has published the timetable, with earlier crossings on weekdays, a late boat on Saturdays \
            and cheaper tickets for families, commuters and the theatre crowd.</p></li>
            """
        }
        let text = try body("""
            <html><body><div class="wrap"><div class="text"><h1>Night buses</h1>\(Self.prose)</div>
            <ul class="grid">\(items.joined())</ul></div></body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("theatre crowd"))
    }

    @Test func aSingleTeaserInsideTheArticleIsLeftOut() throws {
        let text = try body("""
            <html><body><article><h1>Night buses</h1>\(Self.prose)
            <div class="box"><h3><a href="/ferry">Ferry timetable is out for the summer</a></h3>
            <div>The harbour authority has published the timetable, with earlier crossings and a late boat for the \
            theatre crowd. <a href="/ferry">Read more</a></div></div>
            <p>Residents asked for a bus shelter at every stop, and the council agreed to build six of them before \
            the winter, with lights and a timetable board that shows when the next bus is due.</p></article></body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(text.contains("bus shelter"))
        #expect(!text.contains("theatre crowd"))
    }

    @Test func aGalleryWithCaptionsIsLeftOut() throws {
        let slides = (1 ... 5).map { number in
            """
            <div class="slide"><img src="/bus-\(number).jpg" alt=""><p>Picture \(number) of 5: the new night bus \
            at the stop by the village church, shortly before midnight, with the first passengers waiting.</p></div>
            """
        }
        let text = try body("""
            <html><body><article><h1>Night buses</h1>\(Self.prose)
            <div class="photo-gallery">\(slides.joined())</div></article></body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("first passengers waiting"))
    }

    @Test func aRoundUpOfLinkedStoriesIsTheArticle() throws {
        // When the teasers are most of the text they are the article: a reading list, a link post.
        let items = (1 ... 5).map { number in
            """
            <li><h3><a href="https://elsewhere.example/\(number)">Reading number \(number) on rural transport</a></h3>
            <p>A study of night buses in small villages, with the fares, the passenger counts and what the \
            drivers say about the late shifts, read by our transport desk this week.</p></li>
            """
        }
        let text = try body("""
            <html><body><article><h1>Five reads on night buses</h1><p>What we read this week.</p>
            <ul>\(items.joined())</ul></article></body></html>
            """)
        #expect(text.contains("what the drivers say"))
    }
    // MARK: - 5. Section fronts

    private static let siteHeader = """
        <header class="site-header"><a href="/">The Valley Post</a><nav><a href="/politics">Politics</a> \
        <a href="/sport">Sport</a> <a href="/culture">Culture</a></nav></header>
        """
    private static let siteFooter = """
        <footer><p>The Valley Post, Mill Street 4, published by a cooperative of its readers.</p>\
        <a href="/imprint">Imprint</a></footer>
        """

    /// A teaser as section fronts and story streams print them: picture, kicker, linked headline,
    /// a line of summary, a date.
    private static func frontTeaser(_ number: Int, linkedPicture: Bool = true) -> String {
        let picture = linkedPicture
            ? "<a href=\"/politics/story-\(number)\"><img src=\"/img/\(number).jpg\" alt=\"\"></a>"
            : "<img src=\"/img/\(number).jpg\" alt=\"\">"
        return """
            <article class="teaser"><div class="media">\(picture)</div><span class="kicker">Council</span>
            <h2 class="title"><a href="/politics/story-\(number)">The council votes on plan \(number) for the \
            northern villages</a></h2><p>Residents had asked for the change for years; the vote on Tuesday was \
            closer than expected, and the opposition wants a recount.</p><time>May \(number % 28 + 1)</time></article>
            """
    }

    @Test func aSectionFrontIsRejectedAsNotAnArticle() {
        let streams = [
            "<main><h1>Politics</h1><div class=\"stream\">\((1 ... 24).map { Self.frontTeaser($0) }.joined())</div>"
                + "<div class=\"pager\"><a href=\"?page=2\">More stories</a></div></main>",
            "<div id=\"content\"><h1>Politics</h1><ul>"
                + (1 ... 12).map { "<li>\(Self.frontTeaser($0, linkedPicture: false))</li>" }.joined() + "</ul></div>",
            "<div class=\"col\"><h2>Latest</h2>\((1 ... 10).map { Self.frontTeaser($0, linkedPicture: false) }.joined())</div>",
        ]
        for stream in streams {
            let error = rejection("""
                <html><head><title>Politics | The Valley Post</title></head><body>\(Self.siteHeader)\(stream)\(Self.siteFooter)
                </body></html>
                """)
            #expect(error?.code == .notAnArticle)
            #expect(error?.code.isRejection == true)
            #expect(error?.message.hasPrefix("the page is a section front:") == true)
            #expect(error?.message.hasSuffix("teasers and no article text") == true)
        }
    }

    @Test func aShortArticleBeforeAStreamOfTeasersIsAnArticle() throws {
        let text = try body("""
            <html><body>\(Self.siteHeader)<main><article><h1>Night buses for the northern villages approved</h1>
            <p>The regional council voted on Tuesday to extend the night bus network to three villages.</p></article>
            <section class="more"><h2>More from Politics</h2>\((1 ... 12).map { Self.frontTeaser($0) }.joined())</section>
            </main>\(Self.siteFooter)</body></html>
            """)
        #expect(text.contains("extend the night bus network"))
    }

    @Test func aStoryPageOfAnAggregatorIsAnArticle() throws {
        // A headline set as an <h2>, a line of summary, and the aggregator's other stories.
        let text = try body("""
            <html><body>\(Self.siteHeader)<div class="story"><h2>Night buses for the northern villages approved</h2>
            <p>The regional council voted on Tuesday to extend the night bus network to three villages.</p></div>
            <div class="list">\((1 ... 12).map { Self.frontTeaser($0) }.joined())</div>\(Self.siteFooter)</body></html>
            """)
        #expect(text.contains("extend the night bus network"))
    }

    @Test func aPageThatDeclaresAnArticleIsNotASectionFront() throws {
        let stream = (1 ... 12).map { Self.frontTeaser($0) }.joined()
        for head in [
            "<meta property=\"og:type\" content=\"article\">",
            "<meta property=\"article:published_time\" content=\"2024-05-03T09:15:00+02:00\">",
        ] {
            #expect(throws: Never.self) {
                try body("<html><head>\(head)</head><body><h1>Politics</h1><div>\(stream)</div></body></html>")
            }
        }
    }

    @Test func anArticleWithALongStreamOfRelatedStoriesIsAnArticle() throws {
        let text = try body("""
            <html><body>\(Self.siteHeader)<div class="page"><h1>Night buses</h1>\(Self.prose)\(Self.prose)
            <div class="related">\((1 ... 30).map { Self.frontTeaser($0) }.joined())</div></div>\(Self.siteFooter)
            </body></html>
            """)
        #expect(text.contains("fuel levy"))
        #expect(!text.contains("wants a recount"))
    }

    @Test func agencyBodiesAreNeverSectionFronts() throws {
        // An agency item's HTML body is its article, whatever its markup looks like.
        let fragment = (1 ... 10).map { Self.frontTeaser($0, linkedPicture: false) }.joined()
        let paragraphs = try WireText.paragraphs(html: fragment, deadline: .never)
        #expect(!paragraphs.isEmpty)
    }
}
