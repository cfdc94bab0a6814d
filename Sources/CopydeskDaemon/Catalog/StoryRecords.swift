public import CopydeskCore

/// One article of a story as the story commands show it: its current version's headline and
/// outlet.
public struct StoryArticle: Sendable, Hashable {
    public var article: Int64
    public var story: Int64
    public var title: String?
    /// The current version's text (its paragraphs; only the first few hundred characters in a
    /// listing).
    public var paragraphs: [String]
    public var site: String?
    public var url: String?
    /// The agency that declared it, for wire items.
    public var provider: String?
    public var published: String?
    /// When the article was first recorded.
    public var createdAt: String

    public init(
        article: Int64, story: Int64, title: String?, paragraphs: [String], site: String?, url: String?,
        provider: String?, published: String?, createdAt: String
    ) {
        self.article = article
        self.story = story
        self.title = title
        self.paragraphs = paragraphs
        self.site = site
        self.url = url
        self.provider = provider
        self.published = published
        self.createdAt = createdAt
    }

    /// Who carried it: the URL's host or the site (``CurrentVersion/outlet(site:url:)``), else the
    /// providing agency.
    public var outlet: String? {
        if let outlet = CurrentVersion.outlet(site: site, url: url) {
            return String(outlet.drop { $0 != ":" }.dropFirst())
        }
        return provider
    }

    /// The headline shown: the title, else the first words of the text (``DisplayTitle``).
    public var headline: String? { DisplayTitle.of(title: title, paragraphs: paragraphs) }

    /// When it happened, for ordering: published when it says, else when it was recorded.
    public var time: String { Timestamp.storyTime(published: published, arrivedAt: createdAt) }
}

/// One story in `copydesk stories`.
public struct StorySummary: Sendable, Hashable {
    public var story: Int64
    /// A headline chosen from its articles: the first article's (in time order) that has a title,
    /// else the first article's first words.
    public var headline: String?
    /// Its articles, in time order.
    public var articles: [Int64]
    /// How many outlets carried it (sites, URL hosts, agencies).
    public var outlets: Int
    public var firstSeen: String
    public var lastSeen: String

    /// The summary of story `story` from its articles (any order).
    public init(story: Int64, firstSeen: String, lastSeen: String, articles: [StoryArticle]) {
        let ordered = articles.sorted { ($0.time, $0.article) < ($1.time, $1.article) }
        self.story = story
        self.headline = (ordered.first { $0.title != nil } ?? ordered.first)?.headline
        self.articles = ordered.map(\.article)
        self.outlets = Set(ordered.compactMap(\.outlet)).count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// One story in `copydesk story`: its articles in time order, with their texts.
public struct StoryRecord: Sendable, Hashable {
    public var summary: StorySummary
    public var articles: [StoryArticle]
    /// The stories merged into it.
    public var merged: [Int64]

    public init(summary: StorySummary, articles: [StoryArticle], merged: [Int64]) {
        self.summary = summary
        self.articles = articles.sorted { ($0.time, $0.article) < ($1.time, $1.article) }
        self.merged = merged
    }
}

/// How far `copydesk regroup` (``Regrouper``) got: what the catalog records in the transaction of
/// each batch it re-assigns.
public struct RegroupProgress: Sendable, Hashable {
    /// The newest article when the regroup started: it re-assigns the articles up to this id (later
    /// ones are assigned by their own decisions).
    public var untilArticle: Int64
    /// The last article re-assigned (0 before the first): the next batch starts after it.
    public var doneThrough: Int64
    /// How many articles it re-assigns in all, and how many it has.
    public var total: Int
    public var done: Int
    /// How many stories were merged into others while re-assigning.
    public var merges: Int
    /// The window it groups with (``StoryAssigner/window``).
    public var window: Duration
    /// The time spent re-assigning, over every run that worked on it.
    public var seconds: Double
    /// ISO 8601 UTC.
    public var startedAt: String
    /// When the last article was re-assigned; nil while some are left.
    public var finishedAt: String?
    /// Whether it was started before and is now continued.
    public var resumed = false
    /// Once finished: the live stories, and how many articles the term counts count (every article
    /// of the catalog once, those that arrived during the regroup included).
    public var stories: Int?
    public var counted: Int?

    public init(
        untilArticle: Int64, doneThrough: Int64, total: Int, done: Int, merges: Int, window: Duration, seconds: Double,
        startedAt: String, finishedAt: String?
    ) {
        self.untilArticle = untilArticle
        self.doneThrough = doneThrough
        self.total = total
        self.done = done
        self.merges = merges
        self.window = window
        self.seconds = seconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public var isFinished: Bool { finishedAt != nil }

    /// Checks that `assigner` groups with this regroup's window: continuing it with another would
    /// give the result of neither.
    ///
    /// - Throws: ``CopydeskError`` `.usage` saying how to go on.
    public func check(_ assigner: StoryAssigner) throws(CopydeskError) {
        guard assigner.window != window else { return }
        let (mine, theirs) = (TimeExpression.text(of: window), TimeExpression.text(of: assigner.window))
        throw CopydeskError(
            .usage,
            "the unfinished regroup started \(startedAt) groups with a story window of \(mine), not \(theirs): "
                + "continue it with --story-window \(mine), or start over with --restart")
    }

    /// The `regrouped` event's message when it starts.
    public var startMessage: String {
        "regroup started: the stories were cleared; \(total) article\(total == 1 ? "" : "s") (ids up to \(untilArticle)) "
            + "to group again, window \(TimeExpression.text(of: window))"
    }

    /// The `regrouped` event's message when it finished.
    public var finishMessage: String {
        let stories = stories.map { " into \($0) stor\($0 == 1 ? "y" : "ies")" } ?? ""
        return "regrouped \(done) article\(done == 1 ? "" : "s")\(stories), \(merges) merge\(merges == 1 ? "" : "s"), "
            + "in \(Self.secondsText(seconds)) s, window \(TimeExpression.text(of: window))"
    }

    /// Seconds to a tenth.
    static func secondsText(_ seconds: Double) -> String {
        let tenths = Int64((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
