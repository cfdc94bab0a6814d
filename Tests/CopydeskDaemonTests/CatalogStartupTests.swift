import Foundation
import Testing

/// Commands run while a starting daemon creates or migrates the catalog say so; `status` still
/// reports what it knows and exits 0.
struct CatalogStartupTests {
    @Test func aCatalogBeingCreatedIsReportedNotFailed() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            // What a reader sees between the daemon's open and its first migration's commit: the
            // database file, with no tables yet.
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: archive + "/copydesk.sqlite", contents: Data()))
            let status = try EndToEndTests.run(["status", "--json", "--archive", archive, "--inbox", inbox])
            #expect(status.status == 0, "\(status.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            let catalog = try #require(object["catalog"] as? [String: Any])
            #expect(catalog["ready"] as? Bool == false)
            #expect(catalog["backend"] as? String == "sqlite")
            #expect((catalog["message"] as? String)?.contains("being created or migrated") == true)
            #expect(object["articles"] is NSNull)
            let text = try EndToEndTests.run(["status", "--archive", archive, "--inbox", inbox])
            #expect(text.status == 0)
            #expect(text.stdout.contains("being created or migrated"), "\(text.stdout)")
            let log = try EndToEndTests.run(["log", "--archive", archive])
            #expect(log.status == 1)
            #expect(log.stderr.contains("being created or migrated"), "\(log.stderr)")
        }
    }
}
