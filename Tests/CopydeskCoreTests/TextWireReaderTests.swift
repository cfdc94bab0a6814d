import CopydeskCore
import Foundation
import Testing

/// IPTC 7901 and ANPA 1312 messages written for these tests after the formats' layouts (invented
/// text; the control characters spelled out).
struct TextWireReaderTests {
    static let soh = "\u{01}", stx = "\u{02}", etx = "\u{03}", eot = "\u{04}", syn = "\u{16}", del = "\u{7F}"

    func items(_ text: String) throws -> [Normalizer.ItemResult] {
        try Normalizer().normalizeItems(Array(text.utf8))
    }

    // MARK: IPTC 7901

    static let ferry7901 = soh + "xyz0012 3 pl 212  xyz 0000\n\nHafen/Verkehr/Schleswig-Holstein/\n" + stx
        + "(Berichtigung: Uhrzeit korrigiert)\nFähre nimmt wieder Kurs auf die Inseln\nVon Anna Beispiel, xyz\n(Foto Archiv) =\n\n"
        + "Nach drei Tagen Sturm fahren die Fähren wieder.\n\n"
        + "Kiel (xyz) - Nach drei Tagen Sturm hat die Reederei den\nBetrieb am Montag wieder aufgenommen. Die erste Fähre\nlegte um 6.30 Uhr ab.\n\n"
        + "Die Reederei erwartet volle Schiffe.\n\n"
        + "# Notizblock\n\n## Kontakte\n- Redaktion: Beispielstadt 0000 000000\n\n"
        + "xyz ab/cd yyzz n1 ef\n\n" + etx + "021230 Mär 26\n" + del + "\n" + del + eot

    static let bridge7901 = soh + "xyz0013 1 pl 12  xyz 0000\n\nVerkehr/\n" + stx
        + "EXTRA\nBrücke nach Sturm gesperrt =\n\nKiel (xyz) - Die Brücke über die Förde ist gesperrt.\n\n"
        + "xyz gh\n\n" + etx + "021300 Mär 26\n" + eot

    @Test func twoMessagesInOneFileGiveTwoResults() throws {
        let results = try items(Self.ferry7901 + "\n" + Self.bridge7901)
        #expect(results.count == 2)
        let ferry = try results[0].get()
        #expect(ferry.format == .iptc7901)
        #expect(ferry.title == "Fähre nimmt wieder Kurs auf die Inseln")
        #expect(ferry.byline == "Von Anna Beispiel, xyz")
        #expect(ferry.paragraphs == [
            "Nach drei Tagen Sturm fahren die Fähren wieder.",
            "Kiel (xyz) - Nach drei Tagen Sturm hat die Reederei den Betrieb am Montag wieder aufgenommen. Die erste Fähre legte um 6.30 Uhr ab.",
            "Die Reederei erwartet volle Schiffe.",
        ])
        let wire = try #require(ferry.wire)
        #expect(wire.id == nil)
        #expect(wire.status == "usable")
        #expect(wire.urgency == 3)
        #expect(wire.signals == ["(Berichtigung: Uhrzeit korrigiert)", "(Foto Archiv)"])
        #expect(wire.dateline == "Kiel (xyz) -")

        let bridge = try results[1].get()
        #expect(bridge.title == "Brücke nach Sturm gesperrt")
        #expect(bridge.byline == nil)
        #expect(bridge.paragraphs == ["Kiel (xyz) - Die Brücke über die Förde ist gesperrt."])
        #expect(bridge.wire?.signals == ["EXTRA"])
        #expect(bridge.wire?.urgency == 1)
    }

    @Test func aLeadNoticeAndAHeadlineOverTwoLines() throws {
        let message = Self.soh + "abc0101 2 i 300\n" + Self.stx
            + "1ST LEAD\nHarbour authority approves the new\nferry terminal\nBy Ann Example =\n\n"
            + "HARBOURTOWN (ABC) - The harbour authority on Monday approved plans\nfor a new ferry terminal on the eastern pier.\n"
            + Self.etx + Self.eot
        let article = try Normalizer().normalize(Array(message.utf8))
        #expect(article.title == "Harbour authority approves the new ferry terminal")
        #expect(article.byline == "By Ann Example")
        #expect(article.wire?.signals == ["1ST LEAD"])
        #expect(article.wire?.urgency == 2)
        #expect(article.paragraphs.count == 1)
        #expect(article.wire?.dateline == "HARBOURTOWN (ABC) -")
    }

    @Test func aNoticeBlockBeforeTheHeadlineAndABylineOverTwoLines() throws {
        let message = Self.soh + "xyz0020 2 pl 80\n" + Self.stx
            + "(Eil)\n\nRegierung legt Haushalt vor\nVon Anna Beispiel und\nBernd Muster, xyz =\n\n"
            + "Berlin (xyz) - Die Regierung hat ihren Haushalt vorgelegt.\n" + Self.etx + Self.eot
        let article = try Normalizer().normalize(Array(message.utf8))
        #expect(article.title == "Regierung legt Haushalt vor")
        #expect(article.byline == "Von Anna Beispiel und Bernd Muster, xyz")
        #expect(article.wire?.signals == ["(Eil)"])
        #expect(article.paragraphs == ["Berlin (xyz) - Die Regierung hat ihren Haushalt vorgelegt."])
    }

    @Test func withoutTheEqualsSignAShortFirstBlockIsTheHeading() throws {
        let message = Self.soh + "abc0021 4 i 60\n" + Self.stx
            + "URGENT\nPort strike ends after three days\n\nHARBOURTOWN (ABC) - Dock workers went back to work on\nThursday.\n"
            + Self.etx + Self.eot
        let article = try Normalizer().normalize(Array(message.utf8))
        #expect(article.title == "Port strike ends after three days")
        #expect(article.wire?.signals == ["URGENT"])
        #expect(article.paragraphs == ["HARBOURTOWN (ABC) - Dock workers went back to work on Thursday."])

        // A first paragraph of wrapped text is not taken for a headline.
        let plain = Self.soh + "abc0022 4 i 60\n" + Self.stx
            + "Dock workers went back to work on Thursday after a strike of\nthree days.\n\nThe port reopened.\n"
            + Self.etx + Self.eot
        let untitled = try Normalizer().normalize(Array(plain.utf8))
        #expect(untitled.title == nil)
        #expect(untitled.paragraphs.count == 2)
    }

    @Test func aMessageCutBeforeETXIsReadAsFarAsItGoes() throws {
        let cut = Self.soh + "xyz0014 3 pl 50\n" + Self.stx + "Sturm zieht ab =\n\nDer Sturm ist in der Nacht abgezogen. Die"
        let article = try Normalizer().normalize(Array(cut.utf8))
        #expect(article.format == .iptc7901)
        #expect(article.title == "Sturm zieht ab")
        #expect(article.paragraphs == ["Der Sturm ist in der Nacht abgezogen. Die"])
    }

    @Test func aMessageWithoutTextIsRejected() {
        #expect(throws: CopydeskError.self) {
            try Normalizer().normalize(Array((Self.soh + "xyz0015 3 pl 0\n" + Self.stx + "\n\n" + Self.etx + Self.eot).utf8))
        }
    }

    @Test func latin1MessagesAreDecoded() throws {
        var bytes = Array((Self.soh + "xyz0016 4 vm 20\n" + Self.stx + "Stra").utf8)
        bytes += [0xDF, 0x65] + Array(" gesperrt =\n\nDie Stra".utf8) + [0xDF, 0x65] + Array(" ist zu.\n".utf8) + [0x03, 0x04]
        let article = try Normalizer().normalize(bytes)
        #expect(article.title == "Straße gesperrt")
        #expect(article.paragraphs == ["Die Straße ist zu."])
        #expect(article.charset == "windows-1252")
    }

    // MARK: ANPA 1312

    static let harbourANPA = syn + syn + soh + "a0101\u{1F}-----\nu a\u{13}\u{11} BC-US--Harbour-Ferry 1stLd-Writethru     03-02 0120\n"
        + stx + "^BC-US--Harbour-Ferry, 1stLd-Writethru,120<\n^Harbour board approves ferry terminal<\n"
        + "^By Ann Example=\n^Example Press Writer=\n"
        + "\t   HARBOURTOWN (EP) -- The harbour board on Monday approved a new ferry terminal on the eastern pier.\n \n"
        + "\t   Work is due to start in September, the board said.\n\n"
        + "\t   " + etx + "EP-WF-03-02-26 1015GMT<\n\n\u{0C}\n" + eot

    static let libraryANPA = syn + syn + soh + "a0102\u{1F}-----\nr a\u{13}\u{11} BC-US--Library-Reopens     03-02 0040\n"
        + stx + "^BC-US--Library-Reopens,40<\n^Central library reopens<\n"
        + "\t   The central library reopened on Wednesday after a year of repairs.\n\n"
        + "\t   " + etx + "EP-WF-03-02-26 1102GMT<\n" + eot

    @Test func anANPAWritethruDeclaresItsTakeKeyAndSlug() throws {
        let results = try items(Self.harbourANPA + Self.libraryANPA)
        #expect(results.count == 2)
        let harbour = try results[0].get()
        #expect(harbour.format == .anpa1312)
        #expect(harbour.title == "Harbour board approves ferry terminal")
        #expect(harbour.byline == "By Ann Example")
        #expect(harbour.published == "2026-03-02T10:15:00Z")
        #expect(harbour.paragraphs == [
            "HARBOURTOWN (EP) -- The harbour board on Monday approved a new ferry terminal on the eastern pier.",
            "Work is due to start in September, the board said.",
        ])
        let wire = try #require(harbour.wire)
        #expect(wire.storyKey == "BC-US--Harbour-Ferry")
        #expect(wire.signals == ["1stLd-Writethru"])
        #expect(wire.urgency == 3)
        #expect(wire.id == nil)
        #expect(wire.status == "usable")

        let library = try results[1].get()
        #expect(library.title == "Central library reopens")
        #expect(library.byline == nil)
        #expect(library.wire?.signals == [])
        #expect(library.wire?.urgency == nil)
        #expect(library.wire?.storyKey == "BC-US--Library-Reopens")
    }

    @Test func framedFilesAreRecognisedByContent() {
        #expect(FormatSniffer.sniff(prefix: Self.ferry7901) == .iptc7901)
        #expect(FormatSniffer.sniff(prefix: Self.harbourANPA) == .anpa1312)
        #expect(FormatSniffer.sniff(bytes: Array(Self.harbourANPA.utf8)) == .anpa1312)
    }

    @Test func binaryWithAFramingStartIsStillBinary() {
        var bytes = Array((Self.soh + "xyz0001 3 pl 1\n" + Self.stx).utf8)
        bytes += (0 ..< 400).map { UInt8(truncatingIfNeeded: $0 &* 7) % 32 }
        #expect(throws: CopydeskError.self) { try Normalizer().normalize(bytes) }
    }
}
