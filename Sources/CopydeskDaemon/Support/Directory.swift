#if canImport(Glibc)
internal import Glibc
#endif
internal import Foundation

/// Listing folders with `readdir`, in one place.
enum Directory {
    struct Entry {
        var name: String
        /// From `d_type`; `false` when the file system does not say.
        var isDirectory: Bool
        /// Whether `d_type` says what the entry is (some network file systems leave it unknown).
        var typeKnown: Bool
    }

    /// The entries of `path` except `.` and `..`; empty when it cannot be read.
    static func entries(_ path: String) -> [Entry] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var entries = [Entry]()
        while let entry = readdir(handle) {
            // The name is read where it lies: a `dirent` record is only as long as its name, so
            // copying the declared 256-byte `d_name` array reads past the end of the last record
            // in readdir's buffer (AddressSanitizer caught it).
            let record = UnsafeRawPointer(entry)
            let namePointer = record.advanced(by: Self.nameOffset)
            let length = strlen(namePointer.assumingMemoryBound(to: CChar.self))
            let raw = Array(UnsafeRawBufferPointer(start: namePointer, count: length))
            guard let name = validName(raw, in: path) else { continue }
            if name == "." || name == ".." { continue }
            let type = record.load(fromByteOffset: Self.typeOffset, as: UInt8.self)
            entries.append(Entry(name: name, isDirectory: type == UInt8(DT_DIR), typeKnown: type != UInt8(DT_UNKNOWN)))
        }
        return entries
    }

    /// Where the name starts in a `dirent` record.
    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    private static let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)!

    /// The name of an entry of `directory` whose name is `raw` bytes.
    ///
    /// A name that is not valid UTF-8 (written by an old system in Latin-1, say) could not be named
    /// in the catalog or opened again by a Swift string: the file is renamed in place, each invalid
    /// byte written as `%XX`, and the new name is returned. `nil` when that rename fails.
    static func validName(_ raw: [UInt8], in directory: String) -> String? {
        if let name = String(validating: raw, as: UTF8.self) { return name }
        var escaped = [UInt8]()
        var index = 0
        while index < raw.count {
            let length = validSequenceLength(raw, at: index)
            if length > 0 {
                escaped += raw[index..<(index + length)]
                index += length
            } else {
                escaped += Array(String(format: "%%%02X", raw[index]).utf8)
                index += 1
            }
        }
        let name = String(decoding: escaped, as: UTF8.self)
        let source = Array(directory.utf8) + [UInt8(ascii: "/")] + raw + [0]
        let target = "\(directory)/\(name)"
        let renamed = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { rename($0.baseAddress!, target) }
        }
        return renamed == 0 ? name : nil
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
