import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// Several `copydesk watch` daemons (nodes) on one catalog and one Archive: on a shared Inbox, or
/// each on an Inbox of its own; with one of them killed (`kill -9`) midway.
struct MultiNodeTests {
    /// `count` texts unlike one another (random words from a fixed vocabulary, seeded).
    static func texts(_ count: Int, seed: UInt64) -> [String] {
        let words = (
            "harbour council ferry budget minister river bridge school station market festival museum "
                + "election court hospital storm airport railway factory vineyard mountain village league "
                + "library orchestra garden stadium tunnel island lighthouse bakery theatre glacier canal "
                + "reactor satellite parliament summit treaty embassy border harvest drought flood tender"
        ).split(separator: " ")
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<count).map { number in
            let paragraphs = (0..<4).map { _ in
                (0..<40).map { _ in String(words[next() % words.count]) }.joined(separator: " ") + "."
            }
            return (["Report \(seed)-\(number)"] + paragraphs).joined(separator: "\n\n") + "\n"
        }
    }

    /// The catalog of a test: the SQLite file in the shared Archive, or a fresh PostgreSQL database.
    static func catalog(_ backend: TestBackend, archive: String) async throws -> (argument: String, location: CatalogLocation) {
        switch backend {
        case .sqlite:
            let path = archive + "/copydesk.sqlite"
            return (path, .sqlite(path: path))
        case .postgres:
            let url = try await PostgresTestCluster.shared().createDatabase()
            return (url, try CatalogLocation(url))
        }
    }

    /// The decisions logged so far, read through the catalog's read port.
    static func decisions(_ location: CatalogLocation) async throws -> [IngestEvent] {
        // Nothing to read before the first daemon created the catalog.
        guard let reader = try? await location.openForReading() else { return [] }
        let events = try await reader.events(limit: 0).filter(\.kind.isDecision)
        await reader.close()
        return events
    }

    static func waitForDecisions(
        _ count: Int, _ location: CatalogLocation, seconds: Double = 90
    ) async throws -> [IngestEvent] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var found = [IngestEvent]()
        while ContinuousClock.now < deadline {
            found = try await decisions(location)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
        return found
    }

    /// Waits until every daemon logged that it watches (its startup scan is done).
    static func waitUntilWatching(_ daemons: [DaemonProcess]) async throws {
        for daemon in daemons {
            for _ in 0..<300 where !daemon.logTail(400).contains("watching ") {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(daemon.logTail(400).contains("watching "), "\(daemon.logTail())")
        }
    }

    static func drop(_ texts: [String], into inbox: String, prefix: String) throws -> [String] {
        // Written beside the Inbox and renamed in, as a careful sender does: whole files only.
        let staging = URL(fileURLWithPath: inbox).deletingLastPathComponent().path + "/staging-\(prefix)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var names = [String]()
        for (number, text) in texts.enumerated() {
            let name = "\(prefix)-\(number).txt"
            try write(text, to: staging + "/" + name)
            names.append(name)
        }
        for name in names {
            try FileManager.default.moveItem(atPath: staging + "/" + name, toPath: inbox + "/" + name)
        }
        return names
    }

    @Test(arguments: TestBackend.available)
    func threeNodesOnASharedInboxTakeEveryFileOnceAndSurviveAKill(backend: TestBackend) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, location) = try await Self.catalog(backend, archive: archive)
            let daemons = try (1...3).map { number in
                try DaemonProcess(
                    inbox: inbox, archive: archive,
                    arguments: ["--catalog", catalog, "--shared-inbox", "--node", "node-\(number)"])
            }
            try await Self.waitUntilWatching(daemons)
            // 40 texts, each dropped twice under two names (the copies are byte-identical).
            let texts = Self.texts(40, seed: 7)
            var names = try Self.drop(texts, into: inbox, prefix: "a")
            names += try Self.drop(texts, into: inbox, prefix: "b")
            // One node is killed once the first decisions are in: whatever it had claimed is taken
            // over by the others, decided once, and what it had decided is only archived.
            _ = try await Self.waitForDecisions(5, location, seconds: 30)
            daemons[0].kill9()
            let decisions = try await Self.waitForDecisions(names.count, location)
            #expect(decisions.count == names.count, "\(daemons[1].logTail())")
            let byFile = Dictionary(grouping: decisions, by: { $0.file ?? "" })
            #expect(Set(byFile.keys) == Set(names))
            #expect(byFile.values.allSatisfy { $0.count == 1 }, "\(byFile.filter { $0.value.count > 1 }.keys.sorted())")
            #expect(decisions.filter { $0.kind == .newArticle }.count == texts.count)
            #expect(decisions.filter { $0.kind == .duplicate }.count == texts.count)
            // Nothing left in the Inbox or in any node's claims.
            for _ in 0..<100 where !files(in: inbox).filter({ !$0.hasSuffix("/.lock") }).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(files(in: inbox).filter { !$0.hasSuffix("/.lock") }.isEmpty, "\(files(in: inbox))")
            for daemon in daemons.dropFirst() { #expect(await daemon.stop() == 0) }
            let verify = try EndToEndTests.run(["verify", "--archive", archive, "--catalog", catalog])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            let status = try EndToEndTests.run(["status", "--json", "--archive", archive, "--inbox", inbox, "--catalog", catalog])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let nodes = (object?["nodes"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(Set(nodes ?? []) == ["node-1", "node-2", "node-3"])
        }
    }

    /// Two nodes, each with an Inbox of its own, get the same files at the same moment: every text
    /// becomes one new article, never two, however their decisions interleave.
    @Test(arguments: TestBackend.available)
    func nodesWithInboxesOfTheirOwnNeverBothMakeANewArticle(backend: TestBackend) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let second = inbox + "-2"
            try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: second) }
            let (catalog, location) = try await Self.catalog(backend, archive: archive)
            let daemons = try [inbox, second].map { folder in
                try DaemonProcess(inbox: folder, archive: archive, arguments: ["--catalog", catalog])
            }
            try await Self.waitUntilWatching(daemons)
            let texts = Self.texts(30, seed: 11)
            // A revision of each text, too: near-copies arriving together also stay one article.
            let revisions = texts.map { $0.replacingOccurrences(of: "Report", with: "Updated report") + "\nCorrected.\n" }
            async let one = Task { try Self.drop(texts, into: inbox, prefix: "x") }.value
            async let two = Task { try Self.drop(revisions, into: second, prefix: "y") }.value
            let names = try await one + two
            let decisions = try await Self.waitForDecisions(names.count, location)
            #expect(decisions.count == names.count)
            #expect(decisions.filter { $0.kind == .newArticle }.count == texts.count, "\(decisions.map(\.kind))")
            #expect(decisions.filter { $0.kind == .newVersion }.count == texts.count)
            for daemon in daemons { #expect(await daemon.stop() == 0) }
        }
    }
}

extension MultiNodeTests {
    /// A node that died left a file claimed (in its folder of the shared Inbox, its lock free): a
    /// node that starts takes it over and decides it under the name it arrived with.
    @Test func aDeadNodesClaimedFileIsTakenOver() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let dead = inbox + "/.copydesk-claims/gone-00000000"
            try FileManager.default.createDirectory(atPath: dead + "/", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dead + "/.lock", contents: nil)
            try write(Self.texts(1, seed: 3)[0], to: dead + "/17-wire%2Fstory.txt")
            let daemon = try DaemonProcess(
                inbox: inbox, archive: archive, arguments: ["--shared-inbox", "--node", "survivor"])
            let location = CatalogLocation.sqlite(path: archive + "/copydesk.sqlite")
            let decisions = try await Self.waitForDecisions(1, location, seconds: 30)
            #expect(decisions.map(\.file) == ["wire/story.txt"], "\(daemon.logTail())")
            #expect(decisions.first?.kind == .newArticle)
            #expect(daemon.logTail(100).contains("took over 1 file claimed by a node that stopped"))
            for _ in 0..<50 where FileManager.default.fileExists(atPath: dead + "/17-wire%2Fstory.txt") {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(files(in: inbox).filter { !$0.hasSuffix("/.lock") }.isEmpty, "\(files(in: inbox))")
            #expect(await daemon.stop() == 0)
        }
    }
}

extension MultiNodeTests {
    /// The PostgreSQL server is killed while two nodes ingest, and started again: the nodes say
    /// what they wait for, retry, and resume; every file is decided once and the Archive agrees.
    @Test(.enabled(if: PostgresTestCluster.unavailableReason == nil, "PostgreSQL server binaries are not installed"))
    func aServerRestartMidIngestLosesAndDoublesNothing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        let cluster = try await PostgresTestCluster.start()
        try await withTemporaryDirectory { inbox, archive in
            let second = inbox + "-2"
            try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: second) }
            let catalog = try await cluster.createDatabase()
            let location = try CatalogLocation(catalog)
            let daemons = try [inbox, second].map { folder in
                try DaemonProcess(inbox: folder, archive: archive, arguments: ["--catalog", catalog])
            }
            try await Self.waitUntilWatching(daemons)
            let texts = Self.texts(60, seed: 23)
            var names = try Self.drop(Array(texts[..<20]), into: inbox, prefix: "p")
            names += try Self.drop(Array(texts[20..<30]), into: second, prefix: "q")
            _ = try await Self.waitForDecisions(3, location, seconds: 30)
            try await cluster.kill()
            // Files keep arriving while the server is down; they wait in the Inboxes.
            names += try Self.drop(Array(texts[30..<45]), into: inbox, prefix: "r")
            names += try Self.drop(Array(texts[45...]) + Array(texts[..<5]), into: second, prefix: "s")
            for _ in 0..<100 where !daemons.allSatisfy({ $0.logTail(200).contains("cannot be reached") }) {
                try await Task.sleep(for: .milliseconds(100))
            }
            for daemon in daemons {
                #expect(daemon.logTail(200).contains("PostgreSQL server cannot be reached"), "\(daemon.logTail())")
                #expect(daemon.isRunning)
            }
            let waiting = try EndToEndTests.run(["status", "--json", "--archive", archive, "--inbox", second, "--catalog", catalog])
            #expect(waiting.status == 0, "\(waiting.stderr)")
            #expect(waiting.stdout.contains("cannot be reached"), "\(waiting.stdout)")
            try await cluster.restart()
            let decisions = try await Self.waitForDecisions(names.count, location, seconds: 120)
            let byFile = Dictionary(grouping: decisions, by: { $0.file ?? "" })
            #expect(Set(byFile.keys) == Set(names), "\(daemons[0].logTail(60))")
            #expect(byFile.values.allSatisfy { $0.count == 1 }, "\(byFile.filter { $0.value.count > 1 }.keys.sorted())")
            #expect(decisions.filter { $0.kind == .newArticle }.count == texts.count)
            for daemon in daemons { #expect(await daemon.stop() == 0) }
            let verify = try EndToEndTests.run(["verify", "--archive", archive, "--catalog", catalog])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        }
        try await cluster.stop()
    }
}

extension MultiNodeTests {
    /// Three nodes on a shared Inbox, killed (`kill -9`) and restarted at random moments while files
    /// keep arriving, as `CrashSafetyTests` does with one daemon: every file ends with exactly one
    /// receipt and one decision, archived, whoever claimed it, took it over or died holding it.
    @Test(arguments: TestBackend.available)
    func threeNodesKilledAtRandomMomentsLoseAndDoubleNothing(backend: TestBackend) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        let seed = UInt64.random(in: 1...1_000_000)
        print("threeNodesKilledAtRandomMoments(\(backend)): seed \(seed)")
        var random = SplitMix(seed: seed)
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, location) = try await Self.catalog(backend, archive: archive)
            let staging = inbox + "/../staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            // 150 files: distinct texts, and every 5th a byte copy of an earlier one.
            let texts = Self.texts(120, seed: seed)
            var contents = [(name: String, text: String)]()
            for index in 0..<150 {
                let text = index % 5 == 4 ? contents[index / 2].text : texts[index - index / 5]
                contents.append((String(format: "file-%03d.txt", index), text))
            }
            let delays = (0..<150).map { _ in Int(random.next() % 10) + 2 }
            let arrivals = zip(contents, delays).map { ($0.0.name, $0.0.text, $0.1) }
            let writer = Task.detached { [arrivals] in
                for (name, text, delay) in arrivals {
                    try write(text, to: staging + "/" + name)
                    try FileManager.default.moveItem(atPath: staging + "/" + name, toPath: inbox + "/" + name)
                    try await Task.sleep(for: .milliseconds(delay))
                }
            }
            func start(_ number: Int) throws -> DaemonProcess {
                try DaemonProcess(
                    inbox: inbox, archive: archive,
                    arguments: ["--catalog", catalog, "--shared-inbox", "--node", "node-\(number)"])
            }
            var daemons = try (0..<3).map(start)
            for _ in 0..<12 {
                try await Task.sleep(for: .milliseconds(Int(random.next() % 400) + 80))
                let victim = Int(random.next() % 3)
                daemons[victim].kill9()
                daemons[victim] = try start(victim)
            }
            try await writer.value
            let decisions = try await Self.waitForDecisions(contents.count, location, seconds: 120)
            for _ in 0..<100 where !files(in: inbox).filter({ !$0.hasSuffix("/.lock") }).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            // (Each is stopped once it is up: a SIGTERM before its handlers exist ends it by default.)
            try await Self.waitUntilWatching(daemons)
            for daemon in daemons {
                let status = await daemon.stop()
                #expect(status == 0, "seed \(seed): exit \(String(describing: status)): \(daemon.logTail(30))")
            }
            #expect(files(in: inbox).filter { !$0.hasSuffix("/.lock") }.isEmpty, "seed \(seed): \(files(in: inbox))")
            let byFile = Dictionary(grouping: decisions, by: { $0.file ?? "" })
            #expect(Set(byFile.keys) == Set(contents.map(\.name)), "seed \(seed)")
            #expect(byFile.values.allSatisfy { $0.count == 1 }, "seed \(seed): \(byFile.filter { $0.value.count > 1 }.keys.sorted())")
            #expect(decisions.filter { $0.kind == .duplicate }.count == 30, "seed \(seed)")
            let reader = try await location.openForReading()
            #expect(try await reader.counts().receipts == contents.count, "seed \(seed)")
            #expect(try await reader.pendingReceipts().isEmpty, "seed \(seed)")
            await reader.close()
            let verify = try EndToEndTests.run(["verify", "--archive", archive, "--catalog", catalog])
            #expect(verify.status == 0, "seed \(seed): \(verify.stdout)\(verify.stderr)")
        }
    }
}

/// A small seeded generator, so that a failing run can be repeated.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
