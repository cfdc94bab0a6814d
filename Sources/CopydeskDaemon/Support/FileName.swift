#if canImport(Glibc)
public import Glibc
#endif
internal import SystemPackage

/// File names that are not valid UTF-8, without renaming anything.
///
/// Linux names are bytes; an old Windows or Samba share writes `café.txt` in Latin-1 as
/// `caf\xE9.txt`, which no Swift string can hold. copydesk names such a file by an escaped form:
/// every byte that is not part of valid UTF-8 is written `\xHH` (two upper-case hex digits), and a
/// literal backslash that is followed by `x` and two hex digits is written `\x5C`, so that every
/// `\xHH` in an escaped name stands for one byte and the form turns back into the exact bytes.
/// Any other name, the usual case, is its own escaped form. The log, the receipts and `show` use
/// the escaped form; every system call turns it back into the bytes, so the file is opened, moved
/// and quarantined under its own name.
public enum FileName {
    /// The escaped form of a name (or path) given as bytes.
    public static func escape(_ raw: some Collection<UInt8>) -> String {
        let bytes = Array(raw)
        if !bytes.contains(UInt8(ascii: "\\")), let valid = String(validating: bytes, as: UTF8.self) {
            return valid
        }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length == 0 {
                appendEscape(bytes[index], to: &out)
                index += 1
            } else if bytes[index] == UInt8(ascii: "\\"), isEscape(bytes, at: index) {
                appendEscape(bytes[index], to: &out)
                index += 1
            } else {
                out += bytes[index..<(index + length)]
                index += length
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes an escaped name (or path) stands for.
    public static func bytes(_ name: String) -> [UInt8] {
        let utf8 = Array(name.utf8)
        guard utf8.contains(UInt8(ascii: "\\")) else { return utf8 }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), isEscape(utf8, at: index) {
                out.append(hexValue(utf8[index + 2]) << 4 | hexValue(utf8[index + 3]))
                index += 4
            } else {
                out.append(utf8[index])
                index += 1
            }
        }
        return out
    }

    /// The escaped form of a command-line argument: its bytes as the kernel passed them. Swift's
    /// `CommandLine.arguments` replaces bytes that are not UTF-8 with U+FFFD, which names no file;
    /// such an argument is looked up among the raw `argv` strings.
    public static func argument(_ decoded: String) -> String {
        if decoded.unicodeScalars.contains("\u{FFFD}") {
            for index in 0..<Int(CommandLine.argc) {
                guard let pointer = CommandLine.unsafeArgv[index] else { continue }
                let raw = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
                if String(decoding: raw, as: UTF8.self) == decoded { return escape(raw) }
            }
        }
        return escape(Array(decoded.utf8))
    }

    /// Calls `body` with the path's bytes as a C string.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        guard path.utf8.contains(UInt8(ascii: "\\")) else { return try path.withCString(body) }
        let raw = bytes(path) + [0]
        return try raw.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// The path as a `FilePath` of its bytes.
    static func filePath(_ path: String) -> FilePath {
        guard path.utf8.contains(UInt8(ascii: "\\")) else { return FilePath(path) }
        return withCString(path) { FilePath(platformString: $0) }
    }

    /// `lstat(2)` of the path (links not followed), or `nil` when it fails.
    public static func linkStatus(_ path: String) -> Glibc.stat? {
        var status = Glibc.stat()
        return withCString(path) { Glibc.lstat($0, &status) } == 0 ? status : nil
    }

    /// `stat(2)` of the path (following links), or `nil` when it fails.
    public static func status(_ path: String) -> Glibc.stat? {
        var status = Glibc.stat()
        return withCString(path) { followingStat($0, &status) } == 0 ? status : nil
    }

    /// `rename(2)` of two paths.
    static func rename(_ source: String, _ target: String) -> Int32 {
        withCString(source) { from in withCString(target) { to in Glibc.rename(from, to) } }
    }

    private static func isEscape(_ bytes: [UInt8], at index: Int) -> Bool {
        index + 3 < bytes.count && bytes[index + 1] == UInt8(ascii: "x") && isHex(bytes[index + 2])
            && isHex(bytes[index + 3])
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        let digits = Array("0123456789ABCDEF".utf8)
        out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: byte - UInt8(ascii: "A") + 10
        }
    }

    /// The length of the valid UTF-8 sequence starting at `index`, or 0.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length =
            switch first {
            case 0x00...0x7F: 1
            case 0xC2...0xDF: 2
            case 0xE0...0xEF: 3
            case 0xF0...0xF4: 4
            default: 0
            }
        guard length > 0, index + length <= bytes.count else { return 0 }
        return String(validating: bytes[index..<(index + length)], as: UTF8.self) == nil ? 0 : length
    }
}

/// `stat(2)`, named apart from the `stat` struct inside ``FileName``.
private func followingStat(_ path: UnsafePointer<CChar>, _ status: UnsafeMutablePointer<stat>) -> Int32 {
    stat(path, status)
}
