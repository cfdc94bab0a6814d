import CopydeskCore
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults of the machine around a running daemon, made real: a full file system (a small tmpfs), a
/// read-only Archive (a read-only bind mount), the catalog locked by another writer, a damaged
/// catalog file, the Inbox removed while watched. Each gives a clear error in the log; no file is
/// lost (it waits in the Inbox), no catalog data is destroyed, and once the fault is gone every file
/// is archived with exactly one receipt and one decision.
///
/// The mounts need root (or `CAP_SYS_ADMIN`); where mounting is not permitted those tests are
/// skipped. Every mount is undone by the test that made it, also when it fails.
@Suite(.serialized)
struct FaultTests {
    static let stories = (1...3).map { index in
        (
            name: "story-\(index).txt",
            text: "Story \(index) of the fault\n\nThe council met on day \(index) and agreed on item \(index) "
                + "after a long night of talks about the budget.\n"
        )
    }

    static var names: [String] { stories.map(\.name) }

    static func dropStories(into inbox: String) throws {
        for story in stories {
            try write(story.text, to: inbox + "/" + story.name)
        }
    }

    // MARK: - Full file system

    /// The Archive on a full tmpfs; the catalog beside it (its commits succeed, the moves fail, so
    /// the files wait with receipts pending) or on the full tmpfs too (the commits fail as well).
    @Test(.enabled(if: Mounts.permitted), arguments: [false, true])
    func fullArchiveKeepsFilesInTheInboxUntilThereIsSpace(catalogOnTheFullDisk: Bool) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            try Mounts.tmpfs(at: archive, size: "4m")
            defer { Mounts.unmount(archive) }
            let database = catalogOnTheFullDisk ? archive + "/copydesk.sqlite" : inbox + "/../copydesk.sqlite"
            let (daemon, notify) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: ["--database", database], environment: ["WATCHDOG_USEC": "2000000"])

            let filler = try Disk.fill(archive)
            try Self.dropStories(into: inbox)
            // A clear error naming the file and the Archive, a retry announced, and systemd told.
            let failing = await notify.wait(seconds: 60) {
                let log = daemon.logTail(400)
                return Self.names.allSatisfy { log.contains("Inbox/\($0):") || log.contains("file=\($0)") }
                    && log.localizedCaseInsensitiveContains("no space left") && log.contains("retrying in")
            }
            #expect(failing, "the daemon's log ends:\n\(daemon.logTail())")
            let log = daemon.logTail(400)
            if !catalogOnTheFullDisk {
                #expect(log.contains("cannot copy the file into the Archive (\(archive)/originals/"))
                #expect(log.contains("No space left on device"))
            }
            #expect(files(in: inbox) == Self.names)
            #expect(daemon.isRunning)
            // The watchdog keeps being fed while the daemon waits, and STATUS= says what for.
            notify.removeAll()
            _ = await notify.wait(seconds: 5) { false }
            #expect(notify.contains("WATCHDOG=1"), "\(notify.all)")

            try FileManager.default.removeItem(atPath: filler)
            try await Self.expectEveryFileTakenOnce(inbox: inbox, archive: archive, database: database, daemon: daemon)
            #expect(await daemon.stop() == 0)
        }
    }

    // MARK: - Read-only Archive

    @Test(.enabled(if: Mounts.permitted))
    func readOnlyArchiveKeepsFilesInTheInboxUntilItIsWritable() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let database = inbox + "/../copydesk.sqlite"
            let (daemon, notify) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: ["--database", database])
            try Mounts.bindReadOnly(archive)
            defer { Mounts.unmount(archive) }

            try Self.dropStories(into: inbox)
            let failing = await notify.wait(seconds: 60) {
                let log = daemon.logTail(400)
                return log.components(separatedBy: "Read-only file system").count > Self.names.count
                    && log.contains("retrying in")
            }
            #expect(failing, "the daemon's log ends:\n\(daemon.logTail())")
            #expect(daemon.logTail(400).contains(archive + "/originals/"))
            #expect(files(in: inbox) == Self.names)
            // systemd's view: STATUS= names the fault (sent just after the log line).
            let told = await notify.wait(seconds: 10) { notify.contains("STATUS=", "waiting, retrying in") }
            #expect(told, "\(notify.all)")

            try Mounts.remountWritable(archive)
            try await Self.expectEveryFileTakenOnce(inbox: inbox, archive: archive, database: database, daemon: daemon)
            #expect(await daemon.stop() == 0)
        }
    }

    // MARK: - Locked catalog

    @Test func catalogLockedByAnotherWriterDelaysFilesButLosesNone() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let database = archive + "/copydesk.sqlite"
            let (daemon, notify) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: ["--busy-timeout", "0.5"])

            // Another process's write transaction, held far longer than the daemon's busy timeout.
            let writer = try LockHolder(database: database)
            try Self.dropStories(into: inbox)
            let failing = await notify.wait(seconds: 60) {
                let log = daemon.logTail(400)
                return log.contains("\(database): cannot write to the catalog: another process has held its write lock")
                    && log.contains("retrying in 2 s")
            }
            #expect(failing, "the daemon's log ends:\n\(daemon.logTail())")
            #expect(files(in: inbox) == Self.names)
            #expect(try await LoggedDecision.all(in: database).isEmpty)
            writer.release()

            try await Self.expectEveryFileTakenOnce(inbox: inbox, archive: archive, database: database, daemon: daemon)
            #expect(await daemon.stop() == 0)
        }
    }

    // MARK: - Damaged catalog

    enum Damage: String, CaseIterable {
        /// The header overwritten: not an SQLite file any more.
        case header
        /// Random bytes where the catalog was.
        case noise
        /// The second half cut off, as a full disk or a bad copy leaves it.
        case truncated
        /// One page inside overwritten (the root of the index on raw hashes, which every decision
        /// reads): the file opens and starts, the first decision finds the damage.
        case page
    }

    @Test(arguments: Damage.allCases)
    func damagedCatalogIsRefusedAndLeftAsItIs(damage: Damage) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            // A real catalog of 150 files, then damaged.
            let staging = inbox + "/../staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            for index in 0..<150 {
                try write(
                    "Story \(index)\n\nThe council met for session \(index) and voted on item \(index * 7).\n",
                    to: staging + "/s\(index).txt")
            }
            #expect(
                try await offThePool { try EndToEndTests.run(["ingest", staging, "--archive", archive]) }.status == 0)
            let database = archive + "/copydesk.sqlite"
            try Disk.damage(database, damage)
            let before = try Data(contentsOf: URL(fileURLWithPath: database))
            try Self.dropStories(into: inbox)

            let daemon = try DaemonProcess(inbox: inbox, archive: archive)
            let status = await daemon.stop(signal: nil, within: 120)
            #expect(status == 1, "the daemon's log ends:\n\(daemon.logTail())")
            let log = daemon.logTail()
            #expect(log.contains("\(database): cannot"), "\(log)")
            #expect(log.contains("damaged or not a copydesk catalog"), "\(log)")
            // No file lost, nothing decided, the catalog neither replaced nor removed.
            #expect(files(in: inbox) == Self.names)
            let after = try Data(contentsOf: URL(fileURLWithPath: database))
            if damage == .page {
                // The daemon found the damage only when it wrote: the pages it wrote before are
                // SQLite's own (its `started` event); what was there is still there.
                #expect(after.count >= before.count)
            } else {
                #expect(after == before)
                #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
            }

            // `status` reads only what it shows: the damaged index page is not among it.
            guard damage != .page else { return }
            let report = try await offThePool {
                try EndToEndTests.run(["status", "--archive", archive, "--inbox", inbox])
            }
            #expect(report.status == 1)
            #expect(report.stderr.contains("\(database): cannot read the catalog"), "\(report.stderr)")
            #expect(report.stderr.contains("damaged"), "\(report.stderr)")
        }
    }

    // MARK: - Inbox removed

    @Test(arguments: ["inotify", "poll"])
    func inboxRemovedAndRecreatedIsWatchedAgain(mode: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            // The notify socket lies beside the Inbox, not in it: the Inbox is removed.
            let (daemon, notify) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: mode == "poll" ? ["--poll", "0.2"] : [])
            try write(Self.stories[0].text, to: inbox + "/" + Self.stories[0].name)
            _ = try await LoggedDecision.waitFor(1, in: archive + "/copydesk.sqlite")

            try FileManager.default.removeItem(atPath: inbox)
            let noticed = await notify.wait(seconds: 30) {
                let log = daemon.logTail(200)
                return log.contains("the Inbox folder was removed") || log.contains("the Inbox folder is missing")
            }
            #expect(noticed, "the daemon's log ends:\n\(daemon.logTail())")
            #expect(daemon.logTail(200).contains("\(inbox): the Inbox folder"))
            #expect(daemon.isRunning)

            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
            for story in Self.stories.dropFirst() {
                try write(story.text, to: inbox + "/" + story.name)
            }
            let decisions = try await LoggedDecision.waitFor(Self.names.count, in: archive + "/copydesk.sqlite")
            #expect(Set(decisions.map(\.file)) == Set(Self.names), "\(daemon.logTail())")
            #expect(daemon.logTail(200).contains("the Inbox folder is back"))
            for _ in 0..<100 where !files(in: inbox).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(files(in: inbox).isEmpty)
            #expect(await daemon.stop() == 0)
        }
    }

    // MARK: - Helpers

    /// Waits until every story has left the Inbox and is archived, then checks that each has exactly
    /// one receipt (archived), one decision and one `archived` event, and that `verify` agrees.
    static func expectEveryFileTakenOnce(
        inbox: String, archive: String, database: String, daemon: DaemonProcess,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let catalog = try DatabaseQueue(path: database)
        var done = false
        // Generous: retries back off to several seconds, and the machine is shared.
        let deadline = ContinuousClock.now + .seconds(120)
        while !done, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let archived = try await catalog.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM receipt WHERE state = 'archived'") ?? 0
            }
            done = archived >= names.count && files(in: inbox).isEmpty
        }
        #expect(
            done, "not every file was archived; the daemon's log ends:\n\(daemon.logTail())",
            sourceLocation: sourceLocation)
        try await catalog.read { db in
            let receipts = try Row.fetchAll(db, sql: "SELECT file_name, state FROM receipt ORDER BY file_name")
            #expect(receipts.map { $0["file_name"] as String } == names, sourceLocation: sourceLocation)
            #expect(receipts.allSatisfy { ($0["state"] as String) == "archived" }, sourceLocation: sourceLocation)
            for kinds in ["'new-article', 'new-version', 'duplicate', 'rejected'", "'archived'"] {
                let counts = try Row.fetchAll(
                    db,
                    sql: "SELECT file, count(*) AS n FROM event WHERE kind IN (\(kinds)) GROUP BY file ORDER BY file")
                #expect(counts.map { $0["file"] as String } == names, "\(kinds)", sourceLocation: sourceLocation)
                #expect(counts.allSatisfy { ($0["n"] as Int) == 1 }, "\(kinds)", sourceLocation: sourceLocation)
            }
        }
        let verify = try await offThePool {
            try EndToEndTests.run(["verify", "--archive", archive, "--database", database])
        }
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
        #expect(
            verify.stdout.contains("\(names.count) archived files checked"), "\(verify.stdout)",
            sourceLocation: sourceLocation)
    }
}

/// Mounting for the fault tests, with the system's `mount` and `umount`.
enum Mounts {
    /// Whether this process may mount (root in a namespace that allows it): tried once on a tiny
    /// tmpfs.
    static let permitted: Bool = {
        let point = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-mount-\(getpid())").path
        guard (try? FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)) != nil else {
            return false
        }
        defer { try? FileManager.default.removeItem(atPath: point) }
        guard (try? tmpfs(at: point, size: "64k")) != nil else { return false }
        unmount(point)
        return true
    }()

    static func tmpfs(at path: String, size: String) throws {
        try run("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
    }

    /// Makes `path` read-only by mounting it on itself, read-only.
    static func bindReadOnly(_ path: String) throws {
        try run("mount", ["--bind", path, path])
        do {
            try run("mount", ["-o", "remount,ro,bind", path])
        } catch {
            unmount(path)
            throw error
        }
    }

    static func remountWritable(_ path: String) throws {
        try run("mount", ["-o", "remount,rw,bind", path])
    }

    /// Unmounts `path`; lazily when it is still busy, so that a failed test never leaves it behind.
    static func unmount(_ path: String) {
        if (try? run("umount", [path])) == nil {
            try? run("umount", ["-l", path])
        }
    }

    static func run(_ command: String, _ arguments: [String]) throws {
        let process = Process()
        let candidates = ["/usr/bin/\(command)", "/bin/\(command)", "/usr/sbin/\(command)", "/sbin/\(command)"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CopydeskError(.ioFailed, "no \(command) command")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CopydeskError(
                .ioFailed, "\(command) \(arguments.joined(separator: " ")) failed",
                cause: String(decoding: message, as: UTF8.self))
        }
    }
}

/// Filling and damaging files for the fault tests.
enum Disk {
    /// Writes a file into `folder` until its file system is full.
    ///
    /// - Returns: the file's path, to remove to free the space.
    static func fill(_ folder: String) throws -> String {
        let path = folder + "/filler"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CopydeskError(.ioFailed, "cannot create", path: path) }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x41, count: 4096)
        while chunk.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else { throw CopydeskError(.ioFailed, "stopped filling on errno \(errno)", path: path) }
        return path
    }

    static func damage(_ path: String, _ damage: FaultTests.Damage) throws {
        var page: (number: Int, size: Int) = (0, 0)
        if damage == .page {
            let catalog = try DatabaseQueue(path: path)
            page = try catalog.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'receipt_raw'") ?? 0,
                    try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                )
            }
            try catalog.close()
            try #require(page.number > 1 && page.size > 0)
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var generator = SystemRandomNumberGenerator()
        func noise(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        switch damage {
        case .header:
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: Data(repeating: 0x47, count: 100))
        case .noise:
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: noise(Int(size)))
        case .truncated:
            try handle.truncate(atOffset: size / 2)
        case .page:
            try handle.seek(toOffset: UInt64((page.number - 1) * page.size))
            try handle.write(contentsOf: noise(page.size))
        }
    }
}

/// Another process's write transaction on the catalog (`BEGIN IMMEDIATE`), held until released.
final class LockHolder: @unchecked Sendable {
    private let queue: DatabaseQueue

    init(database: String) throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(30)
        queue = try DatabaseQueue(path: database, configuration: configuration)
        try queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
    }

    func release() {
        try? queue.inDatabase { try $0.execute(sql: "ROLLBACK") }
    }

    deinit {
        release()
    }
}
