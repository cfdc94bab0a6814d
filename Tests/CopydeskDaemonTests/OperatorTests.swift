import CopydeskCore
@testable import CopydeskDaemon
import Foundation
import GRDB
import Testing

struct TimeExpressionTests {
    let now = 1_795_000_000  // 2026-11-18T08:26:40Z

    @Test func relativeTimes() throws {
        #expect(try TimeExpression.parse("10m", now: now) == Timestamp.format(seconds: now - 600))
        #expect(try TimeExpression.parse("2h", now: now) == Timestamp.format(seconds: now - 7200))
        #expect(try TimeExpression.parse(" 3d ", now: now) == Timestamp.format(seconds: now - 3 * 86_400))
        #expect(try TimeExpression.parse("yesterday", now: now) == "2026-11-17T00:00:00.000Z")
        #expect(try TimeExpression.parse("today", now: now) == "2026-11-18T00:00:00.000Z")
    }

    @Test func isoTimes() throws {
        #expect(try TimeExpression.parse("2026-11-24", now: now) == "2026-11-24T00:00:00.000Z")
        #expect(try TimeExpression.parse("2026-11-24T09:30", now: now) == "2026-11-24T09:30:00.000Z")
        #expect(try TimeExpression.parse("2026-11-24 09:30:05Z", now: now) == "2026-11-24T09:30:05.000Z")
        #expect(try TimeExpression.parse("2026-11-24T09:30:05.250+01:00", now: now) == "2026-11-24T08:30:05.000Z")
    }

    @Test func nonsenseIsAUsageError() {
        for text in ["2026-13-01", "soon", "10 minutes", "2026-11-24T25:00"] {
            do {
                _ = try TimeExpression.parse(text, now: now)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == .usage)
            }
        }
    }

    @Test func lengthsOfTime() throws {
        #expect(try TimeExpression.duration("36h") == .seconds(36 * 3600))
        #expect(try TimeExpression.duration(" 3D ") == .seconds(3 * 86_400))
        #expect(try TimeExpression.duration("1w") == .seconds(7 * 86_400))
        #expect(TimeExpression.text(of: .seconds(3 * 86_400)) == "3d")
        #expect(TimeExpression.text(of: .seconds(36 * 3600)) == "36h")
        #expect(TimeExpression.text(of: .seconds(90)) == "90s")
        for text in ["3", "3 days", "d", "-1d", "1.5d", "yesterday"] {
            #expect(throws: CopydeskError.self, "accepted \(text)") { try TimeExpression.duration(text) }
        }
    }
}

struct SearchTests {
    func catalog(_ texts: [String], on backend: TestBackend) async throws -> any CatalogBackend {
        let catalog = try await backend.make()
        for (index, text) in texts.enumerated() {
            let bytes = Array(text.utf8)
            let sha = SHA256Digest.hex(of: bytes)
            _ = try await catalog.commit(
                Submission(
                    origin: .ingest, fileName: "\(index).txt", sourcePath: "/x/\(index).txt",
                    identity: FileIdentity(size: 1, modificationTimeNanoseconds: 1, inode: UInt64(index), device: 1),
                    rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(try Normalizer().normalize(bytes)),
                    archivePath: "originals/\(sha)"))
        }
        return catalog
    }

    @Test(arguments: TestBackend.available)
    func findsWordsInTitlesAndBodiesBestFirst(backend: TestBackend) async throws {
        let store = try await catalog([
            "Harbour closed by the storm\n\nThe port authority closed the harbour on Monday.",
            "Budget talks\n\nMinisters discussed the harbour budget among many other items of the year.",
            "Café reopens\n\nThe old café in the square reopened after the repairs.",
        ], on: backend)
        let hits = try await store.search("harbour", limit: 20)
        #expect(hits.map(\.article) == [1, 2])
        #expect(hits[0].snippet.contains(SearchHit.matchStart + "harbour" + SearchHit.matchEnd))
        #expect(try await store.search("cafe", limit: 20).map(\.article) == [3])  // accents do not matter
        #expect(try await store.search("harb*", limit: 20).count == 2)
        #expect(try await store.search("\"port authority\"", limit: 20).map(\.article) == [1])
        #expect(try await store.search("storm OR repairs", limit: 20).map(\.article).sorted() == [1, 3])
        #expect(try await store.search("harbour café", limit: 20).isEmpty)
        #expect(try await store.search("NEAR( AND -", limit: 20).isEmpty)  // operators are plain words
        await #expect(throws: CopydeskError.self) { try await store.search(" * \" ", limit: 20) }
    }

    /// A revision replaces its article's entry: the old text is no longer found, the index agrees
    /// with the versions it reads (an external-content index would break if told the wrong values).
    @Test(arguments: TestBackend.available)
    func aNewVersionReplacesTheEntry(backend: TestBackend) async throws {
        let first = "Harbour closed by the storm\n\nThe port authority closed the harbour on Monday after the "
            + "storm damaged the northern breakwater, and ferries were sent to the old town quay instead."
        let revised = first.replacingOccurrences(of: "northern breakwater", with: "southern lighthouse pier")
            + " Repairs will take a month."
        let store = try await catalog([first, revised], on: backend)
        #expect(try await store.search("breakwater", limit: 20).isEmpty)
        #expect(try await store.search("lighthouse", limit: 20).map(\.article) == [1])
        if let sqlite = store as? SQLiteCatalog {
            try await sqlite.queue.write { db in
                try db.execute(sql: "INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 1)")
            }
        }
    }
}

struct JSONObjectTests {
    @Test func escapesWhatBreaksALine() throws {
        var object = JSONObject()
        object.add("text", "a\"b\\c\nd\te\u{1}f\u{85}g\u{2028}h\u{2029}i\"\u{301}é")
        object.add("none", nil as String?)
        object.add("n", 3)
        object.add("x", 0.12345)
        #expect(object.rendered == #"{"text":"a\"b\\c\nd\te\u0001f\u0085g\u2028h\u2029i\"́é","none":null,"n":3,"x":0.123}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(object.rendered.utf8)) as? [String: Any]
        #expect(parsed?["text"] as? String == "a\"b\\c\nd\te\u{1}f\u{85}g\u{2028}h\u{2029}i\"\u{301}é")
    }
    @Test func nestsObjectsAndAppendsAsBytes() {
        var inner = JSONObject()
        inner.add("k", "v\u{1F}")
        var object = JSONObject()
        object.add("one", inner)
        object.add("none", nil as JSONObject?)
        object.add("list", [inner, inner])
        object.add("flag", true)
        let expected = #"{"one":{"k":"v\u001f"},"none":null,"list":[{"k":"v\u001f"},{"k":"v\u001f"}],"flag":true}"#
        #expect(object.rendered == expected)
        var bytes: [UInt8] = [0x5B]
        object.append(to: &bytes)
        #expect(bytes == [0x5B] + Array(expected.utf8))
    }
}
