public import CopydeskCore

/// The catalog's tables as `copydesk migrate-catalog` copies them from one backend to another:
/// every column of every row, ids kept, in an order that respects every reference (articles before
/// their versions, versions before receipts, receipts before events; the fingerprint index with its
/// versions).
public enum TransferTable: String, Sendable, CaseIterable {
    case story, article, version, receipt
    case receiptItem = "receipt_item"
    case wireItem = "wire_item"
    case event, fingerprint, lsh, renormalization, node
    case storyTerm = "story_term"
    /// The counters of the story term counts (``TermSketch``): PostgreSQL keeps them as rows, SQLite
    /// as one sketch it gives out as rows.
    case termBucket = "term_bucket"
    /// The articles counted in the counts' epoch not yet ended (``TermSketch/epochLength(after:)``),
    /// in order from 1: their distinct terms (``TermSketch/bytes(of:)``).
    case termPending = "term_pending"
    /// The progress of the last `copydesk regroup` (one row): an unfinished one continues on the copy.
    case regroup

    /// The columns copied, the first one the key rows are read in order of (and resumed after).
    public var columns: [String] {
        switch self {
        case .story: ["id", "merged_into", "articles", "first_seen", "last_seen", "summary", "created_at"]
        case .article: ["id", "created_at", "latest_version_id", "current_version_id", "killed_at", "story_id"]
        case .version:
            [
                "id", "article_id", "parent_version_id", "similarity", "relation", "title", "byline", "published",
                "site", "url", "language", "body", "content_sha256", "format", "charset", "normalizer_version",
                "created_at",
            ]
        case .receipt:
            [
                "id", "origin", "file_name", "source_path", "size", "mtime_ns", "inode", "device", "arrived_at",
                "raw_sha256", "format", "charset", "decision", "reason", "article_id", "version_id", "similarity",
                "archive_path", "state", "node", "basis", "items",
            ]
        // Read in order of receipt, then item (``TransferRow/position`` is the receipt).
        case .receiptItem:
            [
                "receipt_id", "item", "format", "charset", "decision", "reason", "article_id", "version_id",
                "similarity", "basis",
            ]
        case .wireItem:
            [
                "id", "article_id", "version_id", "receipt_id", "declared_key", "item_id", "declared_version",
                "story_key", "status", "signals", "urgency", "embargo", "dateline", "provider", "links", "basis",
                "created_at",
            ]
        case .event:
            [
                "id", "time", "kind", "receipt_id", "file", "article_id", "version_id", "similarity", "message", "basis",
                "item", "story",
            ]
        // Read in order of story, then term (``TransferRow/position`` is the story).
        case .storyTerm: ["story_id", "term"]
        case .termBucket: ["bucket", "articles"]
        case .termPending: ["id", "terms"]
        case .fingerprint: ["version_id", "scheme", "shingles"]
        // Read in order of version, then key (``TransferRow/position`` is the version).
        case .lsh: ["version_id", "key"]
        case .renormalization:
            ["raw_sha256", "normalizer_version", "outcome", "version_id", "previous_version_id", "at"]
        case .node: ["name", "host", "pid", "inbox", "started_at", "last_seen"]
        // Not SQLite's `story_floor`: a PostgreSQL catalog's story ids come from a sequence.
        case .regroup:
            [
                "id", "until_article", "done_through", "total", "done", "merges", "window_seconds", "seconds",
                "started_at", "finished_at",
            ]
        }
    }

    /// How each column is typed, in the order of ``columns``.
    public var kinds: [TransferValue.Kind] {
        columns.map { column in
            switch column {
            case "similarity", "seconds": .real
            case "summary", "terms": .blob
            case "id", "latest_version_id", "current_version_id", "article_id", "parent_version_id",
                "normalizer_version", "size", "mtime_ns", "inode", "device", "version_id", "receipt_id", "scheme",
                "shingles", "key", "previous_version_id", "pid", "urgency", "items", "item", "merged_into", "articles",
                "story_id", "story", "term", "bucket", "until_article", "done_through", "total", "done", "merges",
                "window_seconds":
                .integer
            default: .text
            }
        }
    }

    /// Whether rows are read in order of an integer (ids, version ids) and a copy resumes after the
    /// largest one copied; the other tables (keyed by text) are small and copied whole, idempotently.
    public var isOrderedByInteger: Bool {
        switch self {
        case .renormalization, .node: false
        default: true
        }
    }
}

/// One value of a copied row.
public enum TransferValue: Sendable, Hashable {
    public enum Kind: Sendable { case integer, real, text, blob }

    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One copied row: its values in the order of ``TransferTable/columns``.
public struct TransferRow: Sendable, Hashable {
    public var values: [TransferValue]

    public init(values: [TransferValue]) {
        self.values = values
    }

    /// The integer the table's rows are ordered by (its first column).
    public var position: Int64 {
        if case .integer(let value) = values.first { return value }
        return 0
    }
}

/// A catalog whose tables can be read for a copy.
public protocol CatalogExport: Sendable {
    /// Up to `limit` rows of `table` whose first column is above `after` (tables ordered by an
    /// integer), in that order; for ``TransferTable/lsh`` the rows of up to `limit` versions (a
    /// version's keys never split); for the other tables every row, in key order (`after` and
    /// `limit` unused).
    func exportRows(_ table: TransferTable, after: Int64, limit: Int) async throws(CopydeskError) -> [TransferRow]
}

/// A catalog that can take a copy of another's tables.
public protocol CatalogImport: Sendable {
    /// The largest first-column value of `table` copied so far (`Int64.min` when none: keys such as
    /// term hashes may be negative): where a copy resumes.
    func importedPosition(_ table: TransferTable) async throws(CopydeskError) -> Int64

    /// Writes `rows` into `table` in one transaction, ids kept; rows already there are left as they
    /// are (a copy run again writes nothing twice).
    func importRows(_ table: TransferTable, _ rows: [TransferRow]) async throws(CopydeskError)

    /// After a copy: the id sequences continue after the copied ids.
    func finishImport() async throws(CopydeskError)
}

/// A table's fingerprint for comparing two catalogs: its row count and a SHA-256 over every row's
/// values, in order.
public struct TableDigest: Sendable, Hashable {
    public var rows: Int
    public var sha256: String
}

extension CatalogExport {
    /// The digest of `table`, read in batches.
    public func digest(_ table: TransferTable, batch: Int = 5000) async throws(CopydeskError) -> TableDigest {
        var hasher = StreamingSHA256()
        var rows = 0
        var after: Int64 = .min
        while true {
            let batchRows = try await exportRows(table, after: after, limit: batch)
            for row in batchRows {
                for value in row.values { Self.feed(value, into: &hasher) }
                rows += 1
            }
            guard table.isOrderedByInteger, let last = batchRows.last else { break }
            after = last.position
        }
        return TableDigest(rows: rows, sha256: hasher.finalizeHex())
    }

    private static func feed(_ value: TransferValue, into hasher: inout StreamingSHA256) {
        let bytes: [UInt8] =
            switch value {
            case .null: [0]
            case .integer(let integer): [1] + withUnsafeBytes(of: integer.littleEndian, Array.init)
            case .real(let real): [2] + withUnsafeBytes(of: real.bitPattern.littleEndian, Array.init)
            case .text(let text): [3] + Array(text.utf8) + [0]
            case .blob(let bytes): [4] + withUnsafeBytes(of: Int64(bytes.count).littleEndian, Array.init) + bytes
            }
        hasher.update(bytes[...])
    }
}

extension TransferTable {
    /// The query that reads a batch (`?` placeholders: after, limit), in the SQL both engines speak.
    var exportSQL: String {
        let list = columns.joined(separator: ", ")
        switch self {
        case .lsh, .receiptItem, .storyTerm:
            // A version's keys, a receipt's items or a story's terms never split between batches.
            let (owner, second) = (columns[0], columns[1])
            return """
                SELECT \(list) FROM \(rawValue) WHERE \(owner) IN (
                    SELECT DISTINCT \(owner) FROM \(rawValue) WHERE \(owner) > $1 ORDER BY \(owner) LIMIT $2
                ) ORDER BY \(owner), \(second)
                """
        case _ where isOrderedByInteger:
            return "SELECT \(list) FROM \(rawValue) WHERE \(columns[0]) > $1 ORDER BY \(columns[0]) LIMIT $2"
        default:
            return "SELECT \(list) FROM \(rawValue) ORDER BY \(columns[0])"
        }
    }
}
