@testable import CopydeskDaemon
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct WatcherTests {
    @Test func reportsClosedFilesAndNewSubfolders() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            // A file is reported when it appears (a hard link is complete then) and when its writer
            // closes it; the service judges it each time (``InboxWatcher/readiness(of:)``).
            try write(articleText, to: inbox + "/one.txt")
            #expect(await Self.nextBatches(watcher, until: { $0.files.contains("one.txt") }))
            await watcher.catchUp()
            #expect(watcher.readiness(of: "one.txt") == .ready)
            try FileManager.default.createDirectory(atPath: inbox + "/sub", withIntermediateDirectories: true)
            #expect(await Self.nextBatches(watcher, until: \.rescan))
            try write(articleText, to: inbox + "/sub/two.txt")
            #expect(await Self.nextBatches(watcher, until: { $0.files.contains("sub/two.txt") }))
        }
    }

    /// Reads batches until one satisfies `condition` (at most ten).
    static func nextBatches(_ watcher: InboxWatcher, until condition: (InboxBatch) -> Bool) async -> Bool {
        for _ in 0..<10 {
            guard let batch = await watcher.next() else { return false }
            if condition(batch) { return true }
        }
        return false
    }

    /// A subfolder moved away and made again under the same name is watched afresh: what was known
    /// of the old one does not leave its files waiting.
    @Test func aSubfolderMovedAwayAndMadeAgainIsWatchedAfresh() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            try FileManager.default.createDirectory(atPath: inbox + "/in", withIntermediateDirectories: true)
            #expect(await Self.nextBatches(watcher, until: \.rescan))
            #expect(rename(inbox + "/in", archive + "/moved") == 0)
            try FileManager.default.createDirectory(atPath: inbox + "/in", withIntermediateDirectories: true)
            #expect(await Self.nextBatches(watcher, until: \.rescan))
            try FileManager.default.removeItem(atPath: archive + "/moved")
            try write(articleText, to: inbox + "/in/new.txt")
            #expect(await Self.nextBatches(watcher, until: { $0.files.contains("in/new.txt") }))
            await watcher.catchUp()
            #expect(watcher.readiness(of: "in/new.txt") == .ready)
        }
    }

    @Test func stopEndsTheStream() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            watcher.stop()
            #expect(await watcher.next() == nil)
        }
    }

    @Test func pollingTakesAFileOnceItStoppedChanging() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = PollingWatcher(inbox: inbox, interval: .milliseconds(200), logger: quietLogger)
            defer { watcher.stop() }
            let started = ContinuousClock.now
            try write(articleText, to: inbox + "/growing.txt")
            // Keep the file changing for a while: it must not be reported meanwhile. The writes run
            // on a thread of their own: sleeps on Swift's two-thread cooperative pool wake seconds
            // late while other tests block it, and a pause of 2 s rightly makes the file settled.
            let (lastChange, longestPause) = try await offThePool {
                var lastChange = ContinuousClock.now
                var longestPause = Duration.zero
                for index in 0..<6 {
                    usleep(300_000)
                    guard let handle = FileHandle(forWritingAtPath: inbox + "/growing.txt") else {
                        throw CocoaError(.fileNoSuchFile)
                    }
                    handle.seekToEndOfFile()
                    handle.write(Data("more \(index)\n".utf8))
                    handle.closeFile()
                    longestPause = max(longestPause, ContinuousClock.now - lastChange)
                    lastChange = .now
                }
                return (lastChange, longestPause)
            }
            let batch = await watcher.next()
            #expect(batch?.files == ["growing.txt"])
            // Only a machine so loaded that one 300 ms pause lasted the whole settle interval lets
            // the file look finished early; otherwise it is reported only after it stopped changing.
            if longestPause < PollingWatcher.settleInterval {
                #expect(ContinuousClock.now - lastChange >= PollingWatcher.settleInterval)
            }
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }
}

/// What the inotify watch knows about writers (``WriteTracker``), in-process.
struct WriterTrackingTests {
    @Test func aFileHeldOpenForWritingIsNotReadyUntilItsWriterClosesIt() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            let descriptor = open(inbox + "/a.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            try #require(descriptor >= 0)
            _ = "first half\n".withCString { Glibc.write(descriptor, $0, strlen($0)) }
            fsync(descriptor)
            // A new subfolder makes the watcher ask for a rescan while the file is still open.
            try FileManager.default.createDirectory(atPath: inbox + "/day", withIntermediateDirectories: false)
            #expect(await WatcherTests.nextBatches(watcher, until: \.rescan))
            await watcher.catchUp()
            guard case .writing = watcher.readiness(of: "a.txt") else {
                Issue.record("a file open for writing was \(watcher.readiness(of: "a.txt"))")
                close(descriptor)
                return
            }
            #expect(watcher.openForWriting().map(\.file) == ["a.txt"])
            _ = "second half\n".withCString { Glibc.write(descriptor, $0, strlen($0)) }
            close(descriptor)
            #expect(await WatcherTests.nextBatches(watcher, until: { $0.files == ["a.txt"] }))
            await watcher.catchUp()
            #expect(watcher.readiness(of: "a.txt") == .ready)
            #expect(watcher.openForWriting().isEmpty)
        }
    }

    /// A rescan that a signal starts right after a write must not judge the file before the watch
    /// thread has read the write's events: `catchUp()` waits for that, however busy the machine.
    @Test func catchingUpKnowsEveryWriteMadeBefore() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            for index in 0..<20 {
                let descriptor = open(inbox + "/\(index).txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                try #require(descriptor >= 0)
                _ = "first half\n".withCString { Glibc.write(descriptor, $0, strlen($0)) }
                await watcher.catchUp()
                if case .writing = watcher.readiness(of: "\(index).txt") {} else {
                    Issue.record("file \(index), open for writing, was \(watcher.readiness(of: "\(index).txt"))")
                }
                close(descriptor)
            }
        }
    }

    /// A reader that opens and closes a file its creator holds, before the first byte, does not make
    /// it look finished.
    @Test func aReaderOfAFileBeingCreatedDoesNotEndItsWriting() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            let descriptor = open(inbox + "/a.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            let reader = open(inbox + "/a.txt", O_RDONLY | O_CLOEXEC)
            close(reader)
            await watcher.catchUp()
            if case .writing = watcher.readiness(of: "a.txt") {} else {
                Issue.record("a reader's close ended the writing: \(watcher.readiness(of: "a.txt"))")
            }
        }
    }

    /// Created by an `open` and not written yet: still the writer's.
    @Test func aFileCreatedAndNotYetWrittenIsTheWritersFile() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            let descriptor = open(inbox + "/empty.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            try FileManager.default.createDirectory(atPath: inbox + "/day", withIntermediateDirectories: false)
            _ = await watcher.next()
            await watcher.catchUp()
            if case .writing = watcher.readiness(of: "empty.txt") {} else {
                Issue.record("an empty file its creator holds open was \(watcher.readiness(of: "empty.txt"))")
            }
        }
    }

    /// Events lost in a queue overflow may include a writer's close: a file recorded as open is
    /// asked about again, and let go when the read lease finds no writer (as root here: the lease is
    /// always permitted).
    @Test func afterLostEventsAFileNoWriterHoldsIsLetGo() async throws {
        try await withTemporaryDirectory { inbox, _ in
            try write(articleText, to: inbox + "/a.txt")
            let tracker = WriteTracker(inbox: inbox, settle: .seconds(2))
            tracker.folderWatched("")
            tracker.modified("a.txt")
            #expect(tracker.openFiles().map(\.file) == ["a.txt"])
            if case .writing = tracker.readiness(of: "a.txt") {} else { Issue.record("not held before the overflow") }
            tracker.eventsLost()
            #expect(tracker.readiness(of: "a.txt") == .ready)
            #expect(tracker.openFiles().isEmpty)
            // A writer that still holds its file keeps it after the overflow.
            let descriptor = open(inbox + "/b.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            defer { close(descriptor) }
            tracker.modified("b.txt")
            tracker.eventsLost()
            if case .writing = tracker.readiness(of: "b.txt") {} else { Issue.record("an open file was let go") }
        }
    }

    /// A hard link (a maildir-style delivery) is complete when it appears: no writer ever opens it.
    @Test func aHardLinkIsReadyAtOnce() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            try write(articleText, to: archive + "/outside.txt")
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            #expect(link(archive + "/outside.txt", inbox + "/linked.txt") == 0)
            #expect(await watcher.next()?.files == ["linked.txt"])
            await watcher.catchUp()
            #expect(watcher.readiness(of: "linked.txt") == .ready)
        }
    }
}

/// Listing folders. Under AddressSanitizer (the ASan build of this suite), a folder with many names
/// of every length puts some entry last in `readdir`'s buffer, where reading more than the name
/// overflows it.
struct DirectoryTests {
    @Test func everyNameOfEveryLengthIsListed() async throws {
        try await withTemporaryDirectory { inbox, _ in
            var names = Set<String>()
            for length in 1...200 {
                for variant in 0..<3 {
                    let name = String(repeating: "abc"[String.Index(utf16Offset: variant, in: "abc")], count: length)
                        + (variant == 2 ? "é" : "")
                    FileManager.default.createFile(atPath: inbox + "/" + name, contents: nil)
                    names.insert(name)
                }
            }
            let listed = Directory.entries(inbox)
            #expect(Set(listed.map(\.name)) == names)
            #expect(listed.allSatisfy { !$0.isDirectory && $0.typeKnown })
        }
    }
}
