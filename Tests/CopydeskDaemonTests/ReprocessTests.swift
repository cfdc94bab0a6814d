import CopydeskCore
@testable import CopydeskDaemon
import Foundation
import GRDB
import Testing

/// `reprocess` after a normalizer upgrade. An "older normalizer" is simulated by rewriting what the
/// catalog holds for some versions (their text, title or normalizer version), as an older release
/// would have left it; the archived originals stay untouched, as they are in real life.
struct ReprocessTests {
    /// Ingests `files` (name → text) into a fresh Archive and returns the catalog and archive.
    func ingest(_ files: [(String, String)], inbox: String, archive: String) async throws -> (SQLiteCatalog, Archive) {
        for (name, text) in files { try write(text, to: inbox + "/" + name) }
        let folder = try Archive(root: archive)
        let catalog = try SQLiteCatalog(path: archive + "/copydesk.sqlite")
        let pipeline = Pipeline(catalog: catalog, archive: folder, origin: .ingest, logger: quietLogger)
        await pipeline.process(InboxScanner.scan(inbox).map { SourceFile(path: inbox + "/" + $0, name: $0) })
        for (name, _) in files { try FileManager.default.removeItem(atPath: inbox + "/" + name) }
        return (catalog, folder)
    }

    func database(_ archive: String) throws -> DatabaseQueue {
        try DatabaseQueue(path: archive + "/copydesk.sqlite")
    }

    /// Rewrites what the catalog holds as an older release would have left it, search index
    /// included (the index reads the versions, so it is rebuilt from what they say now).
    func tamper(_ db: DatabaseQueue, _ body: @escaping @Sendable (Database) throws -> Void) async throws {
        try await db.write { db in
            try body(db)
            try db.execute(sql: "INSERT INTO article_search (article_search) VALUES ('rebuild')")
        }
    }

    func versionOf(_ file: String, in db: DatabaseQueue) throws -> Int64 {
        try db.read { try Int64.fetchOne($0, sql: "SELECT version_id FROM receipt WHERE file_name = ?", arguments: [file])! }
    }

    func run(_ reprocessor: Reprocessor) async throws -> [String: ReprocessResult] {
        var results = [String: ReprocessResult]()
        try await reprocessor.run { outcome in
            if case .done(let result) = outcome { results[result.target.fileName] = result }
        }
        return results
    }

    @Test func changedTextBecomesANewVersionAndMetadataIsUpdatedInPlace() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, folder) = try await ingest(
                [("story.txt", Story.text), ("other.txt", Story.other), ("plain.txt", articleText),
                 ("story2.txt", Story.text)],
                inbox: inbox, archive: archive)
            let db = try database(archive)
            let story = try versionOf("story.txt", in: db)
            let other = try versionOf("other.txt", in: db)
            let plain = try versionOf("plain.txt", in: db)
            // What an older normalizer left: a footer line kept in the story's text, a wrong title for
            // the other story, and the same text for the third.
            try await tamper(db) { db in
                try db.execute(sql: "UPDATE version SET normalizer_version = 1")
                try db.execute(
                    sql: "UPDATE version SET body = body || ?, content_sha256 = 'old-text' WHERE id = ?",
                    arguments: ["\n\nShare this article with your friends on all social networks today", story])
                try db.execute(sql: "UPDATE version SET title = 'Untitled page' WHERE id = ?", arguments: [other])
            }
            let receiptsBefore = try await db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM receipt") }
            let reprocessor = Reprocessor(catalog: catalog, archive: folder)
            // One original per distinct bytes: story2.txt has the same bytes as story.txt.
            #expect(try await reprocessor.remaining() == 3)

            let results = try await run(reprocessor)
            #expect(results.count == 3)
            #expect(results["story2.txt"] == nil)
            let renormalized = try #require(results["story.txt"])
            #expect(renormalized.outcome == .newVersion)
            #expect(renormalized.version != story)
            #expect((renormalized.similarity ?? 0) > 0.9)
            #expect(results["other.txt"]?.outcome == .metadata)
            #expect(results["other.txt"]?.message?.contains("title") == true)
            #expect(results["plain.txt"]?.outcome == .unchanged)

            // The new version descends from the old one, which is kept; it is now the latest.
            let record = try #require(try await catalog.article(renormalized.article))
            #expect(record.versions.map(\.id) == [story, renormalized.version])
            let newest = try #require(record.versions.last)
            #expect(newest.parent == story)
            #expect(newest.renormalized)
            #expect(newest.normalizerVersion == Normalizer.version)
            #expect(!newest.text.body.contains("Share this article"))
            #expect(record.latestVersion == renormalized.version)
            #expect(try await catalog.version(other)?.text.title == "Ferry strike called off after overnight talks")
            #expect(try await catalog.version(plain)?.normalizerVersion == Normalizer.version)
            // Search reads the new text and the corrected title.
            #expect(try await catalog.search("\"social networks\"", limit: 20).isEmpty)
            #expect(try await catalog.search("overnight talks", limit: 20).contains { $0.article == results["other.txt"]?.article })

            // The search index still agrees with the versions it reads.
            try await db.write { try $0.execute(sql: "INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 1)") }
            // Never a receipt more; every change logged once; a second run has nothing to do.
            #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM receipt") } == receiptsBefore)
            let events = try await catalog.events(limit: 0, kind: .reprocessed)
            #expect(Set(events.compactMap(\.file)) == ["story.txt", "other.txt"])
            #expect(try await reprocessor.remaining() == 0)
            #expect(try await run(reprocessor).isEmpty)
        }
    }

    @Test func aTextAnotherFileAlreadyBroughtIsKnownText() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, folder) = try await ingest([("story.txt", Story.text)], inbox: inbox, archive: archive)
            let db = try database(archive)
            let story = try versionOf("story.txt", in: db)
            try await tamper(db) { db in
                try db.execute(
                    sql: """
                        UPDATE version SET normalizer_version = 1, body = body || ?, content_sha256 = 'old-text'
                        WHERE id = ?
                        """,
                    arguments: ["\n\nAdvertisement: subscribe now and save forty percent on your first year", story])
            }
            // After the upgrade, the same story arrives as a page: the new normalizer's text of it is
            // stored as a version of its own.
            let page = "<html><head><title>\(Story.title)</title></head><body><article>"
                + Story.paragraphs.map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
            try write(page, to: inbox + "/story.html")
            let pipeline = Pipeline(catalog: catalog, archive: folder, origin: .ingest, logger: quietLogger)
            await pipeline.process([SourceFile(path: inbox + "/story.html", name: "story.html")])
            let pageVersion = try versionOf("story.html", in: db)
            #expect(pageVersion != story)

            let results = try await run(Reprocessor(catalog: catalog, archive: folder))
            #expect(results["story.txt"]?.outcome == .knownText)
            #expect(results["story.txt"]?.version == pageVersion)
            #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM version") } == 2)
            #expect(try await Reprocessor(catalog: catalog, archive: folder).remaining() == 0)
        }
    }

    @Test func anOriginalTheNormalizerNowRejectsKeepsItsVersion() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, _) = try await ingest([("story.txt", Story.text)], inbox: inbox, archive: archive)
            let db = try database(archive)
            let story = try versionOf("story.txt", in: db)
            try await tamper(db) { try $0.execute(sql: "UPDATE version SET normalizer_version = 1") }
            let target = try #require(try await catalog.reprocessTargets(after: 0, limit: 10).first)
            let results = try await catalog.recordReprocessed([
                (target, .failure(CopydeskError(.noText, "the page holds no article text")))
            ])
            #expect(results.first?.outcome == .nowRejected)
            #expect(results.first?.version == story)
            #expect(results.first?.message?.contains("no article text") == true)
            #expect(try await catalog.version(story) != nil)
            #expect(try await catalog.events(limit: 0, kind: .reprocessed).count == 1)
            #expect(try await catalog.reprocessTargetCount() == 0)
        }
    }

    @Test func aDryRunChangesNothing() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, folder) = try await ingest([("story.txt", Story.text)], inbox: inbox, archive: archive)
            let db = try database(archive)
            try await tamper(db) { db in
                try db.execute(
                    sql: "UPDATE version SET normalizer_version = 1, body = body || '\n\nMore', content_sha256 = 'x'")
            }
            let results = try await run(Reprocessor(catalog: catalog, archive: folder, dryRun: true))
            #expect(results["story.txt"]?.outcome == .newVersion)
            #expect(try await db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM version") } == 1)
            #expect(try await catalog.events(limit: 0, kind: .reprocessed).isEmpty)
            #expect(try await catalog.reprocessTargetCount() == 1)
        }
    }

    @Test func aMissingOrAlteredOriginalFailsAndStaysToDo() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (catalog, folder) = try await ingest(
                [("story.txt", Story.text), ("other.txt", Story.other)], inbox: inbox, archive: archive)
            let db = try database(archive)
            try await tamper(db) { try $0.execute(sql: "UPDATE version SET normalizer_version = 1") }
            let paths = try await db.read { db in
                try Row.fetchAll(db, sql: "SELECT file_name, archive_path FROM receipt").reduce(into: [String: String]()) {
                    $0[$1["file_name"]] = $1["archive_path"]
                }
            }
            try FileManager.default.removeItem(atPath: folder.absolute(paths["story.txt"]!))
            try write("tampered", to: folder.absolute(paths["other.txt"]!))
            var failures = [String: String]()
            try await Reprocessor(catalog: catalog, archive: folder).run { outcome in
                if case .failed(let target, let error) = outcome { failures[target.fileName] = error.message }
            }
            #expect(failures["story.txt"]?.contains("missing") == true)
            #expect(failures["other.txt"]?.contains("does not match") == true)
            #expect(try await catalog.reprocessTargetCount() == 2)
        }
    }

    /// The command as an operator runs it: JSON Lines of the changes and a summary; a second run
    /// has nothing to do; `show` and `log` tell what happened.
    @Test func theCommandReportsChangesOnceAndShowTellsThem() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { _, archive in
            #expect(try EndToEndTests.run(["ingest", SharedFiles.seedsFolder, "--archive", archive]).status == 0)
            let db = try database(archive)
            try await tamper(db) { db in
                try db.execute(sql: "UPDATE version SET normalizer_version = 1")
                try db.execute(
                    sql: "UPDATE version SET body = body || '\n\nRead more', content_sha256 = 'old' WHERE id = 1")
            }
            let run = try EndToEndTests.run(["reprocess", "--json", "--archive", archive])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.count == 2)
            #expect(lines.first?["outcome"] as? String == "new-version")
            #expect(lines.first?["previous_version"] as? Int == 1)
            #expect(lines.last?["originals"] as? Int == 5)
            #expect(lines.last?["unchanged"] as? Int == 4)
            #expect(lines.last?["new-version"] as? Int == 1)

            let again = try EndToEndTests.run(["reprocess", "--archive", archive])
            #expect(again.status == 0)
            #expect(again.stdout.contains("nothing to reprocess"))
            let log = try EndToEndTests.run(["log", "--json", "--event", "reprocessed", "--archive", archive])
            #expect(log.stdout.split(separator: "\n").count == 1)
            let show = try EndToEndTests.run(["show", "1", "--archive", archive])
            #expect(show.stdout.contains("renormalized"), "\(show.stdout)")
        }
    }
}
