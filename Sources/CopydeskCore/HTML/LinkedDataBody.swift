/// The `articleBody` of a page's JSON-LD, used to check the extracted text.
///
/// Publishers put the article's full text there for search engines. It is often cut short, so it
/// is not the output by default; but when the text extracted from the markup shares almost none
/// of it, the markup's article was rendered by scripts or hidden where extraction cannot see it
/// and the extractor picked something else (teasers, a notice). Then the JSON-LD body is the
/// better article.
enum LinkedDataBody {
    /// The body's paragraphs: plain text split at line breaks; markup and entities (`<p>`,
    /// `&ccedil;`) go through the HTML parser, block elements and `<br>` ending paragraphs.
    /// Markup escaped twice (`&lt;p&gt;`) is parsed twice.
    static func paragraphs(_ body: String, depth: Int = 0) -> [String] {
        let text = Array(body.utf8)
        if text.contains(0x3C) || text.contains(0x26) {
            guard let tree = try? HTMLDocument(utf8: Array("<html><body><div>".utf8) + text).flatten() else { return [] }
            let paragraphs = tree.blockTexts()
            if depth == 0, paragraphs.contains(where: { $0.contains("</") || $0.contains("<p") || $0.contains("<br") }) {
                return Self.paragraphs(paragraphs.joined(separator: "\n"), depth: 1)
            }
            return paragraphs
        }
        var result: [String] = []
        var current: [UInt8] = []
        func flush() {
            let paragraph = TextBuilder.collapse(current)
            if !paragraph.isEmpty { result.append(paragraph) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text {
            if byte == 0x0A || byte == 0x0D {
                flush()
            } else {
                current.append(byte == 0x09 ? 0x20 : byte)
            }
        }
        flush()
        return result
    }

    /// How much of `body` the extracted `paragraphs` contain: the share of evenly spaced runs of
    /// eight words of the body that occur in them (whitespace collapsed, case kept).
    static func coverage(of body: [String], in paragraphs: [String]) -> Double {
        let words = body.flatMap { $0.split(separator: " ") }
        guard words.count >= 16 else { return 1 }
        let haystack = Array(paragraphs.joined(separator: " ").utf8).map { $0 == 0x0A ? 0x20 : $0 }
        let probes = min(12, words.count / 8)
        var found = 0
        for probe in 0 ..< probes {
            let start = probe * (words.count - 8) / max(1, probes - 1)
            let needle = Array(words[start ..< start + 8].joined(separator: " ").utf8)
            if contains(haystack, needle) { found += 1 }
        }
        return Double(found) / Double(probes)
    }

    /// The paragraphs to publish: the JSON-LD body when it is long enough to be an article and the
    /// extracted text holds less than a fifth of it; otherwise `nil`.
    static func replacement(for extracted: [String], articleBody: String?) -> [String]? {
        guard let articleBody, articleBody.utf8.count >= 400 else { return nil }
        let body = paragraphs(articleBody)
        guard body.reduce(0, { $0 + $1.utf8.count }) >= 400 else { return nil }
        return coverage(of: body, in: extracted) < 0.2 ? body : nil
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index ..< index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
