internal import CLibXML2

/// One HTML page parsed by libxml2, owned by this object and freed with it.
///
/// The libxml2 tree never leaves this file: ``flatten()`` copies what extraction needs into an
/// ``HTMLTree`` in one walk, and all later work happens on that value.
final class HTMLDocument {
    private let handle: htmlDocPtr

    /// libxml2 must be initialised once, on one thread, before documents are parsed on several.
    ///
    /// > xmlInitParser: Initialization function for the XML parser. This is not reentrant. Call once
    /// > before processing in case of use in multithreaded programs.
    private static let parserInitialized: Void = xmlInitParser()

    /// The options of every parse: recover from broken markup, never touch the network, keep quiet,
    /// ignore `<meta charset>` (the bytes are UTF-8 already, see ``HTMLCharset``), and lift the
    /// nesting limit of 256 elements that real pages with unclosed `<div>`s exceed (input size is
    /// capped by the caller).
    private static let options: Int32 = Int32(
        bitPattern: HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_IGNORE_ENC.rawValue
            | XML_PARSE_HUGE.rawValue)

    /// Parses UTF-8 markup from memory.
    ///
    /// Wraps `htmlReadMemory` with `HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
    /// HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE` and the
    /// encoding `UTF-8`.
    /// XHTML goes through the same HTML parser: it recovers from the markup errors most real XHTML
    /// pages have, never loads a DTD and never expands external entities.
    ///
    /// - Parameter bytes: the page as UTF-8.
    /// - Throws: ``CopydeskError`` `.parseFailed` when libxml2 returns no document.
    init(utf8 bytes: [UInt8]) throws(CopydeskError) {
        _ = Self.parserInitialized
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else {
            throw CopydeskError(.parseFailed, "no markup to parse")
        }
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                htmlReadMemory(chars.baseAddress, Int32(chars.count), nil, "UTF-8", Self.options)
            }
        }
        guard let document else {
            throw CopydeskError(.parseFailed, "libxml2 could not parse the markup")
        }
        handle = document
    }

    deinit {
        xmlFreeDoc(handle)
    }

    /// Copies the tree into flat arrays in one depth-first walk.
    ///
    /// Elements are kept with the attributes of ``HTMLAttributeName``; text nodes with their text,
    /// whitespace collapsed. The content of skipped elements (``HTMLTag/isSkipped``) is not copied,
    /// except `<title>` and JSON-LD scripts in the head and body, which metadata extraction reads.
    /// The walk follows `children`/`next`/`parent` links and needs no recursion, so no nesting
    /// depth can overflow the stack.
    func flatten() -> HTMLTree {
        var tree = HTMLTree()
        guard let root = xmlDocGetRootElement(handle) else { return tree }
        tree.nodes.reserveCapacity(4096)
        tree.attributes.reserveCapacity(4096)
        tree.bytes.reserveCapacity(65536)
        var open: [Int32] = []
        var node: xmlNodePtr = root
        walk: while true {
            let type = node.pointee.type
            if type == XML_ELEMENT_NODE {
                let index = Int32(tree.nodes.count)
                let tag = node.pointee.name.map { HTMLTag.lookup(Self.hash($0)) } ?? .other
                let first = Int32(tree.attributes.count)
                var attribute = node.pointee.properties
                while let current = attribute {
                    if let name = current.pointee.name, let known = HTMLAttributeName.lookup(Self.hash(name)) {
                        let start = Int32(tree.bytes.count)
                        var child = current.pointee.children
                        while let text = child {
                            if let content = text.pointee.content { Self.appendRaw(content, to: &tree.bytes) }
                            child = text.pointee.next
                        }
                        tree.attributes.append(.init(name: known, start: start, end: Int32(tree.bytes.count)))
                    }
                    attribute = current.pointee.next
                }
                tree.nodes.append(
                    .init(
                        tag: tag, parent: open.last ?? -1, end: index + 1, first: first,
                        count: Int32(tree.attributes.count) - first, characters: 0, commas: 0))
                var descend = !tag.isSkipped || tag == .head || tag == .title
                if tag == .script, let range = tree.attributeRange(.type, of: Int(index)) {
                    descend = tree.bytes[range].lowercasedASCIIContains("ld+json")
                }
                if descend, let children = node.pointee.children {
                    open.append(index)
                    node = children
                    continue walk
                }
            } else if type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE, let content = node.pointee.content {
                Self.appendText(content, parent: open.last ?? -1, to: &tree)
            }
            while true {
                if node == root { break walk }
                if let next = node.pointee.next {
                    node = next
                    continue walk
                }
                guard let parent = node.pointee.parent, let index = open.popLast() else { break walk }
                tree.nodes[Int(index)].end = Int32(tree.nodes.count)
                node = parent
            }
        }
        while let index = open.popLast() {
            tree.nodes[Int(index)].end = Int32(tree.nodes.count)
        }
        return tree
    }

    private static func hash(_ name: UnsafePointer<xmlChar>) -> UInt64 {
        var value = FNV1a.offset
        var pointer = name
        while pointer.pointee != 0 {
            let byte = pointer.pointee
            value = (value ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) &* FNV1a.prime
            pointer += 1
        }
        return value
    }

    private static func appendRaw(_ content: UnsafePointer<xmlChar>, to bytes: inout [UInt8]) {
        var pointer = content
        while pointer.pointee != 0 {
            bytes.append(pointer.pointee)
            pointer += 1
        }
    }

    /// Appends a text node: runs of whitespace (and no-break spaces) become one space.
    private static func appendText(_ content: UnsafePointer<xmlChar>, parent: Int32, to tree: inout HTMLTree) {
        let start = tree.bytes.count
        var characters: Int32 = 0
        var commas: Int32 = 0
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        var pointer = content
        var lastWasSpace = false
        while true {
            let byte = pointer.pointee
            if byte == 0 { break }
            pointer += 1
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C {
                if !lastWasSpace { tree.bytes.append(0x20) }
                lastWasSpace = true
                continue
            }
            // No-break space and next line (U+00A0, U+0085), line and paragraph separators (U+2028,
            // U+2029) are whitespace in running text.
            if byte == 0xC2, pointer.pointee == 0xA0 || pointer.pointee == 0x85 {
                pointer += 1
                if !lastWasSpace { tree.bytes.append(0x20) }
                lastWasSpace = true
                continue
            }
            if byte == 0xE2, pointer.pointee == 0x80, pointer[1] == 0xA8 || pointer[1] == 0xA9 {
                pointer += 2
                if !lastWasSpace { tree.bytes.append(0x20) }
                lastWasSpace = true
                continue
            }
            // Soft hyphens (U+00AD), zero-width spaces (U+200B) and byte order marks (U+FEFF) are
            // invisible: "Mag&shy;da&shy;le&shy;ner" reads, and is searched for, as "Magdalener".
            if byte == 0xC2, pointer.pointee == 0xAD {
                pointer += 1
                continue
            }
            if (byte == 0xE2 && pointer.pointee == 0x80 && pointer[1] == 0x8B)
                || (byte == 0xEF && pointer.pointee == 0xBB && pointer[1] == 0xBF)
            {
                pointer += 2
                continue
            }
            lastWasSpace = false
            tree.bytes.append(byte)
            if byte & 0xC0 != 0x80 { characters += 1 }
            if byte == 0x2C
                || (byte == 0x8C && previous == 0xBC && beforePrevious == 0xEF)
                || (byte == 0x81 && previous == 0x80 && beforePrevious == 0xE3)
                || (byte == 0x8C && previous == 0xD8)
            {
                commas += 1
            }
            beforePrevious = previous
            previous = byte
        }
        let count = tree.bytes.count - start
        guard count > 0 else { return }
        tree.nodes.append(
            .init(
                tag: .text, parent: parent, end: Int32(tree.nodes.count + 1), first: Int32(start),
                count: Int32(count), characters: characters, commas: commas))
    }
}

extension ArraySlice<UInt8> {
    /// Whether the bytes, lower-cased as ASCII, contain `needle` (given in lower case).
    func lowercasedASCIIContains(_ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard pattern.count <= count else { return pattern.isEmpty }
        var start = startIndex
        while start + pattern.count <= endIndex {
            var matched = true
            for offset in 0 ..< pattern.count {
                let byte = self[start + offset]
                let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if lowered != pattern[offset] {
                    matched = false
                    break
                }
            }
            if matched { return true }
            start += 1
        }
        return false
    }
}
