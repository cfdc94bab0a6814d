/// A parsed HTML page as flat arrays: every element and text node in document order, with the
/// attributes copydesk reads and all text as UTF-8 in one buffer.
///
/// ``HTMLDocument`` builds it in one walk over the libxml2 tree, so that metadata and content
/// extraction work on plain Swift values: no libxml2 pointer, no `String` per node. A node's subtree
/// is the index range `index + 1 ..< node.end`; its next sibling starts at `node.end`.
struct HTMLTree: Sendable {
    struct Node: Sendable {
        /// The element's tag, or ``HTMLTag/text`` for a text node.
        var tag: HTMLTag
        /// The parent element's index, -1 for the root.
        var parent: Int32
        /// One past the last index of the subtree.
        var end: Int32
        /// For an element, its attributes as `attributes[first ..< first + count]`; for a text
        /// node, its whitespace-collapsed UTF-8 as `bytes[first ..< first + count]`.
        var first: Int32
        var count: Int32
        /// For a text node: characters other than whitespace, and commas (Latin, CJK, Arabic).
        var characters: Int32
        var commas: Int32
    }

    struct Attribute: Sendable {
        var name: HTMLAttributeName
        var start: Int32
        var end: Int32
    }

    var nodes: [Node] = []
    var attributes: [Attribute] = []
    /// Text content and attribute values, UTF-8.
    var bytes: [UInt8] = []

    init() {}

    /// The value of attribute `name` of element `index`, as a byte range of ``bytes``.
    func attributeRange(_ name: HTMLAttributeName, of index: Int) -> Range<Int>? {
        let node = nodes[index]
        guard node.tag != .text, node.count > 0 else { return nil }
        for position in Int(node.first) ..< Int(node.first + node.count) where attributes[position].name == name {
            return Int(attributes[position].start) ..< Int(attributes[position].end)
        }
        return nil
    }

    /// The value of attribute `name` of element `index`, decoded.
    func attribute(_ name: HTMLAttributeName, of index: Int) -> String? {
        attributeRange(name, of: index).map { string(in: $0) }
    }

    func hasAttribute(_ name: HTMLAttributeName, of index: Int) -> Bool {
        attributeRange(name, of: index) != nil
    }

    /// The text bytes of `range` as a string.
    func string(in range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
    }

    /// The text of the whole tree as paragraphs: every block element and `<br>` ends one.
    func blockTexts() -> [String] {
        var paragraphs: [String] = []
        var current: [UInt8] = []
        var closing: [Int] = []
        func flush() {
            let text = TextBuilder.collapse(current)
            if !text.isEmpty { paragraphs.append(text) }
            current.removeAll(keepingCapacity: true)
        }
        for index in nodes.indices {
            while let last = closing.last, index >= last {
                flush()
                closing.removeLast()
            }
            let node = nodes[index]
            if node.tag == .text {
                current.append(contentsOf: bytes[Int(node.first) ..< Int(node.first + node.count)])
            } else if node.tag.isBlockLevel {
                flush()
                closing.append(Int(node.end))
            }
        }
        flush()
        return paragraphs
    }

    /// The concatenated text of the subtree of `index` (whitespace collapsed, trimmed).
    func text(of index: Int) -> String {
        var out = [UInt8]()
        let end = Int(nodes[index].end)
        var position = index
        while position < end {
            let node = nodes[position]
            if node.tag == .text {
                out.append(contentsOf: bytes[Int(node.first) ..< Int(node.first + node.count)])
            } else if position != index, node.tag.isBlockLevel, out.last != 0x20 {
                out.append(0x20)
            }
            position += 1
        }
        return TextBuilder.collapse(out)
    }
}

/// The attributes copydesk reads; every other attribute is dropped while flattening.
enum HTMLAttributeName: UInt8, Sendable {
    case `class`, id, role, itemprop, itemtype, style, hidden, ariaHidden, href, rel, name, property, content
    case httpEquiv, charset, datetime, lang, type, hreflang, title

    static func lookup(_ hash: UInt64) -> HTMLAttributeName? { byHash[hash] }

    private static let byHash: [UInt64: HTMLAttributeName] = {
        let names: [(String, HTMLAttributeName)] = [
            ("class", .class), ("id", .id), ("role", .role), ("itemprop", .itemprop), ("itemtype", .itemtype),
            ("style", .style), ("hidden", .hidden), ("aria-hidden", .ariaHidden), ("href", .href), ("rel", .rel),
            ("name", .name), ("property", .property), ("content", .content), ("http-equiv", .httpEquiv),
            ("charset", .charset), ("datetime", .datetime), ("lang", .lang), ("type", .type),
            ("hreflang", .hreflang), ("title", .title), ("xml:lang", .lang),
        ]
        var table = [UInt64: HTMLAttributeName]()
        for (name, value) in names { table[FNV1a.hash(Array(name.utf8))] = value }
        return table
    }()
}

/// FNV-1a, 64 bit: the hash of tag and attribute names while flattening.
enum FNV1a {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var value = offset
        for byte in bytes {
            value = (value ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) &* prime
        }
        return value
    }
}
