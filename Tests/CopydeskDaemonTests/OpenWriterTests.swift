import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A file a writer still holds open is never taken, whatever makes the daemon look: a rescan for a
/// new subfolder, SIGHUP, the startup scan, polling. Each case follows one writer that creates a
/// file, writes its first half, flushes, and keeps it open until the test lets it write the rest.
/// The daemon and the writer run as two plain users (as root, a read lease is always granted and
/// permission-based answers come out right by accident).
@Suite(.serialized) struct OpenWriterTests {
    static let first = "NATO ministers meet in Brussels\n\nThe foreign ministers of the alliance met in Brussels on Tuesday, "
        + "their first meeting with the new American secretary of state, and spoke about the mission in Afghanistan.\n"
    static let rest = "\nThe second half of the article arrives only after the writer's pause: the ministers agreed to "
        + "meet again in April, and the secretary general said the allies would decide together.\n"

    enum Trigger: String, CaseIterable, CustomTestStringConvertible {
        case newSubfolder, sighup
        var testDescription: String { rawValue }
    }

    @Test(arguments: Trigger.allCases)
    func aRescanNeverTakesAFileStillBeingWritten(trigger: Trigger) async throws {
        try await followOneWriter(daemonUser: OtherUser.daemon) { inbox, daemon in
            switch trigger {
            case .newSubfolder:
                try FileManager.default.createDirectory(atPath: inbox + "/2026-11-30", withIntermediateDirectories: false)
            case .sighup:
                kill(daemon.processIdentifier, SIGHUP)
            }
        }
    }

    /// A file being written while the daemon starts: found by the startup scan, it waits. As root the
    /// daemon's read lease tells that a writer holds it (the unit's `PrivateUsers=yes` has no
    /// `CAP_LEASE`: there the settle rule decides for files older than the watch).
    @Test func theStartupScanWaitsForAWriterTheLeaseFinds() async throws {
        try await followOneWriter(writerFirst: true)
    }

    /// Polling sees a file that stopped changing; a writer that still holds it open keeps it waiting.
    @Test func pollingWaitsForAWriterThatPausedLongerThanTheSettleInterval() async throws {
        try await followOneWriter(arguments: ["--poll", "0.2"])
    }

    /// Starts the daemon (as `daemonUser`, root when nil) and a ``HeldWriter`` of `a.txt` (before
    /// the daemon when `writerFirst`), runs `during` while the writer pauses, checks that the file
    /// waits, releases the writer and checks that the file is taken whole.
    private func followOneWriter(
        daemonUser: UInt32? = nil, arguments: [String] = [], writerFirst: Bool = false,
        during: (_ inbox: String, _ daemon: DaemonProcess) throws -> Void = { _, _ in }
    ) async throws {
        try #require(OtherUser.isAvailable, "needs root and setpriv to run the daemon and the writer as plain users")
        try await withTemporaryDirectory { inbox, archive in
            let root = URL(fileURLWithPath: inbox).deletingLastPathComponent().path
            try OtherUser.prepare(root: root, inbox: inbox, archive: archive)
            var writer: HeldWriter?
            if writerFirst {
                writer = try HeldWriter(path: inbox + "/a.txt", first: Self.first, rest: Self.rest)
                #expect(await writer!.waitForFirstPart(bytes: Self.first.utf8.count))
            }
            let (daemon, notify) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: arguments, user: daemonUser)
            if writer == nil {
                writer = try HeldWriter(path: inbox + "/a.txt", first: Self.first, rest: Self.rest)
                #expect(await writer!.waitForFirstPart(bytes: Self.first.utf8.count))
            }
            try during(inbox, daemon)
            try await expectHeldOpen(inbox: inbox, archive: archive, notify: notify, daemon: daemon)
            try await writer!.release()
            try await expectTakenWhole(archive: archive, daemon: daemon)
            await daemon.stop()
        }
    }

    /// Past the settle interval and a rescan, the file is still in the Inbox, undecided, and both
    /// `status --json` and the `STATUS=` line name it as open for writing.
    private func expectHeldOpen(
        inbox: String, archive: String, notify: NotifyMessages, daemon: DaemonProcess
    ) async throws {
        let listed = await notify.wait(seconds: 10) { notify.contains("open for writing", "a.txt") }
        #expect(listed, "STATUS= never named the open file; the daemon's log ends:\n\(daemon.logTail())")
        // Longer than the settle interval (2 s) and the rescans that follow a deferred file.
        try await Task.sleep(for: .seconds(3))
        let decisions = try await LoggedDecision.all(in: archive + "/copydesk.sqlite")
        #expect(decisions.isEmpty, "a file still open for writing was taken: \(decisions)")
        #expect(FileManager.default.fileExists(atPath: inbox + "/a.txt"))
        let status = try EndToEndTests.run(["status", "--json", "--archive", archive, "--inbox", inbox])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let open = (object?["inbox"] as? [String: Any])?["open_for_writing"] as? [[String: Any]]
        #expect(open?.first?["file"] as? String == "a.txt", "status: \(status.stdout)")
        #expect((open?.first?["since"] as? String)?.hasSuffix("Z") == true)
    }

    /// Once closed, the file is taken whole: its archived bytes are everything the writer wrote and
    /// `verify` agrees with the receipt.
    private func expectTakenWhole(archive: String, daemon: DaemonProcess) async throws {
        let decisions = try await LoggedDecision.waitFor(1, in: archive + "/copydesk.sqlite", seconds: 30)
        #expect(decisions.map(\.event) == ["new-article"], "\(daemon.logTail())")
        // The decision is committed before the file moves: wait for the move too.
        for _ in 0..<200 where files(in: archive + "/originals").isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        let originals = files(in: archive + "/originals")
        #expect(originals.count == 1)
        if let original = originals.first {
            let bytes = try String(contentsOfFile: archive + "/originals/" + original, encoding: .utf8)
            #expect(bytes == Self.first + Self.rest)
        }
        let verify = try EndToEndTests.run(["verify", "--archive", archive])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
