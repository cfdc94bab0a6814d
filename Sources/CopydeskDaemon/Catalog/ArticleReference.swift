internal import CopydeskCore

/// How `show` and `diff` turn a reference into one article, the same on every backend.
enum ArticleReference {
    /// The article the receipts found by file name point to: one, or a usage error saying why not
    /// (nothing matched, only a rejected file, several articles).
    ///
    /// - Parameter receipts: each receipt's article (nil when it was rejected) and rejection reason.
    static func resolve(_ receipts: [(article: Int64?, reason: String?)], reference: String) -> Result<Int64, CopydeskError> {
        let ids = receipts.compactMap(\.article)
        if ids.isEmpty, let rejected = receipts.last {
            return .failure(
                CopydeskError(.usage, "the file was rejected: \(rejected.reason ?? "rejected")", path: reference))
        }
        if ids.isEmpty {
            return .failure(CopydeskError(.usage, "no article, file name or SHA-256 prefix matches '\(reference)'"))
        }
        return single(ids, reference: reference, what: "file name")
    }

    /// The one article of `ids`, or a usage error listing them.
    static func single(_ ids: [Int64], reference: String, what: String) -> Result<Int64, CopydeskError> {
        let distinct = Array(Set(ids)).sorted()
        if distinct.count == 1 { return .success(distinct[0]) }
        return .failure(
            CopydeskError(
                .usage,
                "the \(what) '\(reference)' matches articles \(distinct.map(String.init).joined(separator: ", ")); be more specific"
            ))
    }

    /// `text` with the LIKE wildcards escaped by a backslash.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
