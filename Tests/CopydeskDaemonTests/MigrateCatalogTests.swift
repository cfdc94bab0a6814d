import CopydeskDaemon
import Foundation
import Testing

/// `copydesk migrate-catalog`: an SQLite catalog copied into PostgreSQL reads the same there,
/// a second run copies nothing, and the copy goes on from the copied ids.
struct MigrateCatalogTests {
    @Test(.enabled(if: PostgresTestCluster.unavailableReason == nil, "PostgreSQL server binaries are not installed"))
    func anSQLiteCatalogCopiedIntoPostgreSQLReadsTheSame() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { inbox, archive in
            for name in SharedFiles.seedNames {
                try FileManager.default.copyItem(atPath: SharedFiles.seedsFolder + "/" + name, toPath: inbox + "/" + name)
            }
            try write(Story.text, to: inbox + "/story.txt")
            try write(Story.revision, to: inbox + "/story-revised.txt")
            try write(Story.teaser, to: inbox + "/story-teaser.txt")
            let ingest = try EndToEndTests.run(["ingest", inbox, "--archive", archive])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            // Agency wire: a file of two items, an item with a later version, and its withdrawal.
            let wire = inbox + "/../wire"
            try FileManager.default.createDirectory(atPath: wire, withIntermediateDirectories: true)
            let item = { (uri: String, version: String, status: String, body: String) in
                #"{"uri": "\#(uri)", "version": "\#(version)", "type": "text", "pubstatus": "\#(status)", "#
                    + #""copyrightholder": "Example Wire", "headline": "Harbour news", "body_text": "\#(body)"}"#
            }
            try write(
                "[" + item("urn:w:a", "1", "usable", "The harbour master retired on Friday after thirty years in the job.")
                    + ", " + item("urn:w:b", "1", "usable", "A new pilot boat entered service at the harbour mouth on Monday.")
                    + "]", to: wire + "/w1-array.json")
            try write(item("urn:w:x", "1", "usable", "Dock workers stayed off the job on Tuesday, halting traffic."), to: wire + "/w2-v1.json")
            try write(item("urn:w:x", "2", "usable", "Talks between the union and port operators resumed on Wednesday."), to: wire + "/w3-v2.json")
            try write(item("urn:w:x", "3", "canceled", ""), to: wire + "/w4-kill.json")
            let wired = try EndToEndTests.run(["ingest", wire, "--archive", archive])
            #expect(wired.status == 0, "\(wired.stderr)")
            // Regrouped (its progress is copied too).
            let regrouped = try EndToEndTests.run(["regroup", "--archive", archive])
            #expect(regrouped.status == 0, "\(regrouped.stderr)")
            let url = try await PostgresTestCluster.shared().createDatabase()
            let copy = try EndToEndTests.run(["migrate-catalog", "--archive", archive, "--to", url, "--batch", "3"])
            #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
            #expect(copy.stdout.contains("every table matches"), "\(copy.stdout)")
            // The same answers from both catalogs.
            for arguments in [
                ["log", "--json", "--limit", "0"], ["show", "6", "--json"], ["show", "9", "--json"], ["status", "--json"],
            ] {
                let place = ["--archive", archive] + (arguments[0] == "status" ? ["--inbox", inbox] : [])
                let here = try EndToEndTests.run(arguments + place)
                let there = try EndToEndTests.run(arguments + place + ["--catalog", url])
                #expect(here.status == 0 && there.status == 0, "\(there.stderr)")
                if arguments[0] == "status" {
                    let (a, b) = (try Self.object(here.stdout), try Self.object(there.stdout))
                    for key in ["articles", "versions", "receipts", "duplicates", "rejected", "killed"] {
                        #expect(a[key] as? Int == b[key] as? Int, "\(key)")
                    }
                } else {
                    #expect(here.stdout == there.stdout, "\(arguments[0])")
                }
            }
            let search = try EndToEndTests.run(["search", "ferry", "--json", "--archive", archive, "--catalog", url])
            #expect(search.stdout.contains("\"article\":6"), "\(search.stdout)")
            // Run again: nothing to copy, still the same.
            let again = try EndToEndTests.run(["migrate-catalog", "--archive", archive, "--to", url, "--json"])
            #expect(again.status == 0)
            let tables = again.stdout.split(separator: "\n").compactMap { try? Self.object(String($0)) }
            #expect(tables.filter { $0["table"] != nil }.allSatisfy { $0["copied"] as? Int == 0 && $0["same"] as? Bool == true })
            // The copy takes new files with ids after the copied ones.
            try write(Story.other, to: inbox + "/other.txt")
            let more = try EndToEndTests.run(["ingest", inbox + "/other.txt", "--archive", archive, "--catalog", url])
            #expect(more.status == 0, "\(more.stderr)")
            let log = try EndToEndTests.run(["log", "--json", "--limit", "2", "--event", "new-article", "--archive", archive, "--catalog", url])
            // Articles 1-9 were copied (the seeds, the story with its revision and teaser, two items
            // of one file, a wire story with a second version).
            #expect(log.stdout.contains("other.txt\",\"article\":10,\"version\":13"), "\(log.stdout)")
            let killed = try EndToEndTests.run(["show", "9", "--json", "--archive", archive, "--catalog", url])
            #expect(
                killed.stdout.contains("\"killed\":\"") && killed.stdout.contains("\"status\":\"canceled\""),
                "\(killed.stdout)")
            let verify = try EndToEndTests.run(["verify", "--archive", archive, "--catalog", url])
            #expect(verify.status == 0, "\(verify.stdout)")

            // reprocess on PostgreSQL: what an older normalizer would have left (an old title on one
            // version, trailing boilerplate in another's text) is read again from the originals.
            try Self.psql(
                url,
                """
                UPDATE version SET normalizer_version = 1, title = 'Untitled page' WHERE id = 2;
                UPDATE version SET normalizer_version = 1, content_sha256 = 'old-text',
                    body = body || E'\\n\\nShare this article with your friends on social networks' WHERE id = 3;
                """)
            #expect(try EndToEndTests.run(["search", "\"social networks\"", "--archive", archive, "--catalog", url])
                .stdout.contains("article 3"))
            let dryRun = try EndToEndTests.run(["reprocess", "--dry-run", "--json", "--archive", archive, "--catalog", url])
            #expect(dryRun.stdout.contains("\"dry_run\":true"), "\(dryRun.stdout)\(dryRun.stderr)")
            let reprocess = try EndToEndTests.run(["reprocess", "--json", "--archive", archive, "--catalog", url])
            #expect(reprocess.status == 0, "\(reprocess.stderr)")
            let outcomes = reprocess.stdout.split(separator: "\n").compactMap { try? Self.object(String($0)) }
            #expect(outcomes.contains { $0["version"] as? Int == 2 && $0["outcome"] as? String == "metadata" }, "\(reprocess.stdout)")
            #expect(outcomes.contains { $0["previous_version"] as? Int == 3 && $0["outcome"] as? String == "new-version" })
            let show = try Self.object(
                try EndToEndTests.run(["show", "3", "--json", "--archive", archive, "--catalog", url]).stdout)
            #expect((show["current_version"] as? [String: Any])?["id"] as? Int != 3, "\(show)")
            #expect(try EndToEndTests.run(["search", "\"social networks\"", "--archive", archive, "--catalog", url])
                .stderr.contains("no article matches"))
            #expect(try EndToEndTests.run(["reprocess", "--archive", archive, "--catalog", url]).stdout.contains("nothing to reprocess"))
        }
    }

    /// Runs SQL on the database at `url` with psql (what an operator, or an older release, did).
    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
