#if canImport(Glibc)
internal import Glibc
#endif

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
        guard let handle = FileName.withCString(path, { opendir($0) }) else { return [] }
        defer { closedir(handle) }
        var entries = [Entry]()
        while let entry = readdir(handle) {
            // The name is read where it lies: a `dirent` record is only as long as its name, so
            // copying the declared 256-byte `d_name` array reads past the end of the last record
            // in readdir's buffer (AddressSanitizer caught it).
            let record = UnsafeRawPointer(entry)
            let namePointer = record.advanced(by: Self.nameOffset)
            let length = strlen(namePointer.assumingMemoryBound(to: CChar.self))
            // A name that is not valid UTF-8 is named by its escaped form (``FileName``), never renamed.
            let name = FileName.escape(UnsafeRawBufferPointer(start: namePointer, count: length))
            if name == "." || name == ".." { continue }
            let type = record.load(fromByteOffset: Self.typeOffset, as: UInt8.self)
            entries.append(Entry(name: name, isDirectory: type == UInt8(DT_DIR), typeKnown: type != UInt8(DT_UNKNOWN)))
        }
        return entries
    }

    /// Where the name starts in a `dirent` record.
    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    private static let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)!
}
