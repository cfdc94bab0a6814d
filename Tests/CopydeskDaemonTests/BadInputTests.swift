import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile and odd input dropped into a watched Inbox: each file gets exactly one clear decision
/// (accepted when it is a real article in an odd encoding, otherwise rejected with a reason and
/// quarantined), nothing is left behind or lost, and the daemon keeps ingesting afterwards.
struct BadInputTests {
    enum Expect {
        case accepted
        case rejected(String)
        /// A file of this many items, each rejected with this reason.
        case rejectedItems(Int, String)
    }

    static func story(_ tag: String) -> String {
        "Story \(tag)\n\nThe council met on Tuesday to discuss matter \(tag), and agreed to meet again next week.\n"
    }

    static func html(_ body: String, head: String = "") -> String {
        "<!DOCTYPE html><html><head>\(head)</head><body>\(body)</body></html>"
    }

    /// The bad inputs: file name, bytes, expected decision.
    static func cases() -> [(String, [UInt8], Expect)] {
        var cases = [(String, [UInt8], Expect)]()
        func add(_ name: String, _ bytes: [UInt8], _ expect: Expect) { cases.append((name, bytes, expect)) }
        func add(_ name: String, _ text: String, _ expect: Expect) { add(name, Array(text.utf8), expect) }
        add("empty.txt", "", .rejected("empty"))
        add("whitespace.txt", " \n\t\n\r\n   ", .rejected("whitespace"))
        add("image.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], .rejected("PNG"))
        add("archive.zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0], .rejected("ZIP"))
        add("paper.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", .rejected("PDF"))
        add("program", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], .rejected("ELF"))
        add("nul.txt", Array(story("nul").utf8) + [0] + Array("more text".utf8), .rejected("NUL"))
        add("binary-noise.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }, .rejected("binary"))
        add("latin1.txt", Array("Caf".utf8) + [0xE9] + Array(" story\n\nThe caf".utf8) + [0xE9] + Array(" reopened on Monday after repairs.\n".utf8), .accepted)
        add("utf16le-bom.txt", [0xFF, 0xFE] + utf16(story("utf16le"), bigEndian: false), .accepted)
        add("utf16be-nobom.txt", utf16(story("utf16be"), bigEndian: true), .accepted)
        add("utf32le-bom.txt", [0xFF, 0xFE, 0, 0] + utf32(story("utf32")), .accepted)
        add("wrong-charset.html", html("<p>The café in the square reopened after the long repairs, the owner said.</p>",
            head: "<meta charset=\"shift_jis\">"), .accepted)
        add("unknown-charset.html", Array(html("<p>Le caf", head: "<meta charset=\"x-klingon\">").utf8) + [0xE9]
            + Array(" a rouvert lundi apr".utf8) + [0xE8] + Array("s les travaux, selon la mairie.</p></body></html>".utf8), .accepted)
        add("one-line-5mb.txt", String(repeating: "A very long line of wire copy without any break. ", count: 100_000), .accepted)
        add("200k-paragraphs.txt", (0..<200_000).map { "Paragraph \($0)." }.joined(separator: "\n\n"), .accepted)
        add("over-cap.txt", String(repeating: "x", count: 9 << 20), .rejected("size cap"))
        add("nested-100k.html", html(String(repeating: "<div>", count: 100_000)
            + "<p>Deep inside one hundred thousand elements lies a paragraph of real article text.</p>"), .accepted)
        add("entity-bomb.xhtml", """
            <?xml version="1.0"?>
            <!DOCTYPE html [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
            <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
            <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
            <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
            <html xmlns="http://www.w3.org/1999/xhtml"><body><p>Billion laughs: &h;</p>
            <p>A paragraph of article text that stands beside the entity bomb in this page.</p></body></html>
            """, .accepted)
        add("external-entity.xhtml", """
            <?xml version="1.0"?>
            <!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <html xmlns="http://www.w3.org/1999/xhtml"><body><p>Here: &secret;</p>
            <p>An article that tries to read a local file through an external entity.</p></body></html>
            """, .accepted)
        // Wire-shaped attacks.
        let bomb = "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaa\">" + (1...7).map { level in
            let name = "abcdefgh".map(String.init)
            return "<!ENTITY \(name[level]) \"" + String(repeating: "&\(name[level - 1]);", count: 10) + "\">"
        }.joined()
        add("g2-entity-bomb.xml", """
            <?xml version="1.0"?>
            <!DOCTYPE newsItem [\(bomb)]>
            <newsItem guid="urn:example:bomb" version="1"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>
            <contentMeta><headline>Laughs &h;</headline></contentMeta><contentSet><inlineData contenttype="text/plain">
            A paragraph of article text beside the entity bomb.</inlineData></contentSet></newsItem>
            """, .rejected("entity"))
        add("nitf-external-entity.xml", """
            <?xml version="1.0"?>
            <!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <nitf><head><title>Secret</title></head><body><body.content><p>Here: &secret;</p>
            <p>A wire story that tries to read a local file through an external entity.</p></body.content></body></nitf>
            """, .accepted)
        add("g2-network-dtd.xml", """
            <?xml version="1.0"?>
            <!DOCTYPE newsItem SYSTEM "http://203.0.113.1/evil.dtd">
            <newsItem guid="urn:example:dtd" version="1"><itemMeta><itemClass qcode="ninat:text"/></itemMeta>
            <contentMeta><headline>Remote DTD</headline></contentMeta><contentSet><inlineData contenttype="text/plain">
            A paragraph of wire text in an item whose DTD lies on a network that is never asked.</inlineData></contentSet></newsItem>
            """, .accepted)
        add("g2-concept.xml", """
            <?xml version="1.0"?>
            <conceptItem guid="urn:example:concept" version="1"><itemMeta><itemClass qcode="cinat:concept"/></itemMeta>
            <concept><name>Someone</name></concept></conceptItem>
            """, .rejected("not a news item"))
        add("ninjs-pictures.json", #"[{"uri": "urn:example:p1", "type": "picture"}, {"uri": "urn:example:p2", "type": "picture"}]"#,
            .rejectedItems(2, "picture"))
        add("iptc7901-cut.txt", "\u{01}xyz0012 3 pl 212\n\u{02}Headline cut short =\n\nKiel (xyz) - A message cut before its end",
            .accepted)
        add("mail-bad-base64.eml", """
            From: desk@example.org
            Subject: Broken
            Date: Mon, 2 Mar 2026 10:00:00 +0100
            MIME-Version: 1.0
            Content-Transfer-Encoding: base64

            !!!! not base64 at all ****
            """, .rejected("base64"))
        add("script-only.html", html("<script>document.write('hello world, this is not an article')</script>"), .rejected("text"))
        add("frameset.html", "<html><frameset cols=\"50%,50%\"><frame src=\"a.html\"><frame src=\"b.html\"></frameset></html>",
            .rejected("text"))
        add("no-body.html", "<html><head><title>Only a title</title></head></html>", .rejected("text"))
        add("broken.html", "<html><body><div><p>Broken <b>markup <i>with the article text of the broken page</p><table><tr><td>cell",
            .accepted)
        add("unterminated-comment.html", html("<p>Text of the article before the comment starts.</p><!-- never closed"), .accepted)
        add("megabyte-attribute.html", html("<p title=\"" + String(repeating: "z", count: 1 << 20)
            + "\">A paragraph with an enormous attribute but ordinary text.</p>"), .accepted)
        add("name\nwith newline.txt", story("newline"), .accepted)
        add("name \"with\" 'quotes'.txt", story("quotes"), .accepted)
        add("-leading-dash.txt", story("dash"), .accepted)
        add(String(repeating: "n", count: 236) + ".txt", story("long name"), .accepted)
        add("rtl-\u{202E}txt.exe", story("rtl"), .accepted)
        return cases
    }

    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func utf32(_ text: String) -> [UInt8] {
        text.unicodeScalars.flatMap { scalar in (0..<4).map { UInt8((scalar.value >> (8 * $0)) & 0xFF) } }
    }

    @Test func everyBadInputGetsOneClearDecision() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            let socket = try NotifySocket(path: inbox + "/../notify.sock")
            // A generous time limit: the 5 MB line and the 200k paragraphs are real articles, and a
            // debug or sanitizer build sharing two cores with the other tests takes its time over them.
            let daemon = try DaemonProcess(
                inbox: inbox, archive: archive, arguments: ["--max-file-mib", "8", "--file-timeout", "300"],
                notify: socket.path)
            var messages = [String]()
            try #require(socket.waitFor(seconds: 30, into: &messages) { $0.contains("READY=1") })

            let cases = Self.cases()
            for (name, bytes, _) in cases {
                try write(bytes, to: inbox + "/" + name)
            }
            // A name that is not UTF-8 (Latin-1 é), written byte for byte.
            let rawName = Array((inbox + "/caf").utf8) + [0xE9, 0x2E, 0x74, 0x78, 0x74, 0]
            let descriptor = rawName.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
            }
            _ = Self.story("latin1 name").withCString { Glibc.write(descriptor, $0, strlen($0)) }
            close(descriptor)
            // Things that are not regular files, and a folder whose file is taken.
            try write(Self.story("outside"), to: inbox + "/../outside.txt")
            try FileManager.default.createSymbolicLink(atPath: inbox + "/link.txt", withDestinationPath: inbox + "/../outside.txt")
            #expect(mkfifo(inbox + "/pipe", 0o644) == 0)
            try FileManager.default.createDirectory(atPath: inbox + "/folder/deeper", withIntermediateDirectories: true)
            try write(Self.story("in a folder"), to: inbox + "/folder/deeper/inside.txt")
            // A file that vanishes at once, and one written in several sessions.
            try write(Self.story("vanishing"), to: inbox + "/vanish.txt")
            unlink(inbox + "/vanish.txt")
            for part in 0..<5 {
                let handle = FileHandle(forWritingAtPath: inbox + "/growing.txt")
                    ?? { FileManager.default.createFile(atPath: inbox + "/growing.txt", contents: nil); return FileHandle(forWritingAtPath: inbox + "/growing.txt")! }()
                handle.seekToEndOfFile()
                handle.write(Data("Growing story part \(part): the council kept talking about the budget.\n\n".utf8))
                handle.closeFile()
                try await Task.sleep(for: .milliseconds(30))
            }

            let expectedNames = cases.map(\.0) + [#"caf\xE9.txt"#, "link.txt", "pipe", "folder/deeper/inside.txt"]
            var decisions = [[String: Any]]()
            // Generous: a debug build sharing two cores with the other tests takes a while over the
            // 5 MB line and the 200k paragraphs.
            let deadline = ContinuousClock.now + .seconds(300)
            while ContinuousClock.now < deadline {
                decisions = try EndToEndTests.decisions(archive: archive)
                let names = Set(decisions.compactMap { $0["file"] as? String })
                // Decisions are committed before the files move: wait for the moves too.
                if names.isSuperset(of: expectedNames), names.contains("growing.txt"), files(in: inbox).isEmpty { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            let expectedMissing = Set(expectedNames).subtracting(decisions.compactMap { $0["file"] as? String })
            if !expectedMissing.isEmpty {
                Issue.record("no decision for \(expectedMissing.sorted()); the daemon's log ends:\n\(daemon.logTail())")
            }
            for (name, _, expect) in cases {
                let mine = decisions.filter { $0["file"] as? String == name }
                if case .rejectedItems(let count, let reason) = expect {
                    #expect(mine.map { $0["item"] as? Int } == Array(0..<count), "\(name): \(mine)")
                    #expect(mine.allSatisfy { ($0["message"] as? String ?? "").contains(reason) }, "\(name): \(mine)")
                    continue
                }
                #expect(mine.count == 1, "\(name): \(mine.count) decisions")
                guard let decision = mine.first else { continue }
                let event = decision["event"] as? String ?? ""
                switch expect {
                case .accepted:
                    #expect(event == "new-article", "\(name): \(event) \(decision["message"] ?? "")")
                case .rejectedItems:
                    break
                case .rejected(let reason):
                    #expect(event == "rejected", "\(name): \(event)")
                    let message = decision["message"] as? String ?? ""
                    #expect(message.localizedCaseInsensitiveContains(reason), "\(name): \(message)")
                }
            }
            func decision(_ name: String) -> [String: Any]? { decisions.first { $0["file"] as? String == name } }
            #expect(decision(#"caf\xE9.txt"#)?["event"] as? String == "new-article")
            #expect((decision("link.txt")?["message"] as? String)?.contains("symbolic link") == true)
            #expect((decision("pipe")?["message"] as? String)?.contains("FIFO") == true)
            #expect(decision("folder/deeper/inside.txt")?["event"] as? String == "new-article")
            #expect(decision("growing.txt") != nil)
            #expect(decision("vanish.txt") == nil)
            #expect(FileManager.default.fileExists(atPath: inbox + "/../outside.txt"))

            // The external entity was never read.
            let search = try EndToEndTests.run(["search", "--json", "root", "--archive", archive])
            #expect(!search.stdout.contains("/bin/"))
            // Everything left the Inbox but the folders; the daemon still takes articles.
            #expect(files(in: inbox).isEmpty, "\(files(in: inbox))")
            try write(Self.story("after the storm"), to: inbox + "/after.txt")
            for _ in 0..<100 where !(try EndToEndTests.decisions(archive: archive).contains { $0["file"] as? String == "after.txt" }) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try EndToEndTests.decisions(archive: archive).contains {
                $0["file"] as? String == "after.txt" && $0["event"] as? String == "new-article"
            })
            let verify = try EndToEndTests.run(["verify", "--archive", archive])
            #expect(verify.status == 0, "\(verify.stdout)")
            #expect(await daemon.stop() == 0)
        }
    }
}
