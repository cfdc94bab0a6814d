/// Finds the main text of a page: the article's paragraphs, without the page around it.
///
/// Works on an ``HTMLTree`` in a few linear passes over flat arrays:
///
/// 1. Per node: the nearest block ancestor, whether it sits in a link, and the raw text and link
///    text of every subtree (bottom-up).
/// 2. Per element, top-down: drop what is never article text (navigation, page header and footer,
///    sidebars, comments, share, related and subscription blocks, ads, overlays, captions, hidden
///    content, galleries), by tag, ARIA role and `class`/`id` words; a wrapper holding most of the
///    page, or its headline and most of its running text, is never dropped for its class.
/// 3. Per block of running text: a score from its length and commas, discounted by its link text,
///    credited to its ancestors (as Readability does); the best-scoring container, corrected by
///    its link density and class hints, is the article. Siblings that score well or hold plain
///    paragraphs join it.
/// 4. Emit the container's text: each block element is a paragraph; link lists, short blocks of
///    links, form-like blocks and teasers of other stories (a headline link with a summary, alone
///    or in a list) inside the container are left out, and so is what the markup hides (`hidden`,
///    `aria-hidden`, `display: none`) unless it is most of the page; line-level rules drop share
///    labels, bare dates and bylines at the edges.
struct ContentExtractor {
    private let tree: HTMLTree
    private let nodes: [HTMLTree.Node]
    private let count: Int
    /// The `<body>` (or the root when there is none).
    private let body: Int
    /// When to give up: every pass checks it as it goes.
    private let deadline: Deadline

    private var blockOf: [Int32]
    private var inLink: [Bool]
    private var rawChars: [Int32]
    private var rawLinkChars: [Int32]
    /// Characters in blocks of running text (100 characters or more, few links) in the subtree.
    private var rawProse: [Int32]
    /// Blocks that hold text of their own in the subtree (the element included).
    private var rawBlocks: [Int32]
    /// Links (`<a>` elements) in the subtree.
    private var rawLinks: [Int32]
    /// Pictures (`<img>`, `<picture>`, not their `<noscript>` copies) in the subtree.
    private var rawImages: [Int32]
    /// Characters of MathML formulas in the subtree.
    private var formulaChars: [Int32]
    /// Whether the subtree holds the page's main region (`<main>`, `role=main`) or an element
    /// marked `itemprop=articleBody`: a layout wrapper, never boilerplate whatever its class says.
    private var holdsMain: [Bool]
    /// Whether the subtree holds an `<h1>`: the page's headline.
    private var holdsHeadline: [Bool]
    /// The longest `<h1>` of the page that is not mostly a link, in characters, and the first `<h1>`
    /// or `<h2>` that is not: a headline of an article (a section front's names the section, its
    /// teasers' headlines are links).
    private var longestHeadline: Int32 = 0
    private var firstHeadline: Int32 = 0
    private var hints: [ClassHints]
    private var dropped: [Bool]
    private var chars: [Int32]
    private var linkChars: [Int32]
    private var commas: [Int32]
    private var ownChars: [Int32]
    private var ownLinkChars: [Int32]
    private var ownCommas: [Int32]
    private var paragraphs: [Int32]
    private var images: [Int32]
    private var score: [Float]
    /// Characters of text blocks that read like article text (40 characters or more, few links),
    /// and of headings, in the subtree.
    private var good: [Int32]
    private var headings: [Int32]
    /// Headline links in the subtree (dropped or not): headings that are mostly a link, and blocks
    /// that are one link as long as a headline. A teaser of another story has one; a list of
    /// teasers several.
    private var headlineLinks: [Int32]
    /// Characters of teasers in the subtree: of the largest elements that hold one headline link
    /// and no more than 600 characters.
    private var teaserChars: [Int32]
    /// Teasers in the subtree (dropped or not): elements with one or two headline links and no more
    /// than 600 characters, not inside a larger one.
    private var teasers: [Int32]
    /// Characters of article-like text (``good``) in the subtree outside teasers, and the longest
    /// block of it.
    private var goodOutsideTeasers: [Int32]
    private var longestOutsideTeasers: [Int32]

    init(tree: HTMLTree, deadline: Deadline = .never) {
        self.tree = tree
        self.deadline = deadline
        nodes = tree.nodes
        count = tree.nodes.count
        body = tree.nodes.firstIndex { $0.tag == .body } ?? 0
        blockOf = Array(repeating: -1, count: count)
        inLink = Array(repeating: false, count: count)
        rawChars = Array(repeating: 0, count: count)
        rawLinkChars = Array(repeating: 0, count: count)
        rawProse = Array(repeating: 0, count: count)
        rawBlocks = Array(repeating: 0, count: count)
        rawLinks = Array(repeating: 0, count: count)
        rawImages = Array(repeating: 0, count: count)
        formulaChars = Array(repeating: 0, count: count)
        holdsMain = Array(repeating: false, count: count)
        holdsHeadline = Array(repeating: false, count: count)
        hints = Array(repeating: [], count: count)
        dropped = Array(repeating: false, count: count)
        chars = Array(repeating: 0, count: count)
        linkChars = Array(repeating: 0, count: count)
        commas = Array(repeating: 0, count: count)
        ownChars = Array(repeating: 0, count: count)
        ownLinkChars = Array(repeating: 0, count: count)
        ownCommas = Array(repeating: 0, count: count)
        paragraphs = Array(repeating: 0, count: count)
        images = Array(repeating: 0, count: count)
        score = Array(repeating: 0, count: count)
        good = Array(repeating: 0, count: count)
        headings = Array(repeating: 0, count: count)
        headlineLinks = Array(repeating: 0, count: count)
        teaserChars = Array(repeating: 0, count: count)
        teasers = Array(repeating: 0, count: count)
        goodOutsideTeasers = Array(repeating: 0, count: count)
        longestOutsideTeasers = Array(repeating: 0, count: count)
    }

    /// The main text as paragraphs.
    ///
    /// - Throws: the deadline's rejection when the time is up.
    mutating func extract() throws(CopydeskError) -> [String] {
        guard count > 0 else { return [] }
        try measureRaw()
        let first = try attempt(trust: .classesAndTags)
        composition = first.composition
        guard Self.length(first.text) < 250 else { return first.text }
        // Too little text: the class words dropped the article itself. Try again trusting only
        // tags, comments and hidden content, as trafilatura undoes a discard that empties a page.
        let relaxed = try attempt(trust: .tags)
        let best = Self.length(relaxed.text) > Self.length(first.text) ? relaxed : first
        composition = best.composition
        guard best.text.isEmpty else { return best.text }
        // Still nothing: the article stands in an element that is boilerplate by its tag (an
        // `<aside>` or a `<header>` around the whole story). Choose a container by its text alone.
        let last = try attempt(trust: .nothing)
        composition = last.composition
        return last.text
    }

    /// What the text ``extract()`` returned is made of.
    private(set) var composition = Composition()

    /// The teasers of a section front, when the page is one: teasers of other stories (eight or
    /// more, each a headline link with at most a summary) make the text, read or left out, with
    /// less than 400 characters of other text beside them, no block of running text of 400
    /// characters outside a teaser anywhere in the page, and no `<h1>` (nor a first `<h2>`) as long
    /// as a headline (25 characters; a section front's names the section): no article. `nil` for
    /// a page with an article. Call after ``extract()``.
    var sectionFront: Composition? {
        let front = composition
        guard front.teasers >= 8, front.ownChars < 400, front.ownChars * 4 < front.teaserChars,
            front.longestOwnBlock < 400, longestHeadline < 25, firstHeadline < 25
        else { return nil }
        return front
    }

    /// What the text of an attempt is made of: teasers of other stories (see ``isTeaser(_:)``) or
    /// text of its own.
    struct Composition: Sendable {
        /// Teasers whose text the attempt read.
        var teasers = 0
        /// Characters read inside them.
        var teaserChars = 0
        /// Characters read outside them and outside links.
        var ownChars = 0
        /// The longest block of running text (40 characters or more, few links) the attempt kept
        /// in the page outside teasers, read or not: its link text left out.
        var longestOwnBlock = 0
    }

    /// What an attempt believes of the markup when it drops elements before scoring.
    private enum Trust {
        /// Tags, ARIA roles and class words.
        case classesAndTags
        /// Tags, and class words only for comments, hidden content, captions and meta lines.
        case tags
        /// Class words only for comments, hidden content, captions and meta lines; no tag but
        /// `<noscript>` (and what is never text: scripts, form controls).
        case nothing
    }

    private static func length(_ paragraphs: [String]) -> Int {
        paragraphs.reduce(0) { $0 + $1.utf8.count }
    }

    private mutating func reset() throws(CopydeskError) {
        for index in 0 ..< count {
            try deadline.check(every: index)
            dropped[index] = false
            chars[index] = 0
            linkChars[index] = 0
            commas[index] = 0
            ownChars[index] = 0
            ownLinkChars[index] = 0
            ownCommas[index] = 0
            paragraphs[index] = 0
            images[index] = 0
            score[index] = 0
            good[index] = 0
            headings[index] = 0
            goodOutsideTeasers[index] = 0
            longestOutsideTeasers[index] = 0
        }
    }

    private mutating func attempt(trust: Trust) throws(CopydeskError) -> (text: [String], composition: Composition) {
        if trust != .classesAndTags { try reset() }
        try classify(trust: trust)
        try measureKept()
        try scoreBlocks()
        let selection = try selectContainer()
        var output = TextBuilder()
        var tally = Composition()
        for root in leads(before: selection[0]) + selection where !isConcealed(root) {
            try emit(root, into: &output, tally: &tally)
        }
        var text = Self.cleanEdges(output.paragraphs)
        if text.reduce(0, { $0 + $1.count }) < 250, selection != [body] {
            // Too little for an article: the container was a wrong guess; take the body as cleaned.
            var whole = TextBuilder()
            var wholeTally = Composition()
            try emit(body, into: &whole, tally: &wholeTally)
            let alternative = Self.cleanEdges(whole.paragraphs)
            if alternative.reduce(0, { $0 + $1.count }) > text.reduce(0, { $0 + $1.count }) {
                text = alternative
                tally = wholeTally
            }
        }
        tally.longestOwnBlock = Int(longestOutsideTeasers[body])
        return (text, tally)
    }

    /// The text of the whole body, for a page where no container holds text: only skipped and
    /// hidden elements are left out. Call after ``extract()``.
    func fallbackText() throws(CopydeskError) -> [String]? {
        guard count > 0 else { return nil }
        var output = TextBuilder()
        var index = body + 1
        var closing: [Int] = []
        while index < Int(nodes[body].end) {
            try deadline.check(every: index)
            while let last = closing.last, index >= last {
                output.flush()
                closing.removeLast()
            }
            let node = nodes[index]
            if node.tag == .text {
                output.append(
                    tree.bytes[Int(node.first) ..< Int(node.first + node.count)], characters: Int(node.characters),
                    inLink: false)
                index += 1
            } else if node.tag.isSkipped || dropped[index] {
                index = Int(node.end)
            } else {
                if node.tag.isBlockLevel {
                    output.flush()
                    closing.append(Int(node.end))
                }
                index += 1
            }
        }
        output.flush()
        let paragraphs = Self.cleanEdges(output.paragraphs)
        return paragraphs.isEmpty ? nil : paragraphs
    }

    // MARK: - Pass 1: raw measures

    private mutating func measureRaw() throws(CopydeskError) {
        for index in 0 ..< count {
            try deadline.check(every: index)
            let node = nodes[index]
            let parent = Int(node.parent)
            if node.tag != .text, node.tag.isBlockLevel || parent < 0 {
                blockOf[index] = Int32(index)
            } else {
                blockOf[index] = parent >= 0 ? blockOf[parent] : Int32(index)
            }
            inLink[index] = node.tag == .a || (parent >= 0 && inLink[parent])
            if node.tag == .main {
                holdsMain[index] = true
            } else if node.tag == .h1 {
                holdsHeadline[index] = true
            } else if node.tag != .text, node.count > 0 {
                if let role = tree.attributeRange(.role, of: index), tree.bytes[role].lowercasedASCIIContains("main") {
                    holdsMain[index] = true
                } else if let itemprop = tree.attributeRange(.itemprop, of: index),
                    tree.bytes[itemprop].lowercasedASCIIContains("articlebody")
                {
                    holdsMain[index] = true
                }
            }
        }
        // Reverse document order visits every node after its descendants.
        for index in stride(from: count - 1, through: 0, by: -1) {
            try deadline.check(every: index)
            let node = nodes[index]
            if node.tag == .text {
                rawChars[index] = node.characters
                if node.parent >= 0, nodes[Int(node.parent)].tag == .math { formulaChars[index] = node.characters }
                let block = Int(blockOf[index])
                ownChars[block] += node.characters
                if inLink[index] {
                    rawLinkChars[index] = node.characters
                    ownLinkChars[block] += node.characters
                }
            } else if node.tag.isSkipped {
                if node.tag == .picture, node.parent >= 0 { rawImages[Int(node.parent)] += 1 }
                continue
            } else if node.tag == .a {
                rawLinks[index] += 1
            } else if node.tag == .img {
                rawImages[index] += 1
            } else if blockOf[index] == Int32(index), ownChars[index] > 0 {
                rawBlocks[index] += 1
                if ownChars[index] >= 100, ownLinkChars[index] * 10 < ownChars[index] * 3 {
                    rawProse[index] += ownChars[index]
                }
                if node.tag == .h1 || node.tag == .h2, ownLinkChars[index] * 2 < ownChars[index] {
                    if node.tag == .h1 { longestHeadline = max(longestHeadline, ownChars[index]) }
                    // Visited in reverse document order: the last one seen is the first.
                    firstHeadline = ownChars[index]
                }
                // A headline link: a heading that is mostly a link (not the `<h1>`: a page's own
                // headline links to the page on many blogs), or a paragraph that is one long link.
                if node.tag.isHeading ? node.tag != .h1 && ownChars[index] >= 10
                    && ownLinkChars[index] * 10 >= ownChars[index] * 6
                    : (node.tag == .p || node.tag == .div) && ownChars[index] >= 20
                        && ownLinkChars[index] * 10 >= ownChars[index] * 9
                {
                    headlineLinks[index] += 1
                }
            }
            if node.tag != .text, isTeaser(index) {
                teaserChars[index] = rawChars[index]
                teasers[index] = 1
            }
            let parent = Int(node.parent)
            if parent >= 0 {
                rawChars[parent] += rawChars[index]
                rawLinkChars[parent] += rawLinkChars[index]
                rawProse[parent] += rawProse[index]
                rawBlocks[parent] += rawBlocks[index]
                rawLinks[parent] += rawLinks[index]
                formulaChars[parent] += formulaChars[index]
                headlineLinks[parent] += headlineLinks[index]
                teaserChars[parent] += teaserChars[index]
                teasers[parent] += teasers[index]
                if node.tag != .noscript { rawImages[parent] += rawImages[index] }
                if holdsMain[index] { holdsMain[parent] = true }
                if holdsHeadline[index] { holdsHeadline[parent] = true }
            }
        }
        for index in 0 ..< count {
            ownChars[index] = 0
            ownLinkChars[index] = 0
        }
    }

    // MARK: - Pass 2: what is never article text

    private mutating func classify(trust: Trust) throws(CopydeskError) {
        var cache: [UInt64: ClassHints] = [:]
        var classCounts: [UInt64: Int32]? = nil
        var shownKinds: [Int: Set<UInt64>] = [:]
        let pageChars = max(rawChars[body], 1)
        var index = 0
        while index < count {
            try deadline.check(every: index)
            let node = nodes[index]
            if node.tag == .text {
                index += 1
                continue
            }
            if node.tag.isSkipped, node.tag != .head {
                markDropped(index)
                index = Int(node.end)
                continue
            }
            var elementHints: ClassHints = []
            if node.count > 0 {
                for position in Int(node.first) ..< Int(node.first + node.count) {
                    let attribute = tree.attributes[position]
                    let range = Int(attribute.start) ..< Int(attribute.end)
                    switch attribute.name {
                    case .class, .id:
                        // The id of a heading, or of an element in one, is an anchor made from its
                        // own words (`#what-comes-next`, `#Details`), not the name of a part of the
                        // layout.
                        guard !range.isEmpty, attribute.name == .class || !nodes[Int(blockOf[index])].tag.isHeading
                        else { break }
                        let key = FNV1a.hash(tree.bytes[range]) &+ (attribute.name == .id ? 1 : 0)
                        if let known = cache[key] {
                            elementHints.formUnion(known)
                        } else {
                            let found = ClassHints.of(tree.bytes[range])
                            cache[key] = found
                            elementHints.formUnion(found)
                        }
                    case .role:
                        elementHints.formUnion(ClassHints.ofRole(tree.bytes[range]))
                    case .itemprop:
                        let value = tree.bytes[range]
                        if value.lowercasedASCIIContains("articlebody") || value.lowercasedASCIIContains("text") {
                            elementHints.insert(.articleBody)
                        } else if value.lowercasedASCIIContains("comment") {
                            elementHints.insert(.comments)
                        } else if value.lowercasedASCIIContains("author") || value.lowercasedASCIIContains("date") {
                            elementHints.insert(.postMeta)
                        }
                    case .itemtype:
                        if tree.bytes[range].lowercasedASCIIContains("comment") { elementHints.insert(.comments) }
                    case .hidden:
                        elementHints.formUnion([.hidden, .hiddenByMarkup])
                    case .ariaHidden:
                        if tree.bytes[range].lowercasedASCIIContains("true") {
                            elementHints.formUnion([.hidden, .hiddenByMarkup])
                        }
                    case .style:
                        if Self.styleHides(tree.bytes[range]) { elementHints.formUnion([.hidden, .hiddenByMarkup]) }
                    default:
                        break
                    }
                }
            }
            if elementHints.contains(.hidden), formulaChars[index] > 0, formulaChars[index] == rawChars[index] {
                // The formula itself, hidden beside its picture for screen readers and copying:
                // its TeX is the text of the formula.
                elementHints.subtract([.hidden, .hiddenByMarkup])
            }
            if elementHints.contains(.hiddenByMarkup), isPageOfSeries(index, shownKinds: &shownKinds) {
                // One page of an article shown a page at a time (a gallery of numbered items, a
                // slide show): the pages beside the one shown are the article's too.
                elementHints.subtract([.hidden, .hiddenByMarkup])
            }
            if elementHints.contains(.teaser) {
                // `teaser-text`, `article-teaser`: the article's own lead (German CMSs call it the teaser)
                // is running text with few links; a teaser of another story is mostly its link.
                elementHints.remove(.teaser)
                if rawChars[index] <= 2500, rawLinkChars[index] * 4 < rawChars[index],
                    elementHints.contains(.lead) || rawBlocks[index] <= 1,
                    !hasRepeatedClass(index, counts: &classCounts)
                {
                    elementHints.insert(.lead)
                } else {
                    elementHints.formUnion([.related, .widget])
                }
            }
            hints[index] = elementHints
            if index > body, shouldDrop(index, hints: elementHints, pageChars: pageChars, trust: trust) {
                markDropped(index)
                index = Int(node.end)
                continue
            }
            index += 1
        }
    }

    /// Whether another element of the page has the same tag and `class` as element `index`: one
    /// item of a list of teasers, not the article's own lead. Counts the classes of the page on
    /// first use.
    private func hasRepeatedClass(_ index: Int, counts: inout [UInt64: Int32]?) -> Bool {
        func key(_ element: Int) -> UInt64? {
            guard let range = tree.attributeRange(.class, of: element), !range.isEmpty else { return nil }
            return FNV1a.hash(tree.bytes[range]) &+ UInt64(nodes[element].tag.rawValue)
        }
        guard let own = key(index) else { return false }
        if counts == nil {
            var found: [UInt64: Int32] = [:]
            for element in body ..< count where nodes[element].tag != .text {
                if let key = key(element) { found[key, default: 0] += 1 }
            }
            counts = found
        }
        return (counts?[own] ?? 0) > 1
    }

    /// The kind of an element: its tag and its first class (`gallery-item` of `gallery-item hidden`).
    private func kind(of index: Int) -> UInt64? {
        guard let range = tree.attributeRange(.class, of: index) else { return nil }
        let first = tree.bytes[range].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }).first
        guard let first else { return nil }
        return FNV1a.hash(first) &+ UInt64(nodes[index].tag.rawValue)
    }

    /// Whether the markup itself hides the element: `hidden`, `aria-hidden="true"`, an inline style.
    private func isHiddenByMarkup(_ index: Int) -> Bool {
        let node = nodes[index]
        guard node.count > 0 else { return false }
        for position in Int(node.first) ..< Int(node.first + node.count) {
            let attribute = tree.attributes[position]
            let value = tree.bytes[Int(attribute.start) ..< Int(attribute.end)]
            switch attribute.name {
            case .hidden: return true
            case .ariaHidden: if value.lowercasedASCIIContains("true") { return true }
            case .style: if Self.styleHides(value) { return true }
            default: break
            }
        }
        return false
    }

    /// Whether the hidden element `index` is one of a series of siblings of its kind that the page
    /// shows one at a time: a sibling of the same kind is shown. `shownKinds` keeps the kinds shown
    /// among each parent's children (the first 200).
    private func isPageOfSeries(_ index: Int, shownKinds: inout [Int: Set<UInt64>]) -> Bool {
        let parent = Int(nodes[index].parent)
        guard parent >= 0, let own = kind(of: index) else { return false }
        if shownKinds[parent] == nil {
            var kinds = Set<UInt64>()
            var child = parent + 1
            var scanned = 0
            while child < Int(nodes[parent].end), scanned < 200 {
                if nodes[child].tag != .text, !isHiddenByMarkup(child), let kind = kind(of: child) { kinds.insert(kind) }
                child = Int(nodes[child].end)
                scanned += 1
            }
            shownKinds[parent] = kinds
        }
        return shownKinds[parent]?.contains(own) ?? false
    }

    private mutating func markDropped(_ index: Int) {
        for position in index ..< Int(nodes[index].end) { dropped[position] = true }
    }

    private func shouldDrop(_ index: Int, hints elementHints: ClassHints, pageChars: Int32, trust: Trust) -> Bool {
        let node = nodes[index]
        let share = Double(rawChars[index]) / Double(pageChars)
        let linkDensity = rawChars[index] > 0 ? Double(rawLinkChars[index]) / Double(rawChars[index]) : 0
        // A wrapper around most of the page is never boilerplate, whatever its class says.
        let wrapper = share >= 0.6 && !elementHints.contains(.comments)
        // Most of the page's running text: the article itself, wherever the page put it (in a
        // `<noscript>` of a page its scripts render, in a container it shows once loaded).
        let mostProse = holdsMostProse(index)
        switch trust == .nothing && node.tag != .noscript ? .other : node.tag {
        case .noscript:
            return !wrapper && !mostProse
        case .nav, .footer, .menu:
            return !wrapper
        case .aside:
            return !wrapper && !(rawProse[index] >= 1500 && rawProse[index] * 3 >= rawChars[index])
        case .header:
            return !wrapper && (linkDensity > 0.5 || rawChars[index] == 0 || elementHints.contains(.pageFrame))
        case .figcaption, .figure:
            return !wrapper
        case .form:
            // A shop's product form holds the product's description; search, login and comment
            // forms hold labels.
            let holdsProse = rawProse[index] >= 500 && rawProse[index] * 2 >= rawChars[index]
            return !wrapper && share < 0.3 && !holdsProse
        case .html, .body, .main:
            return false
        default:
            break
        }
        if holdsMain[index], !elementHints.contains(.comments) { return false }
        let layout = holdsArticle(index) && !elementHints.contains(.comments)
        // Pop-ups and consent dialogs can hold more prose than the article (a privacy policy,
        // another story): dropped even when they hold most of the page, unless they hold its
        // headline too (an off-canvas wrapper, `off-canvas-wrapper`, around the whole page).
        if elementHints.contains(.overlay), trust == .classesAndTags, !layout,
            !elementHints.contains(.articleBody) || rawProse[index] < 500
        {
            return true
        }
        if wrapper || layout { return false }
        if trust != .classesAndTags {
            // Captions and meta lines (the byline, the tags) are never the article, however little
            // text the page holds; left in, their links can make the article look like a block of
            // links.
            let furniture = !elementHints.isDisjoint(with: [.caption, .postMeta])
                && !elementHints.contains(.articleBody) && rawChars[index] < 300 && rawProse[index] == 0
            return elementHints.contains(.comments) || elementHints.contains(.hidden) || furniture
        }
        // How much running text the element holds decides whether its class may drop it: menus,
        // share bars, teaser lists and cookie notices hold little; a layout wrapper or an article
        // whose class happens to name a sidebar, an ad slot or a tag holds much.
        let proseChars = rawProse[index]
        let prose = proseChars >= 500 && (proseChars * 2 >= rawChars[index] || proseChars >= 1500)
        let muchProse = proseChars >= 1500 && proseChars * 3 >= rawChars[index]
        // Embedded posts (`blockquote.twitter-tweet`) are quotations in the article, not share buttons.
        if node.tag == .blockquote, elementHints.isDisjoint(with: [.comments, .hidden, .advertising]) { return false }
        let isArticle = (node.tag == .article || node.tag == .main) && elementHints.contains(.content)
        if (isArticle || elementHints.contains(.articleBody)), prose { return false }
        if elementHints.contains(.comments) { return true }
        // A menu holds no running text; tabs (`tab-menu`) that hold the product text or the
        // article's sections do.
        if elementHints.contains(.navigation) { return !prose }
        if elementHints.contains(.sidebar) { return !muchProse }
        // Related stories with their excerpts hold prose too, but a linked title every few hundred
        // characters; an article whose class names something related has few links for its text.
        if elementHints.contains(.related), rawLinks[index] >= 4, rawLinks[index] * 400 > proseChars { return true }
        // Hidden text with running text in it is a tab or an accordion the reader opens.
        if !elementHints.isDisjoint(with: [.hidden, .share, .related, .subscribe, .pageFrame, .advertising]) {
            return !prose
        }
        let small = rawChars[index] < 300
        if elementHints.contains(.caption) { return !wrapper && rawChars[index] < 600 }
        if elementHints.contains(.widget), !elementHints.contains(.articleBody) {
            // A gallery, a slider, a carousel: pictures with a caption each, however long the captions.
            let pictures = rawImages[index]
            if pictures >= 3, rawChars[index] <= pictures * 250, !holdsHeadline[index] { return true }
            return small && rawProse[index] == 0
        }
        if elementHints.contains(.postMeta), !elementHints.contains(.articleBody) {
            return rawChars[index] < 1000
        }
        return false
    }

    /// Whether the element holds the page's headline (an `<h1>`) and more than half of its running
    /// text: the page's layout, whatever its class names (an off-canvas menu, a panel, a drawer the
    /// site slides open), not the menu or panel itself.
    private func holdsArticle(_ index: Int) -> Bool {
        holdsHeadline[index] && rawProse[index] >= 300 && rawProse[index] * 2 > rawProse[body]
    }

    /// Whether the subtree holds most of the page's running text: the article itself, wherever the
    /// page put it.
    private func holdsMostProse(_ index: Int) -> Bool {
        rawProse[index] >= 300 && rawProse[index] * 2 > rawProse[body]
    }

    /// Whether the markup hides the element (`hidden`, `aria-hidden="true"`, `display: none`): a
    /// copy for scripts, a closed tab, a carousel's other slides, the next story preloaded. Its text
    /// is not read, however much it holds, unless it is nearly all of the page (three quarters of
    /// its text, or of its running text): a wrapper a script shows once the page has loaded, an
    /// article loaded hidden. It still counts for finding the container, so that a page reads the
    /// same whether its tabs are open or closed.
    private func isConcealed(_ index: Int) -> Bool {
        guard hints[index].contains(.hiddenByMarkup) else { return false }
        let nearlyAllProse = rawProse[index] >= 300 && rawProse[index] * 4 >= rawProse[body] * 3
        return !nearlyAllProse && rawChars[index] * 4 < rawChars[body] * 3
    }

    /// Whether an inline style hides the element (`display: none`, `visibility: hidden`).
    static func styleHides(_ style: ArraySlice<UInt8>) -> Bool {
        var compact = [UInt8]()
        compact.reserveCapacity(style.count)
        for byte in style where byte != 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            compact.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        let slice = compact[...]
        return slice.lowercasedASCIIContains("display:none") || slice.lowercasedASCIIContains("visibility:hidden")
    }

    // MARK: - Pass 3: measures of what is kept

    private mutating func measureKept() throws(CopydeskError) {
        for index in stride(from: count - 1, through: 0, by: -1) where !dropped[index] {
            try deadline.check(every: index)
            let node = nodes[index]
            let parent = Int(node.parent)
            if node.tag == .text {
                chars[index] = node.characters
                commas[index] = node.commas
                let block = Int(blockOf[index])
                if block >= 0 {
                    ownChars[block] += node.characters
                    ownCommas[block] += node.commas
                    if inLink[index] {
                        linkChars[index] = node.characters
                        ownLinkChars[block] += node.characters
                    }
                }
            } else {
                if blockOf[index] == Int32(index) {
                    if node.tag.isHeading {
                        headings[index] += ownChars[index]
                    } else if ownChars[index] >= 40, ownLinkChars[index] * 20 < ownChars[index] * 7 {
                        let text = ownChars[index] - ownLinkChars[index]
                        good[index] += text
                        goodOutsideTeasers[index] += text
                        longestOutsideTeasers[index] = max(longestOutsideTeasers[index], text)
                    }
                }
                if isTeaser(index) {
                    goodOutsideTeasers[index] = 0
                    longestOutsideTeasers[index] = 0
                }
                switch node.tag {
                case .p: paragraphs[index] += 1
                case .img: images[index] += 1
                default: break
                }
            }
            if parent >= 0 {
                chars[parent] += chars[index]
                linkChars[parent] += linkChars[index]
                commas[parent] += commas[index]
                paragraphs[parent] += paragraphs[index]
                good[parent] += good[index]
                headings[parent] += headings[index]
                images[parent] += images[index]
                goodOutsideTeasers[parent] += goodOutsideTeasers[index]
                longestOutsideTeasers[parent] = max(longestOutsideTeasers[parent], longestOutsideTeasers[index])
            }
        }
    }

    /// Whether the element is one teaser (or a pair side by side): one or two headline links and no
    /// more than 600 characters.
    private func isTeaser(_ index: Int) -> Bool {
        (headlineLinks[index] == 1 || headlineLinks[index] == 2) && rawChars[index] <= 600
    }

    private func linkDensity(_ index: Int) -> Double {
        chars[index] > 0 ? Double(linkChars[index]) / Double(chars[index]) : 0
    }

    // MARK: - Pass 4: scores

    /// What the class and id words say: positive for article bodies, negative for boilerplate.
    private func hintWeight(_ index: Int) -> Float {
        let elementHints = hints[index]
        var weight: Float = 0
        if elementHints.contains(.articleBody) { weight += 25 }
        if elementHints.contains(.content) { weight += 10 }
        if !elementHints.isDisjoint(with: ClassHints.boilerplate) { weight -= 25 }
        if elementHints.contains(.header) || elementHints.contains(.postMeta) { weight -= 10 }
        return weight
    }

    /// The initial score of a candidate: its hint weight and a bonus or malus for its tag.
    private func classWeight(_ index: Int) -> Float {
        var weight = hintWeight(index)
        switch nodes[index].tag {
        case .article: weight += 10
        case .main: weight += 5
        case .div: weight += 5
        case .pre, .td, .blockquote: weight += 3
        case .address, .ol, .ul, .dl, .dd, .dt, .li, .form: weight -= 3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: weight -= 5
        default: break
        }
        return weight
    }

    private mutating func scoreBlocks() throws(CopydeskError) {
        var initialized = [Bool](repeating: false, count: count)
        for index in body ..< count where !dropped[index] {
            try deadline.check(every: index)
            let node = nodes[index]
            guard node.tag != .text, blockOf[index] == Int32(index), ownChars[index] >= 25 else { continue }
            switch node.tag {
            case .h1, .li, .dt, .th, .tr, .table, .ul, .ol, .dl, .caption, .figcaption, .legend, .summary:
                continue
            default:
                break
            }
            let own = Float(ownChars[index])
            let ownLinks = Float(ownLinkChars[index])
            var value: Float = 1 + Float(ownCommas[index]) + min(own / 100, 3)
            value *= max(0, 1 - ownLinks / own)
            if node.tag.isHeading { value *= 0.5 }
            guard value > 0 else { continue }
            var ancestor = Int(node.parent)
            var level = 0
            while ancestor >= body, level < 5 {
                if !initialized[ancestor] {
                    initialized[ancestor] = true
                    score[ancestor] += classWeight(ancestor)
                }
                let divider: Float = level == 0 ? 1 : level == 1 ? 2 : Float(level * 3)
                score[ancestor] += value / divider
                ancestor = Int(nodes[ancestor].parent)
                level += 1
            }
            if !node.tag.isParagraphLike, node.tag != .text {
                // A div holding running text directly scores like a paragraph's parent too.
                if !initialized[index] {
                    initialized[index] = true
                    score[index] += classWeight(index)
                }
                score[index] += value
            }
        }
        for index in body ..< count where initialized[index] {
            score[index] *= Float(1 - linkDensity(index))
        }
    }

    // MARK: - Pass 5: the container

    private func selectContainer() throws(CopydeskError) -> [Int] {
        var best = -1
        var bestScore: Float = 0
        var top: [(Int, Float)] = []
        for index in body ..< count where score[index] > 0 && !dropped[index] {
            try deadline.check(every: index)
            if score[index] > bestScore {
                bestScore = score[index]
                best = index
            }
        }
        guard best >= 0 else { return [body] }
        for index in body ..< count where score[index] >= bestScore * 0.75 && index != best && !dropped[index] {
            top.append((index, score[index]))
        }
        // Several near-best candidates under one ancestor: the article is split, take the ancestor.
        if top.count >= 2 {
            var ancestor = Int(nodes[best].parent)
            while ancestor > body {
                try deadline.check()
                let under = top.filter { isAncestor(ancestor, of: $0.0) }.count
                if under >= 2 {
                    best = ancestor
                    break
                }
                ancestor = Int(nodes[ancestor].parent)
            }
        }
        // Climb while the parent scores better: the candidate was one part of the article.
        var candidate = best
        var lastScore = score[candidate]
        let threshold = lastScore / 3
        var parent = Int(nodes[candidate].parent)
        while parent > body {
            if score[parent] <= 0 {
                parent = Int(nodes[parent].parent)
                continue
            }
            if score[parent] < threshold { break }
            if score[parent] > lastScore {
                candidate = parent
                break
            }
            lastScore = score[parent]
            parent = Int(nodes[parent].parent)
        }
        // An ancestor that adds more article-like text than other text holds the rest of the
        // article (split into sections, columns or page-builder modules).
        var expanded = candidate
        var bestGain: Int32 = 0
        var ancestor = Int(nodes[candidate].parent)
        while ancestor > body {
            let addedGood = good[ancestor] - good[candidate]
            let addedOther = other(ancestor) - other(candidate)
            let gain = addedGood - addedOther
            if gain > bestGain, addedGood >= 50, linkDensity(ancestor) < 0.4 {
                bestGain = gain
                expanded = ancestor
            }
            ancestor = Int(nodes[ancestor].parent)
        }
        candidate = expanded
        // A sole child is its parent's content.
        while candidate > body, nodes[candidate].parent >= 0 {
            let parentIndex = Int(nodes[candidate].parent)
            guard parentIndex > body, chars[parentIndex] == chars[candidate] else { break }
            candidate = parentIndex
        }
        return withSiblings(candidate)
    }

    private func sameClass(_ a: Int, _ b: Int) -> Bool {
        guard nodes[a].tag == nodes[b].tag, let first = tree.attributeRange(.class, of: a),
            let second = tree.attributeRange(.class, of: b), !first.isEmpty
        else { return false }
        return tree.bytes[first] == tree.bytes[second]
    }

    /// Whether two elements have the same tag and classes of which at least two thirds are shared
    /// (`box col-8 ingredients` and `box col-8 steps`: two parts of one layout).
    private func similarClass(_ a: Int, _ b: Int) -> Bool {
        guard nodes[a].tag == nodes[b].tag, let first = tree.attributeRange(.class, of: a),
            let second = tree.attributeRange(.class, of: b)
        else { return false }
        let tokensA = tree.bytes[first].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A })
        let tokensB = tree.bytes[second].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A })
        guard tokensA.count >= 2, tokensB.count >= 2 else { return false }
        let shared = tokensA.filter { token in tokensB.contains { $0.elementsEqual(token) } }.count
        return shared * 3 >= max(tokensA.count, tokensB.count) * 2
    }

    /// Kept text in the subtree that is neither article-like nor a heading.
    private func other(_ index: Int) -> Int32 {
        chars[index] - good[index] - headings[index]
    }

    /// Lead paragraphs (intro, excerpt, standfirst) that stand in the article's header, before
    /// the container of its body.
    private func leads(before container: Int) -> [Int] {
        var article = Int(nodes[container].parent)
        var levels = 0
        while article > body, levels < 4,
            !(nodes[article].tag == .article || nodes[article].tag == .main || hints[article].contains(.content))
        {
            article = Int(nodes[article].parent)
            levels += 1
        }
        guard article > body, levels < 4 else { return [] }
        var found: [Int] = []
        var index = article + 1
        while index < container {
            let node = nodes[index]
            if node.tag != .text, !dropped[index], hints[index].contains(.lead) || isDeck(index, below: article),
                Int(node.end) <= container, chars[index] >= 30, chars[index] <= 1500, linkDensity(index) < 0.3
            {
                found.append(index)
                index = Int(node.end)
            } else {
                index += 1
            }
        }
        return found
    }

    /// Whether the element is the standfirst in the article's header: a paragraph or a subheading
    /// (not the headline) of a sentence's length, without links, in a `<header>` or `<hgroup>`.
    private func isDeck(_ index: Int, below article: Int) -> Bool {
        let tag = nodes[index].tag
        guard tag == .p || (tag.isHeading && tag != .h1), chars[index] >= 40, chars[index] <= 600,
            linkChars[index] == 0, hints[index].isDisjoint(with: [.postMeta, .caption])
        else { return false }
        var ancestor = Int(nodes[index].parent)
        while ancestor > article {
            if nodes[ancestor].tag == .header || nodes[ancestor].tag == .hgroup { return true }
            ancestor = Int(nodes[ancestor].parent)
        }
        return false
    }

    private func isAncestor(_ ancestor: Int, of index: Int) -> Bool {
        index > ancestor && index < Int(nodes[ancestor].end)
    }

    /// The candidate and the siblings that belong to the article with it, in document order.
    private func withSiblings(_ candidate: Int) -> [Int] {
        let parent = Int(nodes[candidate].parent)
        guard parent >= 0, candidate > body else { return [candidate] }
        let threshold = max(10, score[candidate] * 0.2)
        var selection: [Int] = []
        var sibling = parent + 1
        while sibling < Int(nodes[parent].end) {
            defer { sibling = Int(nodes[sibling].end) }
            if sibling == candidate {
                selection.append(sibling)
                continue
            }
            guard !dropped[sibling], nodes[sibling].tag != .text, chars[sibling] > 0, !isConcealed(sibling),
                !isTeaserBlock(sibling, within: chars[sibling] + chars[candidate])
            else { continue }
            // A sibling of the same tag and class is the next part of the same article (a recipe's
            // ingredients next to its steps, the second column of a split body), unless it is a
            // block of links.
            let same = sameClass(sibling, candidate)
            let bonus = same ? score[candidate] * 0.2 : 0
            if score[sibling] + bonus >= threshold {
                selection.append(sibling)
            } else if same || similarClass(sibling, candidate), chars[sibling] >= 50, linkDensity(sibling) < 0.3 {
                selection.append(sibling)
            } else if nodes[sibling].tag.isHeading, nodes[sibling].tag != .h1, chars[sibling] > 80,
                linkDensity(sibling) < 0.25
            {
                // A heading as long as a sentence is the article's lead set as a subheading.
                selection.append(sibling)
            } else if nodes[sibling].tag == .p {
                let density = linkDensity(sibling)
                let length = chars[sibling]
                if length > 80, density < 0.25 {
                    selection.append(sibling)
                } else if length > 0, density == 0, tree.text(of: sibling).contains(". ") {
                    selection.append(sibling)
                }
            }
        }
        return selection
    }

    // MARK: - Pass 6: the text

    /// Whether the element promotes other stories: a list of teasers, each a headline link with
    /// no more than a summary's worth of text beside it (a picture, a line or two, a date), or one
    /// such teaser that links its story twice (the headline and the picture or "read more").
    /// `whole` is the text the element stands in (the container, or the candidate it would join):
    /// teasers that are most of it beside less than an article's worth of other text are the page's
    /// content (a reading list, a link post), not an appendix.
    private func isTeaserBlock(_ index: Int, within whole: Int32) -> Bool {
        let teasers = headlineLinks[index]
        let outside = whole - chars[index]
        guard teasers > 0, chars[index] <= outside || (outside >= 400 && chars[index] <= outside * 3) else {
            return false
        }
        switch nodes[index].tag {
        case .div, .section, .aside, .article, .ul, .ol, .li, .dl, .other: break
        default: return false
        }
        if teasers >= 3 {
            // Teasers make the element: little text stands outside them (a heading, "More stories").
            return teaserChars[index] * 10 >= rawChars[index] * 8
        }
        guard teasers == 1, rawChars[index] <= 500, rawLinks[index] >= 2 else { return false }
        var seen: [Range<Int>] = []
        for position in index + 1 ..< Int(nodes[index].end) where nodes[position].tag == .a {
            guard let href = tree.attributeRange(.href, of: position), href.count > 1, tree.bytes[href.lowerBound] != 0x23
            else { continue }
            if seen.contains(where: { tree.bytes[$0] == tree.bytes[href] }) { return true }
            seen.append(href)
        }
        return false
    }

    /// Whether an element inside the container is left out: a block of links, a form, a short
    /// block of images (readability's "conditional cleaning"). Teasers of other stories are left
    /// out too (``isTeaserBlock(_:within:)``), before this.
    private func isCleanedOut(_ index: Int, root: Int) -> Bool {
        let node = nodes[index]
        // An element copydesk does not know (`ruby`, `ins`, a custom element) inside a link or a
        // paragraph is a run of the paragraph's text, not a block to judge on its own.
        if node.tag == .other, inLink[index] || nodes[Int(blockOf[index])].tag.isParagraphLike { return false }
        switch node.tag {
        case .ul, .ol, .dl, .menu, .div, .section, .table, .form, .fieldset, .aside, .header, .footer, .other:
            break
        case .p, .li, .dd, .h2, .h3, .h4, .h5, .h6, .h1:
            // A paragraph or item that is all links and short is navigation ("Next", tags).
            return chars[index] > 0 && linkDensity(index) > 0.9 && chars[index] < 50
        default:
            return false
        }
        if commas[index] >= 10 { return false }
        let weight = hintWeight(index)
        let density = linkDensity(index)
        let length = chars[index]
        let isList = node.tag.isList
        if length == 0 { return false }
        if weight < 0, length < (weight <= -25 ? 500 : 150), node.tag != .table || weight <= -25 { return true }
        if !isList, images[index] > 1, Double(paragraphs[index]) / Double(images[index]) < 0.5, length < 200 {
            return true
        }
        if isList {
            return density > 0.5 && length < 1000 || density > 0.8
        }
        if node.tag == .table {
            return density > 0.8 || (density > 0.5 && length >= 1000)
        }
        if weight < 25, density > 0.33, length < 1000 { return true }
        if density > 0.5 { return true }
        return false
    }

    private func emit(_ root: Int, into output: inout TextBuilder, tally: inout Composition) throws(CopydeskError) {
        let end = Int(nodes[root].end)
        if nodes[root].tag == .text {
            let node = nodes[root]
            output.append(
                tree.bytes[Int(node.first) ..< Int(node.first + node.count)], characters: Int(node.characters),
                inLink: inLink[root])
            output.flush()
            if !inLink[root] { tally.ownChars += Int(node.characters) }
            return
        }
        var closing: [(end: Int, block: Bool)] = [(end, true)]
        var index = root + 1
        // The end of the teaser the walk is in (the root's end when the root is one).
        var teaserEnd = -1
        if isTeaser(root) {
            tally.teasers += 1
            teaserEnd = end
        }
        let keep: (TextBuilder) -> Bool = { builder in
            // A line of two or more links and nothing else is a link list, not text.
            !(builder.links >= 2 && builder.linkCharacters * 10 >= builder.characters * 9)
        }
        output.flush(keep: keep)
        while index < end {
            try deadline.check(every: index)
            while let last = closing.last, index >= last.end {
                if last.block { output.flush(keep: keep) }
                closing.removeLast()
            }
            let node = nodes[index]
            if node.tag == .text {
                if !dropped[index] {
                    output.append(
                        tree.bytes[Int(node.first) ..< Int(node.first + node.count)], characters: Int(node.characters),
                        inLink: inLink[index])
                    if index < teaserEnd {
                        tally.teaserChars += Int(node.characters)
                    } else if !inLink[index] {
                        tally.ownChars += Int(node.characters)
                    }
                }
                index += 1
                continue
            }
            if dropped[index] || isConcealed(index) {
                index = Int(node.end)
                continue
            }
            if isTeaserBlock(index, within: chars[root]) {
                // Left out, but the page's text would have been these teasers.
                if index >= teaserEnd {
                    tally.teasers += Int(max(teasers[index], 1))
                    tally.teaserChars += Int(chars[index])
                }
                index = Int(node.end)
                continue
            }
            if isCleanedOut(index, root: root) {
                index = Int(node.end)
                continue
            }
            if index >= teaserEnd, isTeaser(index) {
                tally.teasers += 1
                teaserEnd = Int(node.end)
            }
            if node.tag == .br {
                output.lineBreak()
                index += 1
                continue
            }
            if node.tag == .a { output.noteLink() }
            if node.tag == .td || node.tag == .th {
                // A table row is one paragraph; its cells are separated by a space.
                output.cellBreak()
                closing.append((Int(node.end), false))
                index += 1
                continue
            }
            let block = node.tag.isBlockLevel
            if block { output.flush(keep: keep) }
            if node.tag.isHeading { output.isHeading = true }
            closing.append((Int(node.end), block))
            index += 1
        }
        output.flush(keep: keep)
    }

    // MARK: - Line rules

    /// The paragraph without its picture credit and source lines ("Foto: dpa", "(Credit: …)");
    /// `nil` when nothing else is left.
    private static func withoutCreditLines(_ paragraph: TextBuilder.Paragraph) -> TextBuilder.Paragraph? {
        guard paragraph.characters <= 200 || paragraph.text.utf8.contains(0x0A) else {
            return LineRules.isCreditLine(paragraph.text) ? nil : paragraph
        }
        let lines = paragraph.text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !LineRules.isCreditLine($0) }
        if kept.count == lines.count { return paragraph }
        if kept.isEmpty { return nil }
        var shortened = paragraph
        shortened.text = kept.joined(separator: "\n")
        shortened.characters = shortened.text.unicodeScalars.reduce(0) { $0 + ($1.properties.isWhitespace ? 0 : 1) }
        shortened.linkCharacters = min(shortened.linkCharacters, shortened.characters)
        return shortened
    }

    /// Drops share labels, bare dates, links standing alone as a paragraph, and headings that
    /// head nothing (the block after them was left out, or the text ends).
    static func cleanEdges(_ paragraphs: [TextBuilder.Paragraph]) -> [String] {
        var kept = paragraphs.compactMap(withoutCreditLines).filter { paragraph in
            if LineRules.isBoilerplateLine(paragraph.text) { return false }
            if paragraph.links >= 1, paragraph.linkCharacters * 10 >= paragraph.characters * 9,
                paragraph.characters < 100
            {
                return false
            }
            // "Read more: <linked headline>", "Lesen Sie auch: …": a label and a link to another story.
            if paragraph.links >= 1, paragraph.characters < 250, paragraph.linkCharacters * 10 >= paragraph.characters * 6,
                let colon = paragraph.text.firstIndex(of: ":"),
                paragraph.text.distance(from: paragraph.text.startIndex, to: colon) <= 30
            {
                return false
            }
            return true
        }
        // Text set in a heading's type is not a heading: a sentence (ending in a full stop or
        // running long) stays whatever follows it.
        let isTitle: (TextBuilder.Paragraph) -> Bool = { paragraph in
            guard paragraph.isHeading, paragraph.characters < 100, let final = paragraph.text.last else { return false }
            return !(paragraph.characters >= 40 && ".!。！".contains(final))
        }
        var index = kept.count - 1
        while index >= 0 {
            if isTitle(kept[index]), index == kept.count - 1 || kept[index + 1].isHeading {
                kept.remove(at: index)
            }
            index -= 1
        }
        // Short lines without a sentence's end after the last paragraph are credits, contact
        // labels and link captions ("Weitere Informationen", "Source:"), not the article's end.
        let isTrailer: (TextBuilder.Paragraph) -> Bool = { paragraph in
            guard paragraph.text.count < 30, let final = paragraph.text.last else { return false }
            return !".!?…\"“”»)。！？」』".contains(final)
        }
        if kept.contains(where: { !isTrailer($0) }) {
            while let last = kept.last, isTrailer(last) { kept.removeLast() }
        }
        return LineRules.withoutCallsToAction(kept.map(\.text))
    }
}
