internal import Foundation

/// How a new version relates to the version it was matched with.
public enum VersionRelation: String, Sendable, Hashable, Codable, CaseIterable {
    /// The same outlet's text again, edited: a correction, an update, an added paragraph.
    case revision
    /// The same text carried by another outlet: another site, an agency dateline or credit added or
    /// dropped, another byline.
    case syndication
    /// One of the two is a part of the other, such as a teaser holding the first paragraphs.
    case excerpt
    /// A later version that an agency item declares by its id (the same guid with another version,
    /// or a link to the item it replaces).
    case update
    /// A declared version that says it corrects the one before (`sig:correction`, `edStat:C`).
    case correction
    /// An agency's rewrite of its own short item (a writethrough, a summary) that declares no link
    /// to it (``AgencyRewrite``).
    case writethrough

    /// A shorter text is an excerpt when at most this share of the longer one's length...
    static let excerptMaximumLengthRatio = 0.7
    /// ...and at least this share of it is found in the longer text...
    static let excerptMinimumContainment = 0.8
    /// ...and it is the longer text's lead (at least this share of the shared shingles lie at the
    /// start of the longer text, see ``Resemblance/leadAlignment``)...
    static let excerptMinimumLeadAlignment = 0.8
    /// ...or it is this much shorter wherever it comes from. A longer text that is the shorter one
    /// plus material around it that an extractor kept (comments, a sidebar) is not an excerpt
    /// relation: it is rarely three times as long.
    static let excerptAnywhereMaximumLengthRatio = 0.35

    /// Infers the relation from what differs between the two texts.
    ///
    /// In order: a text much shorter than the other and contained in it is an `excerpt`, and so is a
    /// shorter text that is the other's lead and ends with "Read more" (a teaser of a short story is
    /// not much shorter than it); the same
    /// URL is a `revision`; another site or URL host, an agency dateline on one side only (or another
    /// credit), or another byline is a `syndication`; anything else is a `revision`. Metadata that
    /// one side lacks (a plain-text file has no site or URL) is no evidence either way.
    public static func infer(new: Article, stored: Article, resemblance: Resemblance) -> VersionRelation {
        if resemblance.lengthRatio <= excerptMaximumLengthRatio,
            resemblance.containment >= excerptMinimumContainment,
            resemblance.leadAlignment >= excerptMinimumLeadAlignment
                || resemblance.lengthRatio <= excerptAnywhereMaximumLengthRatio
        {
            return .excerpt
        }
        let newTraits = ArticleTraits(new)
        let storedTraits = ArticleTraits(stored)
        let (shorter, longer) = resemblance.newIsShorter ? (newTraits, storedTraits) : (storedTraits, newTraits)
        if resemblance.lengthRatio < 1, shorter.endsWithContinuation, !longer.endsWithContinuation,
            resemblance.containment >= excerptMinimumContainment,
            resemblance.leadAlignment >= excerptMinimumLeadAlignment
        {
            return .excerpt
        }
        if let url = newTraits.url, url == storedTraits.url { return .revision }
        if differ(newTraits.site, storedTraits.site) || differ(newTraits.host, storedTraits.host) {
            return .syndication
        }
        if newTraits.credit != storedTraits.credit { return .syndication }
        if differ(newTraits.byline, storedTraits.byline) { return .syndication }
        return .revision
    }

    private static func differ(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return false }
        return a != b
    }
}

/// The metadata of an article that tells a revision from a syndicated copy, normalized for
/// comparison.
public struct ArticleTraits: Sendable, Hashable {
    /// The site name, case-folded.
    public var site: String?
    /// The URL without scheme, `www.`, query, fragment and trailing slash.
    public var url: String?
    /// The URL's host without `www.`.
    public var host: String?
    /// The byline's words, case-folded.
    public var byline: String?
    /// The dateline's credit (`afp`), or its place when it has none; nil without a dateline.
    public var credit: String?
    /// Whether the text ends with a pointer to the rest of it ("Read more", "Continue reading", "…").
    public var endsWithContinuation: Bool

    public init(_ article: Article) {
        site = article.site.map { FingerprintText.tokens(of: $0).joined(separator: " ") }.flatMap(Self.nonEmpty)
        byline = article.byline.map { FingerprintText.tokens(of: $0).joined(separator: " ") }.flatMap(Self.nonEmpty)
        if let raw = article.url {
            var rest = Substring(raw.lowercased())
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
            if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
            if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
            while rest.hasSuffix("/") { rest = rest.dropLast() }
            url = Self.nonEmpty(String(rest))
            host = url.map { String($0.prefix(while: { $0 != "/" })) }
        }
        var lead = [String]()
        if let title = article.title { lead.append(title) }
        lead.append(contentsOf: article.paragraphs.prefix(FingerprintText.datelineParagraphs))
        // A credit in parentheses is the surest sign of wire copy; a bare capitalized place before a
        // dash may also be a headline ("NWO – …"), so it counts only when no credit is found.
        let datelines = lead.prefix(FingerprintText.datelineParagraphs + 1).compactMap(Dateline.parse)
        if let credited = datelines.first(where: { $0.credit != nil }) {
            credit = credited.credit?.lowercased()
        } else {
            credit = datelines.first?.place.lowercased()
        }
        endsWithContinuation = article.paragraphs.last.map(Boilerplate.isContinuation) ?? false
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }
}
