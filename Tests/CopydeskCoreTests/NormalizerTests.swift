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

    @Test func pageAfterServerWarningsIsMarkup() throws {
        // PHP warnings, a stray style sheet or a script (kilobytes of them) before the page's `<html>`.
        let warning = "<br />\n<b>Deprecated</b>:  Assigning the return value of new by reference is deprecated in "
            + "<b>/www/htdocs/wp-settings.php</b> on line <b>520</b><br />\n"
        let preamble = String(repeating: warning, count: 40) + "<style>\n"
            + String(repeating: ".a { color: red; }\n", count: 200) + "</style>\n"
        let body = "<p>" + String(repeating: "The council met on Monday and agreed on the budget. ", count: 8) + "</p>"
        let page = preamble + "<!DOCTYPE html>\n<HTML lang=\"en\"><head><title>Budget</title></head><body>" + body
            + "</body></html>"
        #expect(page.utf8.count > 2048)
        #expect(FormatSniffer.sniff(prefix: page) == .html)
        let article = try Normalizer().normalize(Array(page.utf8))
        #expect(article.format == .html)
        #expect(article.title == "Budget")
        #expect(!article.body.contains("<b>"))
        #expect(article.body.contains("agreed on the budget"))
        // A long plain text that mentions other tags is still text.
        let wire = String(repeating: "Wire copy about <b> tags and <p> marks. ", count: 100)
        #expect(FormatSniffer.sniff(prefix: wire) == .text)
    }
}
