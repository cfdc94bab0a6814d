/// Turns decoded plain text (wire copy, a text export of a web page) into title and paragraphs.
///
/// Line endings are normalized first (CRLF, CR, NEL, U+2028 become line feeds; U+2029 and form feed
/// become blank lines). Paragraphs are blocks separated by blank lines; the lines of a hard-wrapped
/// block are joined with a space. A text without any blank line has one paragraph per line.
///
/// The first line is the title when it looks like a headline: at most 200 characters and 30 words,
/// no sentence-final period, comma, colon or semicolon, a blank line after it, and more text after
/// that. Otherwise the text has no title and the first line stays in the body.
public enum PlainText {
    /// The most characters and words a headline has.
    static let titleMaxCharacters = 200
    static let titleMaxWords = 30
    /// A block whose lines are all shorter than this (but its last) was hard-wrapped by its writer.
    static let wrapWidth = 100

    public struct Parsed: Sendable, Hashable {
        public var title: String?
        public var paragraphs: [String]
    }

    /// Splits `text` into a title and paragraphs; whitespace inside a paragraph is collapsed.
    public static func parse(_ text: String) -> Parsed {
        do {
            return try parse(text, deadline: .never)
        } catch {
            preconditionFailure("no deadline, no error: \(error)")
        }
    }

    /// Splits `text` into a title and paragraphs, giving up at `deadline`.
    ///
    /// - Throws: the ``Deadline``'s rejection when the time is up.
    public static func parse(_ text: String, deadline: Deadline) throws(CopydeskError) -> Parsed {
        let blocks = try self.blocks(of: text, deadline: deadline)
        var paragraphs = [String]()
        var title: String?
        let hasBlankLines = blocks.count > 1
        for (index, block) in blocks.enumerated() {
            try deadline.check(every: index)
            if index == 0, hasBlankLines, block.count == 1, looksLikeHeadline(block[0]) {
                title = block[0]
                continue
            }
            if !hasBlankLines || !isHardWrapped(block) {
                paragraphs.append(contentsOf: block)
            } else {
                paragraphs.append(block.joined(separator: " "))
            }
        }
        return Parsed(title: title, paragraphs: paragraphs)
    }

    /// Blocks of non-empty lines, each line with its whitespace collapsed.
    static func blocks(of text: String, deadline: Deadline = .never) throws(CopydeskError) -> [[String]] {
        var blocks = [[String]]()
        var current = [String]()
        var line = [UInt8]()
        var pendingSpace = false
        func endLine() {
            if line.isEmpty {
                if !current.isEmpty {
                    blocks.append(current)
                    current = []
                }
            } else {
                current.append(String(decoding: line, as: UTF8.self))
            }
            line.removeAll(keepingCapacity: true)
            pendingSpace = false
        }
        var previousWasCR = false
        var scalars = 0
        for scalar in text.unicodeScalars {
            scalars &+= 1
            try deadline.check(every: scalars)
            switch scalar.value {
            case 0x0A:
                if previousWasCR { previousWasCR = false; continue }
                endLine()
            case 0x0D, 0x85, 0x2028:
                endLine()
            case 0x0C, 0x2029:
                endLine()
                endLine()
            default:
                if scalar.isSpaceLike {
                    pendingSpace = !line.isEmpty
                } else if scalar.isFormatCharacter, scalar.value != 0x200D {
                    // Zero-width spaces, soft hyphens, BOMs inside the text: invisible, dropped.
                    // The zero-width joiner stays: it forms emoji and Indic conjuncts.
                } else {
                    if pendingSpace { line.append(0x20) }
                    pendingSpace = false
                    if scalar.value < 0x80 {
                        line.append(UInt8(scalar.value))
                    } else {
                        UTF8.encode(scalar) { line.append($0) }
                    }
                }
            }
            previousWasCR = scalar.value == 0x0D
        }
        endLine()
        endLine()
        return blocks
    }

    static func looksLikeHeadline(_ line: String) -> Bool {
        guard line.count <= titleMaxCharacters, let last = line.last else { return false }
        if ".,;:".contains(last) && !line.hasSuffix("...") { return false }
        return line.split(separator: " ").count <= titleMaxWords
    }

    /// Whether a block's lines are one paragraph wrapped at a fixed width (rather than one paragraph
    /// per line): every line but the last is shorter than ``wrapWidth`` and none starts a list item.
    static func isHardWrapped(_ block: [String]) -> Bool {
        guard block.count > 1 else { return true }
        for line in block {
            if startsListItem(line) { return false }
        }
        return block.dropLast().allSatisfy { $0.count < wrapWidth }
    }

    static func startsListItem(_ line: String) -> Bool {
        guard let first = line.unicodeScalars.first else { return false }
        if "-*•–·".unicodeScalars.contains(first) {
            return line.unicodeScalars.dropFirst().first == " "
        }
        // "1. ", "12) "
        let digits = line.prefix(while: \.isASCII).prefix(while: \.isNumber)
        guard !digits.isEmpty, digits.count <= 3 else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ")
    }
}
