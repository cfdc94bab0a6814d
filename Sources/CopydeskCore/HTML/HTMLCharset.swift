internal import Glibc

/// The charset of an HTML page and its bytes as UTF-8, ready for libxml2.
///
/// Order of evidence: a byte-order mark or the NUL pattern of UTF-16/32 (``TextDecoder``); then
/// bytes that are valid UTF-8, which are UTF-8 whatever the page declares (a page saved as UTF-8
/// keeps its old `<meta charset=iso-8859-1>` more often than not); then the charset the page
/// declares in `<meta charset>`, `<meta http-equiv="Content-Type">` or its XML declaration, decoded
/// with Glibc's iconv; else windows-1252, which decodes every byte.
enum HTMLCharset {
    struct Result {
        var utf8: [UInt8]
        /// The IANA name of the charset the bytes were decoded from.
        var charset: String
    }

    /// The page as UTF-8.
    ///
    /// - Parameters:
    ///   - bytes: the raw file.
    ///   - decoded: what ``TextDecoder`` made of the bytes without looking at the markup.
    static func utf8(_ bytes: [UInt8], decoded: DecodedText) -> Result {
        let label = decoded.charset == .windows1252 ? declaredLabel(in: bytes) : nil
        if let label, label == "utf-8" || label == "utf8" || label == "unicode-1-1-utf-8",
            let repaired = mostlyUTF8(bytes)
        {
            return Result(utf8: repaired, charset: "utf-8")
        }
        guard let label, let legacy = LegacyCharset(label: label),
            let converted = convert(bytes, from: legacy.iconvName)
        else {
            // UTF-8 without a byte-order mark or NUL padding: the decoded text is the file's bytes.
            if decoded.charset == .utf8, !bytes.starts(with: [0xEF, 0xBB, 0xBF]), bytes.last != 0 {
                return Result(utf8: bytes, charset: decoded.charset.rawValue)
            }
            return Result(utf8: Array(decoded.text.utf8), charset: decoded.charset.rawValue)
        }
        return Result(utf8: converted, charset: legacy.name)
    }

    /// A page that declares UTF-8 and is UTF-8 but for a few broken sequences (a string a server
    /// cut in the middle of a character): its bytes with each broken sequence replaced by U+FFFD,
    /// when at least twenty characters beyond ASCII decode for each one that does not; otherwise
    /// `nil` (the declaration is wrong and the page is in a legacy charset).
    static func mostlyUTF8(_ bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var broken = 0
        var decoded = 0
        for scalar in text.unicodeScalars where scalar.value >= 0x80 {
            if scalar == "\u{FFFD}" { broken += 1 } else { decoded += 1 }
        }
        guard broken * 20 <= decoded else { return nil }
        return Array(text.utf8)
    }

    /// The charset label a page declares in its first 16 KiB: `<meta charset=…>`, the `charset=`
    /// of a `<meta http-equiv="Content-Type" content=…>`, or the `encoding=` of an XML declaration.
    static func declaredLabel(in bytes: [UInt8]) -> String? {
        let limit = min(bytes.count, 16384)
        let head = bytes[0 ..< limit]
        if head.starts(with: Array("<?xml".utf8)), let end = head.firstIndex(of: UInt8(ascii: ">")) {
            if let label = value(after: "encoding", in: head[..<end]) { return label }
        }
        var index = 0
        while index < limit - 5 {
            defer { index += 1 }
            guard head[index] == UInt8(ascii: "<") else { continue }
            guard head[(index + 1) ..< (index + 5)].lowercasedASCIIContains("meta") else { continue }
            let end = head[index...].firstIndex(of: UInt8(ascii: ">")) ?? limit
            if let label = value(after: "charset", in: head[index ..< end]) { return label }
            index = end
        }
        return nil
    }

    /// The value that follows `name`, optional spaces, `=` and an optional quote in `tag`.
    private static func value(after name: StaticString, in tag: ArraySlice<UInt8>) -> String? {
        let pattern = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        var index = tag.startIndex
        while index + pattern.count <= tag.endIndex {
            defer { index += 1 }
            guard tag[index ..< index + pattern.count].lowercasedASCIIContains(name) else { continue }
            var position = index + pattern.count
            while position < tag.endIndex, tag[position] == 0x20 { position += 1 }
            guard position < tag.endIndex, tag[position] == UInt8(ascii: "=") else { continue }
            position += 1
            while position < tag.endIndex, [0x20, 0x22, 0x27].contains(tag[position]) { position += 1 }
            let start = position
            while position < tag.endIndex, isLabelByte(tag[position]) { position += 1 }
            guard position > start else { return nil }
            return String(decoding: tag[start ..< position], as: UTF8.self).lowercased()
        }
        return nil
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
    }

    /// Converts `bytes` from `charset` to UTF-8 with iconv; `nil` when iconv does not know the
    /// charset or more than 2% of the input is malformed in it (then the declaration was wrong).
    static func convert(_ bytes: [UInt8], from charset: String) -> [UInt8]? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        var written = 0
        var errors = 0
        var input = bytes
        let inputCount = input.count
        let ok: Bool = input.withUnsafeMutableBufferPointer { source in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(source.baseAddress!)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = inputCount
            while inLeft > 0 {
                if output.count - written < 16 { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let produced: (Int, Int32) = output.withUnsafeMutableBufferPointer { target in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(target.baseAddress! + written)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = target.count - written
                    let before = outLeft
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (before - outLeft, result == -1 ? errno : 0)
                }
                written += produced.0
                switch produced.1 {
                case 0:
                    continue
                case E2BIG:
                    output.append(contentsOf: repeatElement(0, count: output.count))
                case EILSEQ, EINVAL:
                    // One malformed or truncated sequence: skip a byte, write U+FFFD.
                    errors += 1
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                    if output.count - written < 3 { output.append(contentsOf: repeatElement(0, count: 16)) }
                    output[written] = 0xEF
                    output[written + 1] = 0xBF
                    output[written + 2] = 0xBD
                    written += 3
                default:
                    return false
                }
            }
            return errors * 50 <= inputCount
        }
        guard ok else { return nil }
        output.removeSubrange(written...)
        return output
    }
}

/// A single- or multi-byte charset outside Unicode that pages still declare, by its WHATWG
/// labels, with the name iconv knows it by.
struct LegacyCharset {
    var name: String
    var iconvName: String

    init?(label: String) {
        switch label {
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932", "csshiftjis", "windows-31j", "cp932":
            (name, iconvName) = ("shift_jis", "CP932")
        case "euc-jp", "x-euc-jp", "cseucpkdfmtjapanese":
            (name, iconvName) = ("euc-jp", "EUC-JP")
        case "iso-2022-jp", "csiso2022jp":
            (name, iconvName) = ("iso-2022-jp", "ISO-2022-JP")
        case "gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "chinese", "csgb2312", "gb_2312-80",
            "iso-ir-58", "euc-cn":
            (name, iconvName) = ("gbk", "GB18030")
        case "gb18030":
            (name, iconvName) = ("gb18030", "GB18030")
        case "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5":
            (name, iconvName) = ("big5", "BIG5-HKSCS")
        case "euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949", "cp949",
            "korean", "csksc56011987", "iso-ir-149":
            (name, iconvName) = ("euc-kr", "CP949")
        case "koi8-r", "koi8", "koi", "cskoi8r", "koi8_r":
            (name, iconvName) = ("koi8-r", "KOI8-R")
        case "koi8-u", "koi8-ru":
            (name, iconvName) = ("koi8-u", "KOI8-U")
        case "ibm866", "cp866", "866", "csibm866":
            (name, iconvName) = ("ibm866", "CP866")
        case "macintosh", "mac", "x-mac-roman", "csmacintosh":
            (name, iconvName) = ("macintosh", "MACINTOSH")
        case "windows-874", "tis-620", "iso-8859-11", "dos-874":
            (name, iconvName) = ("windows-874", "CP874")
        default:
            if let number = Self.suffix(of: label, after: ["windows-", "cp", "x-cp"]), (1250 ... 1258).contains(number),
                number != 1252
            {
                (name, iconvName) = ("windows-\(number)", "CP\(number)")
            } else if let number = Self.suffix(of: label, after: ["iso-8859-", "iso8859-", "iso_8859-"]),
                (2 ... 16).contains(number), number != 12
            {
                (name, iconvName) = ("iso-8859-\(number)", "ISO-8859-\(number)")
            } else {
                return nil
            }
        }
    }

    private static func suffix(of label: String, after prefixes: [String]) -> Int? {
        for prefix in prefixes where label.hasPrefix(prefix) {
            return Int(label.dropFirst(prefix.count))
        }
        return nil
    }
}
