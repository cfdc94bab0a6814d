import CopydeskCore
import Testing

struct TextDecoderTests {
    @Test func utf8WithoutBOM() throws {
        let decoded = try TextDecoder.decode(Array("Café “quoted”".utf8))
        #expect(decoded.charset == .utf8)
        #expect(decoded.text == "Café “quoted”")
    }

    @Test func utf8BOMIsStripped() throws {
        let decoded = try TextDecoder.decode([0xEF, 0xBB, 0xBF] + Array("Héllo".utf8))
        #expect(decoded.charset == .utf8)
        #expect(decoded.text == "Héllo")
    }

    @Test(arguments: [
        ([UInt8]([0xFF, 0xFE, 0x48, 0x00, 0xE9, 0x00]), Charset.utf16LE),
        ([0xFE, 0xFF, 0x00, 0x48, 0x00, 0xE9], .utf16BE),
        ([0xFF, 0xFE, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0xE9, 0x00, 0x00, 0x00], .utf32LE),
        ([0x00, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0xE9], .utf32BE),
    ])
    func unicodeWithBOM(bytes: [UInt8], charset: Charset) throws {
        let decoded = try TextDecoder.decode(bytes)
        #expect(decoded.charset == charset)
        #expect(decoded.text == "Hé")
    }

    @Test func utf16WithoutBOMIsRecognisedByItsNULs() throws {
        let text = "Plain wire copy in UTF-16, no byte-order mark.\n"
        var little = [UInt8]()
        var big = [UInt8]()
        for unit in text.utf16 {
            little += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            big += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        #expect(try TextDecoder.decode(little) == DecodedText(text: text, charset: .utf16LE))
        #expect(try TextDecoder.decode(big) == DecodedText(text: text, charset: .utf16BE))
    }

    @Test func invalidUTF8FallsBackToWindows1252() throws {
        // 0x93/0x94 are curly quotes and 0xE9 is é in windows-1252; the bytes are not valid UTF-8.
        let decoded = try TextDecoder.decode([0x93, 0x43, 0x61, 0x66, 0xE9, 0x94, 0x20, 0x80])
        #expect(decoded.charset == .windows1252)
        #expect(decoded.text == "“Café” €")
        // Every byte is one character: ASCII as it is, 0xA0-0xFF as Latin-1, 0x80-0x9F by the table.
        let all = TextDecoder.decodeWindows1252(ArraySlice((0 ... 255).map { UInt8($0) }))
        let scalars = all.unicodeScalars.map(\.value)
        #expect(scalars.count == 256)
        #expect(scalars[0x41] == 0x41 && scalars[0xE9] == 0xE9 && scalars[0xFF] == 0xFF && scalars[0xA0] == 0xA0)
        #expect(scalars[0x80] == 0x20AC && scalars[0x99] == 0x2122 && scalars[0x81] == 0x81 && scalars[0x9F] == 0x178)
    }

    @Test func emptyInputIsRejected() {
        #expect(throws: CopydeskError.self) { try TextDecoder.decode([]) }
        do {
            _ = try TextDecoder.decode([])
        } catch {
            #expect(error.code == .emptyInput)
        }
    }

    @Test func nulBytesInTextAreBinary() {
        do {
            _ = try TextDecoder.decode(Array("Some text\0with a NUL in the middle of a line".utf8))
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .binaryInput)
            #expect(error.message.contains("NUL"))
        }
    }

    @Test func trailingNULPaddingIsIgnored() throws {
        let decoded = try TextDecoder.decode(Array("A padded file\n".utf8) + [0, 0, 0, 0])
        #expect(decoded.text == "A padded file\n")
    }

    @Test(arguments: [
        ([UInt8]([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00]), "PNG"),
        (Array("%PDF-1.7\n%âãÏÓ\n".utf8), "PDF"),
        ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], "ZIP"),
        ([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01], "ELF"),
    ])
    func knownBinaryFormatsAreNamed(bytes: [UInt8], name: String) {
        do {
            _ = try TextDecoder.decode(bytes)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .binaryInput)
            #expect(error.message.contains(name))
        }
    }

    @Test func controlCharactersMakeBinary() {
        let bytes = (0..<200).map { UInt8($0 % 8 + 1) } + Array("text".utf8)
        #expect(throws: CopydeskError.self) { try TextDecoder.decode(bytes) }
    }

    @Test func malformedUTF16IsUndecodable() {
        // A BOM, then lone low surrogates only.
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(repeating: [0x00, 0xDC], count: 50).flatMap { $0 }
        do {
            _ = try TextDecoder.decode(bytes)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.code == .undecodable)
        }
    }

    @Test func charsetLabels() {
        #expect(Charset(label: " UTF8 ") == .utf8)
        #expect(Charset(label: "ISO-8859-1") == .windows1252)
        #expect(Charset(label: "latin1") == .windows1252)
        #expect(Charset(label: "x-unknown") == nil)
    }
}
