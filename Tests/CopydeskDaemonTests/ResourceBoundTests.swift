import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One file cannot take unbounded time or memory: a file over the time limit is rejected with the
/// limit as its reason while the files behind it go on, and a 48 MB page, however built, is
/// normalized in bounded memory.
@Suite(.serialized)
struct ResourceBoundTests {
    /// `header`, then `block` repeated up to about `bytes`, then `footer`.
    static func repeated(_ header: String, _ block: [UInt8], _ footer: String, bytes: Int) -> [UInt8] {
        var result = Array(header.utf8)
        result.reserveCapacity(bytes)
        while result.count + block.count < bytes - footer.utf8.count { result += block }
        return result + Array(footer.utf8)
    }

    /// A page of about `bytes` of ordinary paragraphs.
    static func prosePage(bytes: Int) -> [UInt8] {
        let block = (0..<500).flatMap { index in
            Array(
                "<p>Paragraph \(index): the council met again on Tuesday and talked through the night about the budget, the roads and the schools.</p>\n"
                    .utf8)
        }
        return repeated(
            "<!DOCTYPE html><html><head><title>A very long page</title></head><body><article>", block,
            "</article></body></html>", bytes: bytes)
    }

    /// A page of about `bytes` of tiny elements (`<b>x</b> `): 17 million nodes in 48 MB, the worst
    /// case for a parser that builds a tree.
    static func elementPage(bytes: Int) -> [UInt8] {
        repeated(
            "<html><body><p>", Array(String(repeating: "<b>x</b> ", count: 4096).utf8), "</p></body></html>",
            bytes: bytes)
    }

    static func proseText(bytes: Int) -> [UInt8] {
        let block = (0..<500).flatMap { index in
            Array("Paragraph \(index) of the story, in which the council talks about the budget once more.\n\n".utf8)
        }
        return repeated("A very long wire story\n\n", block, "", bytes: bytes)
    }

    @Test func aFileOverTheTimeLimitIsRejectedAndTheQueueGoesOn() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            // 16 MB take seconds to normalize in a debug build; the limit is half a second.
            let staging = inbox + "/../staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try write(Self.prosePage(bytes: 16 << 20), to: staging + "/huge.html")
            try write(Self.proseText(bytes: 16 << 20), to: staging + "/huge.txt")
            let small = ["a.txt", "b.txt", "c.txt"]
            for name in small {
                try write(
                    "Story \(name)\n\nThe council met on Tuesday about \(name) and agreed to meet again.\n",
                    to: staging + "/" + name)
            }
            let (daemon, _) = try await DaemonProcess.startReady(
                inbox: inbox, archive: archive, arguments: ["--file-timeout", "0.5"])
            // The slow files first, so the small ones queue behind them.
            for name in ["huge.html", "huge.txt"] + small {
                try FileManager.default.moveItem(atPath: staging + "/" + name, toPath: inbox + "/" + name)
            }
            let decisions = try await LoggedDecision.waitFor(5, in: archive + "/copydesk.sqlite", seconds: 120) {
                files(in: inbox).isEmpty
            }
            #expect(decisions.count == 5, "the daemon's log ends:\n\(daemon.logTail())")
            for name in ["huge.html", "huge.txt"] {
                let decision = decisions.first { $0.file == name }
                #expect(decision?.event == "rejected", "\(name): \(String(describing: decision))")
                #expect(
                    decision?.message == "took longer than 0.5 s to normalize",
                    "\(name): \(String(describing: decision))")
            }
            for name in small {
                #expect(decisions.first { $0.file == name }?.event == "new-article", "\(name)")
            }
            // Quarantined like every rejection, and the daemon goes on.
            #expect(files(in: inbox).isEmpty)
            let rejected = files(in: archive + "/rejected")
            #expect(
                rejected.contains { $0.hasSuffix("-huge.html") } && rejected.contains { $0.hasSuffix("-huge.txt") },
                "\(rejected)")
            #expect(daemon.isRunning)
            #expect(await daemon.stop() == 0)

            // `ingest` takes the same limit.
            try write(Self.prosePage(bytes: 16 << 20), to: staging + "/huge.html")
            let ingest = try await offThePool {
                try EndToEndTests.run([
                    "ingest", staging + "/huge.html", "--file-timeout", "0.5", "--archive", archive + "-ingest",
                ])
            }
            #expect(ingest.status == 0, "\(ingest.stderr)")
            #expect(
                ingest.stdout.contains("1 file ingested: 0 new-article, 0 new-version, 0 duplicate, 1 rejected"),
                "\(ingest.stdout)")
            #expect(ingest.stderr.contains("took longer than 0.5 s to normalize"), "\(ingest.stderr)")
            try? FileManager.default.removeItem(atPath: archive + "-ingest")
        }
    }

    /// The most a run of `copydesk extract` or `ingest` on one 48 MB file may take. Measured on the
    /// debug build: 390 MB (`extract`, prose), 440 MB (`extract` or `ingest`, 17 million tiny
    /// elements, rejected once the page passes its node cap), 560 MB (`ingest`, prose, with the
    /// fingerprint and the full-text index). Before the node cap the page of tiny elements took 4.5 GB.
    ///
    /// Under AddressSanitizer (the ASan build of this suite, whose `copydesk` is instrumented too) the
    /// same runs take 1.2 to 1.3 GB: shadow memory and the quarantine of freed blocks. The limit is
    /// then three times as high, still far below the gigabytes an unbounded page took.
    static let peakLimitKiB = (isAddressSanitized ? 3 : 1) << 20

    /// Whether this process runs with AddressSanitizer (its runtime is linked in).
    static let isAddressSanitized = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

    enum Page: String, CaseIterable {
        case prose
        case elements
    }

    @Test(arguments: ["extract", "ingest"], Page.allCases)
    func peakMemoryOfA48MBPageIsBounded(command: String, page: Page) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let path = inbox + "/page-\(page.rawValue).html"
            try write(page == .prose ? Self.prosePage(bytes: 48 << 20) : Self.elementPage(bytes: 48 << 20), to: path)
            let arguments =
                command == "extract" ? ["extract", "--json", path] : ["ingest", path, "--archive", archive]
            // At a lower priority, so that the tests beside it keep their pace; `nice` execs copydesk
            // in the same process, whose peak is what wait4 reports.
            let run = try await ChildProcess.run("/usr/bin/nice", ["-n", "10", EndToEndTests.binary] + arguments)
            #expect(run.status == 0)
            #expect(run.maxRSSKiB > 0)
            #expect(
                run.maxRSSKiB < Self.peakLimitKiB,
                "copydesk \(command) on a 48 MB page of \(page.rawValue) peaked at \(run.maxRSSKiB / 1024) MiB")
        }
    }
}

/// A child process whose own resource usage is read when it is reaped (`wait4`): its `ru_maxrss` is
/// what `getrusage(RUSAGE_CHILDREN)` reports, but for this child alone, not for every child the
/// test process has had (other tests run daemons beside this one).
enum ChildProcess {
    struct SpawnError: Error {
        var message: String
    }

    struct Result {
        var status: Int32
        /// Peak resident set size in KiB.
        var maxRSSKiB: Int
    }

    /// Runs `executable` with `arguments`, output discarded, and waits for it on a thread of its
    /// own: a test blocked in `wait4` on one of the two threads of Swift's cooperative pool would
    /// slow every other test in the process (their sleeps wake late).
    static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        try await offThePool { try runBlocking(executable, arguments) }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String]) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SpawnError(message: "posix_spawn \(executable) failed: \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw SpawnError(message: "wait4 failed: \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exited = status & 0x7F == 0
        return Result(status: exited ? (status >> 8) & 0xFF : -1, maxRSSKiB: Int(usage.ru_maxrss))
    }
}
