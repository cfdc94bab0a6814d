/// Collects the paragraphs of extracted text from whitespace-collapsed UTF-8 pieces.
struct TextBuilder {
    /// One paragraph of output with what the rules after extraction need to know about it.
    struct Paragraph {
        var text: String
        var characters: Int
        var linkCharacters: Int
        var links: Int
        var isHeading: Bool
    }

    private(set) var paragraphs: [Paragraph] = []
    /// Whether the current paragraph is a heading.
    var isHeading = false
    private var current: [UInt8] = []
    /// Characters (not bytes, not whitespace) of the current paragraph, and how many of them are
    /// inside links.
    private(set) var characters = 0
    private(set) var linkCharacters = 0
    private(set) var links = 0

    init() {
        current.reserveCapacity(1024)
    }

    var isEmpty: Bool { characters == 0 }

    mutating func append(_ bytes: ArraySlice<UInt8>, characters count: Int, inLink: Bool) {
        if current.last == 0x20 || current.last == 0x0A || current.isEmpty, bytes.first == 0x20 {
            current.append(contentsOf: bytes.dropFirst())
        } else {
            current.append(contentsOf: bytes)
        }
        characters += count
        if inLink { linkCharacters += count }
    }

    mutating func noteLink() { links += 1 }

    /// The start of a table cell: a space unless the row is empty so far.
    mutating func cellBreak() {
        if !current.isEmpty, current.last != 0x20, current.last != 0x0A { current.append(0x20) }
    }

    /// A line break inside the current paragraph (`<br>`).
    mutating func lineBreak() {
        while current.last == 0x20 { current.removeLast() }
        if !current.isEmpty, current.last != 0x0A { current.append(0x0A) }
    }

    /// Ends the current paragraph; returns it when it holds text (and keeps it unless `keep` says no).
    mutating func flush(keep: (TextBuilder) -> Bool = { _ in true }) {
        defer {
            current.removeAll(keepingCapacity: true)
            characters = 0
            linkCharacters = 0
            links = 0
            isHeading = false
        }
        guard characters > 0, keep(self) else { return }
        let text = Self.collapse(current)
        if !text.isEmpty {
            paragraphs.append(
                Paragraph(
                    text: text, characters: characters, linkCharacters: linkCharacters, links: links,
                    isHeading: isHeading))
        }
    }

    /// Text with runs of spaces collapsed and spaces around line breaks removed, trimmed.
    static func collapse(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte == 0x20 {
                if let last = out.last, last != 0x20, last != 0x0A { out.append(0x20) }
            } else if byte == 0x0A {
                while out.last == 0x20 { out.removeLast() }
                if let last = out.last, last != 0x0A { out.append(0x0A) }
            } else {
                out.append(byte)
            }
        }
        while let last = out.last, last == 0x20 || last == 0x0A { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
