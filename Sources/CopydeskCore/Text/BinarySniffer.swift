/// Tells text from binary by content: file signatures, NUL bytes and the share of control characters.
///
/// Never by libmagic, which calls plain news text "Blink archive data" now and then.
public enum BinarySniffer {
    /// Known binary formats by their leading bytes, named for the rejection reason. Signatures made of
    /// letters are long enough that no article starts with them.
    private static let signatures: [(name: String, offset: Int, magic: [UInt8])] = [
        ("PDF document", 0, Array("%PDF-".utf8)),
        ("PNG image", 0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ("JPEG image", 0, [0xFF, 0xD8, 0xFF]),
        ("GIF image", 0, Array("GIF87a".utf8)),
        ("GIF image", 0, Array("GIF89a".utf8)),
        ("WebP image", 8, Array("WEBPVP8".utf8)),
        ("WAV audio", 8, Array("WAVEfmt".utf8)),
        ("AVI video", 8, Array("AVI LIST".utf8)),
        ("TIFF image", 0, [0x49, 0x49, 0x2A, 0x00]),
        ("TIFF image", 0, [0x4D, 0x4D, 0x00, 0x2A]),
        ("ZIP archive (or an Office document, EPUB, JAR)", 0, [0x50, 0x4B, 0x03, 0x04]),
        ("ZIP archive", 0, [0x50, 0x4B, 0x05, 0x06]),
        ("gzip archive", 0, [0x1F, 0x8B]),
        ("bzip2 archive", 4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]),
        ("xz archive", 0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
        ("zstd archive", 0, [0x28, 0xB5, 0x2F, 0xFD]),
        ("7-Zip archive", 0, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]),
        ("RAR archive", 0, [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07]),
        ("tar archive", 257, Array("ustar".utf8)),
        ("ELF executable", 0, [0x7F, 0x45, 0x4C, 0x46]),
        ("Mach-O executable", 0, [0xCF, 0xFA, 0xED, 0xFE]),
        ("WebAssembly module", 0, [0x00, 0x61, 0x73, 0x6D]),
        ("SQLite database", 0, Array("SQLite format 3\0".utf8)),
        ("MP4/QuickTime media", 4, Array("ftyp".utf8)),
        ("Ogg media", 0, [0x4F, 0x67, 0x67, 0x53, 0x00]),
        ("MP3 audio", 0, [0x49, 0x44, 0x33, 0x03, 0x00]),
        ("MP3 audio", 0, [0x49, 0x44, 0x33, 0x04, 0x00]),
        ("Matroska/WebM media", 0, [0x1A, 0x45, 0xDF, 0xA3]),
        ("OLE2 document (old Office format)", 0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        ("Windows icon", 0, [0x00, 0x00, 0x01, 0x00]),
        ("Java class file", 0, [0xCA, 0xFE, 0xBA, 0xBE]),
    ]

    /// Refuses bytes that start like a known binary format.
    ///
    /// - Throws: ``CopydeskError`` `.binaryInput` naming the format.
    public static func checkSignature(_ bytes: [UInt8]) throws(CopydeskError) {
        for signature in signatures where bytes.count >= signature.offset + signature.magic.count {
            if bytes[signature.offset..<(signature.offset + signature.magic.count)].elementsEqual(signature.magic) {
                throw CopydeskError(.binaryInput, "binary file (\(signature.name)), not an article")
            }
        }
    }

    /// Refuses single-byte text with NUL bytes or more than 1% control characters.
    ///
    /// Control characters here are C0 controls other than tab, line feed, vertical tab, form feed,
    /// carriage return and escape, and DEL. Text editors and wire systems produce none of them; images,
    /// archives and executables are full of them.
    ///
    /// - Throws: ``CopydeskError`` `.binaryInput` with the count found.
    public static func checkControlBytes(_ bytes: ArraySlice<UInt8>) throws(CopydeskError) {
        // One pass over the raw bytes; most bytes of text are 0x20 or above and cost one compare.
        let (nul, control) = bytes.withUnsafeBufferPointer { buffer in
            var nul = 0
            var control = 0
            func count(_ byte: UInt8) {
                guard byte < 0x20 || byte == 0x7F else { return }
                switch byte {
                case 0: nul += 1
                case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B: break
                default: control += 1
                }
            }
            // Eight bytes at a time: a word none of whose bytes is below 0x20 or 0x7F (most of
            // any text) is passed over with a few arithmetic operations.
            let words = buffer.count / 8
            let raw = UnsafeRawBufferPointer(buffer)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            for word in 0 ..< words {
                let value = raw.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
                // A byte below 0x20, or equal to 0x7F (0x7F + 1 sets the high bit), or above 0x7F
                // (UTF-8, checked one by one only when its lead bytes trip the test below 0x20).
                let below = (value &- ones &* 0x20) & ~value & highs
                let delete = ((value ^ (ones &* 0x7F)) &- ones) & ~(value ^ (ones &* 0x7F)) & highs
                if below | delete != 0 {
                    for offset in word * 8 ..< word * 8 + 8 { count(buffer[offset]) }
                }
            }
            for offset in words * 8 ..< buffer.count { count(buffer[offset]) }
            return (nul, control)
        }
        try verdict(nul: nul, control: control, count: bytes.count, unit: "byte")
    }

    /// The same test on decoded text (UTF-16 and UTF-32 input, whose bytes are full of NULs).
    public static func checkDecoded(_ text: String) throws(CopydeskError) {
        try check(text.unicodeScalars.lazy.map(\.value), unit: "character")
    }

    /// Counts NULs and other control characters among `values` (bytes or code points) and refuses
    /// any NUL, or more than 1% controls.
    private static func check(_ values: some Sequence<UInt32>, unit: String) throws(CopydeskError) {
        var nul = 0
        var control = 0
        var count = 0
        for value in values {
            count += 1
            guard value < 0x20 || value == 0x7F else { continue }
            switch value {
            case 0: nul += 1
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B: break
            default: control += 1
            }
        }
        try verdict(nul: nul, control: control, count: count, unit: unit)
    }

    private static func verdict(nul: Int, control: Int, count: Int, unit: String) throws(CopydeskError) {
        if nul > 0 {
            throw CopydeskError(.binaryInput, "binary content: \(nul) NUL \(unit)\(nul == 1 ? "" : "s") in the text")
        }
        if control * 100 > count {
            throw CopydeskError(.binaryInput, "binary content: \(control) control characters in \(count) \(unit)s")
        }
    }
}
