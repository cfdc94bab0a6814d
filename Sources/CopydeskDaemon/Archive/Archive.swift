#if canImport(Glibc)
internal import Glibc
#endif
public import CopydeskCore
internal import SystemPackage
internal import Synchronization

/// The folder where original bytes are kept: `originals/` by content (byte-identical files are
/// stored once) and `rejected/` for quarantined input, kept with its name.
///
/// Files enter by rename when the source is on the same file system, otherwise by copy, fsync,
/// rename and unlink, so that a crash never leaves a partial file under its final name.
public struct Archive: Sendable {
    /// The absolute path of the Archive folder.
    public let root: String

    /// Opens the Archive at `root`, creating it and its subfolders when missing.
    ///
    /// - Throws: ``CopydeskError`` `.ioFailed` when the folders cannot be created.
    public init(root: String) throws(CopydeskError) {
        self.root = root
        for folder in [root, "\(root)/originals", "\(root)/rejected"] {
            try Self.makeDirectory(folder)
        }
    }

    /// Where an accepted file with this raw SHA-256 is kept, relative to the root.
    public func originalPath(sha256: String) -> String {
        "originals/\(sha256.prefix(2))/\(sha256)"
    }

    /// Where a rejected file is quarantined, relative to the root: its hash prefix and its own name,
    /// so that an operator finds it by name and byte-identical rejects share one file.
    public func rejectedPath(sha256: String, fileName: String) -> String {
        "rejected/\(sha256.prefix(12))-\(Self.safeName(fileName))"
    }

    /// The absolute path of an archive-relative path.
    public func absolute(_ relative: String) -> String {
        "\(root)/\(relative)"
    }

    /// Moves the file at `source` to `relative` in the Archive; if a file is already stored there
    /// (byte-identical content), the source is removed instead.
    ///
    /// - Parameter expected: the identity the file had when it was read; a file that has been
    ///   replaced since is left alone.
    /// - Throws: ``CopydeskError`` `.ioFailed`.
    public func moveIn(_ source: String, to relative: String, expected: FileIdentity) throws(CopydeskError) {
        let target = absolute(relative)
        guard let current = SourceReader.identity(ofFileAt: source) else {
            throw CopydeskError(.ioFailed, "the file vanished before it could be archived", path: source)
        }
        guard current == expected else {
            throw CopydeskError(.ioFailed, "the file changed after it was read; it will be taken again", path: source)
        }
        try Self.makeDirectory(parent(of: target))
        if exists(target) {
            try unlink(source)
            return
        }
        switch valueOrErrno({ FileName.rename(source, target) }) {
        case .success:
            return
        case .failure(.improperLink):
            // Across file systems: the copy is durable before the source goes.
            try copy(source, to: target, durable: true)
            try unlink(source)
        case .failure(let error):
            throw CopydeskError.io("move the file into the Archive (\(target))", source, error)
        }
    }

    /// Copies the file at `source` to `relative` in the Archive, leaving the source in place (for
    /// `copydesk ingest`); nothing is written when the file is already stored.
    ///
    /// The copy is complete under its name but not yet durable: call ``synchronize()`` before
    /// recording it as archived (one flush for a whole batch instead of one per file).
    public func copyIn(_ source: String, to relative: String) throws(CopydeskError) {
        let target = absolute(relative)
        if exists(target) { return }
        try Self.makeDirectory(parent(of: target))
        try copy(source, to: target, durable: false)
    }

    /// Writes `bytes` (a file's content, as read and hashed) to `relative` in the Archive, for
    /// `copydesk ingest`; nothing is written when the file is already stored. Like ``copyIn(_:to:)``
    /// the file is complete under its name but not yet durable.
    public func store(_ bytes: [UInt8], at relative: String) throws(CopydeskError) {
        let target = absolute(relative)
        if exists(target) { return }
        try Self.makeDirectory(parent(of: target))
        let temporary = temporaryName(for: target)
        do {
            let output = try FileDescriptor.open(
                FileName.filePath(temporary), .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead])
            try output.closeAfter { _ = try bytes.withUnsafeBytes { try output.writeAll($0) } }
            if FileName.rename(temporary, target) != 0 { throw Errno(rawValue: errno) }
        } catch {
            _ = FileName.withCString(temporary) { Glibc.unlink($0) }
            throw CopydeskError.io("write the file into the Archive", target, error as? Errno ?? .ioError)
        }
    }

    /// Makes everything written to the Archive's file system durable (`syncfs`).
    public func synchronize() throws(CopydeskError) {
        let descriptor = FileName.withCString(root) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw CopydeskError.io("open the Archive", root, Errno(rawValue: errno)) }
        defer { close(descriptor) }
        if case .failure(let error) = valueOrErrno({ Self.syncfs(descriptor) }) {
            throw CopydeskError.io("flush the Archive to disk", root, error)
        }
    }

    /// `syncfs(2)`, which Glibc's Swift module does not declare (it needs `_GNU_SOURCE`); looked up
    /// once. Where it is missing, `sync(2)` flushes everything instead.
    private static let syncfs: @convention(c) (Int32) -> Int32 = {
        if let symbol = dlsym(nil, "syncfs") {
            return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        }
        return { _ in
            sync()
            return 0
        }
    }()

    /// Whether a file is stored at `relative`.
    public func contains(_ relative: String) -> Bool {
        exists(absolute(relative))
    }

    // MARK: - Helpers

    /// Copies `source` to a temporary name beside `target` and renames it into place: `target` is
    /// either absent or complete. With `durable`, the file and then the folder are fsynced first.
    private func copy(_ source: String, to target: String, durable: Bool) throws(CopydeskError) {
        let temporary = temporaryName(for: target)
        do {
            let input = try FileDescriptor.open(
                FileName.filePath(source), .readOnly, options: [.noFollow, .nonBlocking, .closeOnExec])
            try input.closeAfter {
                let output = try FileDescriptor.open(
                    FileName.filePath(temporary), .writeOnly, options: [.create, .truncate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead])
                try output.closeAfter {
                    try Self.copyContents(from: input, to: output)
                    if durable, fsync(output.rawValue) != 0 { throw Errno(rawValue: errno) }
                }
            }
            if FileName.rename(temporary, target) != 0 { throw Errno(rawValue: errno) }
            if durable { try Self.syncDirectory(parent(of: target)) }
        } catch {
            _ = FileName.withCString(temporary) { Glibc.unlink($0) }
            let errno = error as? Errno ?? .ioError
            throw CopydeskError.io("copy the file into the Archive (\(target))", source, errno)
        }
    }

    /// Copies everything from `input` to `output`: inside the kernel with `copy_file_range(2)` (no
    /// user-space buffer; a reflink on file systems that share extents), else through a 64 KiB buffer.
    private static func copyContents(from input: FileDescriptor, to output: FileDescriptor) throws {
        if let copyFileRange {
            var copied = 0
            while true {
                let count = copyFileRange(input.rawValue, nil, output.rawValue, nil, 1 << 30, 0)
                if count > 0 {
                    copied += count
                    continue
                }
                if count == 0 { return }
                let error = Errno(rawValue: errno)
                if error == .interrupted { continue }
                // Not supported between these files (another file system, an old kernel): the
                // buffered copy below takes over, if nothing was written yet.
                let unsupported: Set<Errno> = [.improperLink, .noFunction, .invalidArgument, .notSupported]
                guard copied == 0, unsupported.contains(error) else { throw error }
                break
            }
        }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            _ = try buffer[..<count].withUnsafeBytes { try output.writeAll($0) }
        }
    }

    /// `copy_file_range(2)`, which Glibc's Swift module does not declare (it needs `_GNU_SOURCE`).
    private static let copyFileRange: (
        @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    )? = dlsym(nil, "copy_file_range").map {
        unsafeBitCast(
            $0,
            to: (@convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32)
                -> Int).self)
    }

    /// A name beside `target` that no other writer uses: the process id and a per-process counter
    /// (two threads may store the same content at once).
    private func temporaryName(for target: String) -> String {
        let number = Self.temporaryCounter.add(1, ordering: .relaxed).oldValue
        return "\(parent(of: target))/.incoming-\(getpid())-\(number)-\(target.split(separator: "/").last!)"
    }

    private static let temporaryCounter = Atomic<Int>(0)

    private func unlink(_ path: String) throws(CopydeskError) {
        if case .failure(let error) = valueOrErrno({ FileName.withCString(path) { Glibc.unlink($0) } }), error != .noSuchFileOrDirectory {
            throw CopydeskError.io("remove the file from the Inbox", path, error)
        }
    }

    private func exists(_ path: String) -> Bool {
        FileName.linkStatus(path) != nil
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    static func makeDirectory(_ path: String) throws(CopydeskError) {
        if let status = FileName.status(path), (status.st_mode & S_IFMT) == S_IFDIR { return }
        if case .failure(let error) = valueOrErrno({ FileName.withCString(path) { mkdir($0, 0o2775) } }),
            error != .fileExists
        {
            throw CopydeskError.io("create the folder", path, error)
        }
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = try FileDescriptor.open(FileName.filePath(path), .readOnly, options: [.directory, .closeOnExec])
        try descriptor.closeAfter {
            if fsync(descriptor.rawValue) != 0 { throw Errno(rawValue: errno) }
        }
    }

    /// A file name made safe to store: no path separators or control characters, at most 120 bytes
    /// of UTF-8 (cut at a character boundary), never starting with a dot or a dash.
    static func safeName(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? "file"
        var out = ""
        for character in base {
            let isControl = character.unicodeScalars.contains {
                $0.value < 0x20 || $0.value == 0x7F || $0.properties.generalCategory == .format
            }
            let next = isControl ? "_" : String(character)
            if out.utf8.count + next.utf8.count > 120 { break }
            out += next
        }
        while out.hasPrefix(".") || out.hasPrefix("-") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "file" : out
    }
}
