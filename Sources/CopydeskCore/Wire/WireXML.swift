internal import CLibXML2
internal import Foundation

/// One element of an agency's XML document (NewsML-G2, NITF, NewsML 1.2), copied out of libxml2.
///
/// Names are local names: the namespaces differ from agency to agency and from one version of a
/// standard to the next (`nitf` with and without the IPTC namespace, G2 with a `nar:` prefix or
/// none), and no reader needs them. Attributes are kept by local name too, except `xml:lang`; an
/// attribute without a prefix wins over a prefixed one of the same local name (`id` over `rtr:id`).
struct WireElement: Sendable {
    var name: String
    var attributes: [String: String]
    var children: [WireNode]

    /// The child elements, in order.
    var elements: [WireElement] {
        children.compactMap { node in
            if case .element(let element) = node { element } else { nil }
        }
    }

    /// The first child element named `name`.
    func child(_ name: String) -> WireElement? {
        for node in children {
            if case .element(let element) = node, element.name == name { return element }
        }
        return nil
    }

    /// The child elements named `name`.
    func children(_ name: String) -> [WireElement] {
        elements.filter { $0.name == name }
    }

    /// The element at the end of a path of child names (`child("a")?.child("b")...`).
    func path(_ names: String...) -> WireElement? {
        var current = self
        for name in names {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// The first element named `name` below this one, depth first in document order.
    func descendant(_ name: String) -> WireElement? {
        for element in elements {
            if element.name == name { return element }
            if let found = element.descendant(name) { return found }
        }
        return nil
    }

    /// Every element named `name` below this one in document order (not below a match).
    func descendants(_ name: String) -> [WireElement] {
        var found = [WireElement]()
        for element in elements {
            if element.name == name {
                found.append(element)
            } else {
                found += element.descendants(name)
            }
        }
        return found
    }

    /// A copy without the elements below this one that `drop` selects.
    func removing(_ drop: (WireElement) -> Bool) -> WireElement {
        var copy = self
        copy.children = children.compactMap { node in
            guard case .element(let element) = node else { return node }
            return drop(element) ? nil : .element(element.removing(drop))
        }
        return copy
    }

    /// The words of the `class` attribute.
    var classes: [Substring] {
        (attributes["class"] ?? "").split(whereSeparator: \.isWhitespace)
    }

    subscript(attribute name: String) -> String? {
        guard let value = attributes[name] else { return nil }
        let trimmed = WireText.oneLine(value)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// All the text below this element, as written.
    var text: String {
        var out = ""
        appendText(to: &out)
        return out
    }

    private func appendText(to out: inout String) {
        for node in children {
            switch node {
            case .text(let text): out += text
            case .element(let element):
                if element.name == "br" { out += " " }
                element.appendText(to: &out)
            }
        }
    }

    /// The text on one line (whitespace collapsed), nil when empty.
    var line: String? {
        let line = WireText.oneLine(text)
        return line.isEmpty ? nil : line
    }

    /// The element written back as HTML markup (for the HTML normalizer): local names, text and
    /// attribute values escaped, an end tag for every element but the void ones.
    var markup: String {
        var out = ""
        appendMarkup(to: &out)
        return out
    }

    /// The children written back as HTML markup.
    var innerMarkup: String {
        var out = ""
        for node in children { node.appendMarkup(to: &out) }
        return out
    }

    fileprivate func appendMarkup(to out: inout String) {
        out += "<" + name
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("xml") {
            out += " \(key)=\"\(WireText.escaped(value, quotes: true))\""
        }
        out += ">"
        if Self.voidElements.contains(name) { return }
        for node in children { node.appendMarkup(to: &out) }
        out += "</\(name)>"
    }

    private static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    ]
}

/// A node of a ``WireElement``: a child element or a piece of text.
enum WireNode: Sendable {
    case element(WireElement)
    case text(String)

    fileprivate func appendMarkup(to out: inout String) {
        switch self {
        case .element(let element): element.appendMarkup(to: &out)
        case .text(let text): out += WireText.escaped(text, quotes: false)
        }
    }
}

/// Parses agency XML safely with libxml2 and copies it into a ``WireElement`` tree.
///
/// The options keep the parser away from the network and the file system and keep libxml2's own
/// guards on: `XML_PARSE_NONET` (no fetch), no `XML_PARSE_NOENT` (entities are not substituted, so
/// an external entity is never loaded), no `XML_PARSE_DTDLOAD` or `XML_PARSE_DTDATTR` (an external
/// DTD is never read), no `XML_PARSE_HUGE` (libxml2's limits on nesting depth, text size and
/// entity amplification stay in force), `XML_PARSE_IGNORE_ENC` (the text was decoded already: a
/// file that declares ISO-8859-1 but holds UTF-8 reads as UTF-8), errors and warnings silenced,
/// and `XML_PARSE_RECOVER` so that a small markup error in an agency file does not lose the item.
enum WireXML {
    private static let parserInitialized: Void = xmlInitParser()

    private static let options = Int32(
        bitPattern: XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOCDATA.rawValue
            | XML_PARSE_COMPACT.rawValue)

    /// The most elements, attributes and text pieces a document may have (as for HTML pages, see
    /// ``HTMLDocument/maxNodes``).
    static let maxNodes = HTMLDocument.maxNodes

    /// The most text that references to internal entities may add to a document. Entities are not
    /// substituted by the parser; a reference to a declared internal entity whose value is plain text
    /// (no markup, no other reference) is written out by the copy, up to this many bytes in all.
    static let maxEntityText = 1 << 20

    /// The root element of an XML document.
    ///
    /// - Parameters:
    ///   - text: the document, already decoded.
    ///   - deadline: when to give up.
    /// - Throws: ``CopydeskError`` `.parseFailed` when libxml2 makes no document of it (not XML, an
    ///   entity bomb, nesting deeper than libxml2 allows), `.tooLarge` past ``maxNodes``,
    ///   `.timedOut` past the deadline.
    static func parse(_ text: String, deadline: Deadline = .never) throws(CopydeskError) -> WireElement {
        _ = parserInitialized
        var utf8 = Array(text.utf8)
        // A byte order mark left at the start is not markup.
        if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8.removeFirst(3) }
        guard !utf8.isEmpty, utf8.count < Int(Int32.max) else {
            throw CopydeskError(.emptyInput, "no XML to parse")
        }
        try deadline.check()
        guard let context = xmlNewParserCtxt() else {
            throw CopydeskError(.parseFailed, "libxml2 could not create a parser")
        }
        defer { xmlFreeParserCtxt(context) }
        let document = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
            }
        }
        guard let document else {
            throw CopydeskError(.parseFailed, "not well-formed XML (or past libxml2's limits)")
        }
        defer { xmlFreeDoc(document) }
        // Recovery may leave a document after a fatal error such as an entity loop: do not trust it.
        if context.pointee.wellFormed == 0, context.pointee.errNo == Int32(XML_ERR_ENTITY_LOOP.rawValue) {
            throw CopydeskError(.parseFailed, "entity references past libxml2's limits (an entity expansion bomb)")
        }
        if context.pointee.wellFormed == 0, Self.isFatal(context.pointee.errNo) {
            throw CopydeskError(
                .parseFailed, "the XML is past libxml2's limits (nesting depth, text or attribute size)",
                cause: "libxml2 error \(context.pointee.errNo)")
        }
        try deadline.check()
        guard let root = xmlDocGetRootElement(document) else {
            throw CopydeskError(.emptyInput, "an XML document without a root element")
        }
        var copier = Copier(document: document, deadline: deadline)
        return try copier.element(root)
    }

    /// Errors after which a recovered tree is not used: entity loops and amplification, and
    /// documents cut short by a limit.
    private static func isFatal(_ code: Int32) -> Bool {
        let fatal: [xmlParserErrors] = [
            XML_ERR_ENTITY_LOOP, XML_ERR_INTERNAL_ERROR, XML_ERR_NO_MEMORY, XML_ERR_ATTRIBUTE_NOT_FINISHED,
            XML_ERR_ATTRIBUTE_WITHOUT_VALUE,
        ]
        return fatal.contains { Int32($0.rawValue) == code }
    }

    /// Copies libxml2's tree into ``WireElement`` values, counting nodes and checking the deadline.
    /// The recursion is bounded by libxml2's nesting limit (256 without `XML_PARSE_HUGE`).
    private struct Copier {
        let document: xmlDocPtr
        let deadline: Deadline
        var nodes = 0
        var entityText = 0

        init(document: xmlDocPtr, deadline: Deadline) {
            self.document = document
            self.deadline = deadline
        }

        mutating func count() throws(CopydeskError) {
            nodes += 1
            if nodes > WireXML.maxNodes {
                throw CopydeskError(.tooLarge, "the XML has more than \(WireXML.maxNodes) elements, attributes and text nodes")
            }
            try deadline.check(every: nodes)
        }

        mutating func element(_ node: xmlNodePtr) throws(CopydeskError) -> WireElement {
            try count()
            var element = WireElement(name: Self.string(node.pointee.name), attributes: [:], children: [])
            var attribute = node.pointee.properties
            while let current = attribute {
                try count()
                let local = Self.string(current.pointee.name)
                let prefix = current.pointee.ns.flatMap { $0.pointee.prefix }.map { Self.string($0) }
                let value = try nodeText(current.pointee.children)
                if prefix == "xml" {
                    element.attributes["xml:" + local] = value
                } else if prefix == nil || element.attributes[local] == nil {
                    element.attributes[local] = value
                }
                attribute = current.pointee.next
            }
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    element.children.append(.element(try self.element(current)))
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    try count()
                    if let content = current.pointee.content {
                        element.children.append(.text(Self.string(content)))
                    }
                case XML_ENTITY_REF_NODE:
                    try count()
                    if let text = try entity(current) { element.children.append(.text(text)) }
                default:
                    break
                }
                child = current.pointee.next
            }
            return element
        }

        /// The text of an attribute's value nodes.
        mutating func nodeText(_ first: xmlNodePtr?) throws(CopydeskError) -> String {
            var out = ""
            var node = first
            while let current = node {
                if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content {
                    out += Self.string(content)
                } else if current.pointee.type == XML_ENTITY_REF_NODE, let text = try entity(current) {
                    out += text
                }
                node = current.pointee.next
            }
            return out
        }

        /// The text a reference to a declared internal entity stands for, when that is plain text
        /// (no markup, no reference to another entity), or the character of an undeclared HTML
        /// entity; nil for anything else. External entities are never read.
        mutating func entity(_ node: xmlNodePtr) throws(CopydeskError) -> String? {
            guard let name = node.pointee.name else { return nil }
            guard let entity = xmlGetDocEntity(document, name) else {
                // Declared in an external DTD that is not read (NITF's `&nbsp;`, `&eacute;`): the
                // character of the HTML entity of that name, if there is one.
                guard let html = htmlEntityLookup(name), let scalar = Unicode.Scalar(html.pointee.value) else { return nil }
                return String(Character(scalar))
            }
            guard entity.pointee.etype == XML_INTERNAL_GENERAL_ENTITY, let content = entity.pointee.content else { return nil }
            let text = Self.string(content)
            guard !text.contains("<"), !text.contains("&") else { return nil }
            entityText += text.utf8.count
            if entityText > WireXML.maxEntityText {
                throw CopydeskError(.tooLarge, "entity references expand to more than \(WireXML.maxEntityText) bytes")
            }
            return text
        }

        static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
            guard let pointer else { return "" }
            return String(cString: pointer)
        }
    }
}

/// Small text rules the XML wire readers share with the others.
extension WireText {
    /// `stat:canceled`, `cancelled`, `Canceled` → `canceled`.
    static func status(_ value: String) -> String {
        var status = value.lowercased()
        if let colon = status.lastIndex(of: ":") { status = String(status[status.index(after: colon)...]) }
        status = oneLine(status)
        return status == "cancelled" ? "canceled" : status
    }

    /// The part of a QCode after its scheme alias (`ninat:text` → `text`).
    static func code(_ qcode: String) -> String {
        guard let colon = qcode.lastIndex(of: ":") else { return qcode }
        return String(qcode[qcode.index(after: colon)...])
    }

    /// A time as ISO 8601: the extended form as given (through ``ISO8601Normalizer``), and the basic
    /// form of NITF `norm` attributes and NewsML 1.2 (`20250128T091834+0100`, `20080219`).
    static func time(_ value: String?) -> String? {
        guard let value else { return nil }
        let text = oneLine(value)
        let scalars = Array(text.unicodeScalars)
        func isDigit(_ index: Int) -> Bool { index < scalars.count && ("0" ... "9").contains(scalars[index]) }
        if scalars.count >= 8, (0 ..< 8).allSatisfy(isDigit), !isDigit(8) {
            var out = String(String.UnicodeScalarView(scalars[0 ..< 4])) + "-"
                + String(String.UnicodeScalarView(scalars[4 ..< 6])) + "-" + String(String.UnicodeScalarView(scalars[6 ..< 8]))
            var index = 8
            if index < scalars.count, scalars[index] == "T", (index + 1 ..< index + 5).allSatisfy(isDigit) {
                out += "T" + String(String.UnicodeScalarView(scalars[index + 1 ..< index + 3])) + ":"
                    + String(String.UnicodeScalarView(scalars[index + 3 ..< index + 5]))
                index += 5
                if (index ..< index + 2).allSatisfy(isDigit) {
                    out += ":" + String(String.UnicodeScalarView(scalars[index ..< index + 2]))
                    index += 2
                }
                if index < scalars.count, scalars[index] == "+" || scalars[index] == "-",
                    (index + 1 ..< index + 5).allSatisfy(isDigit)
                {
                    out += String(scalars[index]) + String(String.UnicodeScalarView(scalars[index + 1 ..< index + 3])) + ":"
                        + String(String.UnicodeScalarView(scalars[index + 3 ..< index + 5]))
                } else if index < scalars.count {
                    out += String(String.UnicodeScalarView(scalars[index...]))
                }
            }
            return ISO8601Normalizer.normalize(out)
        }
        return ISO8601Normalizer.normalize(text)
    }

    /// Text split into paragraphs at blank lines (or at line ends when it has none).
    static func paragraphs(_ text: String) -> [String] {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.contains(where: { $0.allSatisfy(\.isWhitespace) }) else {
            return lines.map(oneLine).filter { !$0.isEmpty }
        }
        var paragraphs = [String]()
        var current = [Substring]()
        for line in lines + [""] {
            if line.allSatisfy(\.isWhitespace) {
                let paragraph = oneLine(current.joined(separator: " "))
                if !paragraph.isEmpty { paragraphs.append(paragraph) }
                current = []
            } else {
                current.append(line)
            }
        }
        return paragraphs
    }

    /// Text escaped for markup.
    static func escaped(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Paragraphs of an XHTML or HTML fragment through the HTML normalizer's text rules (the same
    /// rules as a page's), with the fragment as the page's article.
    static func htmlParagraphs(_ fragment: String, deadline: Deadline) throws(CopydeskError) -> Article {
        let page = Array("<!doctype html><html><body><article>\(fragment)</article></body></html>".utf8)
        return try HTMLNormalizer.normalize(page, decoded: try TextDecoder.decode(page), format: .html, deadline: deadline)
    }
}
