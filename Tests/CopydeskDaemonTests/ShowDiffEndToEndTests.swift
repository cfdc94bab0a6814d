import Foundation
import Testing

/// `copydesk ingest`, `log --json`, `show` and `diff` on a story and its versions, through the binary.
struct ShowDiffEndToEndTests {
    @Test func versionsAreLoggedShownAndDiffed() async throws {
        try await withTemporaryDirectory { inbox, archive in
            try write(Story.text, to: inbox + "/1-story.txt")
            try write(Story.revision, to: inbox + "/2-revision.txt")
            try write(Story.teaser, to: inbox + "/3-teaser.txt")
            try write(Story.other, to: inbox + "/4-other.txt")
            let ingest = try EndToEndTests.run(["ingest", inbox, "--archive", archive])
            #expect(ingest.status == 0, "\(ingest.stderr)")

            let decisions = try EndToEndTests.decisions(archive: archive)
            #expect(
                decisions.map { $0["event"] as? String } == [
                    "new-article", "new-version", "new-version", "new-article",
                ])
            #expect(decisions[1]["article"] as? Int == decisions[0]["article"] as? Int)
            #expect(decisions[2]["article"] as? Int == decisions[0]["article"] as? Int)
            #expect((decisions[1]["similarity"] as? Double ?? 0) > 0.8)
            #expect(decisions[3]["article"] as? Int != decisions[0]["article"] as? Int)

            let show = try EndToEndTests.run(["show", "1-story.txt", "--json", "--archive", archive])
            #expect(show.status == 0, "\(show.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let versions = try #require(object["versions"] as? [[String: Any]])
            #expect(versions.map { $0["relation"] as? String } == [nil, "revision", "excerpt"])
            #expect(versions[1]["parent"] as? Int == versions[0]["version"] as? Int)
            let receipts = try #require(object["receipts"] as? [[String: Any]])
            #expect(receipts.count == 3)
            #expect((receipts[0]["raw_sha256"] as? String)?.count == 64)

            let text = try EndToEndTests.run(["show", String(object["article"] as! Int), "--archive", archive])
            #expect(text.stdout.contains("revision"))
            #expect(text.stdout.contains("2-revision.txt"))

            let v1 = versions[0]["version"] as! Int
            let v2 = versions[1]["version"] as! Int
            let diff = try EndToEndTests.run(
                ["diff", "1-story.txt", String(v1), String(v2), "--archive", archive], environment: ["NO_COLOR": "1"])
            #expect(diff.status == 0, "\(diff.stderr)")
            #expect(diff.stdout.contains("[-240-] {+260+}"))
            #expect(diff.stdout.contains("{+The authority will publish"))
            #expect(!diff.stdout.contains("\u{1B}["))

            let unknown = try EndToEndTests.run(["show", "nothing-like-this.txt", "--archive", archive])
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("nothing-like-this.txt"))
            let wrongVersion = try EndToEndTests.run(["diff", "1-story.txt", String(v1), "99999", "--archive", archive])
            #expect(wrongVersion.status == 2)
        }
    }
}
