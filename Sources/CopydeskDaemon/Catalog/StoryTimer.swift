internal import CopydeskCore

/// For the scale benchmark: how long the story part of each new article's decision takes inside
/// the write transaction (what a catalog serializes per article for stories), and how it divides
/// between the procedure's own computing, the catalog's answers and the write of the outcome.
///
/// Used by one transaction at a time (the catalog's writer).
package final class StoryTimer: @unchecked Sendable {
    /// One article's assignment.
    package struct Sample: Sendable {
        /// The whole story part: the procedure, the catalog's answers, the write of the outcome.
        package var total: Duration
        /// The procedure's own steps (``StoryProcedure/next(_:)``), without the answers and the write.
        package var compute: Duration
        /// The write of the outcome.
        package var write: Duration
        /// Each question the procedure asked (its case: `frequencies`, `stories`, `profiles`) and
        /// how long the catalog took to answer it, in the order asked.
        package var answers: [(question: String, time: Duration)]
        /// Whether the assignment worked out ahead was taken (``StoryPlan``): then `compute` is
        /// the check that nothing it read changed.
        package var planned = false
    }

    package fileprivate(set) var samples = [Sample]()
    /// How many plans were turned down (something they read had changed): worked out again.
    package fileprivate(set) var plansTurnedDown = 0
    /// How many of those were resumed from their candidates' profiles (only those had changed).
    package var plansResumed = 0
    /// The check of a plan just turned down, counted in the sample of the assignment that follows.
    fileprivate var turnedDownCheck = Duration.zero

    /// Takes a plan when `accepted` says it holds, then `write`s it, timed (when there is a timer)
    /// as one sample; nil when the plan is turned down (nothing is written, nothing sampled).
    static func timePlan<Written>(
        _ timer: StoryTimer?, accepted: () -> Bool, then write: () throws -> Written
    ) throws -> Written? {
        let start = ContinuousClock.now
        guard accepted() else {
            timer?.plansTurnedDown += 1
            timer?.turnedDownCheck = ContinuousClock.now - start
            return nil
        }
        let checked = ContinuousClock.now
        let written = try write()
        let end = ContinuousClock.now
        timer?.samples.append(
            Sample(total: end - start, compute: checked - start, write: end - checked, answers: [], planned: true))
        return written
    }
    fileprivate var computing = Duration.zero
    fileprivate var answers = [(question: String, time: Duration)]()
    /// The question being answered, and since when.
    fileprivate var asked: (question: String, at: ContinuousClock.Instant)?

    package init() {}
}

/// A story procedure whose steps, and the answers between them, are timed by a ``StoryTimer``.
struct TimedStoryProcedure<Procedure: StoryProcedure>: StoryProcedure {
    var procedure: Procedure
    let timer: StoryTimer

    mutating func next(_ answer: StoryAnswer?) -> StoryStep<Procedure.Outcome> {
        let start = ContinuousClock.now
        if let asked = timer.asked { timer.answers.append((asked.question, start - asked.at)) }
        let step = procedure.next(answer)
        let end = ContinuousClock.now
        timer.computing += end - start
        timer.asked = nil
        if case .ask(let query) = step {
            let question =
                switch query {
                case .frequencies: "frequencies"
                case .stories: "stories"
                case .profiles: "profiles"
                }
            timer.asked = (question, ContinuousClock.now)
        }
        return step
    }
}

extension StoryLookup {
    /// Runs a story procedure to its end and `then` writes its outcome, timed by `timer` (when
    /// there is one) as one ``StoryTimer/Sample``.
    func run<Procedure: StoryProcedure, Written>(
        _ procedure: Procedure, timedBy timer: StoryTimer?, then write: (Procedure.Outcome) throws -> Written
    ) throws -> Written {
        guard let timer else { return try write(run(procedure)) }
        // A plan turned down just before: its check is part of this article's story part.
        timer.computing = timer.turnedDownCheck
        timer.turnedDownCheck = .zero
        timer.answers = []
        timer.asked = nil
        let checked = timer.computing
        let start = ContinuousClock.now
        let outcome = try run(TimedStoryProcedure(procedure: procedure, timer: timer))
        let answered = ContinuousClock.now
        let written = try write(outcome)
        let end = ContinuousClock.now
        timer.samples.append(
            StoryTimer.Sample(
                total: end - start + checked, compute: timer.computing, write: end - answered, answers: timer.answers))
        return written
    }
}
