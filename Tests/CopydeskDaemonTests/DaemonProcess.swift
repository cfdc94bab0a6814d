import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `copydesk watch` started by a test, with its log kept in a file beside the Inbox so that a
/// failing test can show what the daemon said, and a stop that never waits forever: a daemon that
/// does not exit after SIGTERM within the limit is killed and the test records why.
final class DaemonProcess {
    let process = Process()
    let logPath: String

    /// Starts `copydesk watch --inbox inbox --archive archive` plus `arguments`.
    ///
    /// - Parameters:
    ///   - notify: the path of a ``NotifySocket`` to pass as `NOTIFY_SOCKET`.
    ///   - user: a user id to run the daemon as (through `setpriv`, no supplementary groups), as a
    ///     unit's `User=` does; root otherwise. See ``OtherUser``.
    init(
        inbox: String, archive: String, arguments: [String] = [], environment: [String: String] = [:],
        notify: String? = nil, user: UInt32? = nil
    ) throws {
        // Beside the Inbox, named without "Inbox/..", so that it stays readable when a test removes the Inbox.
        logPath = URL(fileURLWithPath: inbox).deletingLastPathComponent().appendingPathComponent(
            "daemon-\(UUID().uuidString.prefix(8)).log"
        ).path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let watch = ["watch", "--inbox", inbox, "--archive", archive] + arguments
        if let user {
            let root = URL(fileURLWithPath: inbox).deletingLastPathComponent().path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = OtherUser.setprivArguments(user) + [try OtherUser.reachableBinary(in: root)] + watch
        } else {
            process.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
            process.arguments = watch
        }
        var environment = environment
        if let notify { environment["NOTIFY_SOCKET"] = notify }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The last `lines` lines the daemon logged.
    func logTail(_ lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Sends `signal` (none: only waits) and waits up to `seconds` for the process to end; past
    /// that it is killed and the test fails with the daemon's last words.
    ///
    /// - Returns: the exit status, or `nil` when it had to be killed.
    @discardableResult
    func stop(signal: Int32? = SIGTERM, within seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation)
        async -> Int32?
    {
        if let signal, process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("the daemon did not exit within \(seconds) s of signal \(signal ?? 0); its log ends:\n\(logTail())",
                sourceLocation: sourceLocation)
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGTERM without waiting.
    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    /// Kills the daemon at once (`kill -9`) and reaps it.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
