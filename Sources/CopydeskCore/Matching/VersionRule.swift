/// The rule that makes a near-copy a version of a stored article, with its thresholds.
///
/// The thresholds were chosen on `shared/corpora/dedup-dev` (599 files; the HTML pages stood in by a
/// plain-text extraction while copydesk had no HTML normalizer) and on the five seeds, with exact
/// shingle sets (5-word shingles of ``FingerprintText``):
///
/// | pairs | containment |
/// |---|---|
/// | revision, syndicated rewrite, plain-text export vs. each other | min 0.92, p10 0.95 |
/// | teaser vs. its story (teasers of 31 to 250 shingles) | min 0.95, p10 1.00 |
/// | different stories, incl. pages of one site | max 0.03 |
/// | seeds 000/001 (one AFP story, two outlets' own articles) | 0.32 |
///
/// The gap runs from 0.32 to 0.92; ``minimumContainment`` sits at 0.6, nearer the distinct side's
/// high end plus a margin than the versions' low end, because the versions' side varies with
/// extraction (an HTML page whose extraction kept comments or a sidebar holds less of the plain copy's
/// text) while the same-event side is bounded by what "most sentences shared" means: two outlets'
/// own articles on one wire story share well under half of their text. (The research notes measured
/// the same gap on synthetic pairs: same-event max 0.31, versions min 0.87.)
///
/// Jaccard needs no threshold of its own: J ≥ 0.5 already implies containment ≥ 2/3.
public enum VersionRule {
    /// The share of the shorter text that must be found in the longer one.
    public static let minimumContainment = 0.6

    /// Below this many shingles (about 30 words) containment says little: a short blurb is
    /// "contained" in any long text that quotes it. Such texts must instead be near-equal.
    public static let minimumShinglesForContainment = 25
    /// The Jaccard similarity a short text needs.
    public static let minimumJaccardForShortTexts = 0.6

    /// Whether a new text with this resemblance to a stored one is a version of it.
    public static func isVersion(_ resemblance: Resemblance) -> Bool {
        guard resemblance.sharedCount > 0 else { return false }
        if min(resemblance.newCount, resemblance.storedCount) < minimumShinglesForContainment {
            return resemblance.jaccard >= minimumJaccardForShortTexts
        }
        return resemblance.containment >= minimumContainment
    }
}
