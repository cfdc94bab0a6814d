import Foundation
import CopydeskDaemon
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Waiting without blocking: Swift's cooperative pool has one thread per core (two here), and a test
// that blocks one of them (in `recv`, `wait4`, or a child's output) delays every other test in the
// process. The long waits of the fault and bound tests use these instead.

/// Runs blocking work (a child process) on a Dispatch thread and awaits its result.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// The messages a daemon sent to a ``NotifySocket``, collected without blocking.
final class NotifyMessages {
    let socket: NotifySocket
    private(set) var all = [String]()

    init(_ socket: NotifySocket) {
        self.socket = socket
    }

    /// Takes the datagrams already queued, without waiting.
    func collect() {
        while true {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes {
                recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            guard count > 0 else { return }
            all.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }

    /// Whether a message so far contains all of `texts`.
    func contains(_ texts: String...) -> Bool {
        all.contains { message in texts.allSatisfy { message.contains($0) } }
    }

    func removeAll() {
        all.removeAll()
    }

    /// Polls `condition` every 100 ms, collecting messages meanwhile, for up to `seconds`.
    func wait(seconds: Double, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            collect()
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        collect()
        return condition()
    }
}

/// One decision event of a catalog, read through its read port (no `copydesk log` child).
struct LoggedDecision: Sendable, Hashable {
    var file: String
    var event: String
    var message: String?

    /// The decisions recorded in the catalog at `database` so far (none when it does not exist yet).
    static func all(in database: String) async throws -> [LoggedDecision] {
        guard FileManager.default.fileExists(atPath: database),
            let catalog = try? await CatalogLocation.sqlite(path: database).openForReading()
        else { return [] }
        let events = try await catalog.events(limit: 0).filter(\.kind.isDecision)
        await catalog.close()
        return events.map { LoggedDecision(file: $0.file ?? "", event: $0.kind.rawValue, message: $0.message) }
    }

    /// Waits up to `seconds` until the catalog holds `count` decisions and `done` (if given) holds.
    static func waitFor(
        _ count: Int, in database: String, seconds: Double = 60, until done: () -> Bool = { true }
    ) async throws -> [LoggedDecision] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let found = try await all(in: database)
            if found.count >= count, done() { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await all(in: database)
    }
}

extension DaemonProcess {
    /// Starts `copydesk watch` with a notify socket beside the Inbox (never inside it: a test may
    /// remove the Inbox) and waits for `READY=1`; the test fails with the daemon's log otherwise.
    static func startReady(
        inbox: String, archive: String, arguments: [String] = [], environment: [String: String] = [:],
        user: UInt32? = nil
    ) async throws -> (DaemonProcess, NotifyMessages) {
        let root = URL(fileURLWithPath: inbox).deletingLastPathComponent().path
        let socket = try NotifySocket(path: root + "/notify.sock")
        if user != nil { chmod(socket.path, 0o777) }
        let daemon = try DaemonProcess(
            inbox: inbox, archive: archive, arguments: arguments, environment: environment, notify: socket.path,
            user: user)
        let notify = NotifyMessages(socket)
        let ready = await notify.wait(seconds: 60) { notify.contains("READY=1") }
        try #require(ready, "\(daemon.logTail())")
        return (daemon, notify)
    }
}
