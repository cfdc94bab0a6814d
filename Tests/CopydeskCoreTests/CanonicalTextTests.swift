@testable import CopydeskCore
import Testing

struct CanonicalTextTests {
    @Test func quotesDashesCaseAndWhitespaceDoNotMatter() {
        let a = CanonicalText.key(paragraphs: ["“It’s time,” he said — twice.", "The  END came at noon."])
        let b = CanonicalText.key(paragraphs: ["\"it's time,\" HE SAID - twice. the end came at noon."])
        #expect(a == b)
    }

    @Test func compatibilityFormsFold() {
        #expect(CanonicalText.canonicalize("ﬁnal Straße ＡＢＣ") == CanonicalText.canonicalize("final STRASSE abc"))
    }

    @Test func boilerplateLinesDoNotCount() {
        let body = [
            "The alliance will keep its mission in Afghanistan for now, the ministers decided on Tuesday.",
            "A second paragraph with more of the story, and a quote from the secretary general.",
        ]
        let wrapped = ["Dunya News"] + body + ["Read more", "Leave a Comment", "© 2021 Example Media. All rights reserved."]
        #expect(CanonicalText.key(paragraphs: body) == CanonicalText.key(paragraphs: wrapped))
    }

    @Test func differentTextsDiffer() {
        #expect(CanonicalText.key(paragraphs: ["The minister resigned."]) != CanonicalText.key(paragraphs: ["The minister stayed."]))
    }

    @Test func aTextOfOnlyLabelsKeepsThem() {
        #expect(!CanonicalText.key(paragraphs: ["World News"]).isEmpty)
    }

    @Test func contentHashIsStableHex() {
        let article = Article(format: .text, charset: "utf-8", paragraphs: ["One paragraph."])
        #expect(article.contentSHA256.count == 64)
        #expect(article.contentSHA256 == SHA256Digest.hex(of: "one paragraph."))
    }

    @Test func streamingHashEqualsOneShotHash() {
        let bytes = (0..<10_000).map { UInt8($0 % 251) }
        var streaming = StreamingSHA256()
        streaming.update(bytes[..<4000])
        streaming.update(bytes[4000...])
        #expect(streaming.finalizeHex() == SHA256Digest.hex(of: bytes))
        #expect(SHA256Digest.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

struct CanonicalFastPathTests {
    /// Every scalar the fast path accepts, alone and between letters, canonicalizes exactly as
    /// Foundation's NFKC and case folding do.
    @Test func fastPathAgreesWithFoundationOnEveryScalarItAccepts() {
        var checked = 0
        for value in UInt32(0) ..< 0xA000 {
            guard CanonicalText.simpleFold(value) != nil, let scalar = Unicode.Scalar(value) else { continue }
            for text in ["\(scalar)", "Ab\(scalar)Cd", " \(scalar) x", "\(scalar)\(scalar)É"] {
                #expect(CanonicalText.canonicalizeSimple(text) == CanonicalText.canonicalizeByFoundation(text),
                        "U+\(String(value, radix: 16))")
            }
            checked += 1
        }
        #expect(checked > 200)
    }

    @Test func fastPathDeclinesWhatItDoesNotKnow() {
        #expect(CanonicalText.canonicalizeSimple("Ǆemal") == nil)
        #expect(CanonicalText.canonicalizeSimple("e\u{301}") == nil)
        #expect(CanonicalText.canonicalizeSimple("ﬁ") == nil)
        #expect(CanonicalText.canonicalizeSimple("Ελλάδα") == nil)
        #expect(CanonicalText.canonicalize("Straße") == CanonicalText.canonicalizeByFoundation("Straße"))
        #expect(CanonicalText.canonicalize("  Über „Anführungszeichen“ – und\u{AD}so…  ")
            == CanonicalText.canonicalizeByFoundation("  Über „Anführungszeichen“ – und\u{AD}so…  "))
    }
}
