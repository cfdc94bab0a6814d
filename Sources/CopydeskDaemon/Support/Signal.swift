internal import Synchronization

/// A flag one side raises and the other waits for; a raise with nobody waiting is kept for the
/// next wait.
final class Signal: Sendable {
    private struct State {
        var raised = false
        var next = 0
        var waiters = [Int: CheckedContinuation<Void, Never>]()
    }

    private let state = Mutex(State())

    func raise() {
        let waiters = state.withLock { state in
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            if waiters.isEmpty { state.raised = true }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once raised (at once if it was raised since the last wait), or when cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.raised {
                        state.raised = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

extension Signal {
    /// Waits until raised or until `deadline`, whichever comes first.
    func wait(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
