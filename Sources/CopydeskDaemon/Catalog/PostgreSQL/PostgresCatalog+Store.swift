public import CopydeskCore
internal import Logging
internal import PostgresNIO

extension PostgresCatalog {
    /// Decides (``Decider``) and records several submissions in order, in one transaction under
    /// the catalog's write lock: each decision sees the ones before it, on this node and the
    /// others. A rejected file is recorded as `rejected` with its reason; every new version is filed
    /// in the fingerprint index in the same transaction.
    public func commit(
        batch submissions: [Submission], markingArchived archived: [Int64],
        beforeRecording: (@Sendable () throws -> Void)?
    ) async throws(CopydeskError) -> [CommitResult] {
        // The flush (a syncfs of the Archive) runs before the transaction: it must precede the
        // receipts it vouches for, and must not hold the other nodes' lock.
        if let beforeRecording {
            do {
                try beforeRecording()
            } catch {
                throw error as? CopydeskError ?? CopydeskError(.ioFailed, "\(error)")
            }
        }
        let assigner = storyAssigner
        return try await write { connection, logger in
            for id in archived { try await Self.markArchived(id, on: connection, logger: logger) }
            var results = [CommitResult]()
            for submission in submissions {
                results.append(try await Self.commit(submission, assigner: assigner, on: connection, logger: logger))
            }
            return results
        }
    }

    static func commit(
        _ submission: Submission, assigner: StoryAssigner, on connection: PostgresConnection, logger: Logger
    ) async throws -> CommitResult {
        if let items = submission.items {
            return try await commit(submission, items: items, assigner: assigner, on: connection, logger: logger)
        }
        let now = Timestamp.now()
        var result = CommitResult(receiptID: 0, decision: .rejected, archivePath: submission.archivePath)
        var article: Article?
        switch submission.content {
        case .failure(let rejection):
            result.message = rejection.reason
        case .success(let prepared):
            article = prepared.article
            try await decide(
                submission, prepared, item: nil, assigner: assigner, at: now, into: &result, on: connection,
                logger: logger)
        }
        let identity = submission.identity
        let reason = result.decision == .rejected ? result.message : nil
        let state = submission.isArchived ? "archived" : "committed"
        // The receipt and its events in one statement (the archived event after the decision's).
        result.receiptID = try await connection.first(
            """
            WITH receipt_row AS (
                INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at,
                    raw_sha256, format, charset, decision, reason, article_id, version_id, similarity, archive_path,
                    state, node, basis)
                VALUES (\(submission.origin.rawValue), \(submission.fileName), \(submission.sourcePath),
                    \(identity.size), \(identity.modificationTimeNanoseconds), \(Int64(bitPattern: identity.inode)),
                    \(Int64(bitPattern: identity.device)), \(submission.arrivedAt), \(submission.rawSHA256),
                    \(article?.format.rawValue), \(article?.charset), \(result.decision.rawValue), \(reason),
                    \(result.article), \(result.version), \(result.similarity), \(submission.archivePath), \(state),
                    \(submission.node), \(result.basis))
                RETURNING id
            ), events AS (
                INSERT INTO event (time, kind, receipt_id, file, article_id, version_id, similarity, message, basis,
                    story)
                SELECT \(now), kind, receipt_row.id, \(submission.fileName), article, version, similarity, message,
                    basis, story
                FROM receipt_row CROSS JOIN (
                    VALUES (1, \(EventKind(result.decision).rawValue), \(result.article)::int8, \(result.version)::int8,
                        \(result.similarity)::float8, \(result.message)::text, \(result.basis)::text, \(result.story)::int8),
                        (2, 'archived', NULL, NULL, NULL, \(submission.archivePath), NULL, NULL)
                ) AS entry(position, kind, article, version, similarity, message, basis, story)
                WHERE entry.position = 1 OR \(submission.isArchived)
                ORDER BY entry.position
            )
            SELECT id FROM receipt_row
            """, as: Int64.self, logger: logger)!
        if let record = result.wireRecord(of: article, at: now) {
            try await recordWire(
                record, file: submission.fileName, refreshCurrent: result.decision == .newVersion, on: connection,
                logger: logger)
        }
        return result
    }

    /// A file of several items: each item decided and recorded in order (each decision sees the
    /// ones before it), then the file's receipt, once (decision `items`), and per item a
    /// `receipt_item` row pointing back to it and its decision event.
    private static func commit(
        _ submission: Submission, items: [Result<PreparedArticle, CopydeskError>], assigner: StoryAssigner,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> CommitResult {
        let now = Timestamp.now()
        var results = [CommitResult]()
        for (position, item) in items.enumerated() {
            var result = CommitResult(receiptID: 0, decision: .rejected, archivePath: submission.archivePath)
            result.item = position
            switch item {
            case .failure(let rejection):
                result.message = rejection.reason
            case .success(let prepared):
                try await decide(
                    submission, prepared, item: position, assigner: assigner, at: now, into: &result, on: connection,
                    logger: logger)
            }
            results.append(result)
        }
        let first = items.lazy.compactMap { try? $0.get().article }.first
        let identity = submission.identity
        let receipt = try await connection.first(
            """
            INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at, raw_sha256,
                format, charset, decision, reason, archive_path, state, node, items)
            VALUES (\(submission.origin.rawValue), \(submission.fileName), \(submission.sourcePath), \(identity.size),
                \(identity.modificationTimeNanoseconds), \(Int64(bitPattern: identity.inode)),
                \(Int64(bitPattern: identity.device)), \(submission.arrivedAt), \(submission.rawSHA256),
                \(first?.format.rawValue), \(first?.charset), 'items', \(CommitResult.itemsSummary(results.map(\.decision))),
                \(submission.archivePath), \(submission.isArchived ? "archived" : "committed"), \(submission.node),
                \(Int64(items.count)))
            RETURNING id
            """, as: Int64.self, logger: logger)!
        let summary = CommitResult.summarizing(results, receipt: receipt, archivePath: submission.archivePath)
        for (result, item) in zip(summary.items ?? [], items) {
            let article = try? item.get().article
            let reason = result.decision == .rejected ? result.message : nil
            try await connection.run(
                """
                WITH item AS (
                    INSERT INTO receipt_item (receipt_id, item, format, charset, decision, reason, article_id, version_id,
                        similarity, basis)
                    VALUES (\(receipt), \(result.item.map(Int64.init)), \(article?.format.rawValue), \(article?.charset),
                        \(result.decision.rawValue), \(reason), \(result.article), \(result.version), \(result.similarity),
                        \(result.basis))
                )
                INSERT INTO event (time, kind, receipt_id, file, article_id, version_id, similarity, message, basis, item,
                    story)
                VALUES (\(now), \(EventKind(result.decision).rawValue), \(receipt), \(submission.fileName), \(result.article),
                    \(result.version), \(result.similarity), \(result.message), \(result.basis), \(result.item.map(Int64.init)),
                    \(result.story))
                """, logger: logger)
            if let record = result.wireRecord(of: article, at: now) {
                try await recordWire(
                    record, file: submission.fileName, refreshCurrent: result.decision == .newVersion, on: connection,
                    logger: logger)
            }
        }
        if submission.isArchived {
            try await insertEvent(
                .archived, receipt: receipt, file: submission.fileName, message: submission.archivePath, at: now,
                on: connection, logger: logger)
        }
        return summary
    }

    /// Decides what `prepared` (the file's article, or its item at `item`) is and records what the
    /// verdict adds (a new article, a new version) and the article's story (by `assigner`) into
    /// `result`.
    private static func decide(
        _ submission: Submission, _ prepared: PreparedArticle, item: Int?, assigner: StoryAssigner, at now: String,
        into result: inout CommitResult, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let lookup = PostgresLookup(connection: connection, logger: logger)
        let decider = Decider()
        try await lookup.prime(prepared, rawSHA256: submission.rawSHA256, limitPerKey: decider.versionsPerKey)
        let verdict = try await lookup.run(
            decider.decision(rawSHA256: submission.rawSHA256, item: item, prepared))
        var stored: VersionRef?
        switch verdict {
        case .sameBytes, .sameText, .sameDeclared, .noticeForUnknownItem:
            break
        case .declaredVersion(let match):
            if match.sameText == nil {
                let id = try await insertVersion(
                    prepared, article: match.article, parent: match.parent, relation: match.relation, at: now,
                    on: connection, logger: logger
                ).version
                try await connection.run(
                    "UPDATE article SET latest_version_id = \(id) WHERE id = \(match.article)", logger: logger)
                stored = VersionRef(version: id, article: match.article)
            }
        case .newVersion(let match):
            let id = try await insertVersion(
                prepared, article: match.article, parent: match.version, similarity: match.similarity,
                relation: match.relation, at: now, on: connection, logger: logger
            ).version
            try await connection.run(
                "UPDATE article SET latest_version_id = \(id) WHERE id = \(match.article)", logger: logger)
            try await updateCurrentVersion(of: match.article, on: connection, logger: logger)
            stored = VersionRef(version: id, article: match.article)
        case .newArticle:
            stored = try await insertVersion(prepared, article: nil, at: now, on: connection, logger: logger)
        }
        result.record(verdict, of: prepared, stored: stored)
        // The article's story: a new article is assigned one in this transaction; a new version or a
        // duplicate is in its article's.
        guard let article = result.article else { return }
        guard result.decision == .newArticle else {
            result.story = try await story(ofArticle: article, on: connection, logger: logger)
            return
        }
        let time = Timestamp.storyTime(published: prepared.article.published, arrivedAt: submission.arrivedAt)
        let update = try await PostgresStoryLookup(connection: connection, logger: logger).run(
            assigner.assignment(for: prepared.storyFeatures, at: time))
        result.story = try await apply(
            update, article: article, file: submission.fileName, at: now, on: connection, logger: logger)
    }


    /// Files what an agency item declared beside the version holding its text; for a new version
    /// (`refreshCurrent`), chooses the article's current version again, now that its declared
    /// number is known; a withdrawal marks the article killed (once, with a `killed` event). One
    /// statement.
    static func recordWire(
        _ record: WireRecord, file: String, refreshCurrent: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let wire = record.wire
        let message = "withdrawn by \(wire.provider ?? "the agency") (status \(wire.status))"
        try await connection.run(
            """
            WITH item AS (
                INSERT INTO wire_item (article_id, version_id, receipt_id, declared_key, item_id, declared_version,
                    story_key, status, signals, urgency, embargo, dateline, provider, links, basis, created_at)
                VALUES (\(record.article), \(record.version), \(record.receipt), \(wire.declaredKey), \(wire.id),
                    \(wire.version), \(wire.storyKey), \(wire.status), \(record.storedSignals),
                    \(wire.urgency.map(Int64.init)), \(wire.embargo), \(wire.dateline), \(wire.provider),
                    \(record.storedLinks), \(record.basis), \(record.recordedAt))
            ), killed AS (
                UPDATE article SET killed_at = \(record.recordedAt)
                WHERE id = \(record.article) AND killed_at IS NULL AND \(wire.isWithdrawal)
                RETURNING id
            )
            INSERT INTO event (time, kind, receipt_id, file, article_id, version_id, similarity, message, basis)
            SELECT \(record.recordedAt), 'killed', \(record.receipt), \(file), killed.id, \(record.version), NULL,
                \(message), \(record.basis)
            FROM killed
            """, logger: logger)
        if refreshCurrent { try await updateCurrentVersion(of: record.article, on: connection, logger: logger) }
    }

    /// Inserts a version of `articleID` (nil: of a new article, whose first, latest and current
    /// version it is) and files it in the fingerprint index: one statement, one round trip.
    static func insertVersion(
        _ prepared: PreparedArticle, article articleID: Int64?, parent: Int64? = nil, similarity: Double? = nil,
        relation: VersionRelation? = nil, at now: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> VersionRef {
        let article = prepared.article
        let fingerprint = prepared.fingerprint
        let row = try await connection.first(
            """
            WITH ids AS (
                SELECT coalesce(\(articleID)::int8, nextval('article_id_seq')) AS article,
                    nextval('version_id_seq') AS version
            ), new_article AS (
                INSERT INTO article (id, created_at, latest_version_id, current_version_id)
                SELECT article, \(now), version, version FROM ids WHERE \(articleID == nil)
            ), inserted AS (
                INSERT INTO version (id, article_id, parent_version_id, similarity, relation, title, byline,
                    published, site, url, language, body, content_sha256, format, charset, normalizer_version,
                    created_at)
                SELECT version, article, \(parent), \(similarity), \(relation?.rawValue), \(article.title),
                    \(article.byline), \(article.published), \(article.site), \(article.url), \(article.language),
                    \(article.body), \(prepared.contentSHA256), \(article.format.rawValue), \(article.charset),
                    \(Normalizer.version), \(now)
                FROM ids
                RETURNING id, article_id
            ), keys AS (
                INSERT INTO lsh (key, version_id)
                SELECT DISTINCT unnest(\(fingerprint.keys)::int8[]), inserted.id FROM inserted
                ON CONFLICT DO NOTHING
            ), indexed AS (
                INSERT INTO fingerprint (version_id, scheme, shingles)
                SELECT inserted.id, \(Fingerprint.scheme), \(fingerprint.shingles.count) FROM inserted
                ON CONFLICT (version_id) DO UPDATE SET scheme = excluded.scheme, shingles = excluded.shingles
            )
            SELECT id, article_id FROM inserted
            """, as: (Int64, Int64).self, logger: logger)!
        return VersionRef(version: row.0, article: row.1)
    }

    /// Points the article at its current version (``CurrentVersion``) after its versions changed.
    static func updateCurrentVersion(of articleID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        let rows = try await connection.rows(
            """
            SELECT version.id, version.parent_version_id, version.relation, version.site, version.url,
                coalesce(fingerprint.shingles, 0)::int8, version.published,
                (SELECT declared_version FROM wire_item WHERE wire_item.version_id = version.id
                 ORDER BY wire_item.id DESC LIMIT 1)
            FROM version LEFT JOIN fingerprint ON fingerprint.version_id = version.id
            WHERE version.article_id = \(articleID)
            """, as: (Int64, Int64?, String?, String?, String?, Int64, String?, String?).self, logger: logger)
        let candidates = rows.map { row in
            CurrentVersion.Candidate(
                id: row.0, parent: row.1, relation: row.2.flatMap(VersionRelation.init(rawValue:)), length: Int(row.5),
                site: row.3, url: row.4, published: row.6, declaredVersion: row.7)
        }
        guard let current = CurrentVersion.choose(candidates) else { return }
        try await connection.run(
            """
            UPDATE article SET current_version_id = \(current)
            WHERE id = \(articleID) AND current_version_id IS DISTINCT FROM \(current)
            """, logger: logger)
    }

    static func insertEvent(
        _ kind: EventKind, receipt: Int64? = nil, file: String? = nil, article: Int64? = nil, version: Int64? = nil,
        similarity: Double? = nil, message: String? = nil, at time: String = Timestamp.now(),
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.run(
            """
            INSERT INTO event (time, kind, receipt_id, file, article_id, version_id, similarity, message)
            VALUES (\(time), \(kind.rawValue), \(receipt), \(file), \(article), \(version), \(similarity), \(message))
            """, logger: logger)
    }

    public func markArchived(receiptIDs: [Int64]) async throws(CopydeskError) {
        guard !receiptIDs.isEmpty else { return }
        try await write { connection, logger in
            for id in receiptIDs { try await Self.markArchived(id, on: connection, logger: logger) }
        }
    }

    private static func markArchived(_ receiptID: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        guard
            let (file, path) = try await connection.first(
                """
                UPDATE receipt SET state = 'archived' WHERE id = \(receiptID) AND state = 'committed'
                RETURNING file_name, archive_path
                """, as: (String, String).self, logger: logger)
        else { return }
        try await insertEvent(.archived, receipt: receiptID, file: file, message: path, on: connection, logger: logger)
    }

    public func recordEvent(_ kind: EventKind, file: String?, message: String?) async throws(CopydeskError) {
        try await write { connection, logger in
            try await Self.insertEvent(kind, file: file, message: message, on: connection, logger: logger)
        }
    }

    /// Refreshes the node's row. Not under the write lock: it touches no decision and no event.
    public func recordNode(_ node: NodeRecord) async throws(CopydeskError) {
        do {
            try await writer.withConnection { connection, logger in
                try await connection.run(
                    """
                    INSERT INTO node (name, host, pid, inbox, started_at, last_seen)
                    VALUES (\(node.name), \(node.host), \(Int64(node.pid)), \(node.inbox), \(node.startedAt), \(node.lastSeen))
                    ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, inbox = excluded.inbox,
                        started_at = excluded.started_at, last_seen = excluded.last_seen
                    """, logger: logger)
            }
        } catch {
            throw PostgresFailure.error("write to the catalog", error, location: postgres)
        }
    }

    public func pendingReceipts() async throws(CopydeskError) -> [PendingReceipt] {
        try await read { connection, logger in
            try await connection.rows(
                """
                SELECT id, origin, file_name, source_path, size, mtime_ns, inode, device, raw_sha256, decision,
                    archive_path, node
                FROM receipt WHERE state = 'committed' ORDER BY id
                """,
                as: (Int64, String, String, String, Int64, Int64, Int64, Int64, String, String, String, String?).self,
                logger: logger
            ).map { row in
                PendingReceipt(
                    id: row.0, origin: ReceiptOrigin(rawValue: row.1) ?? .inbox, fileName: row.2, sourcePath: row.3,
                    identity: FileIdentity(
                        size: row.4, modificationTimeNanoseconds: row.5, inode: UInt64(bitPattern: row.6),
                        device: UInt64(bitPattern: row.7)),
                    rawSHA256: row.8, decision: Decision(rawValue: row.9) ?? .rejected, archivePath: row.10, node: row.11)
            }
        }
    }

    /// The version columns an ``Article`` is rebuilt from, in the order ``article(title:...)``
    /// takes them.
    static let textColumns = "title, byline, published, site, url, language, body, format, charset"

    /// Rebuilds the article a version row holds (paragraphs were stored separated by blank lines).
    static func article(
        title: String?, byline: String?, published: String?, site: String?, url: String?, language: String?,
        body: String, format: String, charset: String
    ) -> Article {
        Article(
            format: ArticleFormat(rawValue: format) ?? .text, charset: charset, title: title, byline: byline,
            published: published, site: site, url: url, language: language,
            paragraphs: body.split(separator: "\n\n", omittingEmptySubsequences: true).map(String.init))
    }
}
