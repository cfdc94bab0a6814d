import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs test processes as users other than root. As root every permission check passes, so a
/// daemon or a writer running as root proves nothing about a unit's `User=` and the people who
/// drop files: the tests that depend on who may do what run both as plain users.
enum OtherUser {
    /// The daemon's user in these tests (no entry in /etc/passwd is needed).
    static let daemon: UInt32 = 64_999
    /// A writer dropping files, another user again (`nobody`).
    static let writer: UInt32 = 65_534

    /// Whether the tests can switch users (root, with `setpriv` from util-linux).
    static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
    }

    static func setprivArguments(_ user: UInt32) -> [String] {
        ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"]
    }

    /// The copydesk binary at a path every user can reach: the checkout may lie under a folder only
    /// root can enter (CI clones into `mktemp -d`). A hard link into `root`, or a copy.
    static func reachableBinary(in root: String) throws -> String {
        let target = root + "/copydesk-bin"
        if FileManager.default.fileExists(atPath: target) { return target }
        if link(EndToEndTests.binary, target) != 0 {
            try FileManager.default.copyItem(atPath: EndToEndTests.binary, toPath: target)
        }
        chmod(target, 0o755)
        return target
    }

    /// Makes the temporary root, the Inbox and the Archive usable by the daemon's user and the Inbox
    /// writable by the writer, as a unit's `StateDirectory=` and group would (no sticky bit: the
    /// daemon moves files other users wrote).
    static func prepare(root: String, inbox: String, archive: String) throws {
        chmod(root, 0o755)
        chmod(inbox, 0o777)
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        chown(archive, daemon, daemon)
    }
}

/// A writer, running as ``OtherUser/writer``, that creates a file in the Inbox, writes its first
/// part, and keeps the file open until the test releases it; then it writes the rest and closes.
final class HeldWriter {
    let process = Process()
    let path: String
    let fifo: String

    init(path: String, first: String, rest: String, user: UInt32 = OtherUser.writer) throws {
        self.path = path
        fifo = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
            + "/release-\(UUID().uuidString.prefix(8))"
        guard mkfifo(fifo, 0o666) == 0 else { throw CocoaError(.fileWriteUnknown) }
        chmod(fifo, 0o666)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        let script = #"exec 3>"$1"; printf '%s' "$2" >&3; read line < "$4"; printf '%s' "$3" >&3; exec 3>&-"#
        process.arguments = OtherUser.setprivArguments(user) + ["/bin/sh", "-c", script, "sh", path, first, rest, fifo]
        try process.run()
    }

    /// Waits until the first part is on disk.
    func waitForFirstPart(bytes: Int) async -> Bool {
        for _ in 0..<200 {
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size >= bytes {
                return true
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    /// Lets the writer write the rest and close the file, and waits for it to end.
    func release() async throws {
        let fifo = self.fifo
        let process = self.process
        try await offThePool {
            let handle = FileHandle(forWritingAtPath: fifo)
            handle?.write(Data("go\n".utf8))
            handle?.closeFile()
            process.waitUntilExit()
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        unlink(fifo)
    }
}
