#if canImport(Glibc)
internal import Glibc
#endif
internal import CopydeskCore
internal import SystemPackage

/// A file to take: where it is, and the name the log shows for it.
public struct SourceFile: Sendable, Hashable {
    /// The absolute path.
    public var path: String
    /// The name shown in the log: relative to the Inbox, or as given on the command line.
    public var name: String

    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }
}

/// The bytes of a source file, read once, with its identity and raw hash.
struct ReadFile: Sendable {
    var identity: FileIdentity
    var rawSHA256: String
    /// The content, or why the file cannot be an article (not a regular file, too large).
    var content: Result<[UInt8], CopydeskError>
}

/// Why a file was not read this time; it is tried again when it is seen again.
enum ReadSkip: Error, Sendable {
    /// The file disappeared before it could be read.
    case vanished
    /// The file changed while it was being read (still being written).
    case changed
}

enum SourceReader {
    /// Reads the file at `path` without following a symlink and without blocking on a FIFO.
    ///
    /// A symlink, FIFO, socket, device or directory is not read: it comes back as a rejection with
    /// its kind. A file over `maxBytes` is hashed in chunks but not kept in memory, and comes back as a
    /// `too-large` rejection.
    ///
    /// - Throws: ``ReadSkip`` when the file vanished or changed while being read; ``CopydeskError``
    ///   `.ioFailed` when it cannot be read.
    static func read(_ path: String, maxBytes: Int) throws -> ReadFile {
        let filePath = FileName.filePath(path)
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                filePath, .readOnly, options: [.noFollow, .nonBlocking, .closeOnExec], retryOnInterrupt: true)
        } catch Errno.noSuchFileOrDirectory {
            throw ReadSkip.vanished
        } catch Errno.tooManySymbolicLinkLevels {
            return try notRegular(path, kind: "a symbolic link (not followed)")
        } catch Errno.noSuchAddressOrDevice {
            return try notRegular(path, kind: "a FIFO or socket")
        } catch let error as Errno {
            throw CopydeskError.io("open the file", path, error)
        }
        return try descriptor.closeAfter {
            let before = try stat(descriptor, path)
            let identity = Self.identity(before)
            guard before.type == .regular else {
                return try notRegular(path, kind: describe(before.type))
            }
            if before.size > Int64(maxBytes) {
                let hash = try hashInChunks(descriptor, path)
                let rejection = CopydeskError(
                    .tooLarge, "\(before.size) bytes, over the size cap of \(maxBytes) bytes")
                return ReadFile(identity: identity, rawSHA256: hash, content: .failure(rejection))
            }
            // One byte more than the size, to notice a file that grew while being read.
            var bytes = [UInt8](unsafeUninitializedCapacity: Int(before.size) + 1) { _, count in
                count = Int(before.size) + 1
            }
            var filled = 0
            while true {
                if filled == bytes.count {
                    bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count)))
                }
                let count = try bytes.withUnsafeMutableBytes { buffer in
                    try descriptor.read(
                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), retryOnInterrupt: true)
                }
                if count == 0 { break }
                filled += count
                if filled > maxBytes { throw ReadSkip.changed }
            }
            bytes.removeSubrange(filled...)
            let after = try stat(descriptor, path)
            guard after.size == filled, Self.identity(after) == identity else { throw ReadSkip.changed }
            return ReadFile(identity: identity, rawSHA256: SHA256Digest.hex(of: bytes), content: .success(bytes))
        }
    }

    /// The identity of the file at `path` without opening it (lstat).
    static func identity(ofFileAt path: String) -> FileIdentity? {
        (try? FileName.filePath(path).stat(followTargetSymlink: false)).map(identity)
    }

    static func identity(_ status: Stat) -> FileIdentity {
        FileIdentity(
            size: status.size,
            modificationTimeNanoseconds: Clock.nanoseconds(status.st_mtim),
            inode: UInt64(status.inode.rawValue),
            device: UInt64(status.deviceID.rawValue))
    }

    private static func stat(_ descriptor: FileDescriptor, _ path: String) throws -> Stat {
        do {
            return try descriptor.stat()
        } catch {
            throw CopydeskError.io("stat the file", path, error)
        }
    }

    private static func notRegular(_ path: String, kind: String) throws -> ReadFile {
        guard let identity = identity(ofFileAt: path) else { throw ReadSkip.vanished }
        let rejection = CopydeskError(.unsupportedInput, "\(kind), not a regular file")
        return ReadFile(identity: identity, rawSHA256: SHA256Digest.hex(of: [UInt8]()), content: .failure(rejection))
    }

    private static func describe(_ type: FileType) -> String {
        switch type {
        case .directory: "a directory"
        case .symbolicLink: "a symbolic link (not followed)"
        case .fifo: "a FIFO"
        case .socket: "a socket"
        case .characterSpecial, .blockSpecial: "a device"
        default: "a special file"
        }
    }

    private static func hashInChunks(_ descriptor: FileDescriptor, _ path: String) throws -> String {
        var hasher = StreamingSHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0, retryOnInterrupt: true) }
            } catch let error as Errno {
                throw CopydeskError.io("read the file", path, error)
            }
            if count == 0 { break }
            hasher.update(buffer[..<count])
        }
        return hasher.finalizeHex()
    }
}
