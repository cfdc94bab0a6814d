#if canImport(Glibc)
internal import Glibc
#endif
internal import Synchronization
public import Logging
public import CopydeskCore
internal import SystemPackage

/// Watches the Inbox and its subfolders with inotify and reports which files are ready to take.
///
/// A file is ready when a writer closed it (`IN_CLOSE_WRITE`) or it was moved in (`IN_MOVED_TO`):
/// files still being written are never reported. The watch also records which files a writer still
/// holds open (``WriteTracker``), so that a rescan, whatever asked for it, never takes one of them
/// (``readiness(of:)``). A new subfolder is watched as soon as it appears
/// and then scanned, since files may land in it before its watch exists; a queue overflow asks for
/// a full rescan. Changes are collected while the consumer is busy and handed over as one batch.
///
/// When the Inbox folder itself is removed or moved away, the watcher says so in the log, drops its
/// watches and looks for the folder once a second; once it exists again it is watched again and
/// scanned, so files dropped into the new folder are taken.
public final class InboxWatcher: InboxChanges {
    public let inbox: String
    private let shared: BatchQueue
    private let tracker: WriteTracker
    private let catchUps: CatchUpRequests

    /// Starts watching `inbox` (which must exist) and its subfolders.
    ///
    /// - Throws: ``CopydeskError`` `.ioFailed` when inotify is unavailable or the Inbox cannot be
    ///   watched.
    public init(inbox: String, logger: Logger) throws(CopydeskError) {
        self.inbox = inbox
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            throw CopydeskError.io("start inotify", inbox, Errno(rawValue: errno))
        }
        let shared = BatchQueue(inbox: inbox, logger: logger)
        self.shared = shared
        let tracker = WriteTracker(inbox: inbox, settle: PollingWatcher.settleInterval)
        self.tracker = tracker
        guard let catchUps = CatchUpRequests() else {
            close(descriptor)
            throw CopydeskError.io("start the watcher", inbox, Errno(rawValue: errno))
        }
        self.catchUps = catchUps
        let thread = WatchThread(
            descriptor: descriptor, inbox: inbox, shared: shared, tracker: tracker, catchUps: catchUps)
        do {
            try thread.addWatch(relative: "")
        } catch {
            close(descriptor)
            catchUps.close()
            throw error
        }
        thread.addSubfolders(relative: "")
        guard Thread.start({ thread.run() }) else {
            close(descriptor)
            catchUps.close()
            throw CopydeskError(.ioFailed, "cannot start the watcher thread", path: inbox)
        }
    }

    deinit {
        shared.stop()
    }

    /// Waits for the next batch of changes; `nil` once ``stop()`` was called.
    public func next() async -> InboxBatch? {
        await shared.next()
    }

    /// Stops watching; a waiting ``next()`` returns `nil`.
    public func stop() {
        shared.stop()
    }

    public func requestRescan() {
        shared.report(files: [], rescan: true)
    }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { shared.isStopped }

    public func readiness(of relativePath: String) -> Readiness {
        tracker.readiness(of: relativePath)
    }

    /// Returns once the watch thread has read every event queued before the call: a rescan that a
    /// signal or a timer started must not look at a file before the events of its writer are known.
    public func catchUp() async {
        await catchUps.request()
    }

    public func openForWriting() -> [OpenFile] {
        tracker.openFiles()
    }
}

/// The blocking side of the watcher: owns the watch descriptors and reads inotify events.
private final class WatchThread: @unchecked Sendable {
    let descriptor: Int32
    let inbox: String
    let shared: BatchQueue
    let tracker: WriteTracker
    let catchUps: CatchUpRequests
    /// Watch descriptor → folder relative to the Inbox. Only touched by the watch thread (and by
    /// the initializer before the thread starts).
    var folders = [Int32: String]()
    /// Since when the Inbox folder is gone, while it is.
    var inboxGoneSince: ContinuousClock.Instant?
    /// The last time the watch thread looked for a removed Inbox.
    var lastLook = ContinuousClock.now
    /// How often to look for a removed Inbox.
    static let lookInterval: Duration = .seconds(1)

    /// Ready files (`IN_CLOSE_WRITE`, `IN_MOVED_TO`), new entries, the folder's own end, and what
    /// tells whether a writer holds a file open: its creation and first open, writes, a reader's
    /// close, and the file leaving.
    static let folderMask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_OPEN | IN_MODIFY
            | IN_CLOSE_NOWRITE | IN_DELETE | IN_MOVED_FROM)

    /// Events that only update what the tracker follows.
    static let trackingOnly = UInt32(IN_OPEN | IN_CLOSE_NOWRITE | IN_DELETE | IN_MOVED_FROM)

    init(descriptor: Int32, inbox: String, shared: BatchQueue, tracker: WriteTracker, catchUps: CatchUpRequests) {
        self.descriptor = descriptor
        self.inbox = inbox
        self.shared = shared
        self.tracker = tracker
        self.catchUps = catchUps
    }

    func addWatch(relative: String) throws(CopydeskError) {
        let path = relative.isEmpty ? inbox : "\(inbox)/\(relative)"
        let wd = FileName.withCString(path) {
            inotify_add_watch(descriptor, $0, Self.folderMask | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW))
        }
        guard wd >= 0 else { throw CopydeskError.io("watch the folder", path, Errno(rawValue: errno)) }
        folders[wd] = relative
        tracker.folderWatched(relative)
    }

    func addSubfolders(relative: String) {
        let path = relative.isEmpty ? inbox : "\(inbox)/\(relative)"
        for entry in Directory.entries(path) where entry.isDirectory && !InboxScanner.isIgnored(name: entry.name) {
            let child = relative.isEmpty ? entry.name : "\(relative)/\(entry.name)"
            do {
                try addWatch(relative: child)
                addSubfolders(relative: child)
            } catch {
                shared.warn("\(error)")
            }
        }
    }

    /// Drops the watches of a subfolder and of everything below it.
    func unwatch(_ relative: String) {
        let prefix = relative + "/"
        for (wd, folder) in folders where folder == relative || folder.hasPrefix(prefix) {
            inotify_rm_watch(descriptor, wd)
            folders[wd] = nil
        }
        tracker.folderUnwatched(relative)
    }

    /// The Inbox folder was removed or moved away: its watches go (a moved folder would still report
    /// events under its old name), and the thread looks for it again.
    func inboxGone() {
        shared.error(
            "the Inbox folder was removed or moved away; files cannot arrive until it exists again "
                + "(checking every \(Self.lookInterval.secondsValue.secondsText) s)")
        for (wd, folder) in folders {
            inotify_rm_watch(descriptor, wd)
            tracker.folderUnwatched(folder)
        }
        folders.removeAll()
        inboxGoneSince = .now
        lastLook = .now - Self.lookInterval
    }

    /// Watches the Inbox again if it exists again, and asks for a rescan of it.
    func lookForInbox() {
        guard let since = inboxGoneSince, ContinuousClock.now - lastLook >= Self.lookInterval else { return }
        lastLook = .now
        guard let status = FileName.status(inbox), (status.st_mode & S_IFMT) == S_IFDIR else { return }
        do {
            try addWatch(relative: "")
        } catch {
            return
        }
        addSubfolders(relative: "")
        inboxGoneSince = nil
        let gone = (ContinuousClock.now - since).secondsValue.rounded()
        shared.notice("the Inbox folder is back (gone for \(gone.secondsText) s); watching it again")
        shared.report(files: [], rescan: true)
    }

    func run() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pollers = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: catchUps.wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while !shared.isStopped {
            lookForInbox()
            let ready = poll(&pollers, 2, 250)
            if ready <= 0 { continue }
            // Those who asked to catch up before this read are answered after it.
            let waiting = pollers[1].revents != 0 ? catchUps.take() : []
            var files = [String]()
            var rescan = false
            // Everything queued: the descriptor is non-blocking.
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                handle(buffer, count: count, files: &files, rescan: &rescan)
            }
            if !files.isEmpty || rescan {
                shared.report(files: files, rescan: rescan)
            }
            for waiter in waiting { waiter.resume() }
        }
        catchUps.close()
        close(descriptor)
    }

    /// Applies the events of one read: files ready, rescans asked for, what the tracker follows.
    private func handle(_ buffer: [UInt8], count: Int, files: inout [String], rescan: inout Bool) {
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let (wd, mask, nameLength) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                offset = nameStart + nameLength
                // The daemon's own reads and moves (an open, a reader's close, a file leaving) only
                // matter for a file the tracker follows: while it follows none, as with a backlog,
                // they are passed over before any string is made of them (never a folder's event:
                // those carry IN_ISDIR).
                if mask & Self.trackingOnly != 0, mask & ~Self.trackingOnly == 0,
                    !tracker.isFollowingAny
                {
                    continue
                }
                let rawName = Array(buffer[nameStart..<(nameStart + nameLength)].prefix(while: { $0 != 0 }))
                // A name that is not valid UTF-8 is named by its escaped form (``FileName``).
                let name = rawName.isEmpty ? "" : FileName.escape(rawName)
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // Events were lost: what the tracker knew may be stale, and a rescan finds
                    // what the lost events would have reported.
                    tracker.eventsLost()
                    rescan = true
                    continue
                }
                if mask & UInt32(IN_IGNORED) != 0 {
                    if let folder = folders.removeValue(forKey: wd) { tracker.folderUnwatched(folder) }
                    continue
                }
                guard let folder = folders[wd] else { continue }
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                    if folder.isEmpty { inboxGone() }
                    continue
                }
                guard !name.isEmpty, !InboxScanner.isIgnored(name: name) else { continue }
                let relative = folder.isEmpty ? name : "\(folder)/\(name)"
                if mask & UInt32(IN_ISDIR) != 0 {
                    if mask & UInt32(IN_MOVED_FROM | IN_DELETE) != 0 {
                        // A subfolder moved away or removed: its watches (and what was known of its
                        // files) go now, before a folder of the same name can be made again.
                        unwatch(relative)
                    }
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        do {
                            try addWatch(relative: relative)
                            addSubfolders(relative: relative)
                        } catch {
                            shared.warn("\(error)")
                        }
                        rescan = true
                    }
                    continue
                }
                if mask & UInt32(IN_MODIFY) != 0 {
                    tracker.modified(relative)
                }
                if mask & UInt32(IN_OPEN) != 0 {
                    tracker.opened(relative)
                }
                if mask & UInt32(IN_CLOSE_NOWRITE) != 0 {
                    tracker.closedByReader(relative)
                }
                if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                    tracker.finished(relative)
                }
                if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                    tracker.finished(relative)
                    files.append(relative)
                } else if mask & UInt32(IN_CREATE) != 0 {
                    if let status = FileName.linkStatus("\(inbox)/\(relative)"), (status.st_mode & S_IFMT) == S_IFREG {
                        tracker.created(relative)
                    }
                    // Reported at once: a symlink, FIFO or socket never gets a close-write event, and
                    // a hard link is complete when it appears. A file its creator opened is not taken:
                    // the service catches up with the queue first, and the creator's `IN_OPEN`
                    // makes it the writer's.
                    files.append(relative)
                }
            }
    }
}

/// Requests to catch up with the inotify queue, answered by the watch thread after its next read;
/// a pipe wakes the thread from `poll`.
final class CatchUpRequests: Sendable {
    private struct State {
        var waiters = [CheckedContinuation<Void, Never>]()
        var closed = false
    }

    private let state = Mutex(State())
    let wakeDescriptor: Int32
    private let writeDescriptor: Int32

    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        writeDescriptor = ends[1]
    }

    func request() async {
        await withCheckedContinuation { continuation in
            // The byte is written under the lock that `close()` takes before closing the pipe: it
            // never lands on a descriptor number the process has reused since.
            let closed = state.withLock { state in
                guard !state.closed else { return true }
                state.waiters.append(continuation)
                var byte: UInt8 = 1
                _ = write(writeDescriptor, &byte, 1)
                return false
            }
            if closed { continuation.resume() }
        }
    }

    /// The waiting requests, and the wake-up bytes read.
    func take() -> [CheckedContinuation<Void, Never>] {
        var sink = [UInt8](repeating: 0, count: 256)
        while sink.withUnsafeMutableBytes({ read(wakeDescriptor, $0.baseAddress, $0.count) }) > 0 {}
        return state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
    }

    /// The watch thread ended: every request is answered, now and later.
    func close() {
        let waiters = state.withLock { state in
            guard !state.closed else { return [CheckedContinuation<Void, Never>]() }
            state.closed = true
            Glibc.close(wakeDescriptor)
            Glibc.close(writeDescriptor)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A detached POSIX thread running a closure: the watcher blocks in `poll`, which must not occupy
/// one of the few threads of Swift's cooperative pool.
enum Thread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
