/// What the `class`, `id`, `role` and `itemprop` of an element say about its content.
///
/// Class and id values are split into tokens at whitespace; each token is matched against word
/// patterns, some anywhere in the token (`comment` in `commentlist`), some only as a whole part
/// between `-`, `_` or digits (`ad` in `top-ad-slot`, not in `header`).
struct ClassHints: OptionSet, Hashable, Sendable {
    let rawValue: UInt32

    /// Site navigation: menus, breadcrumbs, pagination, skip links.
    static let navigation = ClassHints(rawValue: 1 << 0)
    /// Site header and footer, copyright and legal lines.
    static let pageFrame = ClassHints(rawValue: 1 << 1)
    static let sidebar = ClassHints(rawValue: 1 << 2)
    static let comments = ClassHints(rawValue: 1 << 3)
    static let share = ClassHints(rawValue: 1 << 4)
    /// Related, recommended, popular and "read more" blocks.
    static let related = ClassHints(rawValue: 1 << 5)
    /// Newsletter, subscription, login and paywall prompts.
    static let subscribe = ClassHints(rawValue: 1 << 6)
    static let advertising = ClassHints(rawValue: 1 << 7)
    /// Cookie and consent banners, modals, pop-ups.
    static let overlay = ClassHints(rawValue: 1 << 8)
    /// Captions and credits of pictures.
    static let caption = ClassHints(rawValue: 1 << 9)
    /// Byline, date, tags, categories: the post's meta lines.
    static let postMeta = ClassHints(rawValue: 1 << 10)
    /// Hidden or screen-reader-only content.
    static let hidden = ClassHints(rawValue: 1 << 11)
    /// Words that mark the article's own content (`article`, `content`, `entry`, `post`, `story`).
    static let content = ClassHints(rawValue: 1 << 12)
    /// The names article bodies carry (`article-body`, `entry-content`, `itemprop=articleBody`).
    static let articleBody = ClassHints(rawValue: 1 << 13)
    /// A header block (page or article header).
    static let header = ClassHints(rawValue: 1 << 14)
    /// Widgets, galleries, sliders, carousels, teasers.
    static let widget = ClassHints(rawValue: 1 << 15)
    /// The article's lead: intro, excerpt, abstract, standfirst.
    static let lead = ClassHints(rawValue: 1 << 16)
    /// A teaser: a box promoting another story, or (in German CMSs) the article's own lead. Which
    /// one the extractor decides by the element's links.
    static let teaser = ClassHints(rawValue: 1 << 17)
    /// Hidden by the markup itself: the `hidden` attribute, `aria-hidden="true"`, an inline style
    /// with `display: none` or `visibility: hidden` (always with ``hidden``).
    static let hiddenByMarkup = ClassHints(rawValue: 1 << 18)

    /// Hints that remove an element and its content wherever they occur.
    static let boilerplate: ClassHints = [
        .navigation, .pageFrame, .sidebar, .comments, .share, .related, .subscribe, .advertising, .overlay,
        .caption, .hidden, .widget,
    ]

    private struct Pattern {
        var bytes: [UInt8]
        var hints: ClassHints
        /// Matches only a whole part of the token (between `-`, `_`, `:`, `.`, digits and the ends),
        /// or, with `prefix`, the start of one.
        var wholePart: Bool
        var prefix: Bool
        /// Matches only the whole token.
        var token: Bool
    }

    private static let patterns: [Pattern] = {
        var list: [Pattern] = []
        func add(
            _ hints: ClassHints, anywhere: [String] = [], parts: [String] = [], partPrefixes: [String] = [],
            tokens: [String] = []
        ) {
            for word in tokens {
                list.append(Pattern(bytes: Array(word.utf8), hints: hints, wholePart: true, prefix: false, token: true))
            }
            for word in anywhere { list.append(Pattern(bytes: Array(word.utf8), hints: hints, wholePart: false, prefix: false, token: false)) }
            for word in parts { list.append(Pattern(bytes: Array(word.utf8), hints: hints, wholePart: true, prefix: false, token: false)) }
            for word in partPrefixes {
                list.append(Pattern(bytes: Array(word.utf8), hints: hints, wholePart: true, prefix: true, token: false))
            }
        }
        add(
            .navigation,
            anywhere: ["navigation", "navbar", "breadcrumb", "pagination", "pager", "skiplink", "skip-link", "submenu",
                       "dropdown", "sitemap", "toolbar", "menu", "megamenu", "jump-to", "tabnav", "subnav"],
            parts: ["nav", "navi", "pagenav", "postnav", "skip", "topbar", "prevnext", "prev", "next",
                    "previous", "crumbs", "paging", "tabbar"])
        add(
            .pageFrame,
            anywhere: ["footer", "copyright", "masthead", "impressum", "disclaimer", "colophon"],
            parts: ["foot", "legal", "site-info", "siteinfo"])
        add(.header, parts: ["header", "head", "topper", "branding"], partPrefixes: [])
        add(
            .sidebar, anywhere: ["sidebar", "side-bar", "sidebox", "sidecol", "sidenav", "marginalia"],
            parts: ["aside", "rail", "side", "secondary"])
        add(
            .comments,
            anywhere: ["comment", "disqus", "respond", "kommentar", "discussion", "commento", "replies", "reply-",
                       "trackback", "pingback", "guestbook", "leserbrief"],
            parts: ["reply", "responses", "talk", "dsq"])
        add(
            .share,
            anywhere: ["share", "sharing", "social", "sociable", "addthis", "shariff", "facebook", "twitter",
                       "whatsapp", "pinterest", "linkedin", "telegram", "bookmark", "follow-us", "followus", "teilen",
                       "printfriendly", "print-button", "print-link", "printlink", "a2a_", "addtoany", "sharethis", "flipboard", "reddit"],
            parts: ["email", "mail", "xing", "rss", "fb", "tweet", "icons", "follow", "likes", "like",
                    "vote", "rating", "reactions", "recommend"])
        add(
            .related,
            anywhere: ["related", "recommend", "morestories", "more-stories", "more-articles", "moreartic",
                       "read-more", "readmore", "read-next", "readnext", "popular", "trending", "mostread",
                       "most-read", "most-viewed", "mostviewed", "also-read", "alsoread", "see-also", "seealso",
                       "outbrain", "taboola", "plista", "ligatus", "zergnet", "recirc", "similar", "upnext",
                       "up-next", "weitere", "empfehlung", "lesetipp", "mehr-zum", "topstories",
                       "top-stories", "latest-news", "latest-posts", "recent-posts", "recentposts", "newsticker",
                       "other-articles", "otherarticles", "more-from", "morefrom", "further-reading"],
            parts: ["more", "latest", "recent", "linklist", "links", "headlines", "archive", "archives",
                    "cross", "promo", "promos", "promotion", "hot", "top10", "feature-list"])
        add(
            .subscribe,
            anywhere: ["newsletter", "subscri", "signup", "sign-up", "paywall", "abonn", "registration", "login",
                       "log-in", "signin", "sign-in", "donate", "donation", "membership", "optin", "opt-in",
                       "mailchimp", "mc4wp", "spende", "upsell", "callout", "cta"],
            parts: ["register", "account", "premium", "plus-teaser", "offer", "support-us", "join"])
        add(
            .advertising,
            anywhere: ["advert", "werbung", "anzeige", "sponsor", "adsense", "adsbygoogle", "doubleclick", "dfp-",
                       "gpt-ad", "google-ad", "googlead", "adslot", "ad-slot", "adunit", "ad-unit", "adwrap",
                       "ad-wrap", "adcontainer", "ad-container", "adzone", "ad-zone", "adbox", "ad-box", "banner",
                       "commercial", "affiliate", "partnerlinks", "native-ad", "billboard", "skyscraper",
                       "leaderboard", "superbanner", "publicidad", "pub-"],
            parts: ["ad", "ads", "adv", "advertisement", "dfp", "gpt", "mpu", "pub", "marketing", "teaserad"])
        add(
            .overlay,
            anywhere: ["cookie", "consent", "gdpr", "modal", "popup", "pop-up", "lightbox", "overlay", "dialog",
                       "privacy", "banner-cookie", "notice", "tooltip", "alert", "interstitial", "flyout",
                       "offcanvas", "off-canvas"],
            parts: ["dsgvo", "notification", "toast", "drawer"])
        add(
            .caption,
            anywhere: ["caption", "credit", "bildunterschrift", "bildquelle", "photo-source", "image-source",
                       "img-source", "fotonachweis", "legende", "legend", "wp-caption-text", "imagetext",
                       "image-text", "photo-text"],
            parts: ["source", "quelle", "copyright"])
        add(
            .postMeta,
            anywhere: ["byline", "author", "timestamp", "posted-on", "postedon", "post-meta", "postmeta",
                       "entry-meta", "entrymeta", "article-meta", "articlemeta", "meta-info", "metainfo",
                       "pubdate", "publish", "updated", "tagcloud", "tag-cloud", "taglist", "tag-list", "categor",
                       "keyword", "schlagw", "datum", "autor", "reading-time", "readingtime", "lesezeit"],
            parts: ["meta", "date", "time", "tags", "tag", "topics", "info", "infos", "details", "dates",
                    "submitted", "posted", "stamp"])
        add(
            .hidden,
            tokens: ["hidden", "hide", "is-hidden", "u-hidden", "d-none", "display-none", "sr-only", "sr-text",
                     "screen-reader-text", "screenreader", "screen-reader-only", "visually-hidden", "visuallyhidden",
                     "invisible", "element-invisible", "offscreen", "off-screen", "print-only", "printonly"])
        add(
            .widget,
            anywhere: ["widget", "gallery", "slider", "slideshow", "carousel", "swiper", "lightslider",
                       "ticker", "marquee", "embed", "player", "video", "podcast", "audio", "poll",
                       "survey", "quiz", "map-"],
            parts: ["slick", "slides", "thumbs", "thumbnails", "figure", "media", "photo", "image", "img",
                    "picture", "badge",
                    "btn", "button", "icon", "logo", "search", "form", "filter", "calendar", "weather",
                    "stock", "ticker", "lang", "language", "langs", "switcher", "jump", "toc", "table-of-contents"])
        add(.teaser, anywhere: ["teaser"])
        add(
            .lead, anywhere: ["excerpt", "abstract", "standfirst", "teaser-text", "teasertext", "teaser__text",
                              "subheadline", "sub-headline", "bajada", "chapeau", "chapo", "summary"],
            parts: ["lead", "intro", "lede", "deck", "dek", "subtitle", "subline", "description"])
        add(
            .content,
            anywhere: ["article", "content", "entry", "story", "blogpost", "blog-post", "prose", "richtext",
                       "rich-text", "post-text", "posttext", "artikel", "beitrag", "hentry", "h-entry", "single",
                       "text"],
            parts: ["post", "body", "main", "blog", "page", "column", "maincontent", "inhalt", "copy"])
        add(
            .articleBody,
            anywhere: ["articlebody", "article-body", "article_body", "article__body", "articletext", "article-text",
                       "article__text", "article-content", "article__content", "articlecontent", "entry-content",
                       "entrycontent", "entry_content", "post-content", "postcontent", "post_content", "post-body",
                       "postbody", "post-entry", "postentry", "story-body", "storybody", "story-content",
                       "storycontent", "story-text", "storytext", "body-text", "bodytext", "content-body",
                       "contentbody", "text-content", "blog-content", "blogcontent", "main-text", "maintext",
                       "fulltext", "full-text", "artikeltext", "article-main", "news-text", "newstext",
                       "single-content", "page-content", "field-body", "field--name-body", "td-post-content",
                       "text-body", "textbody", "article-copy", "rte", "richtext", "rich-text"],
            parts: ["e-content"])
        return list
    }()

    /// The patterns in flat arrays, so that matching copies and retains nothing: the bytes of all
    /// patterns one after another, and for each pattern where its bytes start, how many there are,
    /// its hints and how it must match.
    private static let table: Table = Table(patterns)

    private struct Table {
        var bytes: [UInt8] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        var hints: [UInt32] = []
        /// Bit 0: a whole part; bit 1: the start of a part; bit 2: the whole token.
        var flags: [UInt8] = []
        /// The patterns indexed by their first two bytes (``pairSlot``): `bucketStarts[slot]` up to
        /// `bucketStarts[slot + 1]` in `bucketPatterns`.
        var bucketStarts: [Int32] = []
        var bucketPatterns: [Int32] = []

        init(_ patterns: [Pattern]) {
            var buckets = [[Int32]](repeating: [], count: ClassHints.pairSlots)
            for (index, pattern) in patterns.enumerated() {
                precondition(pattern.bytes.count >= 2, "class patterns are at least two bytes long")
                starts.append(Int32(bytes.count))
                lengths.append(Int32(pattern.bytes.count))
                bytes.append(contentsOf: pattern.bytes)
                hints.append(pattern.hints.rawValue)
                flags.append((pattern.wholePart ? 1 : 0) | (pattern.prefix ? 2 : 0) | (pattern.token ? 4 : 0))
                buckets[ClassHints.pairSlot(pattern.bytes[0], pattern.bytes[1])].append(Int32(index))
            }
            for bucket in buckets {
                bucketStarts.append(Int32(bucketPatterns.count))
                bucketPatterns.append(contentsOf: bucket)
            }
            bucketStarts.append(Int32(bucketPatterns.count))
        }
    }

    /// Bytes folded to 40 classes for the pair index: letters, digits, and the rest as one.
    private static func byteClass(_ byte: UInt8) -> Int {
        switch byte {
        case 0x61 ... 0x7A: return Int(byte - 0x61)
        case 0x30 ... 0x39: return 26 + Int(byte - 0x30)
        case 0x2D: return 36
        case 0x5F: return 37
        case 0x2E, 0x3A, 0x2F: return 38
        default: return 39
        }
    }

    private static let pairSlots = 40 * 40

    private static func pairSlot(_ first: UInt8, _ second: UInt8) -> Int { byteClass(first) * 40 + byteClass(second) }

    /// The hints of one `class` or `id` value (bytes in any case).
    static func of(_ value: ArraySlice<UInt8>) -> ClassHints {
        var hints: ClassHints = []
        var token = [UInt8]()
        token.reserveCapacity(64)
        var index = value.startIndex
        while index <= value.endIndex {
            let byte: UInt8 = index < value.endIndex ? value[index] : 0x20
            index += 1
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                if !token.isEmpty, !isTerm(token), !isScriptHook(token),
                    !stateSuffixes.contains(where: { token.ends(with: $0) })
                {
                    let role = role(of: token)
                    if !role.isEmpty { hints.formUnion(ofToken(role)) }
                }
                token.removeAll(keepingCapacity: true)
            } else {
                token.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
        }
        return hints
    }

    /// Prefixes of tokens that name a taxonomy term rather than a part of the layout, such as
    /// WordPress's `tag-sharing` or `category-related-news` on every post: the term after the
    /// prefix is the author's word, not the template's.
    private static let termPrefixes: [[UInt8]] = ["tag-", "tags-", "category-", "categories-", "term-", "topic-",
        "post_tag-", "format-", "postid-", "author-", "parent-pageid-", "page-id-", "section-", "status-"].map { Array($0.utf8) }

    /// Term prefixes that a template also uses for its own boxes: `author-box`, `author-bio` and
    /// `tag-list` are parts of the layout, while `author-jdoe` and `tag-sharing` name terms.
    private static let layoutPrefixes: [[UInt8]] = ["author-", "tag-", "tags-", "category-", "categories-", "topic-",
        "term-"].map { Array($0.utf8) }

    /// Words that, after one of the ``layoutPrefixes``, name a part of the layout rather than a term.
    private static let layoutWords: [[UInt8]] = ["box", "bio", "biography", "info", "infos", "description", "profile",
        "container", "details", "block", "wrap", "wrapper", "card", "area", "about", "section", "avatar", "meta",
        "links", "list", "cloud", "social", "name", "data", "footer", "inner", "text", "widget", "module", "panel",
        "holder", "byline"].map { Array($0.utf8) }

    /// Whether a token names a taxonomy term (`tag-sharing`, `author-jdoe`, `format-video`): a term
    /// prefix followed by anything but a layout word.
    private static func isTerm(_ token: [UInt8]) -> Bool {
        guard let prefix = termPrefixes.first(where: { token.starts(with: $0) && token.count > $0.count }) else {
            return false
        }
        guard layoutPrefixes.contains(where: { $0 == prefix }) else { return true }
        let firstPart = token[prefix.count...].prefix(while: { !isSeparator($0) && !($0 >= 0x30 && $0 <= 0x39) })
        return !layoutWords.contains { firstPart.elementsEqual($0) }
    }

    /// Whether a token is a hook for the page's scripts (`js-lightbox-gallery`: a block that opens
    /// a lightbox when clicked), which says what a script does with the element, not what it is.
    private static func isScriptHook(_ token: [UInt8]) -> Bool {
        token.count > 3 && token[0] == 0x6A && token[1] == 0x73 && (token[2] == 0x2D || token[2] == 0x5F)
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == 0x2D || byte == 0x5F || byte == 0x3A || byte == 0x2E || byte == 0x2F
    }

    /// Suffixes of tokens that say what state scripts put an element in (`modal-enabled`,
    /// `sidebar-open`), not what the element is.
    private static let stateSuffixes: [[UInt8]] = ["-enabled", "-disabled", "-active", "-open", "-opened",
        "-closed", "-ready", "-loaded", "-init", "-initialized", "-visible"].map { Array($0.utf8) }

    /// Parts that start a modifier saying what an element contains or how it is set up
    /// (`has-ads`, `o-section--with-sidebar`, `no-comments`): the rest of the token is not its role.
    private static let modifierParts: [[UInt8]] = ["has-", "with-", "no-", "non-", "without-", "show-", "hide-", "hidden-", "visible-", "for-", "enable-",
        "disable-", "allow-", "use-", "uses-"].map { Array($0.utf8) }

    /// The token up to its first modifier: a BEM modifier (`block--modifier`) or a modifier part.
    private static func role(of token: [UInt8]) -> ArraySlice<UInt8> {
        var start = 0
        while start + 1 < token.count {
            if token[start] == 0x2D, token[start + 1] == 0x2D, start > 0 { return token[..<start] }
            start += 1
        }
        start = 0
        while start < token.count {
            if start == 0 || isSeparator(token[start - 1]) {
                for modifier in modifierParts where token[start...].starts(with: modifier) {
                    return token[..<start]
                }
            }
            start += 1
        }
        return token[...]
    }

    /// Words that contain a pattern but name something else: `commentary` is an opinion piece,
    /// not the comments under it. They are blanked out of a token before matching.
    private static let exceptions: [[UInt8]] = ["commentary", "commentaries"].map { Array($0.utf8) }

    private static func ofToken(_ role: ArraySlice<UInt8>) -> ClassHints {
        var token = role
        if role.count >= 10, role.lowercasedASCIIContains("commentar") {
            for exception in exceptions where token.count >= exception.count {
                var start = token.startIndex
                while start + exception.count <= token.endIndex {
                    if token[start ..< start + exception.count].elementsEqual(exception) {
                        for offset in start ..< start + exception.count { token[offset] = 0x2D }
                        start += exception.count
                    } else {
                        start += 1
                    }
                }
            }
        }
        let table = Self.table
        var found: UInt32 = 0
        token.withUnsafeBufferPointer { token in
            table.bytes.withUnsafeBufferPointer { patternBytes in
                let count = token.count
                guard count >= 2 else { return }
                for start in 0 ..< count - 1 {
                    let slot = pairSlot(token[start], token[start + 1])
                    var entry = Int(table.bucketStarts[slot])
                    let end = Int(table.bucketStarts[slot + 1])
                    while entry < end {
                        let pattern = Int(table.bucketPatterns[entry])
                        entry += 1
                        let patternHints = table.hints[pattern]
                        let length = Int(table.lengths[pattern])
                        guard start + length <= count, found & patternHints != patternHints else { continue }
                        let flags = table.flags[pattern]
                        if flags & 4 != 0, start != 0 || length != count { continue }
                        let base = Int(table.starts[pattern])
                        // The pair index folds some bytes together: every byte is compared.
                        var offset = 0
                        while offset < length, token[start + offset] == patternBytes[base + offset] { offset += 1 }
                        guard offset == length else { continue }
                        if flags & 1 != 0 {
                            // A part starts after a separator (not after a digit: `40ad` in a hex id
                            // is no ad) and ends at a separator or a digit (`ad300`).
                            let startsPart = start == 0 || isSeparator(token[start - 1])
                            let next = start + length < count ? token[start + length] : 0x2D
                            let endsPart = isSeparator(next) || (next >= 0x30 && next <= 0x39)
                            guard startsPart, endsPart || flags & 2 != 0 else { continue }
                        }
                        found |= patternHints
                    }
                }
            }
        }
        return ClassHints(rawValue: found)
    }

    /// The hints of an ARIA `role`.
    static func ofRole(_ value: ArraySlice<UInt8>) -> ClassHints {
        let role = String(decoding: value, as: UTF8.self).lowercased()
        switch role {
        case "navigation", "menu", "menubar", "tablist", "toolbar", "search": return .navigation
        case "banner", "contentinfo": return .pageFrame
        case "complementary": return .sidebar
        case "dialog", "alertdialog", "alert", "tooltip": return .overlay
        case "main", "article": return .content
        default: return []
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count > suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
