import CopydeskCore
import Foundation
import CopydeskDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments while files keep arriving: every file ends up archived with exactly
/// one receipt and one decision event per item, or is still in the Inbox, and a last run finishes
/// the job. Some files hold several items (a ninjs array of four texts and a picture).
struct CrashSafetyTests {
    /// A ninjs array: four short texts and a picture.
    static func items(_ index: Int) -> String {
        let texts = (0..<4).map { item in
            #"{"uri": "urn:crash:\#(index):\#(item)", "type": "text", "headline": "Agenda \#(index), point \#(item)", "#
                + #""body_text": "Point \#(item) of agenda \#(index) went to a vote on day \#(index * 3 + item)."}"#
        }
        return "[" + (texts + [#"{"uri": "urn:crash:\#(index):pic", "type": "picture", "headline": "Photo"}"#])
            .joined(separator: ",\n") + "]\n"
    }

    @Test func killNineAtRandomMomentsLosesAndDoublesNothing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let staging = inbox + "/../staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            // 240 files: unique stories (every 10th an array of items), and every 8th a byte copy of
            // an earlier one.
            var contents = [(name: String, text: String)]()
            for index in 0..<240 {
                let text =
                    index % 8 == 7
                    ? contents[index / 2].text
                    : index % 10 == 3
                        ? Self.items(index)
                        : "Story number \(index)\n\nThe council met for session \(index) and voted on item \(index * 7).\n"
                contents.append((String(format: "file-%03d.txt", index), text))
            }
            // Each byte copy repeats every accepted item of the file it copies.
            let expectedDuplicates = contents.enumerated().filter { $0.offset % 8 == 7 }.reduce(0) { total, entry in
                total + (entry.element.text.hasPrefix("[") ? 4 : 1)
            }
            let names = contents.map(\.name)
            let delivered = contents

            let writer = Task.detached {
                for (name, text) in delivered {
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
            let catalog = CatalogLocation.sqlite(path: archive + "/copydesk.sqlite")
            for _ in 0..<150 {
                if let reader = try? await catalog.openForReading() {
                    let counts = try await reader.counts()
                    let pending = try await reader.pendingReceipts()
                    await reader.close()
                    if counts.receipts >= names.count, pending.isEmpty, files(in: inbox).isEmpty { break }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await daemon.stop() == 0)

            #expect(files(in: inbox).isEmpty)
            let reader = try await catalog.openForReading()
            #expect(try await reader.counts().receipts == names.count)
            #expect(try await reader.pendingReceipts().isEmpty)
            for file in try await reader.archivedFiles() {
                let path = archive + "/" + file.path
                let bytes = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
                #expect(SHA256Digest.hex(of: [UInt8](bytes)) == file.sha256)
            }
            let decisions = Dictionary(
                grouping: try await reader.events(limit: 0).filter(\.kind.isDecision), by: { $0.file ?? "" })
            #expect(Set(decisions.keys) == Set(names))
            for (name, text) in contents {
                let items = decisions[name]?.map(\.item) ?? []
                #expect(items == (text.hasPrefix("[") ? [0, 1, 2, 3, 4] : [nil]), "\(name): \(items)")
            }
            #expect(try await reader.counts().duplicates == expectedDuplicates)
            await reader.close()
        }
    }
}
