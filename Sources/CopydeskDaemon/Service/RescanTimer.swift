internal import Synchronization

/// The rescans the service asks for later (a retry after a fault, a look at files still settling),
/// run by one child task of the service instead of a task per request: each kind keeps its
/// earliest time, and the child sleeps until the nearest one.
final class RescanTimer: Sendable {
    enum Kind: Sendable { case retry, settle }

    private let due = Mutex<[Kind: ContinuousClock.Instant]>([:])
    private let changed = Signal()

    /// Asks for a rescan of this kind after `delay` (an earlier request of the kind stands).
    func schedule(_ kind: Kind, after delay: Duration) {
        let time = ContinuousClock.now + delay
        due.withLock { due in due[kind] = min(due[kind] ?? time, time) }
        changed.raise()
    }

    /// Fires the requests as they come due, until cancelled.
    ///
    /// - Parameter fire: called with the kinds that came due.
    func run(_ fire: @Sendable (Set<Kind>) -> Void) async {
        while !Task.isCancelled {
            let next = due.withLock { $0.values.min() }
            if let next {
                await changed.wait(until: next)
            } else {
                await changed.wait()
            }
            let now = ContinuousClock.now
            let fired = due.withLock { due in
                let kinds = Set(due.filter { $0.value <= now }.keys)
                for kind in kinds { due[kind] = nil }
                return kinds
            }
            if !fired.isEmpty { fire(fired) }
        }
    }
}
