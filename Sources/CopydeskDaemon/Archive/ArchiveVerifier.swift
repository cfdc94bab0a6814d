#if canImport(Glibc)
internal import Glibc
#endif
public import CopydeskCore
internal import SystemPackage

/// What `copydesk verify` found.
public struct VerificationReport: Sendable {
    public struct Problem: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            /// A receipt's archived file is not there.
            case missing
            /// The archived file's SHA-256 is not the receipt's.
            case mismatch
            /// A file in the Archive that no receipt knows.
            case unknown
        }

        public var kind: Kind
        /// The path relative to the Archive root.
        public var path: String
        public var detail: String
    }

    public var checkedFiles = 0
    public var checkedBytes: Int64 = 0
    public var problems = [Problem]()

    /// Whether the Archive and the catalog agree (unknown files are reported but do not count).
    public var agrees: Bool { !problems.contains { $0.kind != .unknown } }
}

/// Checks that the Archive and the catalog agree: every archived receipt's file exists with the
/// receipt's SHA-256, and every file in `originals/` and `rejected/` belongs to a receipt.
public enum ArchiveVerifier {
    /// - Parameter progress: called after each file with (files done, files in all).
    public static func verify(
        archive: Archive, catalog: some CatalogReader, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(CopydeskError) -> VerificationReport {
        let expected = try await catalog.archivedFiles()
        var report = VerificationReport()
        var known = Set<String>()
        for (index, file) in expected.enumerated() {
            known.insert(file.path)
            let absolute = archive.absolute(file.path)
            switch hash(absolute) {
            case .success(let (sha, size)):
                report.checkedFiles += 1
                report.checkedBytes += size
                if sha != file.sha256 {
                    report.problems.append(
                        .init(kind: .mismatch, path: file.path, detail: "SHA-256 is \(sha), the receipt of \(file.fileName) says \(file.sha256)"))
                }
            case .failure(let error):
                report.problems.append(
                    .init(kind: .missing, path: file.path, detail: "archived file of \(file.fileName): \(error)"))
            }
            progress(index + 1, expected.count)
        }
        for folder in ["originals", "rejected"] {
            for relative in listFiles(archive.absolute(folder), prefix: folder) where !known.contains(relative) {
                report.problems.append(.init(kind: .unknown, path: relative, detail: "no receipt knows this file"))
            }
        }
        return report
    }

    /// The SHA-256 and size of the file at `path`. A quarantined special file (a symlink, FIFO,
    /// socket or device, never opened by the pipeline) hashes as empty, as its receipt does.
    private static func hash(_ path: String) -> Result<(String, Int64), Errno> {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FileName.filePath(path), .readOnly, options: [.noFollow, .nonBlocking, .closeOnExec])
        } catch Errno.tooManySymbolicLinkLevels {
            return .success((emptySHA256, 0))
        } catch {
            return .failure(error as? Errno ?? .ioError)
        }
        defer { try? descriptor.close() }
        if let status = try? descriptor.stat(), status.type != .regular {
            return .success((emptySHA256, 0))
        }
        var hasher = StreamingSHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0, retryOnInterrupt: true) }
            } catch {
                return .failure(error as? Errno ?? .ioError)
            }
            if count == 0 { break }
            size += Int64(count)
            hasher.update(buffer[..<count])
        }
        return .success((hasher.finalizeHex(), size))
    }

    private static let emptySHA256 = SHA256Digest.hex(of: [UInt8]())

    private static func listFiles(_ directory: String, prefix: String) -> [String] {
        Directory.entries(directory).flatMap { entry in
            entry.isDirectory
                ? listFiles("\(directory)/\(entry.name)", prefix: "\(prefix)/\(entry.name)")
                : ["\(prefix)/\(entry.name)"]
        }
    }
}
