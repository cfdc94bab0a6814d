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
            let url = try await PostgresTestCluster.shared().createDatabase()
            let copy = try EndToEndTests.run(["migrate-catalog", "--archive", archive, "--to", url, "--batch", "3"])
            #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
            #expect(copy.stdout.contains("every table matches"), "\(copy.stdout)")
            // The same answers from both catalogs.
            for arguments in [["log", "--json", "--limit", "0"], ["show", "6", "--json"], ["status", "--json"]] {
                let place = ["--archive", archive] + (arguments[0] == "status" ? ["--inbox", inbox] : [])
                let here = try EndToEndTests.run(arguments + place)
                let there = try EndToEndTests.run(arguments + place + ["--catalog", url])
                #expect(here.status == 0 && there.status == 0, "\(there.stderr)")
                if arguments[0] == "status" {
                    let (a, b) = (try Self.object(here.stdout), try Self.object(there.stdout))
                    for key in ["articles", "versions", "receipts", "duplicates", "rejected"] {
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
            // Articles 1-6 were copied (the seeds, then the story with its revision and teaser).
            #expect(log.stdout.contains("other.txt\",\"article\":7,\"version\":9"), "\(log.stdout)")
            let verify = try EndToEndTests.run(["verify", "--archive", archive, "--catalog", url])
            #expect(verify.status == 0, "\(verify.stdout)")
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
