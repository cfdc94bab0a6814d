internal import CopydeskCore
internal import Dispatch
internal import Foundation

/// Works out the story assignments of a transaction's new articles on another thread while the
/// transaction decides its files (``SQLiteCatalog`` `commit`'s first pass).
///
/// Every article of the transaction is handed over before its first decision; the planner works
/// their assignments out in order (``SQLiteStoryCache/plan(_:at:assigner:)``) against the writer's
/// index and term counts as they stand before the transaction assigns any story (the first pass
/// changes neither), skipping those the first pass has found not to be new articles by then. The
/// second pass takes each new article's plan in its turn if it is ready, and assigns the article in
/// its turn if not: either way the outcome is the same (a plan is taken only when it is what the
/// turn decides).
///
/// So an assignment is worked out at most a transaction's new articles before its turn, however far
/// ahead the pipeline normalized the file (a plan made when the file was normalized, up to a
/// thousand files ahead in a backlog, was mostly turned down).
final class SQLiteStoryPlanner: @unchecked Sendable {
    private struct Job {
        let slot: Int
        let features: StoryFeatures
        let time: String
    }

    private let condition = NSCondition()
    private var jobs = [Job]()
    private var next = 0
    private var plans = [Int: StoryPlan]()
    /// Slots the second pass has reached: not worth planning any more.
    private var reached = Set<Int>()
    /// Slots planned or found unplannable (for ``waits``).
    private var done = Set<Int>()
    /// Whether ``take(_:)`` waits for the slot's plan (tests: which plans are ready in time
    /// depends on the machine).
    private let waits: Bool
    private var finished = false
    private let cache: SQLiteStoryCache
    private let assigner: StoryAssigner

    /// A planner for one transaction, planning on a thread of its own until ``finish()``.
    init(cache: SQLiteStoryCache, assigner: StoryAssigner, waits: Bool = false) {
        self.cache = cache
        self.assigner = assigner
        self.waits = waits
        DispatchQueue.global(qos: .userInitiated).async { self.run() }
    }

    /// Hands over an article (its story features, its story time) at `slot`.
    func offer(_ slot: Int, features: StoryFeatures, at time: String) {
        condition.lock()
        if features.terms.isEmpty {
            done.insert(slot)
        } else {
            jobs.append(Job(slot: slot, features: features, time: time))
        }
        condition.broadcast()
        condition.unlock()
    }

    /// The plan of the article at `slot` if it is ready; else nil, and it is not planned any more.
    func take(_ slot: Int) -> StoryPlan? {
        condition.lock()
        defer { condition.unlock() }
        while waits, !done.contains(slot), !finished { condition.wait() }
        reached.insert(slot)
        return plans.removeValue(forKey: slot)
    }

    /// Takes back the article at `slot` (not a new article): not planned, or its plan dropped.
    func skip(_ slot: Int) {
        condition.lock()
        defer { condition.unlock() }
        reached.insert(slot)
        plans[slot] = nil
    }

    /// Stops planning (the transaction is over).
    func finish() {
        condition.lock()
        finished = true
        jobs = []
        plans = [:]
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while let job = nextJob() {
            let plan = cache.plan(job.features, at: job.time, assigner: assigner)
            condition.lock()
            if let plan, !finished, !reached.contains(job.slot) { plans[job.slot] = plan }
            done.insert(job.slot)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next article to plan that the second pass has not reached; nil once finished.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if finished { return nil }
            while next < jobs.count {
                let job = jobs[next]
                next += 1
                if !reached.contains(job.slot) { return job }
                done.insert(job.slot)
            }
            condition.wait()
        }
    }
}
