internal import Glibc

/// Who this daemon is among the nodes of a catalog.
public struct NodeIdentity: Sendable {
    public var name: String
    public var host: String
    public var pid: Int32
    public var inbox: String
    public var startedAt: String

    public init(name: String, inbox: String) {
        self.name = name
        self.host = Self.hostName
        self.pid = getpid()
        self.inbox = inbox
        self.startedAt = Timestamp.now()
    }

    /// The name a daemon has unless told otherwise: its host and Inbox, unique for daemons with
    /// Inboxes of their own (several on one shared Inbox name themselves).
    public static func defaultName(inbox: String) -> String {
        "\(hostName):\(inbox)"
    }

    /// This machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func record(seenAt time: String) -> NodeRecord {
        NodeRecord(name: name, host: host, pid: pid, inbox: inbox, startedAt: startedAt, lastSeen: time)
    }
}
