import CopydeskCore
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
