import CopydeskCore
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments while files keep arriving: every file ends up archived with exactly
/// one receipt and one decision event, or is still in the Inbox, and a last run finishes the job.
struct CrashSafetyTests {
    @Test func killNineAtRandomMomentsLosesAndDoublesNothing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let staging = inbox + "/../staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            // 240 files: unique stories, and every 8th a byte copy of an earlier one.
            var contents = [(name: String, text: String)]()
            for index in 0..<240 {
                let text =
                    index % 8 == 7
                    ? contents[index / 2].text
                    : "Story number \(index)\n\nThe council met for session \(index) and voted on item \(index * 7).\n"
                contents.append((String(format: "file-%03d.txt", index), text))
            }
            let names = contents.map(\.name)

            let writer = Task.detached {
                for (name, text) in contents {
                    try write(text, to: staging + "/" + name)
                    // Atomic arrival, as mail and sync tools deliver: write elsewhere, rename in.
                    try FileManager.default.moveItem(atPath: staging + "/" + name, toPath: inbox + "/" + name)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 2...12)))
                }
            }
            var kills = 0
            while kills < 12 {
                let daemon = try DaemonProcess(inbox: inbox, archive: archive)
                try await Task.sleep(for: .milliseconds(Int.random(in: 60...500)))
                daemon.kill9()
                kills += 1
            }
            try await writer.value

            // A last, clean run takes whatever is left. (It is stopped only once it is up: a SIGTERM
            // before the signal handlers exist ends the process by the default action.)
            let socket = try NotifySocket(path: inbox + "/../notify.sock")
            let daemon = try DaemonProcess(inbox: inbox, archive: archive, notify: socket.path)
            var messages = [String]()
            #expect(socket.waitFor(seconds: 30, into: &messages) { $0.contains("READY=1") })
            let database = try DatabaseQueue(path: archive + "/copydesk.sqlite")
            for _ in 0..<150 {
                let archived = try await database.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM receipt WHERE state = 'archived'")!
                }
                if archived >= names.count && files(in: inbox).isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await daemon.stop() == 0)

            #expect(files(in: inbox).isEmpty)
            try await database.read { db in
                let receipts = try Row.fetchAll(db, sql: "SELECT file_name, state, raw_sha256, archive_path FROM receipt")
                #expect(receipts.count == names.count)
                #expect(Set(receipts.map { $0["file_name"] as String }) == Set(names))
                #expect(receipts.allSatisfy { ($0["state"] as String) == "archived" })
                for receipt in receipts {
                    let path = archive + "/" + (receipt["archive_path"] as String)
                    let bytes = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
                    #expect(SHA256Digest.hex(of: [UInt8](bytes)) == receipt["raw_sha256"] as String)
                }
                let decisions = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT file, count(*) AS n FROM event
                        WHERE kind IN ('new-article', 'new-version', 'duplicate', 'rejected') GROUP BY file
                        """)
                #expect(decisions.count == names.count)
                #expect(decisions.allSatisfy { ($0["n"] as Int) == 1 })
                let duplicates = try Int.fetchOne(db, sql: "SELECT count(*) FROM receipt WHERE decision = 'duplicate'")
                #expect(duplicates == 30)
            }
        }
    }
}
