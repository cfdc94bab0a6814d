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
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var entries = [Entry]()
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let type = entry.pointee.d_type
            entries.append(Entry(name: name, isDirectory: type == UInt8(DT_DIR), typeKnown: type != UInt8(DT_UNKNOWN)))
        }
        return entries
    }
}
