import CopydeskDaemon
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's notify socket.
final class NotifySocket {
    let path: String
    let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0, "bind failed: \(errno)")
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next datagram, or nil after 200 ms without one.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Collects datagrams until one satisfies `condition` or `seconds` pass.
    func waitFor(seconds: Double, into messages: inout [String], _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let message = receive() {
                messages.append(message)
                if condition(message) { return true }
            }
        }
        return false
    }
}

struct SystemdNotifyTests {
    @Test func withoutNotifySocketNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.send([("READY", "1")]))
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func watchdogIntervalIsOnlyForThisProcess() {
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]).watchdogInterval == .seconds(30))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
        let mine = "\(getpid())"
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "500", "WATCHDOG_PID": mine]).watchdogInterval != nil)
    }

    @Test func messagesArriveAsDatagrams() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let socket = try NotifySocket(path: inbox + "/notify.sock")
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
            #expect(notifier.isActive)
            notifier.ready(status: "3 files taken\nsince start")
            #expect(socket.receive() == "READY=1\nSTATUS=3 files taken since start")
            notifier.watchdog()
            #expect(socket.receive() == "WATCHDOG=1")
        }
    }

    /// A receiver that stops reading must not stall the daemon: its queue fills after a few
    /// datagrams, and later status messages are dropped instead of blocking in `sendto`.
    @Test func aReceiverThatNeverReadsNeverBlocksTheSender() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let socket = try NotifySocket(path: inbox + "/notify.sock")
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
            let started = ContinuousClock.now
            let sent = (0..<500).filter { notifier.send([("STATUS", "message \($0)")]) }.count
            #expect(sent > 0)
            #expect(sent < 500, "the socket's queue never filled")
            // READY waits a little for room, then gives up rather than hang.
            notifier.ready(status: "ready")
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(socket.receive() == "STATUS=message 0")
        }
    }

    @Test func aLongStartExtendsTheStartTimeout() async throws {
        try await withTemporaryDirectory { inbox, _ in
            let socket = try NotifySocket(path: inbox + "/notify.sock")
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
            let value = try await notifier.extendingStartTimeout(status: "upgrading", every: .milliseconds(100)) {
                () async throws -> Int in
                try await Task.sleep(for: .milliseconds(550))
                return 7
            }
            #expect(value == 7)
            var messages = [String]()
            while let message = socket.receive() { messages.append(message) }
            #expect(messages.count >= 3, "\(messages)")
            #expect(messages.allSatisfy { $0 == "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=upgrading" }, "\(messages)")
            // Nothing more once the body has returned.
            usleep(300_000)
            #expect(socket.receive() == nil)
        }
    }

    @Test func theDaemonSpeaksTheProtocol() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: EndToEndTests.binary))
        try await withTemporaryDirectory { inbox, archive in
            try write(articleText, to: inbox + "/waiting.txt")
            try await Task.sleep(for: .milliseconds(1100))  // older than the scan's settle time
            let socket = try NotifySocket(path: inbox + "/../notify.sock")
            let daemon = try DaemonProcess(
                inbox: inbox, archive: archive, environment: ["WATCHDOG_USEC": "400000"], notify: socket.path)
            var messages = [String]()
            let ready = socket.waitFor(seconds: 20, into: &messages) { $0.contains("READY=1") }
            #expect(ready, "\(messages)")
            // READY comes after the startup scan: the waiting file is already decided.
            #expect(messages.last?.contains("STATUS=1 file taken since start: 1 new-article") == true, "\(messages)")
            #expect(socket.waitFor(seconds: 5, into: &messages) { $0 == "WATCHDOG=1" }, "\(messages)")
            try write("Another story\n\nWith its own text, entirely different.", to: inbox + "/new.txt")
            #expect(socket.waitFor(seconds: 10, into: &messages) { $0.contains("STATUS=2 files taken") }, "\(messages)")
            daemon.terminate()
            #expect(socket.waitFor(seconds: 10, into: &messages) { $0.hasPrefix("STOPPING=1") }, "\(messages)")
            #expect(await daemon.stop(signal: nil) == 0)
        }
    }
}
