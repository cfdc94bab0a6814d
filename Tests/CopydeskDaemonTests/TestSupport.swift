import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging

/// Runs `body` with a fresh Inbox and Archive under a temporary folder, removed afterwards even when
/// `body` throws.
func withTemporaryDirectory<T>(_ body: (_ inbox: String, _ archive: String) async throws -> T) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-test-\(UUID().uuidString)").path
    let inbox = root + "/Inbox"
    let archive = root + "/Archive"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    return try await body(inbox, archive)
}

/// A file as a submission to a catalog, normalized as the pipeline would (`published`: instead of
/// what the file says).
func normalizedSubmission(_ name: String, _ bytes: [UInt8], published: String? = nil) throws -> Submission {
    var article = try Normalizer().normalize(bytes)
    if let published { article.published = published }
    let sha = SHA256Digest.hex(of: bytes)
    return Submission(
        origin: .ingest, fileName: name, sourcePath: "/drop/\(name)",
        identity: FileIdentity(size: Int64(bytes.count), modificationTimeNanoseconds: 1, inode: 1, device: 1),
        rawSHA256: sha, arrivedAt: Timestamp.now(), content: .success(article),
        archivePath: "originals/\(sha.prefix(2))/\(sha)")
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func files(in folder: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: folder)
    var found = [String]()
    while let next = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
            found.append(next)
        }
    }
    return found.sorted()
}

let quietLogger: Logger = {
    var logger = Logger(label: "copydesk.test")
    logger.logLevel = .critical
    return logger
}()

/// Files of `../shared` beside the package (read, never copied into the repository).
enum SharedFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var seedsFolder: String {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds").path
    }

    static var seedNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: seedsFolder)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }
}

let articleText = """
    Ministers agree on a new budget

    The finance ministers of the union agreed on Tuesday on a budget for the coming year, after talks \
    that lasted through the night.

    The agreement still needs the approval of the parliament, which votes next month.
    """
