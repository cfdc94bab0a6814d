@testable import CopydeskDaemon
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Names that are not UTF-8 (`caf\xE9.txt` from an old Windows or Samba share) are named by an
/// escaped form that turns back into their bytes; nothing on disk is renamed.
struct FileNameTests {
    @Test func escapedNamesTurnBackIntoTheirBytes() {
        let cases: [[UInt8]] = [
            Array("plain.txt".utf8), Array("café.txt".utf8), [0x63, 0x61, 0x66, 0xE9] + Array(".txt".utf8),
            [0xFF, 0xFE, 0x00 + 0x41], Array(#"literal\x41 and \xE9 and \\ and \x"#.utf8),
            Array(#"a\b.txt"#.utf8), [0xE2, 0x82] + Array("cut".utf8), [0xC3] + Array(#"\x5C"#.utf8),
        ]
        for raw in cases {
            let escaped = FileName.escape(raw)
            #expect(FileName.bytes(escaped) == raw, "\(raw) → \(escaped)")
        }
        #expect(FileName.escape([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x74, 0x78, 0x74]) == #"caf\xE9.txt"#)
        #expect(FileName.escape(Array("café.txt".utf8)) == "café.txt")
        // A valid name that happens to hold `\xHH` keeps its backslash as an escape of its own.
        #expect(FileName.escape(Array(#"a\x41"#.utf8)) == #"a\x5Cx41"#)
        #expect(FileName.escape(Array(#"a\b"#.utf8)) == #"a\b"#)
    }

    /// `copydesk ingest DIR` leaves its sources as they are, byte for byte and name for name, and the
    /// read-only commands change nothing on disk; the log names the file by its escaped form.
    @Test func ingestAndTheReadOnlyCommandsLeaveOddNamesAsTheyAre() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let source = URL(fileURLWithPath: inbox).deletingLastPathComponent().path + "/drop"
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            let latin1 = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
            try writeRaw(name: latin1, in: source, text: articleText)
            try writeRaw(name: Array("binary-".utf8) + [0xFF] + Array(".bin".utf8), in: source, bytes: [0, 1, 2, 0, 0xFF])
            try writeRaw(name: latin1, in: inbox, text: articleText + "\nWaiting in the Inbox.\n")
            let sourcesBefore = try snapshot(source)
            let inboxBefore = try snapshot(inbox)

            let ingest = try EndToEndTests.run(["ingest", source, "--archive", archive])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            #expect(try snapshot(source) == sourcesBefore)

            for arguments in [
                ["status", "--archive", archive, "--inbox", inbox], ["status", "--json", "--archive", archive, "--inbox", inbox],
                ["log", "--archive", archive], ["log", "--json", "--archive", archive], ["show", "1", "--archive", archive],
                ["search", "ministers", "--archive", archive], ["verify", "--archive", archive],
                ["extract", "--json", inbox + "/" + FileName.escape(latin1)],
            ] {
                _ = try EndToEndTests.run(arguments)
                #expect(try snapshot(inbox) == inboxBefore, "\(arguments[0]) changed the Inbox")
                #expect(try snapshot(source) == sourcesBefore, "\(arguments[0]) changed the sources")
            }
            let log = try EndToEndTests.run(["log", "--json", "--archive", archive]).stdout
            #expect(log.contains(#""file":"caf\\xE9.txt""#), "\(log)")
            // The quarantined copy keeps the file's own name, bytes and all.
            let rejected = try rawNames(archive + "/rejected")
            #expect(rejected.contains { $0.suffix(9) == Array("-binary-".utf8) + [0xFF] } || rejected.contains {
                $0.count > 5 && Array($0.suffix(5)) == [0xFF] + Array(".bin".utf8)
            }, "\(rejected)")
            let show = try EndToEndTests.run(["show", #"caf\xE9.txt"#, "--archive", archive])
            #expect(show.status == 0, "\(show.stderr)")
        }
    }

    /// The daemon takes such a file under its own name and never renames it in the Inbox.
    @Test func theDaemonTakesAnOddNameWithoutRenamingIt() async throws {
        try await withTemporaryDirectory { inbox, archive in
            let (daemon, _) = try await DaemonProcess.startReady(inbox: inbox, archive: archive)
            let latin1 = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
            try writeRaw(name: latin1, in: inbox, text: articleText)
            let decisions = try await LoggedDecision.waitFor(1, in: archive + "/copydesk.sqlite", seconds: 30)
            #expect(decisions.map(\.file) == [#"caf\xE9.txt"#], "\(daemon.logTail())")
            #expect(try rawNames(inbox).isEmpty)
            await daemon.stop()
            let verify = try EndToEndTests.run(["verify", "--archive", archive])
            #expect(verify.status == 0)
        }
    }

    private func writeRaw(name: [UInt8], in folder: String, text: String) throws {
        try writeRaw(name: name, in: folder, bytes: Array(text.utf8))
    }

    private func writeRaw(name: [UInt8], in folder: String, bytes: [UInt8]) throws {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        let descriptor = path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        }
        try #require(descriptor >= 0)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// Every entry under `folder` by its raw name bytes.
    private func rawNames(_ folder: String) throws -> [[UInt8]] {
        guard let handle = opendir(folder) else { return [] }
        defer { closedir(handle) }
        var names = [[UInt8]]()
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Names (as bytes), sizes, modification times and contents of a folder's files.
    private func snapshot(_ folder: String) throws -> [String] {
        try rawNames(folder).map { name in
            let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
            var status = stat()
            let fd = path.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { pointer -> Int32 in
                    _ = lstat(pointer.baseAddress!, &status)
                    return open(pointer.baseAddress!, O_RDONLY)
                }
            }
            var content = [UInt8](repeating: 0, count: Int(status.st_size))
            if fd >= 0 {
                _ = content.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
            return "\(name) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(content)"
        }
    }
}
