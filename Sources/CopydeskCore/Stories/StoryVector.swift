/// Weighted terms (an article's, or a story's summary) as story assignment compares them: by
/// channel group, so that two articles of one *kind* of event, which share its vocabulary, do not
/// pass for one event.
///
/// The event score of two vectors is the mean of two cosines: over their **names** (names, name
/// parts and places: who and where) and over their **numbers** (numbers and numbers with their
/// neighbour: when, how many, which score or route). Words are left out of it: on stories-dev, the
/// cosine over words alone tells an article's own event from the other event of its kind hardly
/// better than chance (ROC area 0.59, against 0.95 for names and for numbers), while it lets every
/// report of one kind of event (a rehab, an earthquake, a patch) meet. A vector without a name or a
/// number (a language written without capitals, a one-line brief) falls back to the cosine over
/// words.
struct StoryVector {
    enum Group: Int {
        case names = 0, numbers = 1, words = 2

        init(_ channel: StoryFeatures.Channel) {
            switch channel {
            case .name, .namePart, .place: self = .names
            case .number, .numberContext: self = .numbers
            case .word: self = .words
            }
        }
    }

    /// The terms by key (ascending), with their weight, group and rarity now.
    var keys: [Int64]
    var weights: [Double]
    var groups: [Group]
    var rarities: [Double]
    /// The Euclidean norm of each group.
    var norms: (Double, Double, Double)

    /// The vector of `weights`, each term in its channel's group and with its rarity now (`idf`).
    init(_ weights: [Int64: Double], channels: [Int64: StoryFeatures.Channel], idf: [Int64: Double]) {
        keys = weights.keys.sorted()
        self.weights = keys.map { weights[$0]! }
        groups = keys.map { Group(channels[$0] ?? .word) }
        rarities = keys.map { idf[$0] ?? 0 }
        var squares = (0.0, 0.0, 0.0)
        for (weight, group) in zip(self.weights, groups) {
            switch group {
            case .names: squares.0 += weight * weight
            case .numbers: squares.1 += weight * weight
            case .words: squares.2 += weight * weight
            }
        }
        norms = (squares.0.squareRoot(), squares.1.squareRoot(), squares.2.squareRoot())
    }

    /// Whether it has a name or a number to compare by.
    var hasNamesOrNumbers: Bool { norms.0 > 0 || norms.1 > 0 }

    /// How likely this vector and a story's summary, as the catalog keeps it (``StorySummary``'s
    /// encoding, read in place: a walk of two key-ordered lists, no decoding), describe one event
    /// (0…1): see the type's description. A term of both is weighted by its rarity now (this
    /// vector's), the story's others by the rarity they were stored with, as
    /// ``StorySummary/vector(articles:idf:)`` weighs them.
    ///
    /// - Returns: nil when the bytes are not a summary.
    func eventScore(withSummary bytes: [UInt8], articles: Int) -> Double? {
        guard StorySummary.isEncoding(bytes) else { return nil }
        var dots = (0.0, 0.0, 0.0)
        var squares = (0.0, 0.0, 0.0)
        var index = 0
        bytes.withUnsafeBytes { raw in
            var offset = 1
            while offset < raw.count {
                let key = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                let channel = StoryFeatures.Channel(rawValue: raw[offset + 8]) ?? .word
                let carriers = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 9, as: UInt32.self)))
                let stored = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 13, as: UInt32.self)))
                offset += StorySummary.entrySize
                while index < keys.count, keys[index] < key { index += 1 }
                let shared = index < keys.count && keys[index] == key
                let group = Group(channel)
                let weight = StorySummary.weight(
                    carriers: carriers, channel: channel, idf: shared ? rarities[index] : Double(stored), articles: articles)
                let mine = shared && groups[index] == group ? weights[index] : 0
                switch group {
                case .names:
                    squares.0 += weight * weight
                    dots.0 += mine * weight
                case .numbers:
                    squares.1 += weight * weight
                    dots.1 += mine * weight
                case .words:
                    squares.2 += weight * weight
                    dots.2 += mine * weight
                }
            }
        }
        let theirs = (squares.0.squareRoot(), squares.1.squareRoot(), squares.2.squareRoot())
        func cosine(_ dot: Double, _ a: Double, _ b: Double) -> Double { a > 0 && b > 0 ? dot / (a * b) : 0 }
        guard hasNamesOrNumbers, theirs.0 > 0 || theirs.1 > 0 else { return cosine(dots.2, norms.2, theirs.2) }
        return (cosine(dots.0, norms.0, theirs.0) + cosine(dots.1, norms.1, theirs.1)) / 2
    }
}

extension StorySummary {
    /// The channel of each of the summary's terms.
    var channels: [Int64: StoryFeatures.Channel] {
        var channels = [Int64: StoryFeatures.Channel](minimumCapacity: count)
        for (key, entry) in zip(keys, entries) { channels[key] = entry.channel }
        return channels
    }
}
