import CopydeskCore
import Foundation
import Testing

/// E-mail messages written for these tests after RFC 5322, 2045-2047 and 3676 (invented text).
struct EmailReaderTests {
    func read(_ text: String) throws -> Article {
        try Normalizer().normalize(Array(text.utf8))
    }

    func read(_ bytes: [UInt8]) throws -> Article {
        try Normalizer().normalize(bytes)
    }

    @Test func base64Latin1WithAnEncodedSubjectAndAnAttachment() throws {
        let body = Array("Kiel (xyz) - Die F".utf8) + [0xE4] + Array("hre ".utf8) + [0xFC]
            + Array("ber die F".utf8) + [0xF6] + Array("rde f".utf8) + [0xE4] + Array("hrt wieder.\r\n".utf8)
        let attachment = Array("Anhang: Fahrplan, nicht zum Abdruck".utf8)
        let message = """
            From: Beispiel Nachrichten <desk@example.org>\r
            To: news@example.org\r
            Subject: =?iso-8859-1?q?F=E4hre?= =?iso-8859-1?q?_f=E4hrt?=\r
             wieder\r
            Date: Mon, 2 Mar 2026 10:15:00 +0100\r
            Message-ID: <ferry-20260302@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="=_part_1"\r
            \r
            This is a multi-part message in MIME format.\r
            \r
            --=_part_1\r
            Content-Type: text/plain; charset="ISO-8859-1"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Data(body).base64EncodedString(options: .lineLength76Characters))\r
            \r
            --=_part_1\r
            Content-Type: text/plain; name="fahrplan.txt"\r
            Content-Disposition: attachment; filename="fahrplan.txt"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(Data(attachment).base64EncodedString())\r
            --=_part_1--\r

            """
        let article = try read(message)
        #expect(article.format == .email)
        #expect(article.title == "Fähre fährt wieder")
        #expect(article.byline == nil)
        #expect(article.paragraphs == ["Kiel (xyz) - Die Fähre über die Förde fährt wieder."])
        #expect(article.charset == "windows-1252")
        #expect(article.published == "2026-03-02T10:15:00+01:00")
        let wire = try #require(article.wire)
        #expect(wire.id == "ferry-20260302@example.org")
        #expect(wire.status == "usable")
        #expect(wire.provider == "Beispiel Nachrichten")
        #expect(wire.dateline == "Kiel (xyz) -")
    }

    @Test func multipartAlternativePrefersThePlainPartAndDropsTheSignature() throws {
        let article = try read(
            """
            From: Example Press <wire@example.org>
            To: desk@example.org
            Subject: Harbour board approves ferry terminal
            Date: Mon, 02 Mar 2026 09:00:00 GMT
            Message-ID: <harbour-1@example.org>
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary=alt

            --alt
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            HARBOURTOWN (EP) -- The harbour board on Monday approved a new ferry term=
            inal on the eastern pier =E2=80=93 the first in forty years.

            Work is due to start in September.

            --=20
            Example Press, 1 Quay Street

            --alt
            Content-Type: text/html; charset=utf-8

            <html><body><p>HTML version that must not be read.</p></body></html>
            --alt--
            """)
        #expect(article.title == "Harbour board approves ferry terminal")
        #expect(article.paragraphs == [
            "HARBOURTOWN (EP) -- The harbour board on Monday approved a new ferry terminal on the eastern pier – the first in forty years.",
            "Work is due to start in September.",
        ])
        #expect(article.published == "2026-03-02T09:00:00Z")
    }

    @Test func anHTMLOnlyMessageGoesThroughTheHTMLRules() throws {
        let article = try read(
            """
            From: wire@example.org
            Subject: Library reopens
            Date: Wed, 4 Mar 2026 08:00:00 -0500
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b"

            --b
            Content-Type: text/html; charset="us-ascii"

            <html><body><p>The central library reopened on Wednesday after a year of repairs.</p>
            <p>It now opens on Sundays, the city said.</p></body></html>
            --b--
            """)
        #expect(article.paragraphs == [
            "The central library reopened on Wednesday after a year of repairs.",
            "It now opens on Sundays, the city said.",
        ])
        #expect(article.published == "2026-03-04T08:00:00-05:00")
        #expect(article.wire?.id == nil)
    }

    @Test func aTruncatedMultipartGivesWhatItHas() throws {
        let article = try read(
            """
            From: wire@example.org
            Subject: Storm warning
            Date: Thu, 5 Mar 2026 06:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="cut"

            --cut
            Content-Type: text/plain

            The weather service warned of gales along the coast. Ferries may
            """)
        #expect(article.title == "Storm warning")
        #expect(article.paragraphs == ["The weather service warned of gales along the coast. Ferries may"])
    }

    @Test func badBase64NeverCrashes() {
        let message = """
            From: wire@example.org
            Subject: Broken part
            Date: Thu, 5 Mar 2026 06:00:00 +0000
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            !!!!*** not base64 at all ***?? ==== A
            """
        // Either a clear rejection or an article under its subject; never a crash.
        do {
            let article = try read(message)
            #expect(article.title == "Broken part")
        } catch let error as CopydeskError {
            #expect(error.code.isRejection)
        } catch {
            Issue.record("not a CopydeskError: \(error)")
        }
    }

    @Test func aMessageWithOnlyAnAttachmentAndNoSubjectIsRejected() {
        #expect(throws: CopydeskError.self) {
            try read(
                """
                From: wire@example.org
                Date: Thu, 5 Mar 2026 06:00:00 +0000
                MIME-Version: 1.0
                Content-Type: application/pdf
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                """)
        }
    }

    @Test func aMessageForwardedInlineGivesItsText() throws {
        let article = try read(
            """
            From: editor@example.org
            To: desk@example.org
            Subject: Fwd: Port strike ends
            MIME-Version: 1.0
            Content-Type: message/rfc822

            From: wire@example.org
            Subject: Port strike ends
            Content-Type: text/plain; charset=utf-8

            Dock workers went back to work on Thursday.
            """)
        #expect(article.title == "Fwd: Port strike ends")
        #expect(article.paragraphs == ["Dock workers went back to work on Thursday."])
    }

    @Test func encodedWordsAreDecoded() {
        #expect(EmailReaderTests.decoded("=?utf-8?B?R3LDvG5lbg==?= =?utf-8?Q?_treffen_sich?=") == "Grünen treffen sich")
        #expect(EmailReaderTests.decoded("Plain subject") == "Plain subject")
    }

    static func decoded(_ subject: String) -> String? {
        let message = "From: a@example.org\nTo: b@example.org\nSubject: \(subject)\n\nText of the message.\n"
        return try? Normalizer().normalize(Array(message.utf8)).title
    }

    // MARK: Not e-mail

    @Test func textsThatOnlyLookLikeMailStayText() throws {
        let texts = [
            "From: our correspondent in Kiel\nThe ferries are running again after three days of storms.\n",
            "From: Anna\nSubject: lunch\n\nSee you at noon.\n",
            "Date: 2 March 2026\nFrom: the desk\n\nThe ferries are running again.\n",
            "Ferries are back =\n\nThe ferries are running again after three days of storms.\n",
            "Score = 3\nTotal = 7\n\nA table of results.\n",
        ]
        for text in texts {
            let article = try read(text)
            #expect(article.format == .text, "\(text)")
            #expect(article.wire == nil)
        }
    }
}
