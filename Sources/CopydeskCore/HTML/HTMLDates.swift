internal import Foundation

/// When a page says its article was published: the candidates ``HTMLMetadata`` collects in its one
/// pass over the tree, and the choice among them.
///
/// Sources, best first: the declared publication time (JSON-LD article data, `<meta>` names for
/// the publication day, `itemprop=datePublished`, a `datePublished` of any JSON-LD object), a
/// `<time datetime>` near the headline, the day the address names, the date shown next to the
/// headline (the `<h1>`, `<h2>` or `<h3>` the title names: a dateline, a byline, a meta line,
/// not prose, comments, menus or lists), the first `<time datetime>` elsewhere, the day in the
/// address of the page's picture, a date further down that its words call the publication's, and
/// the dates of `<time>` texts and of date classes no list shares.
///
/// Declared modification times are never taken for the publication; a date the page calls an
/// update's only when it shows no other. A declared day the page shows one day off (a UTC
/// timestamp of an evening article) is taken as shown, as is a later day the page shows (an
/// article published again, its metadata keeping the first draft's date) and a day the page
/// calls the publication's ("Publié le").
struct PageDates {
    /// A text node that may hold a date, and where it starts in the page's visible text.
    private struct Text {
        var index: Int32
        var offset: Int32
    }

    /// A possible headline (an `<h1>`, `<h2>`, `<h3>` or element of a title class) and the short
    /// texts around it that may hold a date.
    private struct Anchor {
        var index: Int32
        var level: Int
        /// Its text, folded (see ``folded(_:)``).
        var text: String
        var start: Int32
        var end: Int32
        var before: [Text]
        var after: [Text] = []
        /// Texts further after it, up to ``late`` characters: a date there counts only when its
        /// words call it the publication's ("Erschienen am", "Published").
        var later: [Text] = []
        var times: [(offset: Int32, value: String)] = []
        /// Visible text offset up to which texts belong to its window.
        var windowEnd: Int32 { end + PageDates.after }
    }

    /// Characters of visible text read so far.
    private var visible: Int32 = 0
    /// The last texts that may hold a date (oldest first).
    private var recent: [Text] = []
    private var anchors: [Anchor] = []
    /// How many of ``anchors`` are of each level (`<h1>`; `<h2>`; `<h3>` and title classes).
    private var headings = [0, 0, 0]
    /// Every `<time datetime>` value, in document order (the first few).
    private var timeAttributes: [String] = []
    /// Texts of `<time>` elements without `datetime` that show a date.
    private var shownTimes: [String] = []
    /// Dates shown by elements whose class calls them a date, with that class.
    private var classDates: [(kind: [UInt8], date: String)] = []
    /// Dates in the `title` of an `<abbr>` or of an element of a date class (the hAtom way:
    /// `<abbr class="published" title="2012-12-16T19:05:00">`), with that class.
    private var titleDates: [(kind: [UInt8], date: String)] = []
    /// The first `datePublished` of any JSON-LD object (a `WebPage`, a `VideoObject` ...).
    private var linkedDataPublished: String?

    /// Visible characters before a headline whose texts may date it.
    static let before: Int32 = 300
    /// Visible characters after a headline (from its end) whose texts may date it.
    static let after: Int32 = 1000
    /// Visible characters after a headline whose texts may date it when they say "published".
    static let late: Int32 = 8000
    /// Possible headlines read, of each level.
    private static let maximumAnchors = 8
    private static let maximumTexts = 12
    /// Bytes of a long text node read for a date line opening it.
    private static let opening = 160

    /// Reads node `index` of the metadata pass.
    mutating func visit(_ tree: HTMLTree, _ index: Int, classWords: ClassWords?) {
        let node = tree.nodes[index]
        switch node.tag {
        case .text:
            guard node.characters > 0 else { return }
            if node.parent >= 0, tree.nodes[Int(node.parent)].tag.isSkipped { return }
            let offset = visible
            visible += node.characters
            // A long text is read for a date opening it (`Berlin, 5. März 2021 – ...`).
            let first = Int(node.first)
            guard Self.mayHoldDate(tree.bytes[first ..< first + min(Int(node.count), Self.opening)]) else { return }
            let text = Text(index: Int32(index), offset: offset)
            for position in anchors.indices.reversed() where offset < anchors[position].end + Self.late {
                if offset < anchors[position].windowEnd {
                    if anchors[position].after.count < Self.maximumTexts { anchors[position].after.append(text) }
                } else if anchors[position].later.count < 2 * Self.maximumTexts {
                    anchors[position].later.append(text)
                }
            }
            if recent.count == 4 { recent.removeFirst() }
            recent.append(text)
        case .h1, .h2, .h3:
            addAnchor(tree, index, level: node.tag == .h1 ? 1 : node.tag == .h2 ? 2 : 3)
        case .time:
            if let datetime = tree.attribute(.datetime, of: index) {
                if timeAttributes.count < 16 { timeAttributes.append(datetime) }
                for position in anchors.indices.reversed() where visible < anchors[position].windowEnd {
                    if anchors[position].times.count < 4 { anchors[position].times.append((visible, datetime)) }
                }
            } else if let date = Self.dateInText(tree.text(of: index)) {
                shownTimes.append(date)
            }
        case .script:
            if linkedDataPublished == nil, index + 1 < Int(node.end), tree.nodes[index + 1].tag == .text,
                let type = tree.attributeRange(.type, of: index), tree.bytes[type].lowercasedASCIIContains("ld+json")
            {
                let text = tree.nodes[index + 1]
                linkedDataPublished = Self.jsonValue(
                    of: "\"datePublished\"", in: tree.bytes[Int(text.first) ..< Int(text.first + text.count)])
            }
        default:
            break
        }
        // The caller reads the class of every element but the text, meta, body, html and article.
        guard let words = classWords, let range = tree.attributeRange(.class, of: index) else { return }
        let classes = tree.bytes[range]
        // A member's date (joined, registered, born) is no publication's.
        let member = classes.lowercasedASCIIContains("join") || classes.lowercasedASCIIContains("regist")
            || classes.lowercasedASCIIContains("birth")
        if !member, titleDates.count < 16, node.tag == .abbr || classes.lowercasedASCIIContains("date")
            || classes.lowercasedASCIIContains("publish") || classes.lowercasedASCIIContains("updated"),
            let title = tree.attribute(.title, of: index), let date = Self.normalize(title)
        {
            titleDates.append((Array(classes), date))
        }
        // A small element whose class calls it a title may hold the headline (`div.h-title`).
        if node.tag != .h1, node.tag != .h2, node.tag != .h3, node.end - Int32(index) <= 30, words.title {
            addAnchor(tree, index, level: 3)
        }
        // A date shown in the page, in an element its class calls one ("date", "datum"), not a
        // comment's or an update's.
        if !member, words.date, !words.comment, !words.update, let date = Self.dateInText(tree.text(of: index)) {
            classDates.append((Array(classes), date))
        }
    }

    /// Reads element `index` as a possible headline: `<h1>` (level 1), `<h2>` (2), `<h3>` or an
    /// element of a title class (3, taken only when the title names it).
    private mutating func addAnchor(_ tree: HTMLTree, _ index: Int, level: Int) {
        guard headings[level - 1] < Self.maximumAnchors else { return }
        var characters: Int32 = 0
        for position in index + 1 ..< Int(tree.nodes[index].end) where tree.nodes[position].tag == .text {
            characters += tree.nodes[position].characters
        }
        guard characters > 0 else { return }
        headings[level - 1] += 1
        let start = visible
        anchors.append(
            Anchor(
                index: Int32(index), level: level, text: Self.folded(tree.text(of: index)), start: start,
                end: start + characters, before: recent.filter { $0.offset + Self.before >= start }))
    }

    /// `<meta>` names (lower case) of the publication time, best first.
    static let metaNames = [
        "article:published_time", "og:published_time", "og:article:published_time", "article:published",
        "og:article:published", "datepublished", "publishdate", "publish_date", "publish-date", "published_date",
        "published-date", "published_time", "publication_date", "pubdate", "og:pubdate", "date", "dc.date.issued",
        "dc.date", "dc.date.created", "dc.date.publication", "dc:date", "dcterms.issued", "dcterms.created",
        "dcterms.date", "parsely-pub-date", "sailthru.date", "citation_publication_date", "citation_date",
        "citation_online_date", "prism.publicationdate", "rnews:datepublished", "article:post_date",
        "originalpublicationdate", "displaydate", "rbpubdate", "bt:pubdate", "og:publish_date",
        "shareaholic:article_published_time", "cxenseparse:publishtime", "cxenseparse:recs:publishtime",
        "date_published",
    ]

    /// The publication time or day, as ISO 8601.
    func published(
        tree: HTMLTree, meta: [String: String], linkedData: String?, itemprop: String?, url: String?,
        language: String?, titles: [String?]
    ) -> String? {
        let monthFirst = Self.writesMonthFirst(language)
        let anchor = headline(titles: titles.compactMap { $0.map(Self.folded) })
        let shown = anchor.flatMap { headlineDate(tree, anchor: $0, monthFirst: monthFirst) }
        let declared = ([linkedData] + Self.metaNames.map { meta[$0] } + [itemprop, linkedDataPublished])
            .compactMap { $0.flatMap(Self.normalize) }
        if let first = declared.first {
            let pool = declared + timeAttributes.compactMap(Self.normalize)
            return Self.asShown(Self.localVariant(of: first, among: pool), shown: shown, declared: pool)
        }
        if let time = (anchor?.times.first?.value).flatMap(Self.normalize) { return Self.asShown(time, shown: shown) }
        if let day = url.flatMap(HTMLMetadata.dateInURL) { return Self.asShown(day, shown: shown) }
        if let shown, shown.cue != .updated { return shown.day }
        // The first `<time>` of the page, away from the headline.
        if let time = timeAttributes.lazy.compactMap(Self.normalize).first { return time }
        // The day in the address of the page's picture (uploaded for the article).
        if let day = (meta["og:image"] ?? meta["twitter:image"]).flatMap(HTMLMetadata.dateInURL) { return day }
        let late = anchor.map { laterDates(tree, anchor: $0, monthFirst: monthFirst) }
        if let day = late?.published { return day }
        // Last, a day the page calls an update's: the page is as of then.
        return HTMLMetadata.onlyDate(shownTimes) ?? HTMLMetadata.onlyDate(classDates)
            ?? HTMLMetadata.onlyDate(titleDates) ?? shown?.day ?? late?.updated
    }

    /// `value`, or the day the page shows next to its headline when that is one day off (the UTC
    /// timestamp of an article published in the evening, or after midnight, local time).
    static func asShown(_ value: String, shown: DateText.Found?, declared: [String] = []) -> String {
        guard let shown, shown.cue != .updated, let days = dayNumber(value), let shownDays = dayNumber(shown.day),
            days != shownDays
        else { return value }
        if abs(days - shownDays) == 1 { return shown.day }
        // A page shown as of a later day than its metadata's publication was published again
        // that day (the metadata keeps the first draft's date); another declared time may say so.
        // Or the page says so ("Publié le 29 juin 2019" over a later modification's timestamp).
        guard shownDays > days || shown.cue == .published else { return value }
        return declared.first { $0.hasPrefix(shown.day) } ?? shown.day
    }

    /// A UTC timestamp's twin with the page's own offset (`2019-10-18T22:04:00Z` and
    /// `2019-10-19T00:04:00+02:00`), whose day is the day as the page shows it.
    static func localVariant(of value: String, among values: [String]) -> String {
        guard value.hasSuffix("Z"), let instant = minutes(value) else { return value }
        return values.first { other in
            !other.hasSuffix("Z") && other.count > 19 && minutes(other).map { abs($0 - instant) <= 1 } == true
        } ?? value
    }

    /// Days since 1970-01-01 of the `YYYY-MM-DD` a value starts with.
    static func dayNumber(_ value: String) -> Int? {
        let bytes = Array(value.utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                result = result * 10 + Int(byte - 0x30)
            }
            return result
        }
        guard let year = number(0 ..< 4), let month = number(5 ..< 7), let day = number(8 ..< 10) else { return nil }
        // Days from the civil date (H. Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Minutes since 1970 of an ISO 8601 time with a zone (`...T22:04:00Z`, `...T00:04:00+02:00`).
    static func minutes(_ value: String) -> Int? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 20, bytes[10] == 0x54, let days = dayNumber(value) else { return nil }
        func number(_ start: Int) -> Int? {
            guard start + 2 <= bytes.count else { return nil }
            let high = Int(bytes[start]) - 0x30
            let low = Int(bytes[start + 1]) - 0x30
            guard (0 ... 9).contains(high), (0 ... 9).contains(low) else { return nil }
            return high * 10 + low
        }
        guard let hour = number(11), let minute = number(14) else { return nil }
        var total = days * 1440 + hour * 60 + minute
        let zone = bytes[19]
        if zone == 0x2B || zone == 0x2D, let zoneHour = number(20), let zoneMinute = number(23) {
            total += (zone == 0x2B ? -1 : 1) * (zoneHour * 60 + zoneMinute)
        } else if zone != 0x5A {
            return nil
        }
        return total
    }

    /// The page's headline: the first `<h1>` (else `<h2>`, else `<h3>` or element of a title
    /// class) that the title names (or that names the title), else the first `<h1>`, else the
    /// first `<h2>`.
    private func headline(titles: [String]) -> Anchor? {
        let titleWords = titles.map { Set(Self.words($0)) }
        func named(_ anchor: Anchor) -> Bool {
            guard anchor.text.count >= 8 else { return false }
            if titles.contains(where: { $0.contains(anchor.text) || anchor.text.contains($0) && $0.count >= 8 }) {
                return true
            }
            // The same words, quoted or punctuated differently.
            let words = Self.words(anchor.text)
            return words.count >= 3 && titleWords.contains { title in
                words.filter { title.contains($0) }.count * 5 >= words.count * 4
            }
        }
        return anchors.first { $0.level == 1 && named($0) } ?? anchors.first { $0.level == 2 && named($0) }
            ?? anchors.first { $0.level == 3 && named($0) } ?? anchors.first { $0.level == 1 }
            ?? anchors.first { $0.level == 2 }
    }

    /// The words of a folded text: runs of letters and digits.
    private static func words(_ text: String) -> [Substring] {
        text.split { !$0.isLetter && !$0.isNumber }
    }

    /// Lower case, without soft hyphens, whitespace collapsed.
    static func folded(_ text: String) -> String {
        // ASCII already collapsed (most headings: the tree's text is): lower case is all there is.
        var collapsed = true
        var previous: UInt8 = 0x20
        for byte in text.utf8 {
            if byte >= 0x80 || (byte < 0x20 && byte != 0) || (byte == 0x20 && previous == 0x20) {
                collapsed = false
                break
            }
            previous = byte
        }
        if collapsed, previous != 0x20 { return text.lowercased() }
        return text.lowercasedCollapsed { $0 == "\u{AD}" ? nil : $0 }
    }

    /// The date shown nearest the headline `anchor`: in the short texts after it (within
    /// ``after`` characters) or before it (within ``before``), not a comment's. A date the text
    /// calls an update's only when no other is near.
    private func headlineDate(_ tree: HTMLTree, anchor: Anchor, monthFirst: Bool) -> DateText.Found? {
        var candidates = [(distance: Int32, kind: [UInt8], found: DateText.Found)]()
        func consider(_ text: Text, distance: Int32) {
            let node = tree.nodes[Int(text.index)]
            let label = Self.withLabel(tree, text.index)
            let string = label + tree.string(in: Int(node.first) ..< Int(node.first) + min(Int(node.count), Self.opening))
            guard var found = DateText.first(in: string, monthFirst: monthFirst) else { return }
            let position = max(0, found.position - label.unicodeScalars.count)
            let dateline = Self.isDateline(string.unicodeScalars.dropFirst(label.unicodeScalars.count).prefix(position))
            let place = Self.place(
                tree, Int(text.index), position: position, dateline: dateline, anchor: Int(anchor.index))
            guard found.cue != .range, let place else { return }
            if place == .update, found.cue == .none { found.cue = .updated }
            candidates.append((distance, Self.kind(tree, Int(node.parent)), found))
        }
        for text in anchor.after { consider(text, distance: max(0, text.offset - anchor.end)) }
        for text in anchor.before { consider(text, distance: 2 * (anchor.start - text.offset)) }
        // Elements of one kind that show different days (not one a publication's and the other an
        // update's) are a list (teasers, an archive), none of them the article's date.
        let listed = candidates.filter { candidate in
            candidates.contains {
                $0.kind == candidate.kind && $0.found.day != candidate.found.day && $0.found.cue == candidate.found.cue
            }
        }.map(\.kind)
        let dates = candidates.filter { !listed.contains($0.kind) }.sorted { $0.distance < $1.distance }.map(\.found)
        return dates.first { $0.cue != .updated } ?? dates.first
    }

    /// The first date further after the headline that its words call the publication's
    /// ("Erschienen am 1.11.2023", "Published on ...") and the first they call an update's
    /// ("Aktualisiert am", "last edited"), in lines of their own.
    private func laterDates(_ tree: HTMLTree, anchor: Anchor, monthFirst: Bool) -> (published: String?, updated: String?) {
        var updated: String?
        for text in anchor.later {
            let node = tree.nodes[Int(text.index)]
            let label = Self.withLabel(tree, text.index)
            let string = label + tree.string(in: Int(node.first) ..< Int(node.first) + min(Int(node.count), Self.opening))
            guard var found = DateText.first(in: string, monthFirst: monthFirst), found.cue != .range else { continue }
            if found.cue == .none {
                // A byline's date ("Von Christian am 03.05.2013"), or one the words after call the
                // publication's ("Dieser Artikel wurde am 14. Dezember 2015 veröffentlicht").
                let scalars = Array(string.lowercased().unicodeScalars)
                let before = String(String.UnicodeScalarView(scalars[..<min(found.position, scalars.count)]))
                let after = String(String.UnicodeScalarView(scalars[min(found.position, scalars.count)...]))
                if Self.bylineWords.contains(where: { before.hasPrefix($0) || before.contains(" " + $0) })
                    || Self.publishedAfter.contains(where: { after.contains($0) })
                {
                    found.cue = .published
                } else {
                    continue
                }
            }
            let position = max(0, found.position - label.unicodeScalars.count)
            guard Self.place(tree, Int(text.index), position: position, dateline: false, anchor: Int(anchor.index)) != nil
            else { continue }
            if found.cue == .published { return (found.day, updated) }
            if updated == nil { updated = found.day }
        }
        return (nil, updated)
    }

    /// Words of a byline before its date, and words after a date that call it the publication's.
    private static let bylineWords = ["von ", "by ", "par ", "por ", "author", "autor"]
    private static let publishedAfter = ["veröffentlicht", "published", "publié", "publicado", "pubblicato"]

    /// The tags and classes of element `index` and its parent: what the items of a list share.
    private static func kind(_ tree: HTMLTree, _ index: Int) -> [UInt8] {
        var kind = [UInt8]()
        var element = index
        for _ in 0 ..< 3 where element >= 0 {
            kind.append(tree.nodes[element].tag.rawValue)
            if let range = tree.attributeRange(.class, of: element) { kind += tree.bytes[range] }
            kind.append(0)
            element = Int(tree.nodes[element].parent)
        }
        return kind
    }

    /// The short label texts (up to two, no digits) just before text node `index` in the same line
    /// ("Aktualisiert:", "Gespeichert von" + "rasos"), with a space after each.
    private static func withLabel(_ tree: HTMLTree, _ index: Int32) -> String {
        var label = ""
        var texts = 0
        var position = Int(index) - 1
        let limit = max(0, Int(index) - 6)
        while position >= limit, texts < 2 {
            let node = tree.nodes[position]
            if node.tag == .text, node.characters > 0 {
                let range = Int(node.first) ..< Int(node.first + node.count)
                guard node.count <= 40, !tree.bytes[range].contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { break }
                label = tree.string(in: range) + " " + label
                texts += 1
            } else if node.tag.isBlockLevel || node.tag == .br {
                break
            }
            position -= 1
        }
        return label
    }

    private enum Place { case line, update }

    /// Where the text node `index` near the headline `anchor`, whose date starts `position`
    /// characters into it, stands: in a line of its own (a dateline, a byline, a meta line) or at
    /// the start of one (`Berlin, 5. März 2021 – ...`), in an element that calls it an update's
    /// (`class="updated"`, `itemprop="dateModified"`); nil in the middle of prose, in comments,
    /// navigation, a quotation or an embedded post, or a header other than the headline's.
    private static func place(_ tree: HTMLTree, _ index: Int, position: Int, dateline: Bool, anchor: Int) -> Place? {
        var place = Place.line
        var parent = Int(tree.nodes[index].parent)
        var checkedLine = false
        var depth = 0
        while parent >= 0, depth < 16 {
            let node = tree.nodes[parent]
            switch node.tag {
            case .nav, .blockquote: return nil
            case .header where !(parent ..< Int(node.end)).contains(anchor): return nil
            case .body, .html: return place
            default: break
            }
            if !checkedLine, node.tag.isBlockLevel {
                checkedLine = true
                guard let line = line(tree, index, block: parent),
                    line.length <= 100 || line.before + Int32(position) <= 30 && dateline
                else { return nil }
            }
            for name in [HTMLAttributeName.class, .id, .itemprop] {
                guard let range = tree.attributeRange(name, of: parent) else { continue }
                let value = tree.bytes[range]
                if name != .itemprop {
                    let hints = ClassHints.of(value)
                    if hints.contains(.comments) || depth < 3 && value.lowercasedASCIIContains("menu") {
                        return nil
                    }
                }
                if depth < 2, callsUpdate(value, itemprop: name == .itemprop) { place = .update }
            }
            parent = Int(node.parent)
            depth += 1
        }
        return place
    }

    /// Whether a class or `itemprop` marks an update's time: `itemprop="dateModified"`,
    /// `class="date-updated"`, `class="updated"`; not `class="entry-date updated"`, the marker the
    /// hAtom microformat asks of every post's (publication) date.
    private static func callsUpdate(_ value: ArraySlice<UInt8>, itemprop: Bool) -> Bool {
        guard value.lowercasedASCIIContains("update") || value.lowercasedASCIIContains("modif") else { return false }
        if itemprop { return true }
        let tokens = value.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A })
        return tokens.contains { token in
            let lowered = token.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            guard lowered.elementsEqual("updated".utf8) else {
                return token.lowercasedASCIIContains("update") || token.lowercasedASCIIContains("modif")
            }
            // The bare marker counts only when no other class calls the element a date.
            return !tokens.contains { other in
                !other.elementsEqual(token)
                    && (other.lowercasedASCIIContains("date") || other.lowercasedASCIIContains("publish")
                        || other.lowercasedASCIIContains("time") || other.lowercasedASCIIContains("entry"))
            }
        }
    }

    /// Whether the words before a date opening a line are a dateline's (`Karlsruhe, (`, `BERLIN
    /// (dpa) –`, `Pressemitteilung vom`): names, and of the words in lower case only those that
    /// introduce a date (`am`, `vom`, `le`, `on`), not prose's (`Wir suchen zum 1. April`, `Mit
    /// der am 15. Januar in Kraft getretenen`); an agency's code in parentheses (`(dpa)`) too.
    static func isDateline(_ prefix: Substring.UnicodeScalarView) -> Bool {
        var word = ""
        var opened = false
        var previous: Unicode.Scalar = " "
        for scalar in prefix + [" "] {
            if scalar.properties.isAlphabetic {
                if word.isEmpty { opened = previous == "(" }
                word.unicodeScalars.append(scalar)
            } else {
                if let first = word.unicodeScalars.first, first.properties.isLowercase, !opened,
                    !datelineWords.contains(word)
                {
                    return false
                }
                word = ""
            }
            previous = scalar
        }
        return true
    }

    /// Lower-case words that introduce a date in a dateline.
    private static let datelineWords: Set<String> = ["am", "vom", "on", "le", "el", "de", "du", "del", "il", "den"]

    /// The line of block `block` (its text between block boundaries and `<br>`s) that holds text
    /// node `index`: its characters, and those before the node. Nil when the block is too large to
    /// measure.
    private static func line(_ tree: HTMLTree, _ index: Int, block: Int) -> (before: Int32, length: Int32)? {
        var ends = [Int]()
        var characters: Int32 = 0
        var before: Int32 = -1
        var position = block + 1
        let end = Int(tree.nodes[block].end)
        var steps = 0
        while position < end, steps < 2000 {
            var lineBreak = false
            while let last = ends.last, position >= last {
                ends.removeLast()
                lineBreak = true
            }
            let node = tree.nodes[position]
            if node.tag == .br || node.tag.isBlockLevel { lineBreak = true }
            if lineBreak {
                if before >= 0 { return (before, characters) }
                characters = 0
            }
            if node.tag == .text {
                if position == index { before = characters }
                characters += node.characters
            } else if node.tag.isSkipped {
                position = Int(node.end)
                steps += 1
                continue
            } else if node.tag.isBlockLevel {
                ends.append(Int(node.end))
            }
            position += 1
            steps += 1
        }
        return before >= 0 && position >= end ? (before, characters) : nil
    }

    /// A declared value as ISO 8601: the notations ``ISO8601Normalizer`` reads, and the compact
    /// `YYYYMMDD` (with or without a time after it).
    static func normalize(_ value: String) -> String? {
        if let iso = ISO8601Normalizer.normalize(value) { return iso }
        // Compact `YYYYMMDD`, alone or before a time (`20200413T16:38:07Z`).
        let bytes = Array(value.utf8.prefix(9))
        if bytes.count >= 8, bytes.prefix(8).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            bytes.count == 8 || bytes[8] == 0x54
        {
            let digits = String(decoding: bytes.prefix(8), as: UTF8.self)
            let expanded = "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
                + value.dropFirst(8)
            guard let year = Int(digits.prefix(4)), DateText.years.contains(year) else { return nil }
            return ISO8601Normalizer.normalize(expanded)
        }
        guard value.utf8.count <= 64 else { return nil }
        return DateText.first(in: value)?.day
    }

    /// Whether pages in `language` write numeric dates month first (`3/5/2021` for March 5): US
    /// English. Others write the day first.
    static func writesMonthFirst(_ language: String?) -> Bool {
        guard let language = language?.lowercased() else { return false }
        return language == "en-us" || language == "en_us"
    }

    /// Whether a short text may hold a date: at least three digits.
    static func mayHoldDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        var digits = 0
        for byte in bytes where byte >= 0x30 && byte <= 0x39 {
            digits += 1
            if digits == 3 { return true }
        }
        return false
    }

    /// The string value of the first `key` (quoted, as `"datePublished"`) in JSON text.
    static func jsonValue(of key: StaticString, in bytes: ArraySlice<UInt8>) -> String? {
        let pattern = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var start = bytes.startIndex
        while start + pattern.count <= bytes.endIndex {
            if bytes[start] == pattern[0], bytes[start ..< start + pattern.count].elementsEqual(pattern) {
                var position = start + pattern.count
                while position < bytes.endIndex, bytes[position] == 0x20 || bytes[position] == 0x3A
                    || bytes[position] == 0x0A || bytes[position] == 0x09 || bytes[position] == 0x0D
                {
                    position += 1
                }
                guard position < bytes.endIndex, bytes[position] == 0x22 else { return nil }
                position += 1
                let valueStart = position
                while position < bytes.endIndex, bytes[position] != 0x22, position - valueStart < 64 { position += 1 }
                guard position < bytes.endIndex, bytes[position] == 0x22 else { return nil }
                return String(decoding: bytes[valueStart ..< position], as: UTF8.self)
            }
            start += 1
        }
        return nil
    }

    /// The first date a short text shows, as `YYYY-MM-DD` (see ``DateText``); nil for a text of
    /// over 120 characters (not a date line) or none.
    static func dateInText(_ text: String, monthFirst: Bool = false) -> String? {
        guard text.count <= 120 else { return nil }
        return DateText.first(in: text, monthFirst: monthFirst)?.day
    }
}

extension HTMLMetadata {
    /// The day all these shown dates agree on; nil when they name different days (a list of other
    /// articles' teasers, comments).
    static func onlyDate(_ dates: [String]) -> String? {
        guard let first = dates.first, dates.allSatisfy({ $0.prefix(10) == first.prefix(10) }) else { return nil }
        return first
    }

    /// The first date shown by an element of a class that no other element with another date has
    /// (a class many elements of different days share marks a list: teasers, an archive).
    static func onlyDate(_ dates: [(kind: [UInt8], date: String)]) -> String? {
        var days = [[UInt8]: Set<Substring>]()
        for (kind, date) in dates { days[kind, default: []].insert(date.prefix(10)) }
        return dates.first { days[$0.kind]!.count == 1 }?.date
    }

    /// The first date a short text shows (`18. Oktober 2019`, `Posted on March 5, 2021`,
    /// `Veröffentlicht am 19.10.2019 um 14:34 Uhr`, `2019-10-18`), as `YYYY-MM-DD`; nil for a text
    /// of over 120 characters (not a date line) or none.
    static func dateInText(_ text: String) -> String? {
        PageDates.dateInText(text)
    }

    /// The day an article's URL path names, as `YYYY-MM-DD`: `/2019/10/18/`, `/2019/10/18-title`,
    /// or `2019-10-18` inside a segment. Year 1990 to 2099, a real month and day.
    static func dateInURL(_ url: String) -> String? {
        var path = Substring(url)
        if let scheme = path.range(of: "://") { path = path[scheme.upperBound...] }
        guard let slash = path.firstIndex(of: "/") else { return nil }
        path = path[slash...]
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let bytes = Array(path.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start >= 0, start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func isBoundary(_ index: Int) -> Bool { index < 0 || index >= bytes.count || !(48...57).contains(bytes[index]) }
        func valid(_ year: Int, _ month: Int, _ day: Int) -> String? {
            guard (1990...2099).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
            func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            return "\(year)-\(pad(month))-\(pad(day))"
        }
        for start in bytes.indices where isBoundary(start - 1) {
            // `YYYYMMDD` alone between non-digits (`/20220127-title`), years 1995 to 2039.
            if let year = digits(start, 4), (1995 ... 2039).contains(year), let month = digits(start + 4, 2),
                let day = digits(start + 6, 2), isBoundary(start + 8), let date = DateText.date(year, month, day)
            {
                return date
            }
            guard let year = digits(start, 4), isBoundary(start + 4), start + 4 < bytes.count else { continue }
            let separator = bytes[start + 4]
            // `/YYYY/MM/DD` (each of month and day one or two digits) or `YYYY-MM-DD`.
            guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-") else { continue }
            guard separator == UInt8(ascii: "-") || (start > 0 && bytes[start - 1] == UInt8(ascii: "/")) else { continue }
            var index = start + 5
            func part() -> Int? {
                for width in [2, 1] {
                    if let value = digits(index, width), isBoundary(index + width) {
                        index += width
                        return value
                    }
                }
                return nil
            }
            guard let month = part(), index < bytes.count, bytes[index] == separator else { continue }
            index += 1
            guard let day = part() else { continue }
            if let date = valid(year, month, day) { return date }
        }
        return nil
    }
}

/// Dates as pages write them in text: `18. Oktober 2019`, `March 5th, 2021`, `5 de marzo de 2021`,
/// `1er mars 2021`, `19.10.2019`, `19.10.19`, `3/5/2021`, `2021-03-05`, `2021年3月5日`.
///
/// Months are read in English, German, French, Spanish, Italian, Dutch and Portuguese, in full or
/// abbreviated. A numeric date with slashes and both first numbers up to 12 is read day first,
/// unless the page writes the month first (US English). Years 1990 to 2039 only: other four-digit
/// numbers are counts, prices or page numbers more often than years.
enum DateText {
    /// What the words before a date call it.
    enum Cue: Sendable, Equatable {
        case none
        /// "Published", "Veröffentlicht", "Posted", "Erschienen", "Publié" ...
        case published
        /// "Updated", "Aktualisiert", "Modified", "Mis à jour", "Actualizado" ...
        case updated
        /// The bound of a period, not a day something happened: "bis", "until", "ab", "seit".
        case range
    }

    struct Found: Sendable, Equatable {
        /// `YYYY-MM-DD`.
        var day: String
        var cue: Cue
        /// Where the date starts in the text, in Unicode scalars.
        var position = 0
    }

    static let years = 1990 ... 2039

    /// The first date `text` shows.
    static func first(in text: String, monthFirst: Bool = false) -> Found? {
        all(in: text, monthFirst: monthFirst, limit: 1).first
    }

    /// The dates `text` shows, in order, at most `limit`.
    static func all(in text: String, monthFirst: Bool = false, limit: Int = 4) -> [Found] {
        let scalars = Array(text.lowercased().unicodeScalars)
        var found = [(position: Int, day: String)]()
        var tokens = [Token]()
        var index = 0
        let count = scalars.count
        func isDigit(_ position: Int) -> Bool {
            position >= 0 && position < count && scalars[position].value >= 0x30 && scalars[position].value <= 0x39
        }
        func run(_ start: Int) -> (value: Int, length: Int, end: Int) {
            var value = 0
            var position = start
            while isDigit(position), position - start < 9 {
                value = value * 10 + Int(scalars[position].value - 0x30)
                position += 1
            }
            return (value, position - start, position)
        }
        while index < count, found.count < limit {
            let scalar = scalars[index]
            if isDigit(index) {
                let first = run(index)
                if let date = numericDate(scalars, first, from: index, isDigit: isDigit, run: run, monthFirst: monthFirst)
                {
                    found.append((index, date.day))
                    tokens.append(Token(kind: .separator, start: index))
                    index = date.end
                    continue
                }
                tokens.append(Token(kind: .number(first.value, first.length), start: index))
                index = first.end
                while isDigit(index) { index += 1 }
                continue
            }
            if scalar.properties.isAlphabetic {
                let start = index
                while index < count, scalars[index].properties.isAlphabetic { index += 1 }
                let word = String(String.UnicodeScalarView(scalars[start ..< index]))
                tokens.append(Token(kind: .word(word), start: start))
                continue
            }
            if "|;()[]•·\n".unicodeScalars.contains(scalar) { tokens.append(Token(kind: .separator, start: index)) }
            index += 1
        }
        for (position, day) in wordDates(tokens) { found.append((position, day)) }
        found.sort { $0.position < $1.position }
        return found.prefix(limit).map {
            Found(day: $0.day, cue: cue(before: $0.position, in: scalars), position: $0.position)
        }
    }

    private struct Token {
        enum Kind {
            case number(Int, Int)
            case word(String)
            case separator
        }
        var kind: Kind
        var start: Int
    }

    /// `D.M.YYYY`, `D.M.YY`, `D/M/YYYY` (or `M/D/YYYY`), `D-M-YYYY`, `YYYY-M-D`, `YYYY/M/D`,
    /// `YYYY.M.D`, `YYYY年M月D日`, starting at `start`; the day and where it ends.
    private static func numericDate(
        _ s: [Unicode.Scalar], _ first: (value: Int, length: Int, end: Int), from start: Int,
        isDigit: (Int) -> Bool, run: (Int) -> (value: Int, length: Int, end: Int), monthFirst: Bool
    ) -> (day: String, end: Int)? {
        let count = s.count
        guard first.end < count else { return nil }
        let separator = s[first.end]
        if separator == "年", first.length == 4, isDigit(first.end + 1) {
            let month = run(first.end + 1)
            guard month.end < count, s[month.end] == "月", isDigit(month.end + 1) else { return nil }
            let day = run(month.end + 1)
            guard years.contains(first.value), let date = date(first.value, month.value, day.value) else { return nil }
            return (date, day.end < count && s[day.end] == "日" ? day.end + 1 : day.end)
        }
        guard separator == "." || separator == "/" || separator == "-", isDigit(first.end + 1) else { return nil }
        // Not the middle of a longer chain (`1.2.3.4`, a version, an address).
        if start >= 2, s[start - 1] == separator, isDigit(start - 2) { return nil }
        let second = run(first.end + 1)
        guard second.length <= 2, second.end < count, s[second.end] == separator, isDigit(second.end + 1) else {
            return nil
        }
        let third = run(second.end + 1)
        if third.end + 1 < count, s[third.end] == separator, isDigit(third.end + 1) { return nil }
        if third.end < count, s[third.end].properties.isAlphabetic, third.length != 4 { return nil }
        if first.length == 4, third.length <= 2 {
            guard years.contains(first.value), let day = date(first.value, second.value, third.value) else { return nil }
            return (day, third.end)
        }
        guard first.length <= 2 else { return nil }
        var year = third.value
        if third.length == 2, separator == ".", first.length == 2, second.length == 2 {
            year += third.value < 40 ? 2000 : 1900
        } else if third.length != 4 {
            return nil
        }
        guard years.contains(year) else { return nil }
        var (day, month) = (first.value, second.value)
        if separator != ".", monthFirst ? day <= 12 : month > 12 { (day, month) = (month, day) }
        guard let date = date(year, month, day) else { return nil }
        return (date, third.end)
    }

    /// Words that may stand between a date's parts: `5 de marzo de 2021`, `5th of March`, `1er`.
    private static let connectors: Set<String> = ["de", "del", "of", "st", "nd", "rd", "th", "er", "º", "ª"]

    /// `D Month YYYY` and `Month D, YYYY` among the tokens: each date's position and day.
    private static func wordDates(_ tokens: [Token]) -> [(Int, String)] {
        var found = [(Int, String)]()
        var index = 0
        func skipConnectors(_ position: Int) -> Int {
            var position = position
            while position < tokens.count, case .word(let word) = tokens[position].kind, connectors.contains(word) {
                position += 1
            }
            return position
        }
        func day(_ position: Int) -> Int? {
            guard position < tokens.count, case .number(let value, let length) = tokens[position].kind, length <= 2,
                (1 ... 31).contains(value)
            else { return nil }
            return value
        }
        func year(_ position: Int) -> Int? {
            guard position < tokens.count, case .number(let value, let length) = tokens[position].kind, length == 4,
                years.contains(value)
            else { return nil }
            return value
        }
        func month(_ position: Int) -> Int? {
            guard position < tokens.count, case .word(let word) = tokens[position].kind else { return nil }
            // Other languages' names mostly start like the English ones (`septembrie`, `marzec`).
            return months[word] ?? (word.count >= 5 ? monthStems[String(word.prefix(4))] : nil)
        }
        while index < tokens.count {
            if let dayValue = day(index) {
                let monthIndex = skipConnectors(index + 1)
                if let monthValue = month(monthIndex) {
                    let yearIndex = skipConnectors(monthIndex + 1)
                    if let yearValue = year(yearIndex), let date = date(yearValue, monthValue, dayValue) {
                        found.append((tokens[index].start, date))
                        index = yearIndex + 1
                        continue
                    }
                }
            } else if let monthValue = month(index) {
                let dayIndex = index + 1
                if let dayValue = day(dayIndex) {
                    let yearIndex = skipConnectors(dayIndex + 1)
                    if let yearValue = year(yearIndex), let date = date(yearValue, monthValue, dayValue) {
                        found.append((tokens[index].start, date))
                        index = yearIndex + 1
                        continue
                    }
                }
            }
            index += 1
        }
        return found
    }

    /// Month names and their common abbreviations, lower case.
    static let months: [String: Int] = {
        let names: [[String]] = [
            // English, German, French, Spanish, Italian, Dutch, Portuguese.
            ["january", "jan", "januar", "jänner", "jän", "janvier", "janv", "enero", "ene", "gennaio", "gen", "januari",
             "janeiro"],
            ["february", "feb", "februar", "feber", "février", "fevrier", "févr", "fevr", "febrero", "febbraio",
             "februari", "fevereiro", "fev"],
            ["march", "mar", "märz", "maerz", "mär", "mars", "marzo", "maart", "mrt", "março", "marco"],
            ["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
            ["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
            ["june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"],
            ["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"],
            ["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
            ["september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "setembro"],
            ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro"],
            ["november", "nov", "novembre", "noviembre", "novembro"],
            ["december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre",
             "dezembro"],
        ]
        // Russian and Ukrainian (genitive, as dates write them), Polish, Czech, Turkish, Swedish,
        // Danish and Norwegian forms the stems below miss.
        let more: [[String]] = [
            ["января", "січня", "stycznia", "ledna", "ocak"], ["февраля", "лютого", "lutego", "února", "şubat"],
            ["марта", "березня", "marca", "března", "mart"], ["апреля", "квітня", "kwietnia", "dubna", "nisan"],
            ["мая", "травня", "maja", "května", "mayıs", "maj"], ["июня", "червня", "czerwca", "června", "haziran"],
            ["июля", "липня", "lipca", "července", "temmuz"], ["августа", "серпня", "sierpnia", "srpna", "ağustos", "augusti"],
            ["сентября", "вересня", "września", "září", "eylül"], ["октября", "жовтня", "października", "října", "ekim"],
            ["ноября", "листопада", "listopada", "listopadu", "kasım"], ["декабря", "грудня", "grudnia", "prosince", "aralık"],
        ]
        var table = [String: Int]()
        for (offset, words) in more.enumerated() {
            for word in words { table[word] = offset + 1 }
        }
        for (offset, words) in names.enumerated() {
            for word in words { table[word] = offset + 1 }
        }
        return table
    }()

    /// The first four letters of month names in many languages (Romanian `septembrie`, Polish
    /// `marzec`, Hungarian `március`).
    static let monthStems: [String: Int] = [
        "janu": 1, "ianu": 1, "febr": 2, "marz": 3, "mart": 3, "márc": 3, "apri": 4, "ápri": 4, "juni": 6,
        "iuni": 6, "júni": 6, "juli": 7, "iuli": 7, "júli": 7, "augu": 8, "sept": 9, "szep": 9, "octo": 10,
        "okto": 10, "októ": 10, "nove": 11, "noie": 11, "dece": 12,
    ]

    /// Words that call the date after them an update's, and a publication's.
    private static let updateWords = [
        "update", "aktualisiert", "geändert", "modified", "mis à jour", "actualizad", "actualización", "aggiornat",
        "bijgewerkt", "last edited", "zuletzt", "atualizad", "edited", "editiert", "bearbeitet",
    ]
    private static let publishWords = [
        "publi", "veröffentlicht", "posted", "erschienen", "erstellt", "written", "geschrieben", "created",
        "gepost", "date:", "datum:",
    ]

    /// Words just before a date that make it a period's bound (or a member's registration).
    private static let rangeWords = [
        "bis ", "until", "till ", "jusqu", "hasta", "ab ", "seit ", "since ", "from ", "deadline", "gültig",
        "valid", "frist", "fino ", "registr", "joined", "member since", "mitglied", "termin",
    ]

    /// What the words in `scalars` before `position` call the date there: the last cue wins.
    private static func cue(before position: Int, in scalars: [Unicode.Scalar]) -> Cue {
        guard position > 0 else { return .none }
        let prefix = String(String.UnicodeScalarView(scalars[..<position]))
        func last(_ words: [String]) -> String.Index? {
            words.compactMap { prefix.range(of: $0, options: .backwards)?.lowerBound }.max()
        }
        let near = String(String.UnicodeScalarView(scalars[max(0, position - 16) ..< position]))
        if rangeWords.contains(where: { near.contains($0) }) { return .range }
        switch (last(updateWords), last(publishWords)) {
        case (nil, nil): return .none
        case (.some, nil): return .updated
        case (nil, .some): return .published
        case (.some(let update), .some(let publish)): return update > publish ? .updated : .published
        }
    }

    /// `YYYY-MM-DD` of a real day.
    static func date(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1 ... 12).contains(month), day >= 1 else { return nil }
        let lengths = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31,
                       30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(pad(month))-\(pad(day))"
    }
}
