#if canImport(Glibc)
internal import Glibc
#endif
internal import SystemPackage
internal import Synchronization
internal import Dispatch

/// Speaks systemd's notify protocol (`sd_notify(3)`) directly over `$NOTIFY_SOCKET`, without
/// libsystemd: one datagram per message, `KEY=VALUE` lines.
///
/// Without `$NOTIFY_SOCKET` (not started by systemd, or `Type=` is not `notify`), every send is a
/// no-op.
///
/// Sends never block the daemon: a datagram socket whose reader has fallen behind (its queue holds
/// only a few datagrams) would otherwise stall the pipeline inside `sendto`. A status or watchdog
/// message that finds the queue full is dropped (the next one supersedes it); `READY=1` and
/// `STOPPING=1` are retried for up to a second.
public final class SystemdNotifier: Sendable {
    private let descriptor: Int32
    private let address: [UInt8]
    /// How often systemd expects `WATCHDOG=1`: `$WATCHDOG_USEC`, when it is meant for this process.
    public let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String]) {
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            watchdogInterval = .microseconds(usec)
        } else {
            watchdogInterval = nil
        }
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@"),
            path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else {
            descriptor = -1
            address = []
            return
        }
        // An abstract socket is written with a leading '@' and addressed with a leading NUL byte.
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        address = bytes
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if descriptor >= 0 {
            let microseconds = Int(Self.importantPatience.nanoseconds / 1000)
            var timeout = timeval(tv_sec: microseconds / 1_000_000, tv_usec: microseconds % 1_000_000)
            _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Whether messages go anywhere.
    public var isActive: Bool { descriptor >= 0 }

    /// Sends one datagram with `fields` as `KEY=VALUE` lines; `STATUS=` values are kept to one line.
    ///
    /// - Parameter patience: whether to wait (up to ``importantPatience``) while the receiver's queue
    ///   is full.
    /// - Returns: whether the datagram was sent.
    @discardableResult
    public func send(_ fields: [(String, String)], patience: Duration = .zero) -> Bool {
        guard descriptor >= 0 else { return false }
        let message = fields.map { key, value in
            "\(key)=\(value.split(whereSeparator: \.isNewline).joined(separator: " "))"
        }.joined(separator: "\n")
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
            for (index, byte) in address.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count)
        // A patient message blocks in the kernel until the receiver's queue has room, at most the
        // socket's send timeout (``importantPatience``, set once); the others never wait.
        let flags = Int32(MSG_NOSIGNAL) | (patience > .zero ? 0 : Int32(MSG_DONTWAIT))
        let sent = message.withCString { text in
            withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketPointer in
                    valueOrErrno { sendto(descriptor, text, strlen(text), flags, socketPointer, length) }
                }
            }
        }
        if case .success = sent { return true }
        return false
    }

    /// How long `READY=1` and `STOPPING=1` wait for room in a full queue.
    static let importantPatience: Duration = .seconds(1)

    /// `READY=1`, with a status line.
    public func ready(status: String) { send([("READY", "1"), ("STATUS", status)], patience: Self.importantPatience) }
    /// `STATUS=`: one line shown by `systemctl status`.
    public func status(_ text: String) { send([("STATUS", text)]) }
    /// `WATCHDOG=1`: the service is alive.
    public func watchdog() { send([("WATCHDOG", "1")]) }
    /// Runs `body` (opening the catalog, whose migrations can take minutes on a large catalog
    /// after an upgrade) while telling systemd every 10 s to extend the start timeout by 30 s
    /// (`EXTEND_TIMEOUT_USEC`), so that a long but progressing start is not killed and retried from
    /// the beginning.
    ///
    /// The messages come from a thread of their own, which sleeps on a semaphore between them:
    /// `body` may block its thread for minutes (SQLite migrates synchronously), and on a one-core
    /// machine a task of the cooperative pool would not run until it returned.
    public func extendingStartTimeout<T>(
        status: String, every interval: Duration = .seconds(10), _ body: () async throws -> T
    ) async throws -> T {
        guard isActive else { return try await body() }
        let stop = DispatchSemaphore(value: 0)
        let stopped = DispatchSemaphore(value: 0)
        let nanoseconds = Int(interval.nanoseconds)
        let started = Thread.start { [self] in
            defer { stopped.signal() }
            while stop.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
                send([("EXTEND_TIMEOUT_USEC", "30000000"), ("STATUS", status)])
            }
        }
        defer {
            if started {
                stop.signal()
                // Nothing is sent once this returns: wait out a message being sent right now.
                stopped.wait()
            }
        }
        return try await body()
    }

    /// `STOPPING=1`, with a status line.
    public func stopping(status: String) {
        send([("STOPPING", "1"), ("STATUS", status)], patience: Self.importantPatience)
    }
}
