#if canImport(Glibc)
internal import Glibc
#endif
internal import Synchronization
internal import Dispatch
internal import Logging

/// Ready files collected by a watcher thread until the consumer asks for them, handed over as one
/// batch (duplicates merged). The watcher thread keeps it alive until the thread ends.
final class BatchQueue: Sendable {
    private struct State: ~Copyable {
        var pending = InboxBatch()
        var pendingSet = Set<String>()
        var waiter: CheckedContinuation<InboxBatch?, Never>?
        var stopped = false
        var pollerWake = false

        mutating func take() -> InboxBatch {
            let batch = pending
            pending = InboxBatch()
            pendingSet.removeAll(keepingCapacity: true)
            return batch
        }
    }

    let inbox: String
    private let state = Mutex(State())
    /// Signalled once per wake of the polling thread (``State/pollerWake`` says one is pending).
    private let pollerSemaphore = DispatchSemaphore(value: 0)
    private let logger: Logger

    init(inbox: String, logger: Logger) {
        self.inbox = inbox
        self.logger = logger
    }

    func next() async -> InboxBatch? {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.stopped {
                    continuation.resume(returning: nil)
                } else if !state.pending.isEmpty {
                    continuation.resume(returning: Optional(state.take()))
                } else {
                    state.waiter = continuation
                }
            }
        }
    }

    func stop() {
        let wake = state.withLock { state in
            state.stopped = true
            state.waiter?.resume(returning: nil)
            state.waiter = nil
            defer { state.pollerWake = true }
            return !state.pollerWake
        }
        if wake { pollerSemaphore.signal() }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func report(files: [String], rescan: Bool) {
        state.withLock { state in
            for file in files where state.pendingSet.insert(file).inserted {
                state.pending.files.append(file)
            }
            state.pending.rescan = state.pending.rescan || rescan
            if let waiter = state.waiter, !state.pending.isEmpty {
                state.waiter = nil
                waiter.resume(returning: Optional(state.take()))
            }
        }
    }

    func warn(_ message: String) {
        logger.warning("\(message)", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    func error(_ message: String) {
        logger.error("\(inbox): \(message)", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    func notice(_ message: String) {
        logger.notice("\(inbox): \(message)", metadata: ["copydesk.inbox.path": "\(inbox)"])
    }

    /// Wakes a polling thread sleeping in ``waitForPollerWake(timeout:)``.
    func wakePoller() {
        let wake = state.withLock { state in
            defer { state.pollerWake = true }
            return !state.pollerWake
        }
        if wake { pollerSemaphore.signal() }
    }

    /// Sleeps up to `timeout`, returning at once after ``wakePoller()`` or ``stop()``.
    func waitForPollerWake(timeout: Duration) {
        _ = pollerSemaphore.wait(timeout: .now() + .nanoseconds(Int(timeout.nanoseconds)))
        state.withLock { $0.pollerWake = false }
    }
}
