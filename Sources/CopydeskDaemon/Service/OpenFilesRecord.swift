#if canImport(Glibc)
internal import Glibc
#endif
internal import CopydeskCore
internal import SystemPackage
internal import Synchronization

/// The files a running daemon knows to be open for writing in its Inbox, kept in its node's folder
/// (``DaemonLock/folder``) as `open-files` for `copydesk status` (which runs in a process of its own).
///
/// The daemon rewrites the file (a temporary file renamed over it) whenever the set changes and
/// removes it when it stops; `status` believes it only while the daemon holds its lock. Each entry
/// is the time in nanoseconds since the epoch and the file name, each ended by a NUL byte (a name
/// may hold any other byte).
public enum OpenFilesRecord {
    public static func path(folder: String) -> String {
        "\(folder)/open-files"
    }

    /// One writer at a time (the service's batches and its once-a-second look both publish).
    private static let writing = Mutex(())

    /// Replaces the record; an empty list removes it.
    static func write(_ files: [OpenFile], folder: String) throws(CopydeskError) {
        try writing.withLock { _ throws(CopydeskError) in try replace(files, folder: folder) }
    }

    private static func replace(_ files: [OpenFile], folder: String) throws(CopydeskError) {
        let target = path(folder: folder)
        guard !files.isEmpty else {
            _ = FileName.withCString(target) { unlink($0) }
            return
        }
        var bytes = [UInt8]()
        for file in files {
            bytes += Array(String(file.since).utf8) + [0] + Array(file.file.utf8) + [0]
        }
        let temporary = "\(folder)/.open-files-\(getpid())"
        let descriptor = FileName.withCString(temporary) { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else {
            throw CopydeskError.io("write the list of files open for writing", temporary, Errno(rawValue: errno))
        }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, FileName.rename(temporary, target) == 0 else {
            let error = Errno(rawValue: errno)
            _ = FileName.withCString(temporary) { unlink($0) }
            throw CopydeskError.io("write the list of files open for writing", target, error)
        }
    }

    /// The files of the record, oldest first; empty when there is none.
    public static func read(folder: String) -> [OpenFile] {
        let descriptor = FileName.withCString(path(folder: folder)) { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false)
        var files = [OpenFile]()
        var index = 0
        while index + 1 < fields.count {
            if let since = Int64(String(decoding: fields[index], as: UTF8.self)) {
                files.append(OpenFile(file: String(decoding: fields[index + 1], as: UTF8.self), since: since))
            }
            index += 2
        }
        return files
    }
}
