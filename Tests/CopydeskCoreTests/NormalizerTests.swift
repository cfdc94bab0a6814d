import CopydeskCore
import Testing

struct NormalizerTests {
    @Test func whitespaceOnlyIsRejected() {
        do {
            _ = try Normalizer().normalize(Array(" \n\t\r\n  \n".utf8))
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .emptyInput)
            #expect(error.code.isRejection)
        }
    }

    @Test func textKeepsItsCharset() throws {
        let article = try Normalizer().normalize([0x93, 0x48, 0x69, 0x94, 0x0A, 0x0A, 0x42, 0x6F, 0x64, 0x79, 0x2E])
        #expect(article.format == .text)
        #expect(article.charset == "windows-1252")
        #expect(article.title == "“Hi”")
        #expect(article.body == "Body.")
    }

    @Test func formatIsSniffedByContent() {
        #expect(FormatSniffer.sniff(prefix: "  <!DOCTYPE html><html>") == .html)
        #expect(FormatSniffer.sniff(prefix: "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">") == .xhtml)
        #expect(FormatSniffer.sniff(prefix: "<!-- saved --><html><body>") == .html)
        #expect(FormatSniffer.sniff(prefix: "Plain text about <b> tags") == .text)
    }
}
