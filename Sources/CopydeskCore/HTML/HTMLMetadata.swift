internal import Foundation

/// The metadata of a page: title, byline, publication time, site name, canonical URL, language.
///
/// Read in one pass over the flattened tree, from (best first) JSON-LD `NewsArticle`/`Article`
/// data, Open Graph and other `<meta>` tags, `<link rel=canonical>`, the `<title>`, `<time>` and
/// `itemprop` elements, bylines marked by `rel=author` or their class, and the first `<h1>`.
struct HTMLMetadata: Sendable, Hashable {
    var title: String?
    var byline: String?
    var published: String?
    var site: String?
    var url: String?
    var language: String?
    /// The JSON-LD `articleBody`, when the page has one (not part of the article's metadata).
    var articleBody: String?

    init(title: String? = nil, byline: String? = nil, published: String? = nil, site: String? = nil,
         url: String? = nil, language: String? = nil) {
        self.title = title
        self.byline = byline
        self.published = published
        self.site = site
        self.url = url
        self.language = language
    }

    init(tree: HTMLTree) {
        var meta: [String: String] = [:]
        var documentTitle: String?
        var canonical: String?
        var language: String?
        var firstHeading: String?
        // The page's `<h1>` and `<h2>` elements, the headline's candidates (a page has a few; the
        // count is bounded for pages of many).
        var headings = [Int]()
        var dates = PageDates()
        var itempropDate: String?
        var itempropAuthor: String?
        var relAuthor: String?
        var classByline: String?
        var shownBylines = ShownBylines()
        // The page's host, from its canonical address (in the head, before any link of the body).
        var pageHost: [UInt8]?
        var linkedData = JSONLDArticle()
        let nodes = tree.nodes
        for index in nodes.indices {
            let node = nodes[index]
            // The class's words, read once for dates and bylines.
            var classWords: ClassWords?
            if node.tag != .text, node.tag != .meta, node.tag != .body, node.tag != .html, node.tag != .article,
                node.count > 0, let range = tree.attributeRange(.class, of: index)
            {
                classWords = ClassWords(tree.bytes[range])
            }
            dates.visit(tree, index, classWords: classWords)
            switch node.tag {
            case .html:
                if language == nil { language = tree.attribute(.lang, of: index) }
            case .title:
                if documentTitle == nil { documentTitle = tree.text(of: index) }
            case .meta:
                let key = (tree.attribute(.property, of: index) ?? tree.attribute(.name, of: index)
                    ?? tree.attribute(.itemprop, of: index) ?? tree.attribute(.httpEquiv, of: index))?.lowercased()
                if let key, let content = tree.attribute(.content, of: index), meta[key] == nil {
                    let value = content.trimmingSpace()
                    if !value.isEmpty { meta[key] = value }
                    if key == "og:url", pageHost == nil { pageHost = Self.host(of: value) }
                }
            case .link:
                if canonical == nil, let rel = tree.attribute(.rel, of: index), rel.lowercased() == "canonical" {
                    canonical = tree.attribute(.href, of: index)
                    if let canonical { pageHost = Self.host(of: canonical) }
                }
            case .script:
                if index + 1 < Int(node.end) {
                    linkedData.read(tree.text(of: index))
                }
            case .h1:
                if firstHeading == nil, !HTMLHeadline.isBanner(index, in: tree) {
                    let text = tree.text(of: index)
                    if !text.isEmpty { firstHeading = text }
                }
                if headings.count < 64 { headings.append(index) }
            case .h2:
                if headings.count < 64 { headings.append(index) }
            case .text:
                shownBylines.noteText(index, in: tree)
            case .a:
                shownBylines.noteLink(index, in: tree, host: pageHost)
            default:
                break
            }
            guard node.tag != .text, node.tag != .meta, node.count > 0 else { continue }
            if tree.hasAttribute(.itemprop, of: index), let itemprop = tree.attribute(.itemprop, of: index)?.lowercased() {
                if itemprop == "datepublished", itempropDate == nil {
                    itempropDate = tree.attribute(.datetime, of: index) ?? tree.attribute(.content, of: index)
                        ?? tree.text(of: index)
                } else if itemprop == "author", itempropAuthor == nil {
                    let text = tree.attribute(.content, of: index) ?? tree.text(of: index)
                    if Self.isPlausibleName(text) { itempropAuthor = text }
                }
            }
            if node.tag == .a, relAuthor == nil, let rel = tree.attribute(.rel, of: index), rel.lowercased() == "author" {
                let text = tree.text(of: index)
                if Self.isPlausibleName(text) { relAuthor = text }
            }
            guard let words = classWords else { continue }
            if classByline == nil, !words.comment, words.byline {
                // The name itself, or the name it starts with ("Jane Doe | 12 May 2021"), or its
                // link's (an author box with a biography).
                let raw = tree.text(of: index)
                let text = Self.strippingBy(raw)
                if let name = ShownBylines.nameAfterLabel(raw) {
                    classByline = name
                } else if let name = ShownBylines.personName(text), name.count >= 3 {
                    classByline = name
                } else if Self.isPlausibleName(text), text.count >= 3, text.count <= 60 {
                    classByline = text
                }
            }
        }

        let site = Self.first(meta["og:site_name"], linkedData.publisher, meta["application-name"])
        self.site = site
        let declared = [
            meta["og:title"], linkedData.headline, meta["twitter:title"], meta["title"], meta["dc.title"], documentTitle,
        ]
        // The headline the page shows, when a declared title names it; else the first declared
        // title without the site's name.
        let rawTitle = Self.first(declared + [firstHeading])
        let headline = HTMLHeadline.shown(in: tree, headings: headings, declared: declared.compactMap { $0 }, site: site)
        title = headline?.text ?? rawTitle.map { Self.cleanTitle($0, site: site, heading: firstHeading) }
        let address = Self.first(canonical, meta["og:url"], linkedData.url)
        // The first candidate that could be a name and does not name the outlet (a domain name, a
        // publishing account such as "admin"), declared ones first, then a byline line or author
        // link nearest the headline. One that is the site's name (or a JSON-LD organization) is
        // taken only when no other is found: a personal site bears its author's name.
        let declaredAuthors = [
            linkedData.authorIsOrganization ? nil : linkedData.author, meta["author"],
            meta["article:author"].flatMap { $0.contains("://") ? nil : $0 },
            meta["byl"], meta["dc.creator"], meta["parsely-author"], meta["sailthru.author"],
        ]
        // Names read from the page's text are at least three characters ("Mi" is a weekday); a
        // declared one may be initials ("mh").
        let shownAuthors = [
            itempropAuthor, relAuthor, classByline,
            shownBylines.nearest(to: headline?.index ?? headings.first { tree.nodes[$0].tag == .h1 }),
        ].map { $0.flatMap { $0.count >= 3 ? $0 : nil } }
        let candidates = (declaredAuthors + shownAuthors + [linkedData.authorIsOrganization ? linkedData.author : nil])
            .compactMap { $0.map(Self.strippingBy) }.filter { Self.isPlausibleName($0) && !Self.namesOutlet($0) }
        let siteNames = [site, linkedData.publisher].compactMap { $0.map(Self.folded) }.filter { $0.count >= 3 }
        byline = candidates.first { candidate in
            let name = Self.folded(candidate)
            return !(linkedData.authorIsOrganization && candidate == linkedData.author && !Self.isDesk(name))
                && !Self.isSiteName(name, siteNames)
        } ?? candidates.first
        url = address
        articleBody = linkedData.articleBody
        let lang = Self.first(language, linkedData.language, meta["content-language"], meta["og:locale"])
        self.language = lang.map { $0.replacingOccurrences(of: "_", with: "-") }
        published = dates.published(
            tree: tree, meta: meta, linkedData: linkedData.datePublished, itemprop: itempropDate, url: address,
            language: self.language, titles: [title, documentTitle])
    }

    private static func first(_ candidates: String?...) -> String? { first(candidates) }

    private static func first(_ candidates: [String?]) -> String? {
        for candidate in candidates {
            if let value = candidate?.trimmingSpace(), !value.isEmpty {
                return value
            }
        }
        return nil
    }

    private static func isPlausibleName(_ text: String) -> Bool {
        let count = text.count
        return count >= 2 && count <= 100 && text.contains(where: \.isLetter)
    }

    /// A publishing system's accounts, not anybody's name. (An editorial desk, "Redaktion",
    /// "Newsdesk", does sign pieces.)
    private static let accounts: Set<String> = ["admin", "administrator", "webmaster", "root", "guest", "user"]

    /// Whether a byline names the outlet rather than a person: a domain name ("example.com",
    /// "Deutsche Welle (www.dw.com)") or a publishing system's account ("admin").
    static func namesOutlet(_ byline: String) -> Bool {
        accounts.contains(folded(byline))
            || byline.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" }).contains(where: isDomainName)
    }

    /// The host of an absolute address, as UTF-8 (`news.example.com`).
    static func host(of address: String) -> [UInt8]? {
        guard let scheme = address.range(of: "//") else { return nil }
        let host = address[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : Array(host.utf8)
    }

    /// Whether a byline (folded) is the site's name, or the name with a word more or less
    /// ("Spiegel Online" for "Der Spiegel" is not caught; "The Courier" for "Courier" is). An
    /// editorial desk named after the site ("Redaktion Courier") signs as a person does.
    private static func isSiteName(_ name: String, _ siteNames: [String]) -> Bool {
        if isDesk(name) { return false }
        let nameWords = name.split(separator: " ").count
        return siteNames.contains { site in
            name == site || (site.contains(name) || name.contains(site))
                && abs(nameWords - site.split(separator: " ").count) <= 1
        }
    }

    /// Whether a byline (folded) names an editorial desk ("Redaktion Courier", "Courier Staff").
    private static func isDesk(_ name: String) -> Bool {
        let desks = ["redaktion", "redaction", "rédaction", "redacción", "redazione", "editorial", "staff", "team", "desk"]
        return desks.contains { name.hasPrefix($0) || name.hasSuffix($0) }
    }

    /// Lowercased, letters, digits and single spaces only.
    private static func folded(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }).split(separator: " ")
            .joined(separator: " ")
    }

    /// `example.com`, `www.news.example.co.uk`: labels of letters, digits and hyphens, the last of
    /// two to six letters.
    private static func isDomainName(_ word: Substring) -> Bool {
        let labels = word.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let last = labels.last, (2...6).contains(last.count), last.allSatisfy(\.isLetter)
        else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    /// What a byline may start with before the name: "By", "Von", "Par", "Por", "Di", "Door",
    /// "Written by", "View all posts by", "Author", "Autor", "Auteur" (each with or without a colon).
    private static let bylineLabels = [
        "zeige alle beiträge von", "view all posts by", "all posts by", "posts by", "written by", "posted by",
        "published by", "veröffentlicht von", "geschrieben von", "artikel von", "post author", "author", "autor",
        "auteur", "autore", "by", "von", "par", "por", "di", "door",
    ]

    /// "By Jane Doe" → "Jane Doe" (also "Von: Jane Doe", "Author: Jane Doe", "View all posts by Jane Doe").
    static func strippingBy(_ text: String) -> String {
        let trimmed = text.trimmingSpace()
        let lowered = trimmed.lowercased()
        for label in bylineLabels where lowered.hasPrefix(label) {
            let rest = trimmed.dropFirst(label.count)
            guard let first = rest.first else { return "" }
            guard first == " " || first == ":" else { continue }
            return rest.drop { $0 == " " || $0 == ":" }.trimmingCharacters(in: .whitespaces)
        }
        return trimmed
    }

    private static let separators = [" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " « ", " / ", " ~ "]

    /// A title without the site name an outlet appends or prepends (`Story | Site`, `Site - Story`).
    static func cleanTitle(_ title: String, site: String?, heading: String?) -> String {
        let title = title.trimmingSpace()
        if let heading, heading == title { return title }
        for separator in separators where title.contains(separator) {
            let parts = title.components(separatedBy: separator).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count >= 2 else { continue }
            if let site = site?.lowercased(), !site.isEmpty {
                let kept = parts.filter {
                    let lowered = $0.lowercased()
                    return !(lowered == site || site.contains(lowered) || lowered.contains(site) && lowered.count < site.count + 8)
                }
                if !kept.isEmpty, kept.count < parts.count { return kept.joined(separator: separator) }
            }
            if let heading, let match = parts.first(where: { $0 == heading }) { return match }
            // Without a site name: the last part is the site when it is short and the rest is not.
            let last = parts[parts.count - 1]
            let rest = parts.dropLast().joined(separator: separator)
            if last.split(separator: " ").count <= 4, rest.split(separator: " ").count >= 3 { return rest }
            let first = parts[0]
            let after = parts.dropFirst().joined(separator: separator)
            if first.split(separator: " ").count <= 3, after.split(separator: " ").count >= 4 { return after }
            return title
        }
        return title
    }
}

/// The words of a `class` value HTML metadata looks for, found in one pass: `comment`, `date` or
/// `datum`, `update`, `byline` or `author`, `title` or `headline` (anywhere, in any case).
struct ClassWords {
    var comment = false
    var date = false
    var update = false
    var byline = false
    var title = false

    init(_ classes: ArraySlice<UInt8>) {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        func matches(_ word: StaticString, at start: Int) -> Bool {
            let count = word.utf8CodeUnitCount
            guard start + count <= classes.endIndex else { return false }
            let pattern = word.utf8Start
            for offset in 0 ..< count where lower(classes[start + offset]) != pattern[offset] { return false }
            return true
        }
        for start in classes.indices {
            switch lower(classes[start]) {
            case UInt8(ascii: "c"): if !comment { comment = matches("comment", at: start) }
            case UInt8(ascii: "d"): if !date { date = matches("date", at: start) || matches("datum", at: start) }
            case UInt8(ascii: "u"): if !update { update = matches("update", at: start) }
            case UInt8(ascii: "b"): if !byline { byline = matches("byline", at: start) }
            case UInt8(ascii: "a"): if !byline { byline = matches("author", at: start) }
            case UInt8(ascii: "t"): if !title { title = matches("title", at: start) }
            case UInt8(ascii: "h"): if !title { title = matches("headline", at: start) }
            default: break
            }
        }
    }
}

/// The parts of a JSON-LD `NewsArticle`, `Article`, `BlogPosting` (or another article type) that
/// copydesk reads; filled from every `application/ld+json` script of a page, first value wins.
struct JSONLDArticle {
    var headline: String?
    var author: String?
    /// Whether the author is an `Organization` (the outlet, not a person).
    var authorIsOrganization = false
    var datePublished: String?
    var publisher: String?
    var url: String?
    var language: String?
    var articleBody: String?

    mutating func read(_ json: String) {
        guard let data = json.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return }
        visit(object, depth: 0)
    }

    private mutating func visit(_ object: Any, depth: Int) {
        guard depth < 6 else { return }
        if let array = object as? [Any] {
            for element in array { visit(element, depth: depth + 1) }
            return
        }
        guard let dictionary = object as? [String: Any] else { return }
        if let graph = dictionary["@graph"] { visit(graph, depth: depth + 1) }
        let types: [String]
        if let type = dictionary["@type"] as? String {
            types = [type]
        } else {
            types = dictionary["@type"] as? [String] ?? []
        }
        guard types.contains(where: Self.isArticleType) else {
            if let entity = dictionary["mainEntity"] { visit(entity, depth: depth + 1) }
            return
        }
        if headline == nil { headline = Self.string(dictionary["headline"]) ?? Self.string(dictionary["name"]) }
        if author == nil {
            author = Self.names(dictionary["author"])
            let type = (dictionary["author"] as? [String: Any])?["@type"] as? String
            authorIsOrganization = author != nil && (type == "Organization" || type == "NewsMediaOrganization")
        }
        if datePublished == nil { datePublished = Self.string(dictionary["datePublished"]) }
        if publisher == nil { publisher = Self.names(dictionary["publisher"]) }
        if url == nil {
            url = Self.string(dictionary["url"]) ?? Self.string((dictionary["mainEntityOfPage"] as? [String: Any])?["@id"])
                ?? Self.string(dictionary["mainEntityOfPage"])
        }
        if language == nil { language = Self.string(dictionary["inLanguage"]) }
        if articleBody == nil { articleBody = Self.string(dictionary["articleBody"]) }
    }

    static func isArticleType(_ type: String) -> Bool {
        type.hasSuffix("Article") || type == "BlogPosting" || type == "SocialMediaPosting" || type == "Report"
            || type == "LiveBlogPosting" || type == "NewsArticle" || type == "OpinionNewsArticle"
    }

    private static func string(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let trimmed = text.trimmingSpace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A person or organization, or several: their names joined with ", ".
    private static func names(_ value: Any?) -> String? {
        if let text = string(value) { return text.contains("://") ? nil : text }
        if let dictionary = value as? [String: Any] {
            return string(dictionary["name"])
        }
        if let array = value as? [Any] {
            let all = array.compactMap { names($0) }
            return all.isEmpty ? nil : all.joined(separator: ", ")
        }
        return nil
    }
}
