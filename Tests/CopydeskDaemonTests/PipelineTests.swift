import CopydeskCore
@testable import CopydeskDaemon
import Foundation
import Testing

struct PipelineTests {
    func makePipeline(archive: String, origin: ReceiptOrigin = .inbox) throws -> Pipeline {
        let folder = try Archive(root: archive)
        let store = try SQLiteCatalog(path: archive + "/copydesk.sqlite")
        return Pipeline(catalog: store, archive: folder, origin: origin, logger: quietLogger)
    }

    func sources(_ inbox: String) -> [SourceFile] {
        InboxScanner.scan(inbox).map { SourceFile(path: inbox + "/" + $0, name: $0) }
    }

    @Test func filesMoveFromInboxToArchive() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/one.txt")
            try FileManager.default.createDirectory(atPath: inbox + "/wire", withIntermediateDirectories: true)
            try write(articleText, to: inbox + "/wire/copy.txt")
            try write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], to: inbox + "/photo.txt")
            try write("", to: inbox + "/empty.txt")
            try write("partial", to: inbox + "/download.part")
            let pipeline = try makePipeline(archive: archive)
            var decisions = [String: Decision]()
            await pipeline.process(sources(inbox), report: { outcome in
                if case .decided(let file, let result, let error) = outcome {
                    #expect(error == nil)
                    decisions[file.name] = result.decision
                }
            })
            #expect(decisions == [
                "empty.txt": .rejected, "one.txt": .newArticle, "photo.txt": .rejected, "wire/copy.txt": .duplicate,
            ])
            #expect(files(in: inbox) == ["download.part"])
            let archived = files(in: archive).filter { !$0.hasPrefix("copydesk.") }
            #expect(archived.filter { $0.hasPrefix("originals/") }.count == 1)  // byte-identical: stored once
            #expect(archived.filter { $0.hasPrefix("rejected/") }.map { String($0.dropFirst(22)) }.sorted() == [
                "empty.txt", "photo.txt",
            ])
            let events = try await pipeline.reader.events(limit: 0)
            #expect(events.filter(\.kind.isDecision).count == 4)
            #expect(events.filter { $0.kind == .archived }.count == 4)
            let rejection = events.first { $0.kind == .rejected && $0.file == "photo.txt" }
            #expect(rejection?.message?.contains("PNG image") == true)
        }
    }

    @Test func aCrashBetweenCommitAndArchiveMakesNoSecondReceipt() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/story.txt")
            let pipeline = try makePipeline(archive: archive)
            let file = sources(inbox)[0]
            // Commit as the pipeline would, then "crash" before the file is moved.
            guard case .submission(_, let submission) = pipeline.prepare(file) else {
                Issue.record("expected a submission")
                return
            }
            _ = try await pipeline.catalog.commit(submission)
            #expect(files(in: inbox) == ["story.txt"])

            // The restarted daemon sees the file again: it is only archived.
            let restarted = try makePipeline(archive: archive)
            var outcomes = [Pipeline.Outcome]()
            await restarted.process(sources(inbox), report: { outcomes.append($0) })
            guard case .recovered = outcomes.first else {
                Issue.record("expected a recovered outcome, got \(outcomes)")
                return
            }
            #expect(files(in: inbox).isEmpty)
            #expect(try await restarted.reader.counts().receipts == 1)
            #expect(try await restarted.reader.events(limit: 0).filter(\.kind.isDecision).count == 1)
            #expect(try await restarted.catalog.pendingReceipts().isEmpty)
        }
    }

    @Test func startupRecoveryFinishesAMoveThatHappenedBeforeTheCrash() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/story.txt")
            let pipeline = try makePipeline(archive: archive)
            guard case .submission(_, let submission) = pipeline.prepare(sources(inbox)[0]) else {
                Issue.record("expected a submission")
                return
            }
            let result = try await pipeline.catalog.commit(submission)
            try pipeline.archive.moveIn(inbox + "/story.txt", to: result.archivePath, expected: submission.identity)
            // Crash here: moved, but the receipt still says committed.
            #expect(try await makePipeline(archive: archive).recoverPendingReceipts() == 1)
            #expect(try await pipeline.catalog.pendingReceipts().isEmpty)
            #expect(try await pipeline.reader.counts().receipts == 1)
        }
    }

    @Test func ingestCopiesAndLeavesSourcesInPlace() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/story.txt")
            let pipeline = try makePipeline(archive: archive, origin: .ingest)
            var decisions = [Decision]()
            for _ in 0..<2 {
                await pipeline.process(sources(inbox), report: { outcome in
                    if case .decided(_, let result, nil) = outcome { decisions.append(result.decision) }
                })
            }
            #expect(decisions == [.newArticle, .duplicate])
            #expect(files(in: inbox) == ["story.txt"])
            #expect(files(in: archive).filter { $0.hasPrefix("originals/") }.count == 1)
        }
    }

    @Test func oversizedFilesAreRejectedWithoutBeingRead() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(String(repeating: "Long text. ", count: 200), to: inbox + "/big.txt")
            let folder = try Archive(root: archive)
            let store = try SQLiteCatalog(path: archive + "/copydesk.sqlite")
            var configuration = Pipeline.Configuration()
            configuration.maxFileBytes = 1000
            let pipeline = Pipeline(
                catalog: store, archive: folder, origin: .inbox, configuration: configuration,
                logger: quietLogger)
            await pipeline.process(sources(inbox))
            let event = try await store.events(kind: .rejected).first
            #expect(event?.message?.contains("over the size cap of 1000 bytes") == true)
            #expect(files(in: inbox).isEmpty)
        }
    }

    @Test func symlinksAreNotFollowed() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/../outside.txt")
            try FileManager.default.createSymbolicLink(atPath: inbox + "/link.txt", withDestinationPath: inbox + "/../outside.txt")
            let pipeline = try makePipeline(archive: archive)
            await pipeline.process(sources(inbox))
            let event = try await pipeline.reader.events(kind: .rejected).first
            #expect(event?.message?.contains("symbolic link") == true)
            #expect(FileManager.default.fileExists(atPath: inbox + "/../outside.txt"))
        }
    }

    @Test func fifosAreRejectedWithoutBlocking() async throws {
        try await withTemporaryDirectory { inbox, archive in
            #expect(mkfifo(inbox + "/pipe.txt", 0o644) == 0)
            try write(articleText, to: inbox + "/after.txt")
            let pipeline = try makePipeline(archive: archive)
            await pipeline.process(sources(inbox))
            let events = try await pipeline.reader.events(limit: 0).filter(\.kind.isDecision)
            #expect(events.map(\.kind) == [.newArticle, .rejected])
            #expect(events.last?.message == "a FIFO, not a regular file")
            #expect(files(in: inbox).isEmpty)
        }
    }

    @Test func metricsCountDecisionsBytesAndLatency() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/a.txt")
            try write(articleText, to: inbox + "/b.txt")
            try write("", to: inbox + "/c.txt")
            let metrics = PipelineMetrics()
            let folder = try Archive(root: archive)
            let pipeline = Pipeline(
                catalog: try SQLiteCatalog(path: archive + "/copydesk.sqlite"), archive: folder, origin: .inbox,
                metrics: metrics, logger: quietLogger)
            await pipeline.process(sources(inbox))
            let text = metrics.exposition()
            #expect(text.contains("copydesk_files_total{decision=\"new-article\"} 1\n"))
            #expect(text.contains("copydesk_files_total{decision=\"duplicate\"} 1\n"))
            #expect(text.contains("copydesk_files_total{decision=\"rejected\"} 1\n"))
            #expect(text.contains("copydesk_bytes_total \(2 * articleText.utf8.count)\n"))
            #expect(text.contains("copydesk_decision_seconds_bucket{le=\"+Inf\"} 3\n"))
            #expect(text.contains("copydesk_decision_seconds_count 3\n"))
            #expect(text.contains("# TYPE copydesk_decision_seconds histogram\n"))
            try metrics.write(to: archive + "/metrics.prom")
            #expect(FileManager.default.contents(atPath: archive + "/metrics.prom") == Data(text.utf8))
        }
    }

    @Test func temporaryAndHiddenNamesAreIgnored() {
        for name in [".hidden", "x.tmp", "x.part", "x.crdownload", ".x.swp", "Thumbs.db"] {
            #expect(InboxScanner.isIgnored(name: name), "\(name)")
        }
        #expect(!InboxScanner.isIgnored(name: "story.txt"))
    }

    @Test func safeNamesForTheArchive() {
        #expect(Archive.safeName("a/b/-x\ny.txt") == "_x_y.txt")
        #expect(Archive.safeName("..") == "_.")
        #expect(Archive.safeName(String(repeating: "é", count: 200)).utf8.count <= 120)
    }
}

extension Pipeline {
    /// The pipeline's catalog as the commands read it.
    var reader: any CatalogReader { catalog as! any CatalogReader }
}
