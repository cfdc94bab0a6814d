internal import CLibXML2

/// One HTML page parsed by libxml2 into an ``HTMLTree``.
///
/// libxml2's HTML parser reads the markup (tokenizing, implied and auto-closed elements, entities)
/// and reports it through SAX callbacks; copydesk's callbacks build the flat ``HTMLTree`` from them
/// directly. libxml2's own tree is never built: that saves a node allocation per element, text and
/// attribute, and a walk over them, which together cost about as much as the parse itself.
final class HTMLDocument {
    private let tree: HTMLTree

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

    /// The most elements, attributes and pieces of text a page may have: this bounds the memory one
    /// page takes (the tree keeps about 40 bytes per node, the extraction about 100 more) whatever
    /// its size: 50 MB of `<b>x</b>` would otherwise make 17 million nodes. Article pages hold a
    /// few thousand; the largest page of the extraction dev set about 37,000.
    static let maxNodes = 1_000_000

    /// Parses UTF-8 markup from memory into a tree.
    ///
    /// Wraps `htmlCtxtReadMemory` with `HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
    /// HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE` and the
    /// encoding `UTF-8`, on a parser context whose element, text, comment and processing
    /// instruction callbacks are ``TreeBuilder``'s: they build the tree the way libxml2's
    /// (`xmlSAX2StartElement`, `xmlSAX2EndElement`, `xmlSAX2Characters`, `xmlSAX2CDataBlock`)
    /// would, and then ``flatten()`` would, count the nodes and check the deadline, and stop the
    /// parser (`xmlStopParser`) when either runs out.
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
        let builder = TreeBuilder(deadline: deadline, maxNodes: maxNodes, size: bytes.count)
        let document = withExtendedLifetime(builder) { () -> htmlDocPtr? in
            // > _private: For user data, libxml won't touch it
            context.pointee._private = Unmanaged.passUnretained(builder).toOpaque()
            builder.install(in: context)
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    htmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", Self.options)
                }
            }
        }
        // The document holds no element: only what libxml2 made of the doctype.
        if let document { xmlFreeDoc(document) }
        if let stop = builder.stop { throw stop }
        guard document != nil else {
            throw CopydeskError(.parseFailed, "libxml2 could not parse the markup")
        }
        tree = builder.finish()
    }

    /// The page as flat arrays, built while it was parsed.
    ///
    /// Elements are kept with the attributes of ``HTMLAttributeName``; text nodes with their text,
    /// whitespace collapsed. The content of skipped elements (``HTMLTag/isSkipped``) is not kept,
    /// except `<title>` and JSON-LD scripts in the head and body, which metadata extraction reads.
    /// Only the first top-level element (the `<html>` the parser implies if the page has none) and
    /// what is in it count.
    ///
    /// - Throws: the deadline's rejection when the time is up.
    func flatten(deadline: Deadline = .never) throws(CopydeskError) -> HTMLTree {
        try deadline.check()
        return tree
    }
}

/// Builds an ``HTMLTree`` from libxml2's SAX callbacks while the HTML parser runs, counting nodes
/// and checking the deadline; reached from the callbacks through the parser context's `_private`.
///
/// The tree is the one libxml2's own SAX2 callbacks would build, as ``HTMLDocument/flatten()`` copied
/// it: one element per start tag (closed at its end tag), one text node per run of character data
/// between two other nodes (libxml2 joins the pieces the parser reports; a comment or processing
/// instruction ends a run, as does a switch between text and CDATA), nothing outside the first
/// top-level element, nothing inside skipped elements.
///
/// The builder's state is marked `@exclusivity(unchecked)`: one parse on one thread owns it, the
/// callbacks never overlap, and the run-time access checks on every appended byte and node cost
/// about a tenth of the normalization.
private final class TreeBuilder {
    let deadline: Deadline
    let maxNodes: Int
    @exclusivity(unchecked) var nodes = 0
    /// Why the parser was stopped, once it was.
    @exclusivity(unchecked) var stop: CopydeskError?

    @exclusivity(unchecked) private var tree = HTMLTree()
    /// The open elements, innermost last.
    @exclusivity(unchecked) private var open: [Int32] = []
    /// The depth of elements being passed over: inside a skipped element, or after the first
    /// top-level element closed.
    @exclusivity(unchecked) private var ignoring = 0
    @exclusivity(unchecked) private var rootClosed = false

    /// The text node being filled, and how far its whitespace collapse and comma count got.
    @exclusivity(unchecked) private var run: TextRun?

    /// The MathML formula being read, if any: it becomes one text node of its `<math>` element.
    @exclusivity(unchecked) private var formula: Formula?

    /// What a `<math>` element's content gives: its `alttext`, the first TeX annotation, the text of
    /// its symbols one space apart; `annotation-xml` (another markup of the same formula) and other
    /// annotations are not read.
    private struct Formula {
        enum Part { case symbols, tex, ignored }
        var element: Int32
        var alttext: [UInt8]?
        var tex: [UInt8] = []
        var symbols: [UInt8] = []
        /// What each element open inside the formula holds.
        var open: [Part] = []
        /// Whether the last piece of symbol text ended a text node (the next one is a space apart).
        var symbolRunOpen = false
    }

    private struct TextRun {
        var cdata: Bool
        var start: Int
        var node: Int?
        var lastWasSpace = false
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        var characters: Int32 = 0
        var commas: Int32 = 0
    }

    init(deadline: Deadline, maxNodes: Int, size: Int) {
        self.deadline = deadline
        self.maxNodes = maxNodes
        // About one node per 40 bytes of markup and a third of the bytes as text and attributes.
        tree.nodes.reserveCapacity(max(256, size / 40))
        tree.attributes.reserveCapacity(max(256, size / 60))
        tree.bytes.reserveCapacity(max(4096, size / 3))
    }

    func finish() -> HTMLTree {
        endRun()
        while let index = open.popLast() {
            tree.nodes[Int(index)].end = Int32(tree.nodes.count)
        }
        return tree
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

    static func of(_ context: UnsafeMutableRawPointer?) -> (TreeBuilder, xmlParserCtxtPtr)? {
        guard let context else { return nil }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let builder = parser.pointee._private else { return nil }
        return (Unmanaged<TreeBuilder>.fromOpaque(builder).takeUnretainedValue(), parser)
    }

    // MARK: Elements

    func startElement(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        endRun()
        if formula != nil {
            startInFormula(name, attributes)
            return
        }
        if ignoring > 0 || (open.isEmpty && rootClosed) {
            ignoring += 1
            return
        }
        let index = Int32(tree.nodes.count)
        let tag = name.map { HTMLTag.lookup(Self.hash($0)) } ?? .other
        let first = Int32(tree.attributes.count)
        if var attribute = attributes {
            while let attributeName = attribute.pointee {
                let value = attribute[1]
                if let known = HTMLAttributeName.lookup(Self.hash(attributeName)) {
                    let start = Int32(tree.bytes.count)
                    if let value { Self.appendRaw(value, to: &tree.bytes) }
                    tree.attributes.append(.init(name: known, start: start, end: Int32(tree.bytes.count)))
                }
                attribute += 2
            }
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
            formula = Formula(element: index, alttext: Self.value(of: Self.alttextHash, in: attributes))
            return
        }
        if descend {
            open.append(index)
        } else {
            ignoring = 1
        }
    }

    func endElement() {
        endRun()
        if formula != nil {
            endInFormula()
            return
        }
        if ignoring > 0 {
            ignoring -= 1
            return
        }
        guard let index = open.popLast() else { return }
        tree.nodes[Int(index)].end = Int32(tree.nodes.count)
        if open.isEmpty { rootClosed = true }
    }

    /// Ends the current text node: at an element's start or end, a comment or a processing
    /// instruction (not kept, but they part the text around them).
    func endRun() {
        run = nil
    }

    /// A comment inside a formula parts its symbols' text nodes.
    func partFormulaText() {
        formula?.symbolRunOpen = false
    }

    // MARK: Text

    // MARK: Formulas

    private static let alttextHash = FNV1a.hash(Array("alttext".utf8))
    private static let annotationHash = FNV1a.hash(Array("annotation".utf8))
    private static let annotationXMLHash = FNV1a.hash(Array("annotation-xml".utf8))
    private static let encodingHash = FNV1a.hash(Array("encoding".utf8))

    private func startInFormula(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard var current = formula else { return }
        current.symbolRunOpen = false
        let element = name.map(Self.hash) ?? 0
        let inside = current.open.last ?? .symbols
        var part = inside == .symbols ? Formula.Part.symbols : .ignored
        if element == Self.annotationXMLHash {
            part = .ignored
        } else if element == Self.annotationHash {
            // Only the first TeX annotation, and only its own text.
            let encoding = Self.value(of: Self.encodingHash, in: attributes) ?? []
            part = inside == .symbols && current.tex.isEmpty && encoding[...].lowercasedASCIIContains("tex") ? .tex : .ignored
        } else if inside == .tex {
            part = .ignored
        }
        current.open.append(part)
        formula = current
    }

    private func endInFormula() {
        guard var current = formula else { return }
        current.symbolRunOpen = false
        if current.open.popLast() != nil {
            formula = current
            return
        }
        // The `<math>` element itself ends: its text, as a text node inside it.
        formula = nil
        let alttext = Self.withoutDisplayStyle(current.alttext ?? [])
        let tex = Self.withoutDisplayStyle(current.tex)
        let text = !alttext.isEmpty ? alttext : !tex.isEmpty ? tex : current.symbols
        if !text.isEmpty {
            open.append(current.element)
            text.withUnsafeBufferPointer { characters($0.baseAddress!, count: $0.count, cdata: false) }
            endRun()
            open.removeLast()
            tree.nodes[Int(current.element)].end = Int32(tree.nodes.count)
        }
    }

    private func charactersInFormula(_ content: UnsafePointer<xmlChar>, count: Int) {
        guard var current = formula else { return }
        let bytes = UnsafeBufferPointer(start: content, count: count)
        switch current.open.last ?? .symbols {
        case .symbols:
            // A space between two text nodes, none between the pieces of one.
            if !current.symbolRunOpen, !current.symbols.isEmpty { current.symbols.append(0x20) }
            current.symbols.append(contentsOf: bytes)
            current.symbolRunOpen = true
        case .tex:
            current.tex.append(contentsOf: bytes)
        case .ignored:
            break
        }
        formula = current
    }

    /// The value of the attribute whose name hashes to `name`, if the element has it.
    private static func value(of name: UInt64, in attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> [UInt8]? {
        guard var attribute = attributes else { return nil }
        while let attributeName = attribute.pointee {
            if hash(attributeName) == name {
                var value = [UInt8]()
                if let raw = attribute[1] { appendRaw(raw, to: &value) }
                return value
            }
            attribute += 2
        }
        return nil
    }

    /// TeX without an outer `{\displaystyle …}` or `{\textstyle …}`, trimmed.
    private static func withoutDisplayStyle(_ tex: [UInt8]) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        var slice = tex[...]
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
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

    // MARK: Text

    /// Appends character data to the current text node (or a new one): runs of whitespace (and
    /// no-break spaces) become one space; soft hyphens, zero-width spaces and byte order marks go.
    func characters(_ content: UnsafePointer<xmlChar>, count length: Int, cdata: Bool) {
        if formula != nil {
            charactersInFormula(content, count: length)
            return
        }
        guard ignoring == 0, let parent = open.last else { return }
        if let current = run, current.cdata != cdata { endRun() }
        var current = run ?? TextRun(cdata: cdata, start: tree.bytes.count)
        var pointer = content
        let end = content + length
        while pointer < end {
            let byte = pointer.pointee
            pointer += 1
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C {
                if !current.lastWasSpace { tree.bytes.append(0x20) }
                current.lastWasSpace = true
                continue
            }
            // No-break space and next line (U+00A0, U+0085), line and paragraph separators (U+2028,
            // U+2029) are whitespace in running text.
            if byte == 0xC2, pointer < end, pointer.pointee == 0xA0 || pointer.pointee == 0x85 {
                pointer += 1
                if !current.lastWasSpace { tree.bytes.append(0x20) }
                current.lastWasSpace = true
                continue
            }
            if byte == 0xE2, pointer + 1 < end, pointer.pointee == 0x80, pointer[1] == 0xA8 || pointer[1] == 0xA9 {
                pointer += 2
                if !current.lastWasSpace { tree.bytes.append(0x20) }
                current.lastWasSpace = true
                continue
            }
            // Soft hyphens (U+00AD), zero-width spaces (U+200B) and byte order marks (U+FEFF) are
            // invisible: "Mag&shy;da&shy;le&shy;ner" reads, and is searched for, as "Magdalener".
            if byte == 0xC2, pointer < end, pointer.pointee == 0xAD {
                pointer += 1
                continue
            }
            if pointer + 1 < end,
                (byte == 0xE2 && pointer.pointee == 0x80 && pointer[1] == 0x8B)
                    || (byte == 0xEF && pointer.pointee == 0xBB && pointer[1] == 0xBF)
            {
                pointer += 2
                continue
            }
            current.lastWasSpace = false
            tree.bytes.append(byte)
            if byte & 0xC0 != 0x80 { current.characters += 1 }
            if byte == 0x2C
                || (byte == 0x8C && current.previous == 0xBC && current.beforePrevious == 0xEF)
                || (byte == 0x81 && current.previous == 0x80 && current.beforePrevious == 0xE3)
                || (byte == 0x8C && current.previous == 0xD8)
            {
                current.commas += 1
            }
            current.beforePrevious = current.previous
            current.previous = byte
        }
        let count = tree.bytes.count - current.start
        if count > 0 {
            if let node = current.node {
                tree.nodes[node].count = Int32(count)
                tree.nodes[node].characters = current.characters
                tree.nodes[node].commas = current.commas
            } else {
                current.node = tree.nodes.count
                tree.nodes.append(
                    .init(
                        tag: .text, parent: parent, end: Int32(tree.nodes.count + 1), first: Int32(current.start),
                        count: Int32(count), characters: current.characters, commas: current.commas))
            }
        }
        run = current
    }

    // MARK: Callbacks

    /// Puts this builder's callbacks in place of those that build libxml2's tree.
    func install(in context: htmlParserCtxtPtr) {
        guard let sax = context.pointee.sax else { return }
        sax.pointee.startElement = { context, name, attributes in
            guard let (builder, parser) = TreeBuilder.of(context) else { return }
            var count = 1
            if var attribute = attributes {
                while attribute.pointee != nil {
                    count += 1
                    attribute += 2
                }
            }
            if builder.admit(count, parser) { builder.startElement(name, attributes) }
        }
        sax.pointee.endElement = { context, _ in
            guard let (builder, _) = TreeBuilder.of(context), builder.stop == nil else { return }
            builder.endElement()
        }
        sax.pointee.characters = { context, characters, length in
            guard let (builder, parser) = TreeBuilder.of(context), let characters, length > 0,
                builder.admit(1, parser)
            else { return }
            builder.characters(characters, count: Int(length), cdata: false)
        }
        sax.pointee.cdataBlock = { context, characters, length in
            guard let (builder, parser) = TreeBuilder.of(context), let characters, length > 0,
                builder.admit(1, parser)
            else { return }
            builder.characters(characters, count: Int(length), cdata: true)
        }
        sax.pointee.comment = { context, _ in
            TreeBuilder.of(context)?.0.endRun()
            TreeBuilder.of(context)?.0.partFormulaText()
        }
        sax.pointee.processingInstruction = { context, _, _ in
            TreeBuilder.of(context)?.0.endRun()
        }
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
}

extension ArraySlice<UInt8> {
    /// Whether the bytes, lower-cased as ASCII, contain `needle` (given in lower case).
    func lowercasedASCIIContains(_ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard pattern.count <= count else { return pattern.isEmpty }
        guard let first = pattern.first else { return true }
        // The first byte in both cases, so that most positions are passed over by one comparison.
        let upper = first >= 0x61 && first <= 0x7A ? first & 0xDF : first
        return withUnsafeBufferPointer { bytes in
            let last = bytes.count - pattern.count
            var start = 0
            while start <= last {
                let byte = bytes[start]
                if byte == first || byte == upper {
                    var offset = 1
                    while offset < pattern.count {
                        let other = bytes[start + offset]
                        if (other >= 0x41 && other <= 0x5A ? other | 0x20 : other) != pattern[offset] { break }
                        offset += 1
                    }
                    if offset == pattern.count { return true }
                }
                start += 1
            }
            return false
        }
    }
}
