/// Text decoded from bytes, with the charset it was decoded from.
public struct DecodedText: Sendable, Hashable {
    public var text: String
    public var charset: Charset

    public init(text: String, charset: Charset) {
        self.text = text
        self.charset = charset
    }
}

/// Decodes the bytes of a text file: BOM first, then UTF-16/32 by their NUL patterns, then UTF-8 when
/// the bytes are valid UTF-8, else a declared charset, else windows-1252.
///
/// Binary input is refused before decoding (see ``BinarySniffer``), so every result is text a person
/// could read.
public enum TextDecoder {
    /// Decodes `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: the raw file content.
    ///   - declared: a charset the document declares (an HTML `<meta charset>`), used only when the
    ///     bytes carry no BOM and are not valid UTF-8.
    /// - Returns: the decoded text (without BOM) and its charset.
    /// - Throws: ``CopydeskError`` `.emptyInput`, `.binaryInput` or `.undecodable`.
    public static func decode(_ bytes: [UInt8], declared: Charset? = nil) throws(CopydeskError) -> DecodedText {
        if bytes.isEmpty {
            throw CopydeskError(.emptyInput, "empty file")
        }
        try BinarySniffer.checkSignature(bytes)
        if let (charset, bomLength) = byteOrderMark(bytes) {
            return try decode(bytes[bomLength...], as: charset)
        }
        if let charset = unicodeByNULPattern(bytes) {
            return try decode(bytes[...], as: charset)
        }
        // Some systems pad files with NUL bytes to a block size; padding is not content.
        let content = bytes[..<(bytes.lastIndex(where: { $0 != 0 }).map { $0 + 1 } ?? 0)]
        try BinarySniffer.checkControlBytes(content)
        if let text = String(validating: content, as: UTF8.self) {
            return DecodedText(text: text, charset: .utf8)
        }
        switch declared {
        case .utf16LE?, .utf16BE?, .utf32LE?, .utf32BE?, .utf8?, .windows1252?, nil:
            // A declared UTF-8 that is not valid UTF-8 is wrong; a declared UTF-16/32 without BOM or
            // NUL pattern is wrong too (the bytes are single-byte text). windows-1252 decodes any byte.
            return DecodedText(text: decodeWindows1252(content), charset: .windows1252)
        }
    }

    /// The charset a byte-order mark names, and the mark's length.
    public static func byteOrderMark(_ bytes: [UInt8]) -> (Charset, Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32LE, 4) }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32BE, 4) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
        return nil
    }

    /// UTF-16 or UTF-32 without a BOM, recognised by where the NUL bytes of mostly-ASCII text fall.
    ///
    /// Looks at the first 4 KiB: in UTF-16LE text of Latin script nearly every odd byte is NUL and no
    /// even byte is, in UTF-32LE three of every four bytes are. Text in other scripts without BOM
    /// cannot be recognised this way and is then refused as binary by its NUL bytes.
    static func unicodeByNULPattern(_ bytes: [UInt8]) -> Charset? {
        let sample = bytes.prefix(4096)
        guard sample.count >= 4, sample.count % 2 == 0 else { return nil }
        var nulAt = [0, 0, 0, 0]
        for (offset, byte) in sample.enumerated() where byte == 0 {
            nulAt[offset & 3] += 1
        }
        let quarter = sample.count / 4
        let total = nulAt.reduce(0, +)
        guard total * 4 >= sample.count else { return nil }
        let high = quarter * 9 / 10
        if sample.count % 4 == 0 {
            if nulAt[1] >= high, nulAt[2] >= high, nulAt[3] >= high, nulAt[0] == 0 { return .utf32LE }
            if nulAt[0] >= high, nulAt[1] >= high, nulAt[2] >= high, nulAt[3] == 0 { return .utf32BE }
        }
        let odd = nulAt[1] + nulAt[3]
        let even = nulAt[0] + nulAt[2]
        let half = sample.count / 2
        if odd >= half * 8 / 10, even == 0 { return .utf16LE }
        if even >= half * 8 / 10, odd == 0 { return .utf16BE }
        return nil
    }

    /// Decodes bytes known to be in `charset`.
    ///
    /// - Throws: ``CopydeskError`` `.undecodable` when UTF-16/32 bytes are malformed (odd length, lone
    ///   surrogates, code points out of range) in more than a few places, `.binaryInput` when the
    ///   decoded text holds control characters that text does not.
    public static func decode(_ bytes: ArraySlice<UInt8>, as charset: Charset) throws(CopydeskError) -> DecodedText {
        let text: String
        switch charset {
        case .utf8:
            if let valid = String(validating: bytes, as: UTF8.self) {
                text = valid
            } else {
                text = decodeWindows1252(bytes)
                try BinarySniffer.checkDecoded(text)
                return DecodedText(text: text, charset: .windows1252)
            }
        case .windows1252:
            text = decodeWindows1252(bytes)
        case .utf16LE, .utf16BE:
            text = try decodeUTF16(bytes, bigEndian: charset == .utf16BE)
        case .utf32LE, .utf32BE:
            text = try decodeUTF32(bytes, bigEndian: charset == .utf32BE)
        }
        try BinarySniffer.checkDecoded(text)
        return DecodedText(text: text, charset: charset)
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) throws(CopydeskError) -> String {
        guard bytes.count % 2 == 0 else {
            throw CopydeskError(.undecodable, "not valid UTF-16 text: odd number of bytes")
        }
        var units = [UInt16]()
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let first = UInt16(bytes[index]), second = UInt16(bytes[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        var scalars = String.UnicodeScalarView()
        var errors = 0
        var decoder = UTF16()
        var iterator = units.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error:
                errors += 1
                scalars.append("\u{FFFD}")
            }
        }
        try checkErrorRate(errors, of: units.count, charset: "UTF-16")
        return String(scalars)
    }

    private static func decodeUTF32(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) throws(CopydeskError) -> String {
        guard bytes.count % 4 == 0 else {
            throw CopydeskError(.undecodable, "not valid UTF-32 text: length is not a multiple of 4")
        }
        var scalars = String.UnicodeScalarView()
        var errors = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let b0 = UInt32(bytes[index]), b1 = UInt32(bytes[index + 1])
            let b2 = UInt32(bytes[index + 2]), b3 = UInt32(bytes[index + 3])
            let value = bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
            if let scalar = Unicode.Scalar(value) {
                scalars.append(scalar)
            } else {
                errors += 1
                scalars.append("\u{FFFD}")
            }
            index += 4
        }
        try checkErrorRate(errors, of: bytes.count / 4, charset: "UTF-32")
        return String(scalars)
    }

    /// A few malformed units are damage in transit and become U+FFFD; more than 1% means the bytes
    /// are not in this encoding at all.
    private static func checkErrorRate(_ errors: Int, of total: Int, charset: String) throws(CopydeskError) {
        if errors > 0, errors * 100 > total {
            throw CopydeskError(.undecodable, "not valid \(charset) text: \(errors) malformed code units")
        }
    }

    /// windows-1252 as WHATWG defines it: 0x80–0x9F map to typographic characters, the five bytes
    /// without a character there map to the C1 controls of the same value.
    public static func decodeWindows1252(_ bytes: ArraySlice<UInt8>) -> String {
        // Encoded to UTF-8 byte by byte (ASCII as it is), then made a string without validation.
        var utf8 = [UInt8]()
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
                continue
            }
            let scalar = byte <= 0x9F ? windows1252High[Int(byte - 0x80)] : UInt32(byte)
            if scalar < 0x800 {
                utf8.append(UInt8(0xC0 | (scalar >> 6)))
                utf8.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                utf8.append(UInt8(0xE0 | (scalar >> 12)))
                utf8.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                utf8.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
