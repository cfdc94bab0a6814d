import Foundation
import Testing

/// `status`, `log` and `search` in a loop while the daemon works through a backlog: never a
/// "database is locked", never a failure.
struct ReaderIsolationTests {
    @Test func readersNeverSeeALockedDatabase() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let total = 1500
            for index in 0..<total {
                try write(
                    "Council note \(index)\n\nThe council discussed item \(index) and adjourned at \(index % 24):00.\n",
                    to: inbox + "/note-\(index).txt")
            }
            try await Task.sleep(for: .milliseconds(1100))  // older than the startup scan's settle time
            let socket = try NotifySocket(path: inbox + "/../notify.sock")
            // Readers start as soon as the catalog exists, while the startup scan is under way.
            let daemon = try DaemonProcess(inbox: inbox, archive: archive, notify: socket.path)
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: archive + "/copydesk.sqlite") {
                try await Task.sleep(for: .milliseconds(20))
            }
            var readerRuns = 0
            var sawProgress = false
            var finished = false
            for _ in 0..<2000 {
                for arguments in [
                    ["status", "--json", "--inbox", inbox], ["log", "--limit", "20"], ["search", "council", "--limit", "3"],
                ] {
                    let run = try EndToEndTests.run(arguments + ["--archive", archive])
                    readerRuns += 1
                    #expect(run.status == 0, "\(arguments): \(run.stderr)")
                    #expect(!run.stderr.contains("locked"), "\(arguments): \(run.stderr)")
                    if arguments[0] == "status",
                        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                        let receipts = object["receipts"] as? Int
                    {
                        sawProgress = sawProgress || (receipts > 0 && receipts < total)
                        finished = receipts == total
                    }
                }
                if finished { break }
            }
            #expect(finished)
            #expect(sawProgress, "the readers never ran while the daemon was busy")
            #expect(readerRuns >= 6)
            var messages = [String]()
            #expect(socket.waitFor(seconds: 30, into: &messages) { $0.contains("READY=1") })
            #expect(await daemon.stop() == 0)
        }
    }
}
