#if canImport(Glibc)
internal import Glibc
#endif
public import CopydeskCore
internal import SystemPackage

/// One daemon per Archive: an exclusive `flock` on `ARCHIVE/copydesk.lock`, which also records the
/// daemon's pid and start time for `copydesk status`.
///
/// The kernel drops the lock when the process dies, however it dies, so a stale file never blocks a
/// restart.
public final class DaemonLock: Sendable {
    /// What `status` reads about a running daemon.
    public struct Holder: Sendable, Hashable {
        public var pid: Int32
        /// ISO 8601, when the daemon started.
        public var since: String
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock of the Archive at `archive`.
    ///
    /// - Throws: ``CopydeskError`` `.ioFailed` when another daemon holds it (naming its pid) or the
    ///   lock file cannot be written.
    public init(archive: String) throws(CopydeskError) {
        let path = "\(archive)/copydesk.lock"
        self.path = path
        let descriptor = FileName.withCString(path) { open($0, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        guard descriptor >= 0 else {
            throw CopydeskError.io("open the daemon lock", path, Errno(rawValue: errno))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.readHolder(descriptor)
            close(descriptor)
            let who = holder.map { "pid \($0.pid), since \($0.since)" } ?? "another process"
            throw CopydeskError(
                .ioFailed, "another copydesk daemon (\(who)) already watches this Archive", path: archive)
        }
        self.descriptor = descriptor
        let record = "\(getpid()) \(Timestamp.now())\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }

    /// The daemon holding the lock of the Archive at `archive`, or `nil` when none runs.
    public static func holder(archive: String) -> Holder? {
        let descriptor = FileName.withCString("\(archive)/copydesk.lock") { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return readHolder(descriptor) ?? Holder(pid: 0, since: "")
    }

    private static func readHolder(_ descriptor: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = Int32(fields[0]) else { return nil }
        return Holder(pid: pid, since: String(fields[1]))
    }
}
