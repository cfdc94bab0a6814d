internal import Glibc
public import CopydeskCore
internal import SystemPackage

/// One daemon per Inbox (unless the Inbox is declared shared), and one per node name: an
/// exclusive `flock` on the Inbox's lock `ARCHIVE/copydesk.nodes/inbox-HASH.lock` (shared by the
/// nodes of a shared Inbox; HASH of the host and the Inbox's path), and an
/// exclusive `flock` on the node's record `ARCHIVE/copydesk.nodes/NODE/lock`, which says who runs
/// (pid, start, host, Inbox, name) for `copydesk status` and holds the node's other records (the
/// files open for writing).
///
/// The kernel drops both locks when the process dies, however it dies, so a stale file never blocks
/// a restart. Several nodes may share one Archive (on a shared file system): each has its folder.
public final class DaemonLock: Sendable {
    /// What `status` reads about a running daemon.
    public struct Holder: Sendable, Hashable {
        public var pid: Int32
        /// ISO 8601, when the daemon started.
        public var since: String
        public var host: String
        public var inbox: String
        public var node: String
        /// The node's folder in the Archive.
        public var folder: String
    }

    /// The node's folder in the Archive.
    public let folder: String
    private let inboxDescriptor: Int32
    private let descriptor: Int32

    /// Takes the Inbox (exclusively, or shared with the other nodes of a shared Inbox) and the
    /// node's name.
    ///
    /// - Throws: ``CopydeskError`` `.ioFailed` when another daemon holds either (naming it), or a
    ///   record cannot be written.
    public init(archive: String, inbox: String, node: String, sharedInbox: Bool) throws(CopydeskError) {
        // The Inbox's lock lies in the Archive, not in the Inbox: an open descriptor of the Inbox
        // folder would keep it alive after an operator removed it, and its removal unnoticed.
        let inboxLock = "\(archive)/copydesk.nodes/inbox-\(SHA256Digest.hex(of: NodeIdentity.hostName + ":" + inbox).prefix(12)).lock"
        try Archive.makeDirectory("\(archive)/copydesk.nodes")
        let inboxDescriptor = FileName.withCString(inboxLock) { open($0, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        guard inboxDescriptor >= 0 else {
            throw CopydeskError.io("open the Inbox's lock", inboxLock, Errno(rawValue: errno))
        }
        if flock(inboxDescriptor, (sharedInbox ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
            close(inboxDescriptor)
            if sharedInbox {
                throw CopydeskError(
                    .ioFailed, "a copydesk daemon that does not share this Inbox watches it (give it --shared-inbox too)",
                    path: inbox)
            }
            let who = Self.holder(archive: archive, inbox: inbox).map { "pid \($0.pid), since \($0.since)" }
            throw CopydeskError(
                .ioFailed,
                "another copydesk daemon (\(who ?? "another process")) already watches this Inbox "
                    + "(several daemons on one Inbox: --shared-inbox on each)",
                path: inbox)
        }
        let folder = Self.folder(archive: archive, node: node)
        let path = folder + "/lock"
        var descriptor: Int32 = -1
        do throws(CopydeskError) {
            try Archive.makeDirectory(folder)
            descriptor = FileName.withCString(path) { open($0, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
            guard descriptor >= 0 else { throw CopydeskError.io("open the daemon lock", path, Errno(rawValue: errno)) }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let holder = Self.readHolder(descriptor, folder: folder)
                let who = holder.map { "pid \($0.pid) on \($0.host), since \($0.since)" } ?? "another process"
                throw CopydeskError(.ioFailed, "a copydesk daemon named \(node) already runs (\(who))", path: path)
            }
        } catch {
            if descriptor >= 0 { close(descriptor) }
            close(inboxDescriptor)
            throw error
        }
        self.folder = folder
        self.inboxDescriptor = inboxDescriptor
        self.descriptor = descriptor
        let record = [String(getpid()), Timestamp.now(), NodeIdentity.hostName, inbox, node]
            .map { $0 + "\n" }.joined()
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
        close(inboxDescriptor)
    }

    /// The folder of the node named `node` in the Archive: its name with anything but letters,
    /// digits, `.`, `-` and `_` replaced, and a hash of the whole name (two names never share it).
    public static func folder(archive: String, node: String) -> String {
        "\(archive)/copydesk.nodes/\(folderName(node: node))"
    }

    /// The node's folder name (in the Archive, and in a shared Inbox's claims).
    static func folderName(node: String) -> String {
        let safe = String(node.unicodeScalars.map { scalar -> Character in
            let kept = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "._-".unicodeScalars.contains(scalar)
            return kept ? Character(scalar) : "_"
        }.prefix(64))
        return "\(safe)-\(SHA256Digest.hex(of: node).prefix(8))"
    }

    /// The running daemon on this host that watches `inbox` with the Archive at `archive`, or nil
    /// when none runs.
    public static func holder(archive: String, inbox: String) -> Holder? {
        let root = "\(archive)/copydesk.nodes"
        let host = NodeIdentity.hostName
        for entry in Directory.entries(root) where entry.isDirectory || !entry.typeKnown {
            let folder = "\(root)/\(entry.name)"
            let descriptor = FileName.withCString(folder + "/lock") { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
                flock(descriptor, LOCK_UN)
                continue
            }
            if let holder = readHolder(descriptor, folder: folder), holder.host == host, holder.inbox == inbox {
                return holder
            }
        }
        return nil
    }

    private static func readHolder(_ descriptor: Int32, folder: String) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").map(String.init)
        guard fields.count == 5, let pid = Int32(fields[0]) else { return nil }
        return Holder(pid: pid, since: fields[1], host: fields[2], inbox: fields[3], node: fields[4], folder: folder)
    }
}
