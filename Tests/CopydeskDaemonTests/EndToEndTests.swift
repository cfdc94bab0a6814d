import Foundation
import Testing

/// Runs the built `copydesk` binary as a user would.
struct EndToEndTests {
    /// The `copydesk` binary built beside the test bundle (or `$COPYDESK_BIN`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["COPYDESK_BIN"] { return path }
        let testBundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBundle.deletingLastPathComponent().appendingPathComponent("copydesk").path
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func decisions(archive: String) throws -> [[String: Any]] {
        let output = try run(["log", "--json", "--limit", "0", "--archive", archive]).stdout
        return output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { ["new-article", "new-version", "duplicate", "rejected"].contains($0["event"] as? String) }
    }

    static func waitFor(_ count: Int, archive: String) async throws -> [[String: Any]] {
        for _ in 0..<100 {
            let found = try decisions(archive: archive)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try decisions(archive: archive)
    }

    @Test func seedsDroppedIntoAWatchedInboxBecomeFiveArticles() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "no copydesk binary at \(Self.binary)")
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { inbox, archive in
            let daemon = try DaemonProcess(inbox: inbox, archive: archive)
            // The daemon takes what is already waiting, then what arrives: drop one before it is up.
            for name in SharedFiles.seedNames {
                try FileManager.default.copyItem(atPath: SharedFiles.seedsFolder + "/" + name, toPath: inbox + "/" + name)
            }
            let first = try await Self.waitFor(5, archive: archive)
            #expect(first.count == 5)
            #expect(first.allSatisfy { $0["event"] as? String == "new-article" })
            #expect(files(in: inbox).isEmpty)

            try FileManager.default.copyItem(
                atPath: SharedFiles.seedsFolder + "/" + SharedFiles.seedNames[0], toPath: inbox + "/again.txt")
            let second = try await Self.waitFor(6, archive: archive)
            let again = second.first { $0["file"] as? String == "again.txt" }
            #expect(again?["event"] as? String == "duplicate")
            #expect(again?["article"] as? Int == first[0]["article"] as? Int)

            // A second daemon on the same Inbox is refused (unless both share it).
            let second2 = try Self.run(["watch", "--inbox", inbox, "--archive", archive])
            #expect(second2.status == 1)
            #expect(second2.stderr.contains("already watches this Inbox"), "\(second2.stderr)")
            let shared = try Self.run(["watch", "--inbox", inbox, "--archive", archive, "--shared-inbox"])
            #expect(shared.status == 1)
            #expect(shared.stderr.contains("does not share this Inbox"), "\(shared.stderr)")

            let status = try Self.run(["status", "--json", "--archive", archive, "--inbox", inbox])
            #expect(status.status == 0)
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            #expect(object?["articles"] as? Int == 5)
            #expect(object?["duplicates"] as? Int == 1)
            #expect((object?["daemon"] as? [String: Any])?["running"] as? Bool == true)
            #expect(status.stdout.split(separator: "\n").count == 1)

            #expect(await daemon.stop() == 0)  // SIGTERM: finish, then exit 0
            let stopped = try Self.run(["log", "--json", "--event", "stopped", "--archive", archive])
            #expect(stopped.stdout.contains("\"stopped\""))
        }
    }

    @Test func ingestExtractAndExitCodes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/a.txt")
            try write(articleText, to: inbox + "/b.txt")
            try write([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], to: inbox + "/c.jpg")
            let ingest = try Self.run(["ingest", inbox, "--archive", archive])
            #expect(ingest.status == 0)
            #expect(ingest.stdout.contains("3 files ingested: 1 new-article, 0 new-version, 1 duplicate, 1 rejected"))
            #expect(files(in: inbox) == ["a.txt", "b.txt", "c.jpg"])

            let extract = try Self.run(["extract", "--json", inbox + "/a.txt", inbox + "/c.jpg"])
            #expect(extract.status == 0)
            let lines = extract.stdout.split(separator: "\n").map {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.count == 2)
            #expect(lines[0]?["title"] as? String == "Ministers agree on a new budget")
            #expect((lines[0]?["content_sha256"] as? String)?.count == 64)
            #expect(lines[1]?["path"] as? String == inbox + "/c.jpg")
            #expect((lines[1]?["error"] as? String)?.contains("JPEG") == true)

            let verify = try Self.run(["verify", "--archive", archive])
            #expect(verify.status == 0)
            #expect(verify.stdout.contains("2 archived files checked"))  // a.txt and b.txt share one
            let search = try Self.run(["search", "--json", "budget", "--archive", archive])
            #expect(search.stdout.contains("\"title\":\"Ministers agree on a new budget\""))
            let since = try Self.run(["log", "--json", "--since", "1h", "--event", "rejected", "--archive", archive])
            #expect(since.stdout.split(separator: "\n").count == 1)

            let log = try Self.run(["log", "--archive", archive])
            #expect(log.status == 0)
            #expect(log.stdout.contains("new-article"))

            #expect(try Self.run(["log", "--archive", inbox + "/nowhere"]).status == 1)
            #expect(try Self.run(["log", "--limit", "x"]).status == 2)
            #expect(try Self.run(["frobnicate"]).status == 2)
            // An archived original altered behind copydesk's back is found.
            let original = try #require(files(in: archive).first { $0.hasPrefix("originals/") })
            let handle = try #require(FileHandle(forWritingAtPath: archive + "/" + original))
            handle.seekToEndOfFile()
            handle.write(Data("tampered".utf8))
            handle.closeFile()
            let tampered = try Self.run(["verify", "--archive", archive])
            #expect(tampered.status == 1)
            #expect(tampered.stdout.contains("mismatch: \(original)"))

            let missing = try Self.run(["ingest", inbox + "/missing.txt", "--archive", archive])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("missing.txt"))
        }
    }

    @Test func environmentVariablesChooseTheFolders() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary))
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/a.txt")
            let environment = ["COPYDESK_ARCHIVE": archive, "COPYDESK_INBOX": inbox]
            #expect(try Self.run(["ingest", inbox + "/a.txt"], environment: environment).status == 0)
            let status = try Self.run(["status", "--json"], environment: environment)
            #expect(status.stdout.contains("\"articles\":1"))
            #expect(status.stdout.contains("\"waiting\":1"))
        }
    }
}
