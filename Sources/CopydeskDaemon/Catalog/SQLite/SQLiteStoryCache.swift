internal import CopydeskCore
internal import Foundation
internal import GRDB

/// The SQLite catalog writer's ``StoryIndex``: the stories active lately, so that story assignment
/// reads no table for its candidates and their profiles (at a million articles the postings and
/// story rows are far larger than the page cache, and their join cost milliseconds an article).
///
/// The tables stay the truth: every story change is written to them first and mirrored here in the
/// same transaction. The index is loaded from them when first needed, and dropped (to be loaded
/// again) when a transaction of ours rolls back. When another connection (another process, another
/// node on the same file) has written to the catalog since our last transaction
/// (`PRAGMA data_version`), the stories its events name are read again (all of them, after a
/// regroup or when there are many).
///
/// It also holds the term counts story assignment weighs terms by (``SQLiteTermCounts``), kept
/// valid the same way.
///
/// Changed only inside the catalog's write transactions, which GRDB runs one at a time; read there,
/// and by the threads that work out assignments ahead (``plan(_:at:assigner:)``, ``SQLiteStoryPlanner``), under
/// a lock that each change takes alone.
final class SQLiteStoryCache: @unchecked Sendable {
    /// How long a story stays open, for the index's horizon (the catalog's `--story-window`).
    let window: Duration
    private(set) var index: StoryIndex?
    /// Names the index held: the next one loaded (after a rollback, a regroup, a reload) has another.
    private var indexGeneration: UInt64 = 0
    /// Taken alone by every change of the index and the term counts; by readers that plan.
    private let lock = ReadWriteLock()
    /// The term counts (always there once a transaction is prepared).
    private(set) var terms: SQLiteTermCounts?
    private var dataVersion: Int64?
    /// The newest event when this writer's last transaction began: the stories named by events
    /// after it may have been changed by another writer.
    private var seenEvent: Int64 = 0
    /// Whether this transaction has checked the index (once a transaction).
    private var checked = false
    /// Articles between two checkpoints of the term counts (at the first epoch's end after this
    /// many): a checkpoint writes about 16 MiB once the counts are dense (about 1 KiB an article at
    /// this interval), and a writer that starts replays about this many pending rows (tests make
    /// it small).
    var checkpointEvery = 16_384
    /// The most stories the index holds (``StoryIndex/capacity``; tests make it small).
    var capacity = 40_000
    /// The length of an epoch of the term counts (tests of one catalog make epochs long).
    var epochLength: @Sendable (Int) -> Int = TermSketch.epochLength(after:)
    /// Whether the story index is used at all (tests turn it off to compare with the tables'
    /// answers; the term counts are always kept).
    var isEnabled = true
    /// Whether a transaction works out its new articles' stories on another thread while it
    /// decides its files (``SQLiteStoryPlanner``); tests turn it off to take only the plans their
    /// submissions carry.
    var plansWhileDeciding = true
    /// Whether a transaction waits for each new article's plan (tests: which plans are ready in
    /// time depends on the machine).
    var plannerWaits = false

    init(window: Duration) {
        self.window = window
    }

    /// Makes the index and the term counts valid for the current write transaction: caught up
    /// with another connection's writes since, loaded when there are none.
    func prepare(_ db: Database) throws {
        guard !checked else { return }
        try lock.writing { try prepareHeld(db) }
        // What is loaded whole (seconds at a million articles) is read without the lock, so that
        // the threads that plan are not held up meanwhile (they find nothing to plan with), and
        // put in place under it.
        if isEnabled, index == nil {
            let loaded = try Self.load(window: window, capacity: capacity, in: db)
            lock.writing {
                index = loaded
                indexGeneration += 1
            }
        }
        if terms == nil {
            let loaded = try SQLiteTermCounts.load(in: db, epochLength: epochLength)
            lock.writing { terms = loaded }
        }
    }

    private func prepareHeld(_ db: Database) throws {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
        let newestEvent = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM event") ?? 0
        if version != dataVersion {
            if index != nil { try catchUp(after: seenEvent, in: db) }
            try terms?.catchUp(in: db)
        }
        dataVersion = version
        seenEvent = newestEvent
        checked = true
        db.afterNextTransaction(
            onCommit: { _ in self.checked = false },
            onRollback: { _ in
                self.checked = false
                self.drop()
            })
    }

    /// The most stories another writer may have changed that are read again one by one; past it,
    /// the whole index is.
    static let catchUpLimit = 2_000

    /// Reads again the stories named by the events after `event` (written by another writer: ours
    /// are read again too, which changes nothing), and forgets those merged into them.
    private func catchUp(after event: Int64, in db: Database) throws {
        let named = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT story, kind FROM event
                WHERE id > ? AND (story IS NOT NULL OR kind = ?) LIMIT ?
                """, arguments: [event, EventKind.regrouped.rawValue, Self.catchUpLimit + 1])
        guard named.count <= Self.catchUpLimit, !named.contains(where: { $0[1] == EventKind.regrouped.rawValue })
        else {
            index = nil
            indexGeneration += 1
            return
        }
        let profile = try db.cachedStatement(
            sql: "SELECT articles, first_seen, last_seen, summary FROM story WHERE id = ? AND merged_into IS NULL")
        let mergedInto = try db.cachedStatement(sql: "SELECT id FROM story WHERE merged_into = ?")
        for story in Set(named.compactMap { $0[0] as Int64? }).sorted() {
            for merged in try Int64.fetchAll(mergedInto, arguments: [story]) { index!.remove(merged) }
            if let row = try Row.fetchOne(profile, arguments: [story]) {
                try reload(story, profile: Self.profile(row, from: 0), in: db)
            } else {
                index!.remove(story)
            }
        }
        try Self.settle(index!.takeForgotten(), in: db)
    }

    /// Forgets the index and the term counts (the stories were cleared: a regroup; or a
    /// transaction rolled back).
    func drop() {
        lock.writing {
            index = nil
            indexGeneration += 1
            terms = nil
        }
    }

    /// How many articles carry each of these terms (estimated: ``TermSketch``), and how many
    /// articles there are.
    func frequencies(of keys: [Int64]) -> StoryAnswer {
        var counts = [Int64: Int](minimumCapacity: keys.count)
        terms!.sketch.counts(of: keys, into: &counts)
        return .frequencies(counts, articles: terms!.sketch.articles)
    }

    /// Counts an article carrying these terms (durably, in this transaction).
    func count(_ keys: [Int64], in db: Database) throws {
        try lock.writing { try terms!.count(keys, checkpointEvery: checkpointEvery, in: db) }
    }

    /// Every live story active since the horizon that follows the newest activity, with its
    /// terms; and the stories before the horizon whose postings are not yet in `story_term` (left
    /// so by a writer whose transaction rolled back, or whose window was longer) are filed there.
    static func load(window: Duration, capacity: Int, in db: Database) throws -> StoryIndex {
        let newest = try String.fetchOne(db, sql: "SELECT max(last_seen) FROM story WHERE merged_into IS NULL") ?? ""
        var index = StoryIndex(newest: newest, window: window, capacity: capacity)
        // Streamed, so that loading holds no more than the index itself.
        let stories = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, articles, first_seen, last_seen, summary, terms FROM story
                WHERE merged_into IS NULL AND last_seen >= ? ORDER BY id
                """, arguments: [index.horizon])
        var older = [Int64]()
        while let row = try stories.next() {
            let id: Int64 = row[0]
            let blob: Data? = row[5]
            if blob == nil { older.append(id) }
            index.load(id, profile: profile(row, from: 1), terms: blob.map { TermSketch.keys(from: $0) } ?? [])
        }
        // Stories recorded before their terms were kept with them: their postings.
        let posted = try db.cachedStatement(sql: "SELECT term FROM story_term WHERE story_id = ?")
        for id in older { index.file(id, under: try Int64.fetchAll(posted, arguments: [id])) }
        // Those the capacity let go while loading are among the unsettled below the horizon.
        _ = index.takeForgotten()
        let unsettled = try Row.fetchAll(
            db,
            sql: """
                SELECT id, terms FROM story INDEXED BY story_unsettled
                WHERE settled = 0 AND merged_into IS NULL AND last_seen < ?
                """, arguments: [index.horizon])
        try settle(unsettled.map { (story: $0[0], terms: TermSketch.keys(from: ($0[1] as Data?) ?? Data())) }, in: db)
        return index
    }

    /// Files stories the index no longer holds in `story_term`, so that the tables answer for them.
    static func settle(_ stories: [(story: Int64, terms: [Int64])], in db: Database) throws {
        guard !stories.isEmpty else { return }
        let mark = try db.cachedStatement(sql: "UPDATE story SET settled = 1 WHERE id = ?")
        for (story, terms) in stories {
            let distinct = Set(terms).sorted()
            if !distinct.isEmpty {
                try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO story_term (term, story_id) VALUES \(SQLiteCatalog.rows("(?, ?)", distinct.count))"
                ).execute(arguments: StatementArguments(distinct.flatMap { [$0, story] }))
            }
            try mark.execute(arguments: [story])
        }
    }

    /// The terms a story is filed under: the index's, else those kept with it, else (a story
    /// recorded before they were) its postings.
    func filedTerms(of story: Int64, in db: Database) throws -> [Int64] {
        if let index, index.holds(story) { return index.terms(of: story) }
        if let blob = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT terms FROM story WHERE id = ? AND terms IS NOT NULL"), arguments: [story])
        {
            return TermSketch.keys(from: blob)
        }
        return try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT term FROM story_term WHERE story_id = ?"), arguments: [story])
    }

    /// Whether a story of this profile is held by the index once written (and so needs no postings
    /// in `story_term`).
    func holds(after profile: StoryProfile) -> Bool {
        index?.wouldHold(lastSeen: profile.lastSeen) ?? false
    }

    // MARK: Assignments worked out ahead

    /// Works out an article's story assignment ahead of its turn (on any thread), from what this
    /// writer holds now, with a note of what it read (``StoryPlan``); nil when it holds nothing yet
    /// (no transaction prepared it) or the article is older than its index covers (a backfill, for
    /// the tables to answer in its turn).
    func plan(_ features: StoryFeatures, at time: String, assigner: StoryAssigner) -> StoryPlan? {
        guard isEnabled else { return nil }
        var procedure = assigner.assignment(for: features, at: time)
        var answer: StoryAnswer?
        var plan = StoryPlan(update: StoryUpdate(story: nil, merged: [], profile: .init(articles: 0, firstSeen: "", lastSeen: "", summary: []), fileUnder: [], counted: []), time: time)
        while true {
            switch procedure.next(answer) {
            case .finished(let update):
                plan.update = update
                plan.answers = procedure.answered
                plan.candidates = procedure.candidates
                for key in plan.keys { plan.weights[key] = procedure.weight(of: key) }
                plan.terms = lock.reading { plannedTerms(of: update, index: plan.index) }
                return plan
            case .ask(let query):
                if case .profiles = query { plan.beforeProfiles = procedure }
                guard let answered = answerAhead(query, noting: &plan) else { return nil }
                answer = answered
            }
        }
    }

    /// One answer for ``plan(_:at:assigner:)``, noted in `plan`; nil when what it reads changed
    /// meanwhile in a way the plan could not tell later (another index, other counts).
    ///
    /// Read in pieces, each under the lock, so that the writer never waits for a whole answer: the
    /// term counts change only at an epoch's end (which renames them); the index's changes between
    /// pieces are caught when the plan is checked (``StoryIndex/check(_:ranking:)``: they come
    /// after the change the plan notes).
    private func answerAhead(_ query: StoryQuery, noting plan: inout StoryPlan) -> StoryAnswer? {
        switch query {
        case .frequencies(let keys):
            var counts = [Int64: Int](minimumCapacity: keys.count)
            var name: [Int64]?
            var articles = 0
            for start in stride(from: 0, to: keys.count, by: 16) {
                let piece = keys[start..<min(keys.count, start + 16)]
                let read = lock.reading { () -> Bool in
                    guard let terms, name == nil || name == terms.name else { return false }
                    name = terms.name
                    articles = terms.sketch.articles
                    terms.sketch.counts(of: piece, into: &counts)
                    return true
                }
                guard read else { return nil }
            }
            plan.counts = name ?? []
            return .frequencies(counts, articles: articles)
        case .stories(let keys, let activeSince, let limitPerKey):
            let started = lock.reading { () -> Bool in
                guard let index, index.covers(activeSince: activeSince) else { return false }
                plan.index = indexGeneration
                plan.sequence = index.sequence
                return true
            }
            guard started else { return nil }
            plan.keys = keys
            plan.activeSince = activeSince
            plan.limitPerKey = limitPerKey
            var filed = [Int64: [Int64]]()
            for start in stride(from: 0, to: keys.count, by: 4) {
                let piece = Array(keys[start..<min(keys.count, start + 4)])
                guard
                    let answer = lock.reading({ () -> [Int64: [Int64]]? in
                        guard let index, plan.index == indexGeneration else { return nil }
                        return index.stories(keys: piece, activeSince: activeSince, limitPerKey: limitPerKey)
                    })
                else { return nil }
                filed.merge(answer) { first, _ in first }
            }
            return .stories(filed)
        case .profiles(let ids):
            return lock.reading {
                guard let index, plan.index == indexGeneration else { return nil }
                return .profiles(index.profiles(ids))
            }
        }
    }

    /// The terms the story of `update` is filed under once written (as ``SQLiteCatalog`` `apply`
    /// works them out), from the index this plan read (`index`: its generation); nil when it is
    /// another, or does not hold the stories.
    private func plannedTerms(of update: StoryUpdate, index generation: UInt64?) -> [Int64]? {
        let stories = Self.stories(of: update)
        let held = index.map { generation == indexGeneration && stories.allSatisfy($0.holds) } ?? false
        guard stories.isEmpty || held else { return nil }
        return Self.terms(after: update) { index?.terms(of: $0) ?? [] }
    }

    /// The stories an update joins and merges.
    private static func stories(of update: StoryUpdate) -> [Int64] {
        (update.story.map { [$0] } ?? []) + update.merged.filter { $0 != update.story }
    }

    /// The terms the story of `update` is filed under once it is written: those of the stories it
    /// joins and merges (`filed`), and the article's; ascending.
    static func terms(after update: StoryUpdate, filed: (Int64) throws -> [Int64]) rethrows -> [Int64] {
        var terms = Set(update.fileUnder)
        for story in stories(of: update) { terms.formUnion(try filed(story)) }
        return terms.sorted()
    }

    /// Whether a plan is what the assignment decides now, in this transaction: the term counts'
    /// epoch is the one it read, and the index confirms it (``StoryIndex/check(_:ranking:)``); or
    /// whether its candidates are the same, their profiles not.
    func check(_ plan: StoryPlan, assigner: StoryAssigner) -> StoryPlanCheck {
        guard isEnabled, let terms, plan.counts == terms.name else { return .turnedDown }
        guard let generation = plan.index else { return .holds }
        guard let index, generation == indexGeneration else { return .turnedDown }
        return index.check(plan, ranking: assigner)
    }

    /// A story's profile from a row's columns `articles, first_seen, last_seen, summary` at `column`.
    static func profile(_ row: Row, from column: Int) -> StoryProfile {
        let summary: [UInt8] = [UInt8](row[column + 3] as Data)
        return StoryProfile(articles: row[column], firstSeen: row[column + 1], lastSeen: row[column + 2], summary: summary)
    }

    /// Mirrors what ``SQLiteCatalog/apply(_:article:file:at:logsMerges:in:)`` wrote for an
    /// assignment to `story`.
    func record(_ update: StoryUpdate, story: Int64, in db: Database) throws {
        guard index != nil else { return }
        try lock.writing { try recordHeld(update, story: story, in: db) }
    }

    private func recordHeld(_ update: StoryUpdate, story: Int64, in db: Database) throws {
        // A story the index did not hold (found in the tables: an article long before the newest)
        // is loaded whole, with every posting it has.
        var whole = update.story.map { !index!.holds($0) } ?? false
        for merged in update.merged where merged != story {
            if !index!.holds(merged) { whole = true }
            index!.merge(merged, into: story)
        }
        if whole {
            try reload(story, profile: update.profile, in: db)
        } else {
            index!.update(story, profile: update.profile, fileUnder: update.fileUnder)
        }
        try Self.settle(index!.takeForgotten(), in: db)
    }

    /// Mirrors a merge pass's merge.
    func record(_ merge: StoryMerge, in db: Database) throws {
        guard index != nil else { return }
        try lock.writing { try recordHeld(merge, in: db) }
    }

    private func recordHeld(_ merge: StoryMerge, in db: Database) throws {
        let whole = !index!.holds(merge.story) || !index!.holds(merge.merged)
        index!.merge(merge.merged, into: merge.story)
        if whole {
            try reload(merge.story, profile: merge.profile, in: db)
        } else {
            index!.update(merge.story, profile: merge.profile, fileUnder: [])
        }
        try Self.settle(index!.takeForgotten(), in: db)
    }

    /// Holds a story again as the tables have it (when the horizon allows).
    private func reload(_ story: Int64, profile: StoryProfile, in db: Database) throws {
        index!.remove(story)
        index!.load(story, profile: profile, terms: try filedTerms(of: story, in: db))
    }
}
