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
