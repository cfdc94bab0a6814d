/// A word-level difference between two texts, for `copydesk diff`.
///
/// Words are runs of non-whitespace, compared exactly; paragraph breaks are tokens of their own
/// (``paragraphBreak``), so a paragraph split or joined shows as a break inserted or removed.
public struct WordDiff: Sendable, Hashable {
    /// What happened to a run of words.
    public enum Change: Sendable, Hashable {
        case same
        case removed
        case inserted
    }

    /// A run of consecutive words with the same fate.
    public struct Segment: Sendable, Hashable {
        public var change: Change
        public var words: [String]

        public init(change: Change, words: [String]) {
            self.change = change
            self.words = words
        }
    }

    /// The token standing for a paragraph break.
    public static let paragraphBreak = "\n\n"

    public let segments: [Segment]

    /// The difference from `old` to `new`, each given as paragraphs.
    public init(old: [String], new: [String]) {
        let before = Self.words(of: old)
        let after = Self.words(of: new)
        let difference = after.difference(from: before)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var segments = [Segment]()
        func append(_ change: Change, _ word: String) {
            if segments.last?.change == change {
                segments[segments.count - 1].words.append(word)
            } else {
                segments.append(Segment(change: change, words: [word]))
            }
        }
        var i = 0
        var j = 0
        while i < before.count || j < after.count {
            if i < before.count, removed.contains(i) {
                append(.removed, before[i])
                i += 1
            } else if j < after.count, inserted.contains(j) {
                append(.inserted, after[j])
                j += 1
            } else {
                append(.same, after[j])
                i += 1
                j += 1
            }
        }
        self.segments = segments
    }

    /// Whether the two texts have the same words in the same paragraphs.
    public var isEmpty: Bool {
        segments.allSatisfy { $0.change == .same }
    }

    /// How many words were removed and inserted (paragraph breaks not counted).
    public var counts: (removed: Int, inserted: Int) {
        var removed = 0
        var inserted = 0
        for segment in segments {
            let words = segment.words.filter { $0 != Self.paragraphBreak }.count
            switch segment.change {
            case .removed: removed += words
            case .inserted: inserted += words
            case .same: break
            }
        }
        return (removed, inserted)
    }

    static func words(of paragraphs: [String]) -> [String] {
        var words = [String]()
        for (index, paragraph) in paragraphs.enumerated() {
            if index > 0 { words.append(paragraphBreak) }
            words.append(contentsOf: paragraph.split(whereSeparator: \.isWhitespace).map(String.init))
        }
        return words
    }
}
