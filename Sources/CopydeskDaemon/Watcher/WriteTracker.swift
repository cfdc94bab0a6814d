#if canImport(Glibc)
internal import Glibc
#endif
internal import Synchronization

/// A file in the Inbox that a writer still holds open, as `status` and `STATUS=` show it.
public struct OpenFile: Sendable, Hashable {
    /// The path relative to the Inbox, as the log names it.
    public var file: String
    /// Since when it is known to be open for writing (nanoseconds since the epoch).
    public var since: Int64

    public init(file: String, since: Int64) {
        self.file = file
        self.since = since
    }
}

/// Whether a file found in the Inbox may be taken now.
public enum Readiness: Sendable, Hashable {
    /// No writer holds it open, or none could have written it since it was last looked at long
    /// enough ago: take it.
    case ready
    /// A writer holds it open: wait for its close.
    case writing(since: Int64)
    /// Nothing tells yet whether a writer still has it open: look again after the settle interval.
    case settling
}

/// Asks the kernel whether any process holds a file open for writing, with a read lease.
///
/// `fcntl(setLease, F_RDLCK)` on a read-only descriptor is refused with `EAGAIN` while anyone has
/// the file open for writing, and granted otherwise; the lease is dropped at once, so a writer's
/// next `open` is delayed by microseconds at most (and `SIGIO`, the signal a lease break would
/// send, is ignored before the first probe: see ``leaseBreakIgnored``). A lease needs the file's owner or
/// `CAP_LEASE` (in the initial user namespace: a unit with `PrivateUsers=yes` has none), and
/// network file systems do not grant them: then the answer is ``Answer/unknown``.
enum WriterProbe {
    enum Answer: Equatable {
        /// The lease was granted: no process holds the file open for writing.
        case noWriter
        /// The lease was refused because a process holds the file open for writing.
        case writer
        /// The kernel would not say (not the owner, no `CAP_LEASE`, a file system without leases,
        /// not a regular file, gone).
        case unknown
    }

    /// `F_SETLEASE` (`F_LINUX_SPECIFIC_BASE + 0`), which Glibc's Swift module does not declare.
    private static let setLease: Int32 = 1024

    static func probe(_ path: String) -> Answer {
        let descriptor = FileName.withCString(path) { open($0, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) }
        guard descriptor >= 0 else { return .unknown }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return .unknown }
        _ = leaseBreakIgnored
        if fcntl(descriptor, setLease, F_RDLCK) == 0 {
            _ = fcntl(descriptor, setLease, F_UNLCK)
            return .noWriter
        }
        return errno == EAGAIN || errno == EBUSY ? .writer : .unknown
    }

    /// A lease break signals its holder with `SIGIO`, whose default action ends the process: a
    /// writer opening a file in the microseconds the probe holds its lease must not kill the daemon.
    /// Set once, before the first lease is taken.
    private static let leaseBreakIgnored: Void = {
        signal(SIGIO, SIG_IGN)
    }()
}

/// What the inotify watcher learned about writers in the Inbox: which files a writer still holds
/// open, and since when each folder is watched.
///
/// A file is open for writing from its creation by an `open` (`IN_CREATE` then `IN_OPEN`) or its
/// first write (`IN_MODIFY`) until a writer closes it (`IN_CLOSE_WRITE`), it leaves (`IN_DELETE`,
/// `IN_MOVED_FROM`) or the watch of its folder ends. A file created without an `open` (a hard link,
/// a linked `O_TMPFILE`) is complete when it appears.
///
/// For a file whose last change came after its folder's watch began, that is the whole truth: a
/// file with no open writer recorded was closed. After a queue overflow (events lost) files are
/// asked about again as if found at startup, and a writer recorded before it is kept until its
/// close, a lease that finds no writer, or ``abandonedAfter`` without a change. A file older than the watch (found at startup, in
/// a folder made before its watch existed, or after a queue overflow lost events) is asked about
/// with a read lease (``WriterProbe``); where the kernel will not say, it is taken once its folder
/// has been watched for ``PollingWatcher/settleInterval`` with no write to it (any write would have
/// marked it open).
final class WriteTracker: Sendable {
    private enum Entry {
        /// Created by something that has not opened it (yet): a hard link, a linked temporary file.
        case created
        /// Open for writing since this time (ns since the epoch); `confirmed` once written to or
        /// found by a read lease. Before that, the open that followed the creation may also have
        /// been a reader's: `opens` counts the opens not yet closed by a reader, and the entry goes
        /// back to `created` only when none is left.
        case writing(since: Int64, confirmed: Bool, opens: Int)
    }

    private struct State {
        var entries = [String: Entry]()
        /// Folder (relative to the Inbox) → when its watch began (ns since the epoch).
        var watchedSince = [String: Int64]()
        /// When events were last lost (queue overflow).
        var lostEventsAt: Int64?
        /// Counts the watch thread's changes: what the service learned from a lease is recorded only
        /// if no event came in between (the writer may have closed the file meanwhile).
        var generation = 0
    }

    private let state = Mutex(State())
    /// How many files the tracker follows (created or open for writing), readable without the lock.
    private let followed = Atomic<Int>(0)
    /// A file recorded as open before a queue overflow, that the lease cannot ask about, is taken
    /// once it has not changed for this long after the overflow (its close may have been lost).
    static let abandonedAfter: Duration = .seconds(60)
    let inbox: String
    let settle: Duration

    init(inbox: String, settle: Duration) {
        self.inbox = inbox
        self.settle = settle
    }

    // MARK: Events from the watch thread

    /// Whether any file is followed (a cheap test before an event that could only update one).
    var isFollowingAny: Bool { followed.load(ordering: .acquiring) > 0 }

    /// Runs `body` on the state under the lock, counts the change and keeps the count of followed
    /// files.
    private func update<T>(_ body: (inout State) -> T) -> T {
        state.withLock { state in
            let result = body(&state)
            state.generation &+= 1
            followed.store(state.entries.count, ordering: .releasing)
            return result
        }
    }

    func folderWatched(_ folder: String) {
        let now = Clock.realtimeNanoseconds()
        update { $0.watchedSince[folder] = now }
    }

    /// The folder's watch ended (removed, moved away): what was known of its files and subfolders
    /// goes with it.
    func folderUnwatched(_ folder: String) {
        update { state in
            state.watchedSince[folder] = nil
            guard !folder.isEmpty else {
                state.entries.removeAll()
                state.watchedSince.removeAll()
                return
            }
            let prefix = folder + "/"
            state.entries = state.entries.filter { key, _ in !key.hasPrefix(prefix) }
            state.watchedSince = state.watchedSince.filter { key, _ in !key.hasPrefix(prefix) }
        }
    }

    func created(_ file: String) {
        update { $0.entries[file] = .created }
    }

    func opened(_ file: String) {
        let now = Clock.realtimeNanoseconds()
        update { state in
            switch state.entries[file] {
            case .created: state.entries[file] = .writing(since: now, confirmed: false, opens: 1)
            case .writing(let since, false, let opens): state.entries[file] = .writing(since: since, confirmed: false, opens: opens + 1)
            case .writing, nil: break  // an open of an existing file may be a reader's: its writes will tell
            }
        }
    }

    func modified(_ file: String) {
        let now = Clock.realtimeNanoseconds()
        update { state in
            switch state.entries[file] {
            case .writing(let since, _, let opens): state.entries[file] = .writing(since: since, confirmed: true, opens: opens)
            case .created, nil: state.entries[file] = .writing(since: now, confirmed: true, opens: 1)
            }
        }
    }

    /// A writer closed it, or it left the folder.
    func finished(_ file: String) {
        _ = update { $0.entries.removeValue(forKey: file) }
    }

    /// A reader closed it: the open that followed a creation was a reader's if nothing was written
    /// and no other open is left.
    func closedByReader(_ file: String) {
        update { state in
            guard case .writing(let since, false, let opens) = state.entries[file] else { return }
            // inotify merges two identical opens queued back to back, so the count may come short:
            // at zero the file is not taken as closed but asked about again (``readiness(of:)``).
            state.entries[file] = .writing(since: since, confirmed: false, opens: max(0, opens - 1))
        }
    }

    /// Events were lost (queue overflow): files changed before now are asked about again (lease,
    /// settle rule), and a writer recorded before may have closed its file unseen.
    func eventsLost() {
        let now = Clock.realtimeNanoseconds()
        update { state in
            for folder in state.watchedSince.keys { state.watchedSince[folder] = now }
            state.lostEventsAt = now
            state.entries = state.entries.filter { _, entry in
                if case .writing = entry { return true }
                return false
            }
        }
    }

    // MARK: Questions from the service

    /// Whether the file `relative` (to the Inbox) may be taken now.
    func readiness(of relative: String) -> Readiness {
        let folder = Self.folder(of: relative)
        let (entry, watchedSince, lostEventsAt, generation) = state.withLock {
            ($0.entries[relative], $0.watchedSince[folder], $0.lostEventsAt, $0.generation)
        }
        let path = "\(inbox)/\(relative)"
        if case .writing(let since, false, 0) = entry {
            // Every open counted was closed by a reader and nothing was written: the creator's open
            // may have been merged with a reader's. The lease tells where it can; else the file is
            // taken once it has not changed for the settle interval.
            switch WriterProbe.probe(path) {
            case .writer: return .writing(since: since)
            case .noWriter: return .ready
            case .unknown:
                guard let status = FileName.linkStatus(path) else { return .ready }
                let changed = max(Clock.nanoseconds(status.st_mtim), Clock.nanoseconds(status.st_ctim))
                return Clock.realtimeNanoseconds() - changed >= settle.nanoseconds ? .ready : .settling
            }
        }
        if case .writing(let since, _, _) = entry {
            // Recorded before events were lost, its writer may have closed it unseen: the lease
            // tells where it can, else a file unchanged for ``abandonedAfter`` since is let go
            // (looked at again meanwhile, as a settling file is).
            guard let lostEventsAt, since < lostEventsAt else { return .writing(since: since) }
            switch WriterProbe.probe(path) {
            case .writer: return .writing(since: since)
            case .noWriter:
                forget(relative, ifUnchangedSince: generation)
                return .ready
            case .unknown:
                guard let status = FileName.linkStatus(path) else {
                    forget(relative, ifUnchangedSince: generation)
                    return .ready
                }
                let changed = max(Clock.nanoseconds(status.st_mtim), Clock.nanoseconds(status.st_ctim))
                guard Clock.realtimeNanoseconds() - max(changed, lostEventsAt) >= Self.abandonedAfter.nanoseconds
                else { return .settling }
                forget(relative, ifUnchangedSince: generation)
                return .ready
            }
        }
        guard let status = FileName.linkStatus(path) else { return .ready }  // gone: the pipeline skips it
        // Not a regular file: never written through, taken (and rejected) as it is.
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .ready }
        let changed = max(Clock.nanoseconds(status.st_mtim), Clock.nanoseconds(status.st_ctim))
        if let watchedSince, changed > watchedSince {
            // Changed after the watch began: the watch saw every open writer since. A second
            // writer may still hold it after the first one's close; the lease tells where it can.
            if WriterProbe.probe(path) == .writer { return markWriting(relative, ifUnchangedSince: generation) }
            return .ready
        }
        switch WriterProbe.probe(path) {
        case .noWriter: return .ready
        case .writer: return markWriting(relative, ifUnchangedSince: generation)
        case .unknown:
            guard let watchedSince else { return .settling }
            return Clock.realtimeNanoseconds() - watchedSince >= settle.nanoseconds ? .ready : .settling
        }
    }

    /// Records a writer the lease found (its close, `IN_CLOSE_WRITE`, brings the file back), unless
    /// an event came since the lease was asked: then the file waits without being recorded, and is
    /// judged again by the next look.
    private func markWriting(_ relative: String, ifUnchangedSince generation: Int) -> Readiness {
        let now = Clock.realtimeNanoseconds()
        return state.withLock { state in
            if case .writing(let since, _, _) = state.entries[relative] { return .writing(since: since) }
            guard state.generation == generation else { return .settling }
            state.entries[relative] = .writing(since: now, confirmed: true, opens: 1)
            followed.store(state.entries.count, ordering: .releasing)
            return .writing(since: now)
        }
    }

    /// Lets go of a file recorded before lost events, unless an event came since it was looked at.
    private func forget(_ relative: String, ifUnchangedSince generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            state.entries[relative] = nil
            followed.store(state.entries.count, ordering: .releasing)
        }
    }

    /// The files known to be open for writing, oldest first; a file that has gone meanwhile (its
    /// event passed over while the service was recording it) is let go.
    func openFiles() -> [OpenFile] {
        let (files, generation) = state.withLock { state in
            (
                state.entries.compactMap { file, entry -> OpenFile? in
                    guard case .writing(let since, _, _) = entry else { return nil }
                    return OpenFile(file: file, since: since)
                }, state.generation
            )
        }
        var present = [OpenFile]()
        for file in files {
            if FileName.linkStatus("\(inbox)/\(file.file)") == nil {
                forget(file.file, ifUnchangedSince: generation)
            } else {
                present.append(file)
            }
        }
        return present.sorted { ($0.since, $0.file) < ($1.since, $1.file) }
    }

    static func folder(of relative: String) -> String {
        guard let slash = relative.lastIndex(of: "/") else { return "" }
        return String(relative[..<slash])
    }
}

enum Clock {
    static func realtimeNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return nanoseconds(spec)
    }

    static func nanoseconds(_ spec: timespec) -> Int64 {
        Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
