import Testing

@testable import CopydeskCore

/// One small hand-written page per extraction rule.
struct ExtractionRuleTests {
    private func body(_ html: String) throws -> String {
        try Normalizer().normalize(Array(html.utf8)).body
    }

    private static let prose = """
        <p>The regional council voted on Tuesday to extend the night bus network to the three villages north \
        of the river, ending a decade of campaigning by residents who had no way home after the last train.</p>
        <p>Buses will run every forty minutes between midnight and five in the morning from the first of March, \
        and the council expects about two hundred passengers a night once the service is known.</p>
        """

    @Test func commentaryIsAnArticleNotItsComments() throws {
        let text = try body("""
            <html><body><div class="full news commentary article"><article class="sectbody">\(Self.prose)</article></div>
            <div class="comment-list"><p>First! Great piece, I have been waiting for this decision for years.</p></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("First! Great piece"))
    }

    @Test func softHyphensAndZeroWidthSpacesAreInvisible() throws {
        let text = try body("<html><body><article><p>Die Nacht\u{AD}bus\u{AD}linie fährt ab März\u{200B} "
            + "durch alle drei Dörfer nördlich des Flusses, beschloss der Regionalrat am Dienstag.</p>"
            + "</article></body></html>")
        #expect(text.contains("Die Nachtbuslinie fährt ab März durch"))
    }

    @Test func consentDialogsAreDroppedHoweverLong() throws {
        let policy = String(repeating: "<p>We and our partners store and access information on your device, "
            + "such as cookies, and process personal data for personalised ads and content measurement.</p>", count: 12)
        let text = try body("""
            <html><body><div class="content"><article>\(Self.prose)</article></div>
            <div class="consent-popup" role="dialog">\(policy)</div></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("our partners store"))
    }

    @Test func aWrapperHoldingTheMainRegionIsKeptWhateverItsClass() throws {
        let text = try body("""
            <html><body><div class="dialog-off-canvas-main-canvas"><main><article>\(Self.prose)</article></main></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
    }

    @Test func wordPressStatusClassesAreNotPostMeta() {
        let hints = ClassHints.of(Array("post type-post status-publish format-standard hentry".utf8)[...])
        #expect(!hints.contains(.postMeta))
        #expect(hints.contains(.content))
        #expect(!ClassHints.of(Array("cmp-text".utf8)[...]).contains(.overlay))
    }

    @Test func jsonLDBodyReplacesAnExtractionThatMissedTheArticle() throws {
        let articleBody = "Rostock - A fire in a block of flats killed two people on Saturday, the fire brigade said. "
            + "The fire spread through the stairwell in the early morning and the top floor burned out completely. "
            + "&quot;We could not reach the flat in time,&quot; a spokesman said.\\n\\nInvestigators are looking into "
            + "whether a faulty appliance started the fire; the building has been closed until further notice, "
            + "and neighbours are staying with relatives."
        let text = try body("""
            <html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"Fire",
            "articleBody":"\(articleBody)"}</script></head><body>
            <div class="teasers"><p>Weather: the week ahead brings sunshine and warm afternoons across the whole region, \
            forecasters say, with only a few showers in the hills on Thursday.</p></div>
            <article><script>render("the article")</script></article></body></html>
            """)
        #expect(text.contains("the top floor burned out completely."))
        #expect(text.contains("\"We could not reach the flat in time,\" a spokesman said."))
        #expect(text.contains("Investigators are looking into"))
        #expect(!text.contains("Weather: the week ahead"))
    }

    @Test func jsonLDBodyLeavesAGoodExtractionAlone() throws {
        let articleBody = "The regional council voted on Tuesday to extend the night bus network to the three "
            + "villages north of the river, ending a decade of campaigning by residents who had no way home after "
            + "the last train. Buses will run every forty minutes between midnight and five in the morning from "
            + "the first of March, and the council expects about two hundred passengers a night."
        let text = try body("""
            <html><head><script type="application/ld+json">{"@type":"NewsArticle","articleBody":"\(articleBody)"}
            </script></head><body><article>\(Self.prose)</article></body></html>
            """)
        #expect(text.contains("once the service is known."))
    }

    @Test func tabsHoldingTheTextAreNotNavigation() throws {
        let text = try body("""
            <html><body><nav class="site-menu"><a href="/">Home</a> <a href="/wine">Wine</a></nav>
            <div class="product"><h1>Stone Cellars Rosé</h1><div class="tab-menu--product"><div class="tab">\(Self.prose)</div></div></div>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Wine"))
    }

    @Test func siblingsOfASimilarClassJoinTheArticle() throws {
        let text = try body("""
            <html><body><main>
            <article class="box grid col-8 recipe-ingredients"><h2>Ingredients</h2>
              <table class="ingredients table-header"><tr><td>200 g</td><td><a href="/butter">butter</a></td></tr>
              <tr><td>3</td><td>eggs, beaten</td></tr><tr><td>150 g</td><td>caster sugar</td></tr>
              <tr><td>1 tsp</td><td>vanilla extract</td></tr></table></article>
            <article class="box grid col-8 recipe-steps"><h2>Method</h2>\(Self.prose)</article>
            <aside class="box col-4"><a href="/a">More cakes</a> <a href="/b">Baking tips</a></aside>
            </main></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(text.contains("200 g butter"))
        #expect(text.contains("3 eggs, beaten"))
        #expect(!text.contains("More cakes"))
    }

    @Test func accordionsInTheArticleAreText() throws {
        let text = try body("""
            <html><body><article>\(Self.prose)
            <div class="accordion"><h3>When does it start?</h3><p>On the first of March.</p></div></article>
            </body></html>
            """)
        #expect(text.contains("On the first of March."))
    }

    @Test func aLeadSetAsASubheadingBeforeTheBodyIsKept() throws {
        let text = try body("""
            <html><body><article><h1>Night buses</h1>
            <h2>Three villages north of the river get a night bus from March, after a decade of campaigning by their residents.</h2>
            <div class="content">\(Self.prose)\(Self.prose)</div></article></body></html>
            """)
        #expect(text.contains("Three villages north of the river get a night bus"))
        #expect(text.contains("night bus network"))
    }

    @Test func datelinesStayWithTheirSentence() throws {
        let text = try body("""
            <html><body><article><p><span class="dateline">KOBE –</span> A total of 6,000 surgical masks have been \
            lost at a hospital in Kobe, it was learned Tuesday, and the police are investigating.</p>\(Self.prose)</article>
            </body></html>
            """)
        #expect(text.contains("KOBE – A total of 6,000 surgical masks"))
    }

    @Test func authorBoxesAreLeftOutButAuthorTermsAreNot() throws {
        // `author-jdoe` names the post's author (a term); `author-box` is the box about the author.
        let text = try body("""
            <html><body><div id="primary"><article class="post author-jdoe">\(Self.prose)</article>
            <section class="main-box author-box"><h3>About the author</h3><div class="data-entry-content"><p>Jane Doe \
            has reported on transport and local politics for twelve years, after studying history in Leeds, and \
            writes a weekly column about the region's railways, buses and the people who run them.</p></div></section>
            <div class="author-bio"><p>Jane lives by the river with two cats and far too many timetables.</p></div>
            </div></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("reported on transport"))
        #expect(!text.contains("two cats"))
    }

    @Test func aTeaserTextIsTheArticlesLeadButTeaserListsAreNot() throws {
        // German CMSs call the lead the teaser; a list of teasers promotes other stories.
        let teaser = """
            <div class="teaser"><p>The harbour authority plans a new ferry pier for the summer season and asks \
            residents for their views on the design.</p></div>
            """
        let text = try body("""
            <html><body><div class="news news-single"><div class="article"><h1>Night buses</h1>
            <div class="teaser-text"><p>Three villages north of the river get a night bus from March.</p></div>
            <div class="news-text-wrap">\(Self.prose)</div></div></div>
            <div class="news-list"><h2>More news</h2>\(teaser)\(teaser)\(teaser)</div></body></html>
            """)
        #expect(text.contains("Three villages north of the river get a night bus from March."))
        #expect(text.contains("night bus network"))
        #expect(!text.contains("ferry pier"))
    }

    @Test func relatedStoriesWithExcerptsAreLeftOutOfTheArticle() throws {
        // Each related story is a linked title and an excerpt long enough to pass for running text.
        let item = """
            <li><a href="/2019/ferries">Ferries return to the harbour</a><p>The harbour authority plans a new ferry \
            pier for the summer season and asks residents for their views on the design, the timetable and the \
            fares before the council decides in May.</p></li>
            """
        let text = try body("""
            <html><body><article><div class="entry">\(Self.prose)\(Self.prose)
            <h3>Related posts</h3><ul class="related-posts">\(item)\(item)\(item)\(item)</ul></div></article>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("ferry pier"))
    }

    @Test func rubyReadingsAreLeftOutAndLinkedRubyIsKept() throws {
        // Easy-Japanese news: every kanji word carries its reading; dictionary words are links.
        let text = try body("""
            <html><body><article>\(Self.prose)<p>この<a href="javascript:void(0)" class="dicWin"><ruby>\
            <span class="under">虐待</span><rt>ぎゃくたい</rt></ruby></a>したときに<ruby>叱<rp>(</rp><rt>しか</rt>\
            <rp>)</rp></ruby>っていただけだと<a href="/x"><custom-term>言う</custom-term></a>親がいます。</p></article>
            </body></html>
            """)
        #expect(text.contains("この虐待したときに叱っていただけだと言う親がいます。"))
    }

    @Test func textIsInComposedForm() throws {
        // "geprüft" stored decomposed (u + combining diaeresis), Bengali য় stored as U+09DF.
        let text = try body("<html><body><article><p>Besonders bei Babyschalen sollte gepru\u{308}ft werden, "
            + "ob sie fest sitzen, sagen die Tester nach dem Versuch mit zwo\u{308}lf Modellen. "
            + "\u{995}\u{9C1}\u{9B7}\u{9CD}\u{99F}\u{9BF}\u{9DF}\u{9BE}</p></article></body></html>")
        let expected = "Besonders bei Babyschalen sollte geprüft werden, ob sie fest sitzen, sagen die Tester nach "
            + "dem Versuch mit zwölf Modellen. \u{995}\u{9C1}\u{9B7}\u{9CD}\u{99F}\u{9BF}\u{9AF}\u{9BC}\u{9BE}"
        #expect(text.unicodeScalars.elementsEqual(expected.unicodeScalars))
        #expect(ComposedForm.of("Straße – “quoted” …") == "Straße – “quoted” …")
    }

    @Test func aProductFormHoldingTheDescriptionIsText() throws {
        let legal = "<p>Prices include value added tax; shipping within the country is free for orders above fifty "
            + "euros, and returns are accepted within thirty days of delivery in the original packaging.</p>"
        let menu = (1 ... 12).map { "<li><a href=\"/c/\($0)\">Category number \($0)</a></li>" }.joined()
        let text = try body("""
            <html><body><nav><ul>\(menu)</ul></nav><form class="search-form"><label>Search</label></form>
            <article><h1>Wool blanket</h1><form class="productform"><p>Price: 49 EUR</p>\(Self.prose)\(Self.prose)
            <button>Add to cart</button></form></article>
            <form class="comment-form"><label>Your name</label><label>Your comment</label></form>
            <aside>\(legal)\(legal)\(legal)\(legal)\(legal)</aside>
            <footer>\(legal)\(legal)\(legal)\(legal)\(legal)</footer></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Your comment"))
    }

    @Test func sentencesSetAsHeadingsAreTextButEmptyHeadingsAreNot() throws {
        let text = try body("""
            <html><body><article>\(Self.prose)
            <h3>The council will review the service after a year and publish the passenger figures.</h3>
            <h3>Share this story</h3></article></body></html>
            """)
        #expect(text.contains("publish the passenger figures."))
        #expect(!text.contains("Share this story"))
    }

    @Test func headingIdsAreAnchorsNotLayoutNames() throws {
        let text = try body("""
            <html><body><article>\(Self.prose)<h2 id="nav_only_the_foil_remains__1">Only the foil remains</h2>
            \(Self.prose)<h2 id="what-are-you-looking-forward-to-next">What are you looking forward to next?</h2>
            <p>More buses, and trams one day, the campaigners say.</p></article></body></html>
            """)
        #expect(text.contains("Only the foil remains"))
        #expect(text.contains("What are you looking forward to next?"))
    }

    @Test func pictureCreditsAndSourceLinesAreLeftOut() throws {
        let text = try body("""
            <html><body><article><p>Titelbild: Jane Doe / Picture Agency</p>\(Self.prose)
            <p>Abbildung 4: The new night bus stops.<br>The first bus leaves the station at midnight sharp.</p>
            <p>(Credit: Regional Council)</p><p>Quelle: Landesregierung</p>
            <p>Source of the figures: a survey of three hundred households, the council says.</p></article>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Titelbild"))
        #expect(!text.contains("Abbildung 4"))
        #expect(text.contains("The first bus leaves the station at midnight sharp."))
        #expect(!text.contains("Credit"))
        #expect(!text.contains("Landesregierung"))
        #expect(text.contains("Source of the figures: a survey"))
        #expect(LineRules.isCreditLine("© AFP / Marco Bertorello"))
        #expect(LineRules.isCreditLine("Fig. 2: Snow depth"))
        #expect(!LineRules.isCreditLine("Bildung: the minister wants more teachers in every school."))
    }

    @Test func newsletterPromptsAndAffiliateNoticesAtTheEdgesAreLeftOut() throws {
        let text = try body("""
            <html><body><article><p>This post contains affiliate links: we may earn a commission on purchases.</p>
            \(Self.prose)\(Self.prose)<p>Like what you read? Sign up for our weekly newsletter here.</p></article>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("affiliate links"))
        #expect(!text.contains("newsletter"))
        // An article about newsletters keeps its last paragraph.
        let topic = try body("""
            <html><body><article>\(Self.prose)<p>The council will also start a newsletter for the villages, with the \
            timetable and the night bus stops, sent to every household each month.</p>\(Self.prose)
            <p>The first newsletter goes out in March.</p></article></body></html>
            """)
        #expect(topic.contains("The first newsletter goes out in March."))
    }

    @Test func aSecondLookAtAShortArticleStillLeavesOutBylinesCaptionsAndTags() throws {
        // `read-more` in the wrapper's class drops the short article at first; the second attempt,
        // trusting tags only, must still leave out the byline, the caption and the tag line, or
        // their links make the article's wrapper look like a block of links.
        let byline = """
            <div class="byline">By <a href="/a/jd">Jane Doe</a> <a href="/a/jd">View the author's archive</a>
            <a href="mailto:jd@example.com">Email the author</a> <a href="/a/jd/rss">Get the author's RSS feed</a>
            <a href="/a/jd/x">Follow the author on social media</a></div>
            """
        let legal = "<p>Prices include value added tax; shipping within the country is free for orders above fifty "
            + "euros, and returns are accepted within thirty days.</p>"
        let text = try body("""
            <html><body><div class="box"><div class="content-wrapper read-more-block">\(byline)\(byline)
            <div class="wp-caption-text"><span class="credit">Agency Images</span></div>
            \(Self.prose)
            <div class="tag-list">Filed under <a href="/t/1">buses</a>, <a href="/t/2">villages</a></div>
            </div></div><aside>\(legal)\(legal)\(legal)\(legal)</aside><footer><a href="/imprint">Imprint</a></footer>
            </body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Agency Images"))
        #expect(!text.contains("Filed under"))
        #expect(!text.contains("Email the author"))
    }

    @Test func anArticleInsideAnAsideIsFoundByItsText() throws {
        // Some templates wrap the whole story in `<aside>` elements; when every attempt that trusts
        // tags comes back empty, the container is chosen by its text alone.
        let legal = "<p>Prices include value added tax; shipping within the country is free for orders above fifty "
            + "euros, and returns are accepted within thirty days.</p>"
        let links = (1 ... 30).map { "<li><a href=\"/s/\($0)\">Section of the site \($0)</a></li>" }.joined()
        let text = try body("""
            <html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
            <main><aside class="direct-content"><section><article>
            <h1>Night buses</h1>\(Self.prose)\(Self.prose)</article></section></aside></main>
            <aside class="sidebar">\(legal)\(legal)\(legal)</aside><footer><ul>\(links)</ul></footer></body></html>
            """)
        #expect(text.contains("night bus network"))
        #expect(!text.contains("value added tax"))
        #expect(!text.contains("Section of the site"))
        #expect(!text.contains("News"))
    }

    @Test func theStandfirstInTheArticlesHeaderIsKept() throws {
        let text = try body("""
            <html><body><article><header><h1>Night buses</h1>
            <h2 class="title-2">Three villages north of the river get a night bus from March</h2>
            <span class="byline">By Jane Doe</span><time>3 March 2021</time></header>
            <div class="story-text">\(Self.prose)\(Self.prose)</div></article></body></html>
            """)
        #expect(text.contains("Three villages north of the river get a night bus from March"))
        #expect(text.contains("night bus network"))
        #expect(!text.contains("Jane Doe"))
    }
}
