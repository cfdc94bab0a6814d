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
            return try Self.commit(submissions, assigner: assigner, stories: stories, in: db)
        }
    }

    /// Decides and records submissions in order, inside the current write transaction, in three
    /// passes that write what one pass a file would, in the same order:
    ///
    /// 1. each file's decisions and what they add (articles, versions and their index entries,
    ///    the receipt, agency items): each decision sees the files before it; meanwhile a
    ///    ``SQLiteStoryPlanner`` works out on another thread the story of each article (those found
    ///    not to be new articles are taken back from it as they are decided), unless the writer's
    ///    index is off or `stories.plansWhileDeciding` is false;
    /// 2. the stories, in the same order: a new article's assigned (``assignStory``), a version's or
    ///    a duplicate's looked up. One after another, so that the story index, the story rows'
    ///    pages and the code that reads and writes them are still in the processor's caches from
    ///    one article to the next instead of pushed out by a decision's index lookups between them
    ///    (at a million articles that is most of the story part's serialized time);
    /// 3. each decision's events (its story's merges, the decision, an agency's withdrawal).
    ///
    /// Nothing in the first pass reads what the later ones write: decisions read articles,
    /// versions, receipts and agency items, never stories or events.
    ///
    /// - Parameters:
    ///   - stories: the writer's index of active stories and term counts (prepared for this transaction).
    ///   - storyTimer: times the story part of each new article's decision (the scale benchmark).
    static func commit(
        _ submissions: [Submission], assigner: StoryAssigner, stories: SQLiteStoryCache, storyTimer: StoryTimer? = nil,
        in db: Database
    ) throws -> [CommitResult] {
        let planner =
            stories.isEnabled && stories.plansWhileDeciding
            ? SQLiteStoryPlanner(cache: stories, assigner: assigner, waits: stories.plannerWaits) : nil
        defer { planner?.finish() }
        // Every article is handed to the planner before the first decision, so that it works each
        // out while the decisions before it are made; those that are not new articles are taken
        // back as they are decided.
        var slots = 0
        var firstSlots = [Int]()
        for submission in submissions {
            firstSlots.append(slots)
            for content in submission.items ?? [submission.content] {
                if let planner, case .success(let prepared) = content {
                    let time = Timestamp.storyTime(published: prepared.article.published, arrivedAt: submission.arrivedAt)
                    planner.offer(slots, features: prepared.storyFeatures, at: time)
                }
                slots += 1
            }
        }
        var files = try zip(submissions, firstSlots).map { submission, first in
            try record(submission, planner: planner, firstSlot: first, in: db)
        }
        for index in files.indices {
            try assignStories(
                &files[index], assigner: assigner, stories: stories, planner: planner, timer: storyTimer, in: db)
        }
        return try files.map { try writeEvents(of: $0, in: db) }
    }

    /// A file whose decisions are recorded, their stories and events not yet (``commit(_:assigner:stories:storyTimer:in:)``).
    struct RecordedFile {
        let submission: Submission
        let now: String
        /// Each decision: the file's one, or each item's in order.
        var results = [CommitResult]()
        /// What each decision was about (nil: rejected).
        var prepared = [PreparedArticle?]()
        /// Where the planner has the file's first article (the others follow in order).
        let firstSlot: Int
        /// The stories merged into each decision's story when it was assigned (each a
        /// `story-merged` event before the decision's).
        var merges = [[(merged: Int64, story: Int64)]]()
        /// The agency withdrawal each decision recorded (a `killed` event after the decision's).
        var killed = [WireRecord?]()
        /// The receipt's id.
        var receipt: Int64 = 0

        init(submission: Submission, now: String, firstSlot: Int) {
            self.submission = submission
            self.now = now
            self.firstSlot = firstSlot
        }
    }

    /// The first pass: decides each of a file's articles (the file's, or each item's in order: each
    /// decision sees the ones before it), records what each verdict adds, then the file's receipt
    /// (one receipt, and per item a `receipt_item` row pointing back to it), then what agency items
    /// declared.
    private static func record(
        _ submission: Submission, planner: SQLiteStoryPlanner?, firstSlot: Int, in db: Database
    ) throws -> RecordedFile {
        var file = RecordedFile(submission: submission, now: Timestamp.now(), firstSlot: firstSlot)
        let contents = submission.items ?? [submission.content]
        for (position, content) in contents.enumerated() {
            var result = CommitResult(receiptID: 0, decision: .rejected, archivePath: submission.archivePath)
            let item = submission.items == nil ? nil : position
            result.item = item
            switch content {
            case .failure(let rejection):
                result.message = rejection.reason
                file.prepared.append(nil)
            case .success(let prepared):
                let verdict = try Decider().decide(
                    rawSHA256: submission.rawSHA256, item: item, prepared, in: SQLiteLookup(db: db))
                try record(verdict, of: prepared, at: file.now, into: &result, in: db)
                file.prepared.append(prepared)
                if result.decision != .newArticle { planner?.skip(firstSlot + position) }
            }
            file.results.append(result)
        }
        file.merges = Array(repeating: [], count: file.results.count)
        file.receipt = try insertReceipt(of: file, in: db)
        for index in file.results.indices {
            file.results[index].receiptID = file.receipt
            let result = file.results[index]
            if submission.items != nil {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO receipt_item (receipt_id, item, format, charset, decision, reason, article_id,
                            version_id, similarity, basis)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    result.receiptID, result.item, file.prepared[index]?.article.format.rawValue,
                    file.prepared[index]?.article.charset, result.decision.rawValue,
                    result.decision == .rejected ? result.message : nil, result.article, result.version,
                    result.similarity, result.basis,
                ])
            }
            var killed: WireRecord?
            if let record = result.wireRecord(of: file.prepared[index]?.article, at: file.now),
                try recordWire(record, refreshCurrent: result.decision == .newVersion, in: db)
            {
                killed = record
            }
            file.killed.append(killed)
        }
        return file
    }

    /// The file's receipt: a file of one article carries its decision; a file of several items
    /// carries `items` (with a count of their decisions), each item's decision in `receipt_item`.
    private static func insertReceipt(of file: RecordedFile, in db: Database) throws -> Int64 {
        let submission = file.submission
        let identity = submission.identity
        let state = submission.isArchived ? "archived" : "committed"
        if let items = submission.items {
            let first = items.lazy.compactMap { try? $0.get().article }.first
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
                CommitResult.itemsSummary(file.results.map(\.decision)), submission.archivePath, state,
                submission.node, items.count,
            ])
        } else {
            let result = file.results[0]
            let article = file.prepared[0]?.article
            try db.cachedStatement(
                sql: """
                    INSERT INTO receipt (origin, file_name, source_path, size, mtime_ns, inode, device, arrived_at,
                        raw_sha256, format, charset, decision, reason, article_id, version_id, similarity,
                        archive_path, state, node, basis)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                submission.origin.rawValue, submission.fileName, submission.sourcePath, identity.size,
                identity.modificationTimeNanoseconds, Int64(bitPattern: identity.inode),
                Int64(bitPattern: identity.device), submission.arrivedAt, submission.rawSHA256,
                article?.format.rawValue, article?.charset, result.decision.rawValue,
                result.decision == .rejected ? result.message : nil, result.article, result.version,
                result.similarity, submission.archivePath, state, submission.node, result.basis,
            ])
        }
        return db.lastInsertedRowID
    }

    /// The second pass: each new article's story assigned (by `assigner`), each version's and
    /// duplicate's looked up (its article's, which may have been assigned just before).
    private static func assignStories(
        _ file: inout RecordedFile, assigner: StoryAssigner, stories: SQLiteStoryCache, planner: SQLiteStoryPlanner?,
        timer: StoryTimer?, in db: Database
    ) throws {
        for index in file.results.indices {
            guard let article = file.results[index].article else { continue }
            if file.results[index].decision == .newArticle, let prepared = file.prepared[index] {
                let plan = planner?.take(file.firstSlot + index) ?? prepared.storyPlan
                file.results[index].story = try assignStory(
                    prepared, plan: plan, article: article, submission: file.submission, assigner: assigner,
                    stories: stories, timer: timer, at: file.now, merges: &file.merges[index], in: db)
            } else {
                file.results[index].story = try story(ofArticle: article, in: db)
            }
        }
    }

    /// The third pass: per decision, the merges its story assignment made, its event, an agency's
    /// withdrawal; then the file's `archived` event when it was archived before. Returns the file's
    /// result (one that sums up its items' for a file of several).
    private static func writeEvents(of file: RecordedFile, in db: Database) throws -> CommitResult {
        let submission = file.submission
        for (index, result) in file.results.enumerated() {
            for merge in file.merges[index] {
                try insertMergeEvent(merge.merged, into: merge.story, file: submission.fileName, at: file.now, in: db)
            }
            try insertEvent(
                EventKind(result.decision), receipt: result.receiptID, file: submission.fileName,
                article: result.article, version: result.version, similarity: result.similarity,
                message: result.message, basis: result.basis, item: result.item, story: result.story, at: file.now,
                in: db)
            if let killed = file.killed[index] { try insertKilledEvent(killed, file: submission.fileName, in: db) }
        }
        if submission.isArchived {
            try insertEvent(
                .archived, receipt: file.receipt, file: submission.fileName, message: submission.archivePath,
                at: file.now, in: db)
        }
        guard submission.items != nil else { return file.results[0] }
        return CommitResult.summarizing(file.results, receipt: file.receipt, archivePath: submission.archivePath)
    }

    /// The story of a new article, assigned by `assigner` in this transaction (timed by `timer`, if
    /// any): the assignment worked out ahead (`plan`) when nothing it read has changed since, else
    /// worked out here. The article's row is given its story; the stories the assignment merged into it
    /// are added to `merges` (for their events).
    private static func assignStory(
        _ prepared: PreparedArticle, plan: StoryPlan?, article: Int64, submission: Submission, assigner: StoryAssigner,
        stories: SQLiteStoryCache, timer: StoryTimer?, at now: String, merges: inout [(merged: Int64, story: Int64)],
        in db: Database
    ) throws -> Int64 {
        let time = Timestamp.storyTime(published: prepared.article.published, arrivedAt: submission.arrivedAt)
        var assignment = assigner.assignment(for: prepared.storyFeatures, at: time)
        var applied: StoryUpdate?
        func write(_ update: StoryUpdate, terms: [Int64]?) throws -> Int64 {
            applied = update
            return try apply(
                update, article: article, terms: terms, file: submission.fileName, at: now, logsMerges: false,
                cache: stories, in: db)
        }
        var story: Int64?
        if let plan, plan.time == time {
            var check = StoryPlanCheck.turnedDown
            story = try StoryTimer.timePlan(
                timer,
                accepted: {
                    check = stories.check(plan, assigner: assigner)
                    return check == .holds
                },
                then: { try write(plan.update, terms: plan.terms) })
            // The same candidates, some with another profile now: from their profiles on.
            if story == nil, check == .sameCandidates, let resumed = plan.beforeProfiles {
                assignment = resumed
                timer?.plansResumed += 1
            }
        }
        if story == nil {
            story = try SQLiteStoryLookup(db: db, cache: stories).run(assignment, timedBy: timer) { update in
                try write(update, terms: nil)
            }
        }
        let assigned = story!
        for merged in applied?.merged ?? [] where merged != assigned { merges.append((merged, assigned)) }
        return assigned
    }

    /// Writes what the verdict adds to the catalog (a new article, a new version with its index
    /// entries) and fills in the result. A new article's story is named in its row later
    /// (``assignStories``).
    private static func record(
        _ verdict: Verdict, of prepared: PreparedArticle, at now: String, into result: inout CommitResult,
        in db: Database
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
            try db.cachedStatement(
                sql: "UPDATE article SET latest_version_id = ?1, current_version_id = ?1 WHERE id = ?2"
            ).execute(arguments: [versionID, articleID])
            stored = VersionRef(version: versionID, article: articleID)
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
    /// number is known; a withdrawal marks the article killed (once).
    ///
    /// - Returns: whether the item withdrew its article just now (its `killed` event is due:
    ///   ``insertKilledEvent(_:file:in:)``).
    static func recordWire(_ record: WireRecord, refreshCurrent: Bool, in db: Database) throws -> Bool {
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
        guard wire.isWithdrawal else { return false }
        try db.cachedStatement(sql: "UPDATE article SET killed_at = ? WHERE id = ? AND killed_at IS NULL")
            .execute(arguments: [record.recordedAt, record.article])
        return db.changesCount > 0
    }

    /// The `killed` event of an agency item that withdrew its article.
    static func insertKilledEvent(_ record: WireRecord, file: String, in db: Database) throws {
        let wire = record.wire
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
