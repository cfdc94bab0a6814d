internal import Foundation

/// The headline a page shows: the `<h1>` (failing that, an `<h2>`) that the titles the page declares
/// (`og:title`, JSON-LD `headline`, `twitter:title`, `<title>`) name.
///
/// The declared titles are often a rewording of the headline for search and social media, carry
/// the site's name (`Story | Site`) or a topic label (`Topic: Story`); the visible headline is what
/// the newsroom wrote. A heading is taken when its words and a declared title's agree (or it is one
/// whole part of a declared title that is not the shorter side of it), which keeps out the site's
/// name in a banner `<h1>`, section labels and teaser headings. The heading's text leaves out what
/// is hidden (screen-reader separators) and a kicker before the headline (`<span class="kicker">`,
/// a `<small>` label, a first line ended by `<br>`).
enum HTMLHeadline {
    /// The headline among `headings` (`<h1>` and `<h2>` element indices in document order), or nil
    /// when none of them agrees with a declared title.
    static func shown(in tree: HTMLTree, headings: [Int], declared: [String], site: String?) -> (text: String, index: Int)? {
        guard !declared.isEmpty else { return nil }
        let references = declared.map(Reference.init)
        let siteKey = site.map(key)
        for (level, least) in [(HTMLTag.h1, 0.5), (HTMLTag.h2, 1.0)] {
            var best: (text: String, index: Int, score: Double)?
            // A heading of more than a few dozen nodes holds more than a headline (a list, a box).
            for index in headings where tree.nodes[index].tag == level && Int(tree.nodes[index].end) - index <= 64 {
                let text = self.text(of: index, in: tree)
                guard text.utf8.count >= 2, text.utf8.count <= 600, text.contains(where: \.isLetter) else { continue }
                let textKey = key(text)
                guard textKey != siteKey else { continue }
                let score = references.map { $0.agreement(with: textKey) }.max() ?? 0
                if score >= least, score > (best?.score ?? 0), !isBanner(index, in: tree) { best = (text, index, score) }
            }
            if let best { return (best.text, best.index) }
        }
        return nil
    }

    // MARK: The heading's text

    /// The heading's text without hidden parts, a kicker before the headline or a line after it
    /// (a `<small>` subtitle, a date line after a `<br>`); when a part of the heading is marked as the
    /// headline (`class="headline"`), that part.
    static func text(of heading: Int, in tree: HTMLTree) -> String {
        var root = headlinePart(of: heading, in: tree) ?? heading
        // Through wrappers of one element (`<h1><a><span>…`).
        while let only = onlyChild(of: root, in: tree) { root = only }
        var skipped = [Int]()
        let parts = visibleChildren(of: root, in: tree)
        if parts.count > 1, let first = parts.first, tree.nodes[first].tag != .text {
            let isKicker = tree.nodes[first].tag == .small || tree.nodes[parts[1]].tag == .br
                || classContains(first, kickerWords, in: tree)
            if isKicker, words(in: visibleText(of: root, in: tree, skipping: [first])) >= 2 { skipped.append(first) }
        }
        if parts.count - skipped.count >= 2, let last = parts.last, tree.nodes[last].tag != .text {
            let isSubline = tree.nodes[last].tag == .small || tree.nodes[parts[parts.count - 2]].tag == .br
                || classContains(last, kickerWords, in: tree)
            if isSubline, words(in: visibleText(of: root, in: tree, skipping: skipped + [last])) >= 2 {
                skipped.append(last)
            }
        }
        return trimmed(visibleText(of: root, in: tree, skipping: skipped))
    }

    /// Words of a class that mark a line over or under the headline, not the headline.
    private static let kickerWords: [StaticString] = [
        "kicker", "roofline", "dachzeile", "overline", "topline", "toptitle", "supertitle", "eyebrow", "rubric",
        "subtitle", "sub-title", "subheading", "sub-heading", "subheadline", "topic", "label", "category",
        "section", "small",
    ]

    private static let headlineWords: [StaticString] = ["headline"]

    /// A descendant of the heading whose class names it the headline (and not a kicker).
    private static func headlinePart(of heading: Int, in tree: HTMLTree) -> Int? {
        let end = Int(tree.nodes[heading].end)
        var index = heading + 1
        while index < end {
            let node = tree.nodes[index]
            if node.tag != .text, isHidden(index, in: tree) {
                index = Int(node.end)
                continue
            }
            if node.tag != .text, classContains(index, headlineWords, in: tree), !classContains(index, kickerWords, in: tree),
                words(in: visibleText(of: index, in: tree, skipping: [])) >= 1
            {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The element's children that show something: elements not hidden and text nodes not blank.
    private static func visibleChildren(of element: Int, in tree: HTMLTree) -> [Int] {
        var children = [Int]()
        let end = Int(tree.nodes[element].end)
        var index = element + 1
        while index < end {
            let node = tree.nodes[index]
            if node.tag == .text {
                if node.characters > 0 { children.append(index) }
            } else if !isHidden(index, in: tree), !node.tag.isSkipped {
                children.append(index)
            }
            index = Int(node.end) > index ? Int(node.end) : index + 1
        }
        return children
    }

    /// The one element inside `element` when it holds nothing else that shows.
    private static func onlyChild(of element: Int, in tree: HTMLTree) -> Int? {
        let children = visibleChildren(of: element, in: tree)
        guard children.count == 1, let only = children.first, tree.nodes[only].tag != .text,
            tree.nodes[only].tag != .br
        else { return nil }
        return only
    }

    /// The text of the subtree without hidden elements, skipped content and the subtree `skipping`.
    private static func visibleText(of element: Int, in tree: HTMLTree, skipping: [Int]) -> String {
        var out = [UInt8]()
        let end = Int(tree.nodes[element].end)
        var index = element + 1
        while index < end {
            let node = tree.nodes[index]
            if skipping.contains(index) || (node.tag != .text && (node.tag.isSkipped || isHidden(index, in: tree))) {
                if out.last != 0x20 { out.append(0x20) }
                index = Int(node.end)
                continue
            }
            if node.tag == .text {
                out.append(contentsOf: tree.bytes[Int(node.first) ..< Int(node.first + node.count)])
            } else if node.tag.isBlockLevel, out.last != 0x20 {
                out.append(0x20)
            }
            index += 1
        }
        return TextBuilder.collapse(out)
    }

    private static func isHidden(_ index: Int, in tree: HTMLTree) -> Bool {
        if tree.hasAttribute(.hidden, of: index) { return true }
        if let range = tree.attributeRange(.ariaHidden, of: index), tree.bytes[range].elementsEqual("true".utf8) {
            return true
        }
        guard let range = tree.attributeRange(.class, of: index) else { return false }
        return ClassHints.of(tree.bytes[range]).contains(.hidden)
    }

    private static func classContains(_ index: Int, _ words: [StaticString], in tree: HTMLTree) -> Bool {
        guard let range = tree.attributeRange(.class, of: index) else { return false }
        let classes = tree.bytes[range]
        return words.contains { classes.lowercasedASCIIContains($0) }
    }

    /// Without separators left at either end (`: Headline`, `Headline |`).
    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let separators: Set<Unicode.Scalar> = [":", "|", "-", "–", "—", "•", "·", "/", " ", "\u{a0}"]
        guard let first = scalars.firstIndex(where: { !separators.contains($0) }),
            let last = scalars.lastIndex(where: { !separators.contains($0) })
        else { return "" }
        return String(scalars[first ... last])
    }

    // MARK: Banners

    /// Words of a class or id that mark the site's name or logo.
    private static let bannerWords: [StaticString] = [
        "logo", "brand", "site-title", "sitetitle", "site-name", "sitename", "site_title", "site_name", "masthead",
    ]

    /// Whether the heading is the site's banner: it, or an element around it, is classed as the
    /// logo or site name, or it links to the site's home page.
    static func isBanner(_ heading: Int, in tree: HTMLTree) -> Bool {
        var index = heading
        for _ in 0 ..< 4 where index >= 0 {
            if names(index, bannerWords, in: tree) { return true }
            if tree.nodes[index].tag == .a, linksHome(index, in: tree) { return true }
            index = Int(tree.nodes[index].parent)
        }
        for inner in heading + 1 ..< Int(tree.nodes[heading].end) where tree.nodes[inner].tag != .text {
            if names(inner, bannerWords, in: tree) { return true }
            if tree.nodes[inner].tag == .a, linksHome(inner, in: tree) { return true }
        }
        return false
    }

    private static func names(_ index: Int, _ words: [StaticString], in tree: HTMLTree) -> Bool {
        for name in [HTMLAttributeName.class, .id] {
            if let range = tree.attributeRange(name, of: index), words.contains(where: { tree.bytes[range].lowercasedASCIIContains($0) }) {
                return true
            }
        }
        return false
    }

    /// A link to the site's home: `/`, `./`, `index.html`, or an address without a path.
    private static func linksHome(_ link: Int, in tree: HTMLTree) -> Bool {
        guard let href = tree.attribute(.href, of: link)?.trimmingSpace() else { return false }
        if ["/", "./", "index.html", "index.php", "/index.html", "/index.php"].contains(href) { return true }
        var rest = Substring(href)
        if let scheme = rest.range(of: "//") { rest = rest[scheme.upperBound...] } else { return false }
        guard let slash = rest.firstIndex(of: "/") else { return !rest.isEmpty }
        let path = rest[slash...]
        return path == "/" || path == "/index.html" || path == "/index.php"
    }

    // MARK: Agreement with the declared titles

    /// A declared title, folded, with its parts between separators.
    struct Reference {
        var whole: String
        var parts: [String]
        var words: Set<Substring>

        init(_ title: String) {
            whole = HTMLHeadline.key(title)
            parts = Self.parts(of: whole)
            words = HTMLHeadline.wordSet(whole)
        }

        /// The parts of a title between separators (` | `, ` - `, ` / `, …), each separator on its
        /// own; none when it has no separator.
        static func parts(of title: String) -> [String] {
            // One pass: a separator is one of these marks (or `::`) with a space on either side.
            let scalars = Array(title.unicodeScalars)
            var cuts = [(kind: String, start: Int, end: Int)]()
            var index = 1
            while index + 1 < scalars.count {
                if scalars[index - 1] == " " {
                    let mark = scalars[index]
                    let width = mark == ":" && index + 2 < scalars.count && scalars[index + 1] == ":" ? 2 : 1
                    if separatorMarks.contains(mark), index + width < scalars.count, scalars[index + width] == " " {
                        cuts.append((String(String.UnicodeScalarView(scalars[index ..< index + width])), index - 1, index + width + 1))
                        index += width + 1
                        continue
                    }
                }
                index += 1
            }
            var parts = [String]()
            // The title cut at each kind of separator in turn, as each may be the site's.
            var kinds = [String]()
            for cut in cuts where !kinds.contains(cut.kind) { kinds.append(cut.kind) }
            for kind in kinds {
                var start = 0
                // Separators in a row (` | | `) share their spaces: an empty part between them.
                for cut in cuts where cut.kind == kind && cut.start >= start {
                    parts.append(String(String.UnicodeScalarView(scalars[start ..< cut.start])).trimmingSpace())
                    start = cut.end
                }
                parts.append(String(String.UnicodeScalarView(scalars[start...])).trimmingSpace())
            }
            return parts.filter { !$0.isEmpty }
        }

        private static let separatorMarks: Set<Unicode.Scalar> = ["|", "-", "–", "—", ":", "·", "•", "»", "«", "/", "~"]

        /// 1 when the heading is the declared title or its longest part between separators;
        /// otherwise how far their words agree (Dice's coefficient).
        func agreement(with heading: String) -> Double {
            if heading == whole { return 1 }
            if let longest = parts.max(by: { $0.count < $1.count }), heading == longest { return 1 }
            let headingWords = HTMLHeadline.wordSet(heading)
            guard !headingWords.isEmpty, !words.isEmpty else { return 0 }
            return 2 * Double(headingWords.intersection(words).count) / Double(headingWords.count + words.count)
        }
    }

    /// Case-folded, quotes folded, whitespace collapsed.
    static func key(_ text: String) -> String {
        text.lowercasedCollapsed { scalar in
            switch scalar {
            case "“", "”", "„", "‟", "«", "»", "″", "＂": "\""
            case "‘", "’", "‚", "‛", "′", "`", "´", "＇", "‹", "›": "'"
            default: scalar
            }
        }
    }

    private static func wordSet(_ text: String) -> Set<Substring> {
        Set(text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }))
    }

    private static func words(in text: String) -> Int {
        text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).count
    }
}

extension String {
    /// Lower case, runs of whitespace as one space (none at either end), each other scalar as
    /// `mapping` gives it (nil drops it): one pass over the scalars, no Foundation.
    func lowercasedCollapsed(mapping: (Unicode.Scalar) -> Unicode.Scalar?) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        func add(_ scalar: Unicode.Scalar) {
            if scalar.isSpaceLike {
                space = !out.isEmpty
                return
            }
            guard let mapped = mapping(scalar) else { return }
            if space {
                out.append(" ")
                space = false
            }
            out.append(mapped)
        }
        // Lower-cased scalar by scalar, as `lowercased()` does, without a second string.
        for scalar in unicodeScalars {
            if scalar.value < 0x80 {
                add(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { add(lowered) }
            } else {
                add(scalar)
            }
        }
        return String(out)
    }

}
