internal import Dispatch
internal import Synchronization

/// A task executor of its own threads, for the pipeline's blocking work (reading files,
/// normalizing them): Swift's cooperative pool, one thread per core, stays free for the service,
/// the catalog's drivers and their continuations, however long a read blocks on a slow disk or
/// share. Its size is ``Pipeline/Configuration/concurrency``: the knob bounds what it says.
///
/// One pool per size for the whole process (its threads live as long as it does): pipelines made
/// one after another (a test suite, `reprocess` after `ingest`) share it.
final class WorkerThreads: TaskExecutor, Sendable {
    private struct Queue {
        var jobs = [UnownedJob]()
        var head = 0
    }

    private let queue = Mutex(Queue())
    private let ready = DispatchSemaphore(value: 0)

    private static let pools = Mutex([Int: WorkerThreads]())

    /// The process's pool of `count` threads.
    static func shared(count: Int) -> WorkerThreads {
        pools.withLock { pools in
            if let pool = pools[count] { return pool }
            let pool = WorkerThreads(count: count)
            pools[count] = pool
            return pool
        }
    }

    private init(count: Int) {
        for _ in 0..<max(1, count) {
            _ = Thread.start { [self] in
                while true {
                    ready.wait()
                    guard let job = take() else { continue }
                    job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        ready.signal()
    }

    private func take() -> UnownedJob? {
        queue.withLock { queue in
            guard queue.head < queue.jobs.count else { return nil }
            let job = queue.jobs[queue.head]
            queue.head += 1
            if queue.head >= 256, queue.head * 2 >= queue.jobs.count {
                queue.jobs.removeFirst(queue.head)
                queue.head = 0
            }
            return job
        }
    }
}
