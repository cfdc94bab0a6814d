public import CopydeskCore
internal import GRDB

extension SQLiteCatalog {
    /// Decides (``Decider``) and records several submissions in order, in one transaction: each
    /// decision sees the ones before it. A rejected file is recorded as `rejected` with its reason;
    /// every new version is filed in the fingerprint index in the same transaction.
    ///
    /// Runs on the catalog's own thread, so that the caller's threads go on normalizing meanwhile.
    ///
    /// - Parameters:
    ///   - archived: receipts of earlier files that now lie in the Archive, marked in the same
    ///     transaction (one commit, one fsync, for both).
    ///   - beforeRecording: run on the catalog's thread before anything is written (the Archive's
    ///     flush, which must precede receipts recorded as archived); when it throws, nothing is.
    public func commit(
        batch submissions: [Submission], markingArchived archived: [Int64],
        beforeRecording: (@Sendable () throws -> Void)?
    ) async throws(CopydeskError) -> [CommitResult] {
        let assigner = storyAssigner
        let stories = storyCache
        return try await writeAsync { db in
            try beforeRecording?()
            for id in archived { try Self.markArchived(id, in: db) }
            try stories.prepare(db)
            return try submissions.map { try Self.commit($0, assigner: assigner, stories: stories, in: db) }
        }
    }

    /// - Parameters:
    ///   - stories: the writer's index of active stories and term counts (prepared for this transaction).
    ///   - storyTimer: times the story part of each new article's decision (the scale benchmark).
    static func commit(
        _ submission: Submission, assigner: StoryAssigner, stories: SQLiteStoryCache, storyTimer: StoryTimer? = nil,
        in db: Database
    ) throws -> CommitResult {
        if let items = submission.items {
            return try commit(
                submission, items: items, assigner: assigner, stories: stories, storyTimer: storyTimer, in: db)
        }
        let now = Timestamp.now()
        var result = CommitResult(receiptID: 0, decision: .rejected, archivePath: submission.archivePath)
        var article: Article?
        switch submission.content {
        case .failure(let rejection):
            result.message = rejection.reason
        case .success(let prepared):
            article = prepared.article
            try decide(
                submission, prepared, item: nil, assigner: assigner, stories: stories, storyTimer: storyTimer, at: now,
                into: &result, in: db)
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at,
                    raw_sha256, format, charset, decision, reason, article_id, version_id, similarity,
                    archive_path, state, node, basis)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                submission.origin.rawValue, submission.fileName, submission.sourcePath, submission.identity.size,
                submission.identity.modificationTimeNanoseconds, Int64(bitPattern: submission.identity.inode),
                Int64(bitPattern: submission.identity.device), submission.arrivedAt, submission.rawSHA256,
                article?.format.rawValue, article?.charset, result.decision.rawValue,
                result.decision == .rejected ? result.message : nil, result.article, result.version,
                result.similarity, submission.archivePath, submission.isArchived ? "archived" : "committed",
                submission.node, result.basis,
            ])
        result.receiptID = db.lastInsertedRowID
        try insertEvent(
            EventKind(result.decision), receipt: result.receiptID, file: submission.fileName, article: result.article,
            version: result.version, similarity: result.similarity, message: result.message, basis: result.basis,
            story: result.story, at: now, in: db)
        if let record = result.wireRecord(of: article, at: now) {
            try recordWire(record, file: submission.fileName, refreshCurrent: result.decision == .newVersion, in: db)
        }
        if submission.isArchived {
            try insertEvent(
                .archived, receipt: result.receiptID, file: submission.fileName, message: submission.archivePath,
                at: now, in: db)
        }
        return result
    }

    /// A file of several items: each item decided and recorded in order (each decision sees the
    /// ones before it), then the file's receipt, once (decision `items`), and per item a
    /// `receipt_item` row pointing back to it and its decision event.
    private static func commit(
        _ submission: Submission, items: [Result<PreparedArticle, CopydeskError>], assigner: StoryAssigner,
        stories: SQLiteStoryCache, storyTimer: StoryTimer?, in db: Database
    ) throws -> CommitResult {
        let now = Timestamp.now()
        var results = [CommitResult]()
        for (position, item) in items.enumerated() {
            var result = CommitResult(receiptID: 0, decision: .rejected, archivePath: submission.archivePath)
            result.item = position
            switch item {
            case .failure(let rejection):
                result.message = rejection.reason
            case .success(let prepared):
                try decide(
                    submission, prepared, item: position, assigner: assigner, stories: stories,
                    storyTimer: storyTimer, at: now, into: &result, in: db)
            }
            results.append(result)
        }
        let first = items.lazy.compactMap { try? $0.get().article }.first
        let identity = submission.identity
        try db.cachedStatement(
            sql: """
                INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at,
                    raw_sha256, format, charset, decision, reason, archive_path, state, node, items)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'items', ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            submission.origin.rawValue, submission.fileName, submission.sourcePath, identity.size,
            identity.modificationTimeNanoseconds, Int64(bitPattern: identity.inode), Int64(bitPattern: identity.device),
            submission.arrivedAt, submission.rawSHA256, first?.format.rawValue, first?.charset,
            CommitResult.itemsSummary(results.map(\.decision)), submission.archivePath,
            submission.isArchived ? "archived" : "committed", submission.node, items.count,
        ])
        let summary = CommitResult.summarizing(results, receipt: db.lastInsertedRowID, archivePath: submission.archivePath)
        for (result, item) in zip(summary.items ?? [], items) {
            let article = try? item.get().article
            try db.cachedStatement(
                sql: """
                    INSERT INTO receipt_item (receipt_id, item, format, charset, decision, reason, article_id,
                        version_id, similarity, basis)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                result.receiptID, result.item, article?.format.rawValue, article?.charset, result.decision.rawValue,
                result.decision == .rejected ? result.message : nil, result.article, result.version,
                result.similarity, result.basis,
            ])
            try insertEvent(
                EventKind(result.decision), receipt: result.receiptID, file: submission.fileName,
                article: result.article, version: result.version, similarity: result.similarity,
                message: result.message, basis: result.basis, item: result.item, story: result.story, at: now, in: db)
            if let record = result.wireRecord(of: article, at: now) {
                try recordWire(record, file: submission.fileName, refreshCurrent: result.decision == .newVersion, in: db)
            }
        }
        if submission.isArchived {
            try insertEvent(
                .archived, receipt: summary.receiptID, file: submission.fileName, message: submission.archivePath,
                at: now, in: db)
        }
        return summary
    }

    /// Decides what `prepared` (the file's article, or its item at `item`) is, records what the
    /// verdict adds (a new article, a new version) and the article's story (by `assigner`) into
    /// `result`.
    private static func decide(
        _ submission: Submission, _ prepared: PreparedArticle, item: Int?, assigner: StoryAssigner,
        stories: SQLiteStoryCache, storyTimer: StoryTimer?, at now: String, into result: inout CommitResult,
        in db: Database
    ) throws {
        let verdict = try Decider().decide(
            rawSHA256: submission.rawSHA256, item: item, prepared, in: SQLiteLookup(db: db))
        // A new article's story is assigned before its row is completed (which names it); a new
        // version or a duplicate is in its article's story.
        try record(verdict, of: prepared, at: now, into: &result, in: db) {
            try assignStory(
                prepared, submission: submission, assigner: assigner, stories: stories, timer: storyTimer, at: now,
                in: db)
        }
        if result.decision != .newArticle, let article = result.article {
            result.story = try story(ofArticle: article, in: db)
        }
    }

    /// The story of a new article, assigned by `assigner` in this transaction (timed by `timer`, if
    /// any): the assignment worked out ahead when nothing it read has changed since, else worked
    /// out here.
    private static func assignStory(
        _ prepared: PreparedArticle, submission: Submission, assigner: StoryAssigner, stories: SQLiteStoryCache,
        timer: StoryTimer?, at now: String, in db: Database
    ) throws -> Int64 {
        let time = Timestamp.storyTime(published: prepared.article.published, arrivedAt: submission.arrivedAt)
        var assignment = assigner.assignment(for: prepared.storyFeatures, at: time)
        if let plan = prepared.storyPlan, plan.time == time {
            var check = StoryPlanCheck.turnedDown
            if let story = try StoryTimer.timePlan(
                timer, accepted: {
                    check = stories.check(plan, assigner: assigner)
                    return check == .holds
                },
                then: {
                    try apply(plan.update, terms: plan.terms, file: submission.fileName, at: now, cache: stories, in: db)
                })
            {
                return story
            }
            // The same candidates, some with another profile now: from their profiles on.
            if check == .sameCandidates, let resumed = plan.beforeProfiles {
                assignment = resumed
                timer?.plansResumed += 1
            }
        }
        return try SQLiteStoryLookup(db: db, cache: stories).run(assignment, timedBy: timer) { update in
            try apply(update, file: submission.fileName, at: now, cache: stories, in: db)
        }
    }

    /// Writes what the verdict adds to the catalog (a new article, a new version with its index
    /// entries) and fills in the result.
    ///
    /// - Parameter story: assigns a new article its story.
    private static func record(
        _ verdict: Verdict, of prepared: PreparedArticle, at now: String, into result: inout CommitResult,
        in db: Database, story: () throws -> Int64
    ) throws {
        var stored: VersionRef?
        switch verdict {
        case .sameBytes, .sameText, .sameDeclared, .noticeForUnknownItem:
            break
        case .declaredVersion(let match):
            if match.sameText == nil {
                let versionID = try insertVersion(
                    prepared, article: match.article, parent: match.parent, relation: match.relation, at: now, in: db)
                try db.cachedStatement(sql: "UPDATE article SET latest_version_id = ? WHERE id = ?")
                    .execute(arguments: [versionID, match.article])
                stored = VersionRef(version: versionID, article: match.article)
            }
        case .newVersion(let match):
            let versionID = try insertVersion(
                prepared, article: match.article, parent: match.version, similarity: match.similarity,
                relation: match.relation, at: now, in: db)
            try db.cachedStatement(sql: "UPDATE article SET latest_version_id = ? WHERE id = ?")
                .execute(arguments: [versionID, match.article])
            try updateCurrentVersion(of: match.article, in: db)
            stored = VersionRef(version: versionID, article: match.article)
        case .newArticle:
            try db.cachedStatement(sql: "INSERT INTO article (created_at) VALUES (?)").execute(arguments: [now])
            let articleID = db.lastInsertedRowID
            let versionID = try insertVersion(prepared, article: articleID, at: now, in: db)
            let storyID = try story()
            try db.cachedStatement(
                sql: "UPDATE article SET latest_version_id = ?1, current_version_id = ?1, story_id = ?3 WHERE id = ?2"
            ).execute(arguments: [versionID, articleID, storyID])
            stored = VersionRef(version: versionID, article: articleID)
            result.story = storyID
        }
        result.record(verdict, of: prepared, stored: stored)
    }

    /// Inserts a version of `articleID` and, unless `indexed` is false (a bulk load that files its
    /// keys in key order itself), files it in the fingerprint index.
    static func insertVersion(
        _ prepared: PreparedArticle, article articleID: Int64, parent: Int64? = nil, similarity: Double? = nil,
        relation: VersionRelation? = nil, indexed: Bool = true, at now: String, in db: Database
    ) throws -> Int64 {
        let article = prepared.article
        try db.cachedStatement(
            sql: """
                INSERT INTO version (article_id, parent_version_id, similarity, relation, title, byline, published,
                    site, url, language, body, content_sha256, format, charset, normalizer_version, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                articleID, parent, similarity, relation?.rawValue, article.title, article.byline, article.published,
                article.site, article.url, article.language, article.body, prepared.contentSHA256,
                article.format.rawValue, article.charset,
                Normalizer.version, now,
            ])
        let versionID = db.lastInsertedRowID
        if indexed { try index(version: versionID, fingerprint: prepared.fingerprint, in: db) }
        return versionID
    }

    static func insertEvent(
        _ kind: EventKind, receipt: Int64? = nil, file: String? = nil, article: Int64? = nil, version: Int64? = nil,
        similarity: Double? = nil, message: String? = nil, basis: String? = nil, item: Int? = nil,
        story: Int64? = nil, at time: String = Timestamp.now(), in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO event (time, kind, receipt_id, file, article_id, version_id, similarity, message, basis,
                    item, story)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                time, kind.rawValue, receipt, file, article, version, similarity, message, basis, item, story,
            ])
    }

    /// Files what an agency item declared beside the version holding its text; for a new version
    /// (`refreshCurrent`), chooses the article's current version again, now that its declared
    /// number is known; a withdrawal marks the article killed (once, with a `killed` event).
    static func recordWire(_ record: WireRecord, file: String, refreshCurrent: Bool, in db: Database) throws {
        let wire = record.wire
        try db.cachedStatement(
            sql: """
                INSERT INTO wire_item (article_id, version_id, receipt_id, declared_key, item_id, declared_version,
                    story_key, status, signals, urgency, embargo, dateline, provider, links, basis, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.article, record.version, record.receipt, wire.declaredKey, wire.id, wire.version, wire.storyKey,
            wire.status, record.storedSignals, wire.urgency, wire.embargo, wire.dateline, wire.provider,
            record.storedLinks, record.basis, record.recordedAt,
        ])
        if refreshCurrent { try updateCurrentVersion(of: record.article, in: db) }
        guard wire.isWithdrawal else { return }
        try db.cachedStatement(sql: "UPDATE article SET killed_at = ? WHERE id = ? AND killed_at IS NULL")
            .execute(arguments: [record.recordedAt, record.article])
        guard db.changesCount > 0 else { return }
        try insertEvent(
            .killed, receipt: record.receipt, file: file, article: record.article, version: record.version,
            message: "withdrawn by \(wire.provider ?? "the agency") (status \(wire.status))", basis: record.basis,
            at: record.recordedAt, in: db)
    }

    /// Records that these receipts' files now lie at their archive paths, in one transaction.
    public func markArchived(receiptIDs: [Int64]) async throws(CopydeskError) {
        try await writeAsync { db in
            for id in receiptIDs { try Self.markArchived(id, in: db) }
        }
    }

    private static func markArchived(_ receiptID: Int64, in db: Database) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT file_name, archive_path, state FROM receipt WHERE id = ?"),
                arguments: [receiptID])
        else { return }
        guard (row["state"] as String) == "committed" else { return }
        try db.cachedStatement(sql: "UPDATE receipt SET state = 'archived' WHERE id = ?").execute(arguments: [receiptID])
        let path: String = row["archive_path"]
        try insertEvent(.archived, receipt: receiptID, file: row["file_name"], message: path, in: db)
    }

    /// Appends an entry that is not about a decision (daemon `started`/`stopped`, an `error`).
    public func recordEvent(_ kind: EventKind, file: String?, message: String?) async throws(CopydeskError) {
        try await writeAsync { db in try Self.insertEvent(kind, file: file, message: message, in: db) }
    }

    public func recordNode(_ node: NodeRecord) async throws(CopydeskError) {
        try await writeAsync { db in
            try db.execute(
                sql: """
                    INSERT INTO node (name, host, pid, inbox, started_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, inbox = excluded.inbox,
                        started_at = excluded.started_at, last_seen = excluded.last_seen
                    """,
                arguments: [node.name, node.host, node.pid, node.inbox, node.startedAt, node.lastSeen])
        }
    }

    /// The receipts whose file is recorded but not yet archived, oldest first.
    public func pendingReceipts() async throws(CopydeskError) -> [PendingReceipt] {
        try await readAsync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM receipt WHERE state = 'committed' ORDER BY id").map(Self.pending)
        }
    }

    private static func pending(_ row: Row) -> PendingReceipt {
        PendingReceipt(
            id: row["id"],
            origin: ReceiptOrigin(rawValue: row["origin"]) ?? .inbox,
            fileName: row["file_name"],
            sourcePath: row["source_path"],
            identity: FileIdentity(
                size: row["size"], modificationTimeNanoseconds: row["mtime_ns"],
                inode: UInt64(bitPattern: row["inode"] as Int64), device: UInt64(bitPattern: row["device"] as Int64)),
            rawSHA256: row["raw_sha256"],
            decision: Decision(rawValue: row["decision"]) ?? .rejected,
            archivePath: row["archive_path"], node: row["node"])
    }
}
