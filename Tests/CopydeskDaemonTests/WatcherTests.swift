import CopydeskDaemon
import Foundation
import Testing

struct WatcherTests {
    @Test func reportsClosedFilesAndNewSubfolders() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            defer { watcher.stop() }
            try write(articleText, to: inbox + "/one.txt")
            let first = await watcher.next()
            #expect(first?.files == ["one.txt"])
            try FileManager.default.createDirectory(atPath: inbox + "/sub", withIntermediateDirectories: true)
            let second = await watcher.next()
            #expect(second?.rescan == true)
            try write(articleText, to: inbox + "/sub/two.txt")
            let third = await watcher.next()
            #expect(third?.files == ["sub/two.txt"])
        }
    }

    @Test func stopEndsTheStream() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let watcher = try InboxWatcher(inbox: inbox, logger: quietLogger)
            watcher.stop()
            #expect(await watcher.next() == nil)
        }
    }
}
