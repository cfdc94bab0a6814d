/// Bylines a page shows in its text rather than declares: a line that starts with a label ("By Jane
/// Doe", "Von Jane Doe", "Auteur : Jane Doe", "Posted by jdoe") and links to an author's page
/// (`/author/jane-doe`). Collected while ``HTMLMetadata`` walks the tree; the one nearest the
/// headline is taken when the page declares no author.
struct ShownBylines {
    private(set) var lines: [(index: Int, name: String)] = []
    private(set) var links: [(index: Int, name: String)] = []

    /// Labels that start a byline, lower case, each followed by a space, a colon or the name's own
    /// element (`By <a>Jane Doe</a>`). Longer labels first.
    private static let labels: [[UInt8]] = [
        "zeige alle beiträge von", "view all posts by", "veröffentlicht von", "publiziert von", "geschrieben von",
        "written by", "posted by", "published by", "text und interview", "text von", "beitrag von", "artikel von",
        "ein beitrag von", "autorin", "autor", "author", "auteur", "autore", "text", "von", "by", "par", "por",
        "door", "di",
    ].map { Array($0.utf8) }

    /// Notes a text node that starts with a byline label and the name after it (in the same text or
    /// the next one).
    mutating func noteText(_ index: Int, in tree: HTMLTree) {
        guard lines.count < 16 else { return }
        let node = tree.nodes[index]
        guard node.count >= 2, node.count <= 120 else { return }
        var start = Int(node.first)
        let end = Int(node.first + node.count)
        while start < end, tree.bytes[start] == 0x20 { start += 1 }
        guard start < end, let label = Self.label(at: start, end: end, in: tree.bytes) else { return }
        var rest = start + label
        while rest < end, tree.bytes[rest] == 0x20 || tree.bytes[rest] == UInt8(ascii: ":") { rest += 1 }
        let after = rest < end ? tree.string(in: rest ..< end) : nextText(after: index, in: tree)
        guard let after, let name = Self.personName(after) else { return }
        // After a bare preposition ("by", "von", "par") a name of one word is as likely a thing
        // ("von Säure"); after an author's label ("Posted by", "Autor:") it is a name.
        if name.contains(" ") || label > 5 || Self.authorLabels.contains(tree.bytes[start ..< start + label].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }) {
            lines.append((index, name))
        }
    }

    private static let authorLabels: Set<[UInt8]> = Set(["autor", "autorin", "author", "auteur", "autore"].map { Array($0.utf8) })

    /// Notes a link to an author's page on the same site (a relative address, or one on `host`)
    /// and the name it shows; not a link to log in or register.
    mutating func noteLink(_ index: Int, in tree: HTMLTree, host: [UInt8]?) {
        guard links.count < 16, let range = tree.attributeRange(.href, of: index) else { return }
        let href = tree.bytes[range]
        guard Self.authorPaths.contains(where: { href.lowercasedASCIIContains($0) }),
            !Self.accountPaths.contains(where: { href.lowercasedASCIIContains($0) })
        else { return }
        if let scheme = href.firstRange(of: "//".utf8) {
            let rest = href[scheme.upperBound...]
            let linkHost = rest.prefix { $0 != UInt8(ascii: "/") }
            if let host, !linkHost.elementsEqual(host) { return }
        }
        let text = tree.text(of: index)
        if let name = Self.personName(text) ?? Self.handle(text) { links.append((index, name)) }
    }

    private static let accountPaths: [StaticString] = ["login", "logout", "register", "registr", "signin", "signup", "anmeld", "abmeld"]

    private static let authorPaths: [StaticString] = [
        "/author/", "/authors/", "/autor/", "/autoren/", "/autorin/", "/auteur/", "/auteurs/", "/autore/",
        "/profil/", "/profile/", "/people/", "/staff/", "/journalist", "/redakteur", "/user/", "/members/",
    ]

    /// The shown byline nearest to `anchor` (the headline's element) among those just before it
    /// or not far after it (a byline under the headline, an author box after a short article);
    /// lines first, then links. Without an anchor, none: a name anywhere in a page is as likely a
    /// commenter's, a menu's or a teaser's.
    func nearest(to anchor: Int?) -> String? {
        guard let anchor else { return nil }
        for candidates in [lines, links] {
            let near = candidates.filter { $0.index > anchor - 60 && $0.index < anchor + 1500 }
            if let best = near.min(by: { abs($0.index - anchor) < abs($1.index - anchor) }) { return best.name }
        }
        return nil
    }

    /// The text of the first text node after `index` within a few nodes.
    private func nextText(after index: Int, in tree: HTMLTree) -> String? {
        var position = index + 1
        while position < min(tree.nodes.count, index + 6) {
            let node = tree.nodes[position]
            if node.tag == .text, node.characters > 0 {
                return tree.string(in: Int(node.first) ..< Int(node.first + node.count))
            }
            position += 1
        }
        return nil
    }

    /// The length of the label `bytes` start with, followed by a space, a colon or their end.
    private static func label(at start: Int, end: Int, in bytes: [UInt8]) -> Int? {
        for label in labels where start + label.count <= end {
            var matched = true
            for offset in 0 ..< label.count {
                let byte = bytes[start + offset]
                if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != label[offset] {
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            let next = start + label.count
            if next == end || bytes[next] == 0x20 || bytes[next] == UInt8(ascii: ":") { return label.count }
        }
        return nil
    }

    /// Words that may stand in a name in lower case.
    private static let particles: Set<Substring> = [
        "von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "del", "della", "dos", "das", "y", "e",
        "und", "and", "&", "zu", "ten", "ter", "bin", "al", "el",
    ]

    /// A person's name at the start of a text ("Jane Doe | 12 May", "Jane Doe am 8.12.2022"):
    /// up to eight words, each capitalized, an initial or a particle (von, de, and); nil when the
    /// text does not start with one.
    static func personName(_ text: String) -> String? {
        var words = [Substring]()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\u{a0}" }) {
            if ["|", "•", "·", "-", "–", "—", "/", "am", "on", "le", "il", "el", "le"].contains(word), !words.isEmpty { break }
            var word = word
            var stop = false
            if let cut = word.firstIndex(where: { [",", "|", "(", ";", "/"].contains($0) }) {
                word = word[..<cut]
                stop = true
            }
            guard let first = word.first else { break }
            if first.isNumber { break }
            let isInitial = word.count <= 4 && word.hasSuffix(".") && word.dropLast().allSatisfy(\.isLetter)
            guard first.isUppercase || isInitial || particles.contains(word) else { return nil }
            guard word.allSatisfy({ $0.isLetter || $0 == "." || $0 == "-" || $0 == "'" || $0 == "’" }) else { return nil }
            words.append(word)
            if stop || words.count > 8 { break }
        }
        while let last = words.last, particles.contains(last) { words.removeLast() }
        guard let first = words.first, first.first?.isUppercase == true, words.count <= 8 else { return nil }
        let name = words.joined(separator: " ")
        return name.count >= 2 && name.count <= 60 ? name : nil
    }

    /// A user name shown alone ("jdoe", "c1ph4", "Mike_N"): one word of letters, digits, `.`, `_`
    /// and `-`, with a letter.
    static func handle(_ text: String) -> String? {
        guard (2 ... 30).contains(text.count), text.contains(where: \.isLetter),
            text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" })
        else { return nil }
        return text
    }
}
