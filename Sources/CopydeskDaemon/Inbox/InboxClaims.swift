internal import Foundation
internal import Glibc
public import CopydeskCore
internal import SystemPackage

/// A node's claims on the files of a shared Inbox (`watch --shared-inbox`): before a node reads a
/// file, it renames it into a folder of its own inside the Inbox, `INBOX/.copydesk-claims/NODE/`.
/// A rename is atomic on the file system, so of several nodes that saw the file, exactly one takes
/// it; the others find it gone. The receipt keeps the path the file arrived under.
///
/// Each node holds an exclusive `flock` on its folder's `.lock` while it runs. A folder whose lock
/// is free belongs to a node that died: another node moves its files into its own folder and takes
/// them (a file the dead node had decided on is only archived: its pending receipt is found by the
/// file's identity, which a rename keeps).
///
/// A claimed file's name in the folder is a sequence number and its Inbox path with `%` and `/`
/// escaped, so that two files that arrived under one name never meet.
public final class InboxClaims: Sendable {
    public let inbox: String
    /// `INBOX/.copydesk-claims`.
    public let root: String
    /// This node's folder.
    public let folder: String
    private let descriptor: Int32

    /// Takes the node's folder (creating it).
    ///
    /// - Throws: ``CopydeskError`` when the folder cannot be made or another process holds it.
    public init(inbox: String, node: String) throws(CopydeskError) {
        self.inbox = inbox
        self.root = inbox + "/.copydesk-claims"
        self.folder = "\(root)/\(DaemonLock.folderName(node: node))"
        try Archive.makeDirectory(root)
        try Archive.makeDirectory(folder)
        let lock = folder + "/.lock"
        let descriptor = FileName.withCString(lock) { open($0, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        guard descriptor >= 0 else { throw CopydeskError.io("open the claims lock", lock, Errno(rawValue: errno)) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw CopydeskError(.ioFailed, "another process holds this node's claims on the Inbox", path: folder)
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Moves the Inbox file at `relative` into this node's folder.
    ///
    /// - Returns: the file to take, or nil when another node claimed it first (it is gone).
    public func claim(_ relative: String) throws(CopydeskError) -> SourceFile? {
        let source = "\(inbox)/\(relative)"
        switch moveIn(source, name: Self.encode(relative)) {
        case .success(let path): return SourceFile(path: path, name: relative)
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(let error): throw CopydeskError.io("claim the file", source, error)
        }
    }

    /// The files this node holds (claimed and not yet archived: a crash, or a fault that keeps
    /// them waiting), in claim order.
    public func claimed() -> [SourceFile] {
        Directory.entries(folder).filter { !$0.name.hasPrefix(".") }.compactMap { entry in
            Self.decode(entry.name).map { SourceFile(path: "\(folder)/\(entry.name)", name: $0) }
        }.sorted { $0.path < $1.path }
    }

    /// Whether a node that died (its folder's lock is free) left files claimed.
    public func deadNodesHoldFiles() -> Bool {
        deadNodeFolders { _, files in !files.isEmpty }.contains(true)
    }

    /// Moves the files of the nodes that died (their folder's lock is free) into this node's
    /// folder.
    ///
    /// - Returns: how many files were taken over.
    public func takeOverDeadNodes() -> Int {
        deadNodeFolders { other, files in
            var moved = 0
            for name in files {
                guard let relative = Self.decode(name) else { continue }
                if case .success = moveIn("\(other)/\(name)", name: Self.encode(relative)) { moved += 1 }
            }
            return moved
        }.reduce(0, +)
    }

    /// Runs `body` on each other node's folder whose lock is free (its node died), with the names
    /// of the files in it, holding that lock meanwhile (a node starting again under that name
    /// waits for it).
    private func deadNodeFolders<T>(_ body: (String, [String]) -> T) -> [T] {
        var results = [T]()
        for entry in Directory.entries(root) where "\(root)/\(entry.name)" != folder {
            let other = "\(root)/\(entry.name)"
            let lock = FileName.withCString(other + "/.lock") { open($0, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }
            guard lock >= 0 else { continue }
            defer { close(lock) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
            let files = Directory.entries(other).map(\.name).filter { !$0.hasPrefix(".") }
            results.append(body(other, files))
            flock(lock, LOCK_UN)
        }
        return results
    }

    /// Renames `source` into the folder under a name not taken yet (sequence-`name`).
    private func moveIn(_ source: String, name: String) -> Result<String, Errno> {
        var sequence = Clock.realtimeNanoseconds()
        while true {
            let target = "\(folder)/\(sequence)-\(name)"
            switch Self.renameNoReplace(source, target) {
            case .success: return .success(target)
            case .failure(.fileExists): sequence += 1
            case .failure(let error): return .failure(error)
            }
        }
    }

    /// `renameat2(RENAME_NOREPLACE)`; where the file system lacks it, a hard link and an unlink
    /// (of two nodes that linked the same file, the one whose unlink fails withdraws its link).
    private static func renameNoReplace(_ source: String, _ target: String) -> Result<Void, Errno> {
        if let renameat2 = Self.renameat2 {
            let renamed = FileName.withCString(source) { from in
                FileName.withCString(target) { to in renameat2(AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */) }
            }
            if renamed == 0 { return .success(()) }
            let error = Errno(rawValue: errno)
            guard error == .invalidArgument || error == .notSupported || error == .noFunction else {
                return .failure(error)
            }
        }
        let linked = FileName.withCString(source) { from in FileName.withCString(target) { link(from, $0) } }
        guard linked == 0 else { return .failure(Errno(rawValue: errno)) }
        guard FileName.withCString(source, { unlink($0) }) == 0 else {
            let error = Errno(rawValue: errno)
            _ = FileName.withCString(target) { unlink($0) }
            return .failure(error)
        }
        return .success(())
    }

    /// glibc's `renameat2` (2.28 and later), looked up at run time: Swift cannot call the
    /// variadic `syscall`, and the Glibc module does not declare it.
    private static let renameat2:
        (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
        }()

    static func encode(_ relative: String) -> String {
        relative.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    static func decode(_ name: String) -> String? {
        guard let dash = name.firstIndex(of: "-"), name[..<dash].allSatisfy(\.isNumber) else { return nil }
        return String(name[name.index(after: dash)...]).replacingOccurrences(of: "%2F", with: "/")
            .replacingOccurrences(of: "%25", with: "%")
    }
}
