internal import CopydeskCore

/// What every backend records the same way once it has written a verdict or a re-normalization:
/// the result's decision, ids and message (the words the log shows).
extension CommitResult {
    /// What to file of the agency item this decision accepted (`article`'s declarations); nil for
    /// other texts, duplicates and rejections.
    func wireRecord(of article: Article?, at now: String) -> WireRecord? {
        guard let wire = article?.wire, let articleID = self.article, let versionID = version,
            decision == .newArticle || decision == .newVersion
        else { return nil }
        return WireRecord(
            article: articleID, version: versionID, receipt: receiptID, wire: wire, basis: basis ?? "content",
            recordedAt: now)
    }

    /// The result of a file of several items, summing up theirs: `rejected` when every item is,
    /// else the first accepted item's decision; the message counts the decisions.
    static func summarizing(_ items: [CommitResult], receipt: Int64, archivePath: String) -> CommitResult {
        let accepted = items.first { $0.decision != .rejected }
        var summary = CommitResult(
            receiptID: receipt, decision: accepted?.decision ?? .rejected, archivePath: archivePath)
        summary.message = itemsSummary(items.map(\.decision))
        summary.items = items.map { item in
            var item = item
            item.receiptID = receipt
            return item
        }
        return summary
    }

    /// "3 items: 2 new-article, 1 rejected" (decisions in a fixed order).
    static func itemsSummary(_ decisions: [Decision]) -> String {
        let counts = Decision.allCases.compactMap { decision in
            let count = decisions.filter { $0 == decision }.count
            return count > 0 ? "\(count) \(decision.rawValue)" : nil
        }
        return "\(decisions.count) items: " + counts.joined(separator: ", ")
    }

    /// Fills in the result of a verdict; `stored` is the version a new article or new version was
    /// stored as (with its article), nil for a duplicate.
    mutating func record(_ verdict: Verdict, of prepared: PreparedArticle, stored: VersionRef?) {
        switch verdict {
        case .sameBytes(let match):
            decision = .duplicate
            article = match.article
            version = match.version
            similarity = 1
            message = "same bytes as \(match.fileName) (receipt \(match.receipt))"
        case .sameText(let match):
            decision = .duplicate
            article = match.article
            version = match.version
            similarity = 1
            message = "same text as version \(match.version)"
        case .newVersion(let match):
            decision = .newVersion
            article = match.article
            version = stored?.version
            parentVersion = match.version
            relation = match.relation
            similarity = match.similarity
            message = "\(match.relation.rawValue) of version \(match.version)"
        case .newArticle:
            decision = .newArticle
            article = stored?.article
            version = stored?.version
            // An article without a title is named by its first words, marked as derived.
            message = DisplayTitle.shown(title: prepared.article.title, paragraphs: prepared.article.paragraphs)
        case .noticeForUnknownItem(let reason):
            decision = .rejected
            message = reason
        case .sameDeclared(let item):
            decision = .duplicate
            article = item.article
            version = item.version
            message = "same id and version as version \(item.version)" + (item.declaredVersion.map { " (\($0))" } ?? "")
        case .declaredVersion(let match):
            decision = .newVersion
            article = match.article
            version = stored?.version ?? match.sameText
            parentVersion = match.parent
            relation = match.relation
            let declared = prepared.article.wire?.version.map { "version \($0), " } ?? ""
            let through = match.through == "link" ? "linked to" : "by id, after"
            message = "\(declared)\(match.relation.rawValue) \(through) version \(match.parent.map(String.init) ?? "?")"
                + (match.sameText != nil ? "; text unchanged" : "") + (match.isNewest ? "" : "; arrived after a later version")
        }
        if prepared.article.wire != nil { basis = verdict.basis }
    }
}

extension ReprocessResult {
    /// The current normalizer rejects the original.
    mutating func recordRejected(_ rejection: CopydeskError) {
        outcome = .nowRejected
        message = "the current normalizer rejects it (\(rejection.message)); version \(target.version) kept"
    }

    /// The same text, whose metadata fields `changes` were updated (none: unchanged).
    mutating func recordMetadata(_ changes: [String]) {
        guard !changes.isEmpty else { return }
        outcome = .metadata
        message = "metadata of version \(target.version) updated: " + changes.joined(separator: ", ")
    }

    /// A text the catalog held as another version.
    mutating func recordKnown(_ known: VersionRef) {
        outcome = .knownText
        version = known.version
        message = "now reads as version \(known.version)" + (known.article == article ? "" : " of article \(known.article)")
    }

    /// A new text, stored as version `id`.
    mutating func recordNewText(version id: Int64, similarity: Double) {
        outcome = .newVersion
        version = id
        self.similarity = similarity
        message = "re-normalized text of version \(target.version)"
    }
}
