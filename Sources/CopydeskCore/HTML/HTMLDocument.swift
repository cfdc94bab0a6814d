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

    /// The most elements, attributes and pieces of text a page may have. libxml2 keeps about 130
    /// bytes per node and the extraction about 100 more, so this bounds the memory one page takes
    /// (about 250 MB at the limit) whatever its size: 50 MB of `<b>x</b>` would otherwise build 17
    /// million nodes and take gigabytes. Article pages hold a few thousand; the largest page of the
    /// extraction dev set about 37,000.
    static let maxNodes = 1_000_000

    /// Parses UTF-8 markup from memory.
    ///
    /// Wraps `htmlCtxtReadMemory` with `HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
    /// HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE` and the
    /// encoding `UTF-8`, on a parser context whose SAX callbacks that build the tree (libxml2's
    /// `xmlSAX2StartElement`, `xmlSAX2EndElement`, `xmlSAX2Characters`, `xmlSAX2CDataBlock`) are
    /// wrapped: they count the nodes and check the deadline, and stop the parser (`xmlStopParser`)
    /// when either runs out.
    /// XHTML goes through the same HTML parser: it recovers from the markup errors most real XHTML
    /// pages have, never loads a DTD and never expands external entities.
    ///
    /// - Parameters:
    ///   - bytes: the page as UTF-8.
    ///   - deadline: when to stop parsing.
    ///   - maxNodes: the most elements, attributes and text pieces to build.
    /// - Throws: ``CopydeskError`` `.parseFailed` when libxml2 returns no document, `.tooLarge` past
    ///   `maxNodes`, `.timedOut` past the deadline.
    init(
        utf8 bytes: [UInt8], deadline: Deadline = .never, maxNodes: Int = HTMLDocument.maxNodes
    ) throws(CopydeskError) {
        _ = Self.parserInitialized
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else {
            throw CopydeskError(.parseFailed, "no markup to parse")
        }
        guard let context = htmlNewParserCtxt() else {
            throw CopydeskError(.parseFailed, "libxml2 could not create a parser")
        }
        defer { htmlFreeParserCtxt(context) }
        let limits = ParseLimits(deadline: deadline, maxNodes: maxNodes)
        let document = withExtendedLifetime(limits) { () -> htmlDocPtr? in
            // > _private: For user data, libxml won't touch it
            context.pointee._private = Unmanaged.passUnretained(limits).toOpaque()
            limits.install(in: context)
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    htmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", Self.options)
                }
            }
        }
        if let stop = limits.stop {
            if let document { xmlFreeDoc(document) }
            throw stop
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
    ///
    /// - Throws: the deadline's rejection when the time is up.
    func flatten(deadline: Deadline = .never) throws(CopydeskError) -> HTMLTree {
        var tree = HTMLTree()
        guard let root = xmlDocGetRootElement(handle) else { return tree }
        tree.nodes.reserveCapacity(4096)
        tree.attributes.reserveCapacity(4096)
        tree.bytes.reserveCapacity(65536)
        var open: [Int32] = []
        var node: xmlNodePtr = root
        var steps = 0
        walk: while true {
            steps &+= 1
            try deadline.check(every: steps)
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
                } else if tag == .math {
                    // A formula is one piece of text, not a tree of symbols.
                    descend = false
                    var formula = Self.formulaText(node)
                    if !formula.isEmpty {
                        formula.append(0)
                        formula.withUnsafeBufferPointer { Self.appendText($0.baseAddress!, parent: index, to: &tree) }
                        tree.nodes[Int(index)].end = Int32(tree.nodes.count)
                    }
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

    /// The text of a MathML `<math>` element: its `alttext`, else a TeX annotation, else the text of
    /// its symbols one space apart (`x = 2`). A TeX wrapper that only sets the display style
    /// (`{\displaystyle E=mc^{2}}`) is taken off.
    private static func formulaText(_ math: xmlNodePtr) -> [UInt8] {
        var attribute = math.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name, hash(name) == alttextHash {
                var value: [UInt8] = []
                var child = current.pointee.children
                while let text = child {
                    if let content = text.pointee.content { appendRaw(content, to: &value) }
                    child = text.pointee.next
                }
                let trimmed = withoutDisplayStyle(value)
                if !trimmed.isEmpty { return trimmed }
            }
            attribute = current.pointee.next
        }
        var tex: [UInt8] = []
        var symbols: [UInt8] = []
        // Depth-first over the formula, without recursion; `annotation-xml` is another markup of
        // the same formula, never read.
        var node = math.pointee.children
        walk: while let current = node {
            var descend = true
            if current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name {
                let element = hash(name)
                if element == annotationXMLHash {
                    descend = false
                } else if element == annotationHash {
                    descend = false
                    if tex.isEmpty, isTeXAnnotation(current) {
                        var child = current.pointee.children
                        while let text = child {
                            if let content = text.pointee.content { appendRaw(content, to: &tex) }
                            child = text.pointee.next
                        }
                    }
                }
            } else if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content {
                if !symbols.isEmpty { symbols.append(0x20) }
                appendRaw(content, to: &symbols)
            }
            if descend, let child = current.pointee.children {
                node = child
                continue walk
            }
            var at = current
            while true {
                if let sibling = at.pointee.next {
                    node = sibling
                    continue walk
                }
                guard let parent = at.pointee.parent, parent != math else { break walk }
                at = parent
            }
        }
        let fromTeX = withoutDisplayStyle(tex)
        return fromTeX.isEmpty ? symbols : fromTeX
    }

    private static let alttextHash = FNV1a.hash(Array("alttext".utf8))
    private static let annotationHash = FNV1a.hash(Array("annotation".utf8))
    private static let annotationXMLHash = FNV1a.hash(Array("annotation-xml".utf8))
    private static let encodingHash = FNV1a.hash(Array("encoding".utf8))

    /// Whether an `<annotation>` holds TeX (`encoding="application/x-tex"`, `TeX`, `LaTeX`).
    private static func isTeXAnnotation(_ annotation: xmlNodePtr) -> Bool {
        var attribute = annotation.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name, hash(name) == encodingHash {
                var value: [UInt8] = []
                var child = current.pointee.children
                while let text = child {
                    if let content = text.pointee.content { appendRaw(content, to: &value) }
                    child = text.pointee.next
                }
                return value[...].lowercasedASCIIContains("tex")
            }
            attribute = current.pointee.next
        }
        return false
    }

    /// TeX without an outer `{\displaystyle …}` or `{\textstyle …}`, trimmed.
    private static func withoutDisplayStyle(_ tex: [UInt8]) -> [UInt8] {
        var slice = tex[...]
        while let first = slice.first, first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D {
            slice = slice.dropFirst()
        }
        while let last = slice.last, last == 0x20 || last == 0x0A || last == 0x09 || last == 0x0D { slice = slice.dropLast() }
        for wrapper in ["{\\displaystyle", "{\\textstyle"] {
            let prefix = Array(wrapper.utf8)
            if slice.starts(with: prefix), slice.last == 0x7D {
                slice = slice.dropFirst(prefix.count).dropLast()
                while let first = slice.first, first == 0x20 { slice = slice.dropFirst() }
                while let last = slice.last, last == 0x20 { slice = slice.dropLast() }
                break
            }
        }
        return Array(slice)
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

/// What the wrapped SAX callbacks count and check while libxml2 parses one page; reached from the
/// callbacks through the parser context's `_private`.
private final class ParseLimits {
    let deadline: Deadline
    let maxNodes: Int
    var nodes = 0
    /// Why the parser was stopped, once it was.
    var stop: CopydeskError?
    /// The callbacks that build the tree (libxml2's SAX2 defaults), called by the wrappers.
    var startElement: startElementSAXFunc?
    var endElement: endElementSAXFunc?
    var characters: charactersSAXFunc?
    var cdataBlock: cdataBlockSAXFunc?

    init(deadline: Deadline, maxNodes: Int) {
        self.deadline = deadline
        self.maxNodes = maxNodes
    }

    /// Counts `count` more nodes; `false` (and the parser stopped) when a limit ran out.
    func admit(_ count: Int, _ context: xmlParserCtxtPtr) -> Bool {
        guard stop == nil else { return false }
        let before = nodes
        nodes += count
        if nodes > maxNodes {
            stop = CopydeskError(
                .tooLarge, "the page has more than \(maxNodes) elements, attributes and text nodes")
        } else if before >> 10 != nodes >> 10, deadline.hasPassed {
            // The clock is read once per 1,024 nodes.
            stop = deadline.error
        }
        guard stop == nil else {
            xmlStopParser(context)
            return false
        }
        return true
    }

    static func of(_ context: UnsafeMutableRawPointer?) -> (ParseLimits, xmlParserCtxtPtr)? {
        guard let context else { return nil }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let limits = parser.pointee._private else { return nil }
        return (Unmanaged<ParseLimits>.fromOpaque(limits).takeUnretainedValue(), parser)
    }

    /// Replaces the tree-building callbacks of `context` by counting ones that call them.
    func install(in context: htmlParserCtxtPtr) {
        guard let sax = context.pointee.sax else { return }
        startElement = sax.pointee.startElement
        endElement = sax.pointee.endElement
        characters = sax.pointee.characters
        cdataBlock = sax.pointee.cdataBlock
        sax.pointee.startElement = { context, name, attributes in
            guard let (limits, parser) = ParseLimits.of(context) else { return }
            var count = 1
            if var attribute = attributes {
                while attribute.pointee != nil {
                    count += 1
                    attribute += 2
                }
            }
            if limits.admit(count, parser) { limits.startElement?(context, name, attributes) }
        }
        sax.pointee.endElement = { context, name in
            guard let (limits, _) = ParseLimits.of(context), limits.stop == nil else { return }
            limits.endElement?(context, name)
        }
        sax.pointee.characters = { context, characters, length in
            guard let (limits, parser) = ParseLimits.of(context), limits.admit(1, parser) else { return }
            limits.characters?(context, characters, length)
        }
        sax.pointee.cdataBlock = { context, characters, length in
            guard let (limits, parser) = ParseLimits.of(context), limits.admit(1, parser) else { return }
            limits.cdataBlock?(context, characters, length)
        }
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
