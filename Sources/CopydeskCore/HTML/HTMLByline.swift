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
        guard Self.hasAuthorSegment(href), !Self.accountPaths.contains(where: { href.lowercasedASCIIContains($0) })
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

    /// Path segments of an author's page (`/author/jane-doe`, `/autoren/eva-berg/`).
    private static let authorSegments: Set<[UInt8]> = Set([
        "author", "authors", "autor", "autoren", "autorin", "auteur", "auteurs", "autore", "autori", "profil",
        "profile", "people", "staff", "journalist", "journalists", "journalisten", "redakteur", "redakteure", "user",
        "users", "member", "members",
    ].map { Array($0.utf8) })

    /// Whether a path segment of `href` (between two slashes) names an author's page: one pass,
    /// a set lookup only for segments of an author word's length.
    private static func hasAuthorSegment(_ href: ArraySlice<UInt8>) -> Bool {
        var segment = [UInt8]()
        segment.reserveCapacity(12)
        var open = false
        for byte in href {
            if byte == UInt8(ascii: "/") {
                if open, (4 ... 12).contains(segment.count), authorSegments.contains(segment) { return true }
                segment.removeAll(keepingCapacity: true)
                open = true
            } else if open {
                if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { return false }
                if segment.count <= 12 { segment.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
            }
        }
        return false
    }

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
    /// Which bytes start a label (lower-cased ASCII): most text nodes are passed over on their
    /// first byte.
    private static let labelStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for label in labels { table[Int(label[0])] = true }
        return table
    }()

    private static func label(at start: Int, end: Int, in bytes: [UInt8]) -> Int? {
        let first = bytes[start]
        guard labelStarts[Int(first >= 0x41 && first <= 0x5A ? first | 0x20 : first)] else { return nil }
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
        "von", "van", "der", "den", "de", "da", "di", "du", "la", "del", "della", "dos", "das", "e", "zu", "ten",
        "ter", "bin", "al",
    ]

    /// A person's name at the start of a text ("Jane Doe | 12 May", "Jane Doe am 8.12.2022"), or
    /// several ("Jane Doe, Ali Khan und Eva Berg"): each of up to five words, capitalized, an
    /// initial or a particle (von, de); a name after the first of two words at least (not a
    /// place or an outlet: "Jane Doe, Berlin"). Nil when the text does not start with a name.
    static func personName(_ text: String) -> String? {
        var names = [[Substring]]()
        var current = [Substring]()
        func close() {
            while let last = current.last, particles.contains(last) { current.removeLast() }
            if !current.isEmpty, names.isEmpty || current.count >= 2 { names.append(current) }
            current = []
        }
        for raw in text.split(whereSeparator: { $0 == " " || $0 == "\u{a0}" }) {
            if stops.contains(String(raw)), !current.isEmpty || !names.isEmpty { break }
            if joiners.contains(raw) {
                guard !current.isEmpty else { break }
                close()
                continue
            }
            // The next label ("Quelle:", "Foto:") ends the name.
            if raw.last == ":", !current.isEmpty || !names.isEmpty { break }
            var word = raw
            var listBreak = false
            var stop = false
            if let cut = word.firstIndex(where: { ["|", "(", ";", "/", "@"].contains($0) }) {
                word = word[..<cut]
                stop = true
            }
            if word.last == "," {
                word = word.dropLast()
                listBreak = true
            }
            if let first = word.first {
                if first.isNumber { break }
                let isInitial = word.count <= 4 && word.hasSuffix(".") && word.dropLast().allSatisfy(\.isLetter)
                let isWord = word.allSatisfy { $0.isLetter || $0 == "." || $0 == "-" || $0 == "'" || $0 == "’" }
                // A word in lower case before any stop: running text, not a name line.
                guard isWord, first.isUppercase || isInitial || particles.contains(word) else { return nil }
                current.append(word)
                if current.count > 5 { return nil }
            }
            if listBreak { close() }
            if stop { break }
        }
        close()
        guard let first = names.first?.first, first.first?.isUppercase == true else { return nil }
        if names.count == 1, names[0].count == 1, notNames.contains(first.lowercased()) { return nil }
        let name = names.map { $0.joined(separator: " ") }.joined(separator: ", ")
        return name.count >= 2 && name.count <= 120 ? name : nil
    }

    /// The name after a byline label inside a line ("Datum: 19.11.2021 Autor: Eva Berg Quelle: …",
    /// "Veröffentlicht vonEva Berg" where the label and the name were two elements).
    static func nameAfterLabel(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            // Labels start a word.
            if start == 0 || bytes[start - 1] == 0x20 || bytes[start - 1] == UInt8(ascii: ":") {
                for label in labels where start + label.count < bytes.count {
                    guard zip(bytes[start ..< start + label.count], label).allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 })
                    else { continue }
                    var rest = start + label.count
                    let next = bytes[rest]
                    // The label ends at a space, a colon, or (a label of more than a preposition) a
                    // capital that starts the name.
                    guard next == 0x20 || next == UInt8(ascii: ":") || (label.count > 3 && next >= 0x41 && next <= 0x5A)
                    else { continue }
                    while rest < bytes.count, bytes[rest] == 0x20 || bytes[rest] == UInt8(ascii: ":") { rest += 1 }
                    if let name = personName(String(decoding: bytes[rest...], as: UTF8.self)) { return name }
                }
            }
            start += 1
        }
        return nil
    }

    /// Words after which a name has ended ("Jane Doe am 8.12.", "Kab Niang le 12/02").
    private static let stops: Set<String> = ["|", "•", "·", "-", "–", "—", "/", "am", "on", "le", "il", "el", "à", "at", "um"]

    /// Words that start a date line, not a name ("Posted on …", "Donnerstag, 4. November").
    private static let notNames: Set<String> = [
        "posted", "published", "updated", "veröffentlicht", "publiziert", "aktualisiert", "erstellt", "geändert",
        "datum", "date", "publié", "publicado", "pubblicato", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles",
        "jueves", "viernes", "sábado", "domingo",
    ]

    /// Words between the names of a list.
    private static let joiners: Set<Substring> = ["und", "and", "&", "et", "y"]

    /// A user name shown alone ("jdoe", "c1ph4", "Mike_N"): one word of letters, digits, `.`, `_`
    /// and `-`, with a letter.
    static func handle(_ text: String) -> String? {
        guard (2 ... 30).contains(text.count), text.contains(where: \.isLetter),
            text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" })
        else { return nil }
        return text
    }
}
