import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Through the binary, as the issue's steps go: what an article's current text is, what an untitled
/// article is called, and what `ingest` prints on a terminal.
struct CurrentTextEndToEndTests {
    static var seed000: String { SharedFiles.seedsFolder + "/" + (SharedFiles.seedNames.first ?? "") }

    /// Seed 000, then a teaser of it (its first five paragraphs and "Read more"): the full text stays
    /// current in `show`, `diff` and `search`.
    @Test func aTeaserAfterTheFullTextDoesNotReplaceIt() async throws {
        try #require(SharedFiles.seedNames.count == 5, "../shared/seeds is missing")
        try await withTemporaryDirectory { inbox, archive in
            let full = try String(contentsOfFile: Self.seed000, encoding: .utf8)
            let paragraphs = full.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let teaser = paragraphs.prefix(6).joined(separator: "\n\n") + "\n\nRead more\n"
            try write(teaser, to: inbox + "/teaser.txt")
            #expect(try EndToEndTests.run(["ingest", Self.seed000, "--archive", archive]).status == 0)
            #expect(try EndToEndTests.run(["ingest", inbox + "/teaser.txt", "--archive", archive]).status == 0)

            let show = try EndToEndTests.run(["show", "1", "--json", "--archive", archive])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let versions = try #require(object["versions"] as? [[String: Any]])
            try #require(versions.count == 2, "\(show.stdout)")
            #expect(versions[1]["relation"] as? String == "excerpt")
            #expect(object["current_version"] as? Int == versions[0]["version"] as? Int)
            #expect(object["latest_version"] as? Int == versions[1]["version"] as? Int)
            #expect(versions.map { $0["current"] as? Bool } == [true, false])

            let text = try EndToEndTests.run(["show", "1", "--archive", archive], environment: ["NO_COLOR": "1"])
            #expect(text.stdout.contains("current version \(versions[0]["version"] as! Int)"), "\(text.stdout)")

            // The default diff is about the current text, not the teaser against the full text.
            let diff = try EndToEndTests.run(["diff", "1", "--archive", archive], environment: ["NO_COLOR": "1"])
            #expect(diff.status == 0)
            #expect(!diff.stdout.contains("[-"), "\(diff.stdout)")

            // "Turkey" is only in the full text.
            #expect(!teaser.contains("Turkey") && full.contains("Turkey"))
            let search = try EndToEndTests.run(["search", "Turkey", "--json", "--archive", archive])
            #expect(search.status == 0, "\(search.stderr)")
            let firstLine = search.stdout.split(separator: "\n").first.map(String.init) ?? ""
            let hit = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any]
            #expect(hit?["article"] as? Int == 1, "\(search.stdout)")
        }
    }

    /// Seed 003's first line is not a headline: the log and `show` give its first words, marked as
    /// derived; JSON keeps `title` null and gives them as `display_title`.
    @Test func anUntitledArticleIsShownByItsFirstWords() async throws {
        let name = try #require(SharedFiles.seedNames.first { $0.hasPrefix("003") }, "../shared/seeds is missing")
        try await withTemporaryDirectory { _, archive in
            let path = SharedFiles.seedsFolder + "/" + name
            #expect(try EndToEndTests.run(["ingest", path, "--archive", archive]).status == 0)
            let log = try EndToEndTests.run(["log", "--archive", archive], environment: ["NO_COLOR": "1"])
            let line = try #require(log.stdout.split(separator: "\n").first { $0.contains("new-article") })
            #expect(line.contains("[US Secretary of State Antony Blinken"), "\(line)")
            let show = try EndToEndTests.run(["show", "1", "--archive", archive], environment: ["NO_COLOR": "1"])
            let heading = show.stdout.split(separator: "\n").first ?? ""
            #expect(heading.hasPrefix("article 1: [US Secretary of State"), "\(heading)")
            #expect(heading.hasSuffix("…]"))
            #expect(heading.count <= "article 1: []".count + 81)
            let json = try EndToEndTests.run(["show", "1", "--json", "--archive", archive])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let version = try #require((object["versions"] as? [[String: Any]])?.first)
            #expect(version["title"] is NSNull)
            #expect((version["display_title"] as? String)?.hasPrefix("US Secretary of State Antony Blinken") == true)
            #expect((object["display_title"] as? String)?.hasSuffix("…") == true)
        }
    }

    /// On a terminal `ingest` shows its progress bar, the summary and what needs a person's eye (a
    /// rejection with its reason), not a log line per file; `--verbose` brings those back, and so
    /// does a stderr that is not a terminal.
    @Test func ingestOnATerminalPrintsOnlyWhatNeedsAPersonsEye() async throws {
        try await withTemporaryDirectory { inbox, archive in
            for index in 0..<120 {
                try write("Item \(index)\n\nThe text of item number \(index) is a short article of its own. It has "
                    + "words enough: \(String(repeating: "word\(index) ", count: 12)).\n", to: inbox + "/\(index).txt")
            }
            try write([0, 1, 2, 3, 0, 0xFF], to: inbox + "/binary.dat")
            let quiet = try Self.runOnTerminal(["ingest", inbox, "--archive", archive + "-1"])
            #expect(quiet.contains("121 files ingested"), "\(quiet)")
            #expect(quiet.contains("binary.dat: rejected"), "\(quiet)")
            #expect(!quiet.contains(": new-article"), "\(quiet.prefix(2000))")

            let verbose = try Self.runOnTerminal(["ingest", "--verbose", inbox, "--archive", archive + "-2"])
            #expect(verbose.components(separatedBy: ": new-article").count - 1 == 120)

            let piped = try EndToEndTests.run(["ingest", inbox, "--archive", archive + "-3"])
            #expect(piped.stderr.components(separatedBy: ": new-article").count - 1 == 120)
        }
    }

    /// Runs the binary with stdout and stderr on a pseudo-terminal and returns what it wrote there.
    static func runOnTerminal(_ arguments: [String]) throws -> String {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(master >= 0)
        defer { close(master) }
        // grantpt, unlockpt and ptsname, which Glibc's Swift module does not declare.
        typealias Control = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        let grant = unsafeBitCast(try #require(dlsym(nil, "grantpt")), to: Control.self)
        let unlock = unsafeBitCast(try #require(dlsym(nil, "unlockpt")), to: Control.self)
        let name = unsafeBitCast(try #require(dlsym(nil, "ptsname")), to: Name.self)
        try #require(grant(master) == 0 && unlock(master) == 0)
        let slavePath = String(cString: try #require(name(master)))
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment["COPYDESK_LOG_LEVEL"] = nil
        environment["JOURNAL_STREAM"] = nil
        process.environment = environment
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        close(slave)
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if count <= 0 { break }  // EIO once the child closed the terminal
            output += buffer[..<count]
        }
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }
}
