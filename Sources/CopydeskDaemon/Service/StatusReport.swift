public import CopydeskCore

/// What `copydesk status` reports: the daemon, the Inbox, the catalog's totals and the last event.
public struct StatusReport: Sendable {
    public var daemon: DaemonLock.Holder?
    public var inbox: String
    public var waiting: Int
    /// The files the daemon knows a writer still holds open (empty when no daemon runs).
    public var openForWriting: [OpenFile]
    /// The catalog's engine (`sqlite`, `postgresql`) and where it is.
    public var backend: String
    public var location: String
    /// Why the catalog could not be read now (a starting daemon creates or migrates it, its server
    /// cannot be reached); the totals and events are then unknown.
    public var notReady: String?
    public var counts: CatalogCounts?
    /// The daemons the catalog has seen, most recently seen first.
    public var nodes = [NodeRecord]()
    public var lastEvent: IngestEvent?
    /// The last few decisions, oldest first.
    public var recentDecisions: [IngestEvent]
    /// Files received in the last hour.
    public var lastHour: Int

    /// Gathers the report from the Archive's lock, the Inbox folder and the catalog.
    ///
    /// A catalog still being created or migrated, or whose server cannot be reached, is reported as
    /// such (``notReady``), not as an error: `status` is what an operator runs to see why files wait.
    public init(archive: String, inbox: String, catalog location: CatalogLocation, recent: Int = 5) async throws(CopydeskError) {
        self.daemon = DaemonLock.holder(archive: archive, inbox: inbox)
        self.inbox = inbox
        self.waiting = InboxScanner.scan(inbox).count
        self.openForWriting = daemon.map { OpenFilesRecord.read(folder: $0.folder) } ?? []
        self.backend = location.backend
        self.location = location.description
        self.recentDecisions = []
        self.lastHour = 0
        do throws(CopydeskError) {
            let catalog = try await location.openForReading()
            do throws(CopydeskError) {
                try await read(catalog, recent: recent)
            } catch {
                await catalog.close()
                throw error
            }
            await catalog.close()
        } catch where error.code == .storeNotReady || error.code == .storeUnavailable {
            // What the daemons wait for too: the report says so, and what else it knows.
            notReady = error.message
        }
    }

    private mutating func read(_ catalog: some CatalogReader, recent: Int) async throws(CopydeskError) {
        self.counts = try await catalog.counts()
        self.nodes = try await catalog.nodes()
        self.lastEvent = try await catalog.lastEvent()
        self.recentDecisions = try await catalog.recentDecisions(limit: recent)
        self.lastHour = try await catalog.receiptCount(since: Timestamp.format(seconds: TimeExpression.nowSeconds() - 3600))
    }

    private static func json(_ node: NodeRecord) -> JSONObject {
        var object = JSONObject()
        object.add("name", node.name)
        object.add("host", node.host)
        object.add("pid", Int64(node.pid))
        object.add("inbox", node.inbox)
        object.add("started_at", node.startedAt)
        object.add("last_seen", node.lastSeen)
        return object
    }

    /// The report as `status --json` prints it: one object.
    public var json: JSONObject {
        var daemonObject = JSONObject()
        daemonObject.add("running", daemon != nil)
        daemonObject.add("pid", daemon.map { Int64($0.pid) })
        daemonObject.add("since", daemon?.since)
        var inboxObject = JSONObject()
        inboxObject.add("path", inbox)
        inboxObject.add("waiting", waiting)
        inboxObject.add(
            "open_for_writing",
            openForWriting.map { file in
                var entry = JSONObject()
                entry.add("file", file.file)
                entry.add("since", Timestamp.format(nanoseconds: file.since))
                return entry
            })
        var object = JSONObject()
        object.add("daemon", daemonObject)
        object.add("inbox", inboxObject)
        var catalogObject = JSONObject()
        catalogObject.add("backend", backend)
        catalogObject.add("location", location)
        catalogObject.add("ready", notReady == nil)
        catalogObject.add("message", notReady)
        object.add("catalog", catalogObject)
        // The node beside this Inbox, when the catalog knows it, and every node it has seen.
        let here = NodeIdentity.hostName
        object.add("node", nodes.first { $0.host == here && $0.inbox == inbox }.map(Self.json))
        object.add("nodes", nodes.map(Self.json))
        object.add("articles", counts.map { Int64($0.articles) })
        object.add("versions", counts.map { Int64($0.versions) })
        object.add("receipts", counts.map { Int64($0.receipts) })
        object.add("duplicates", counts.map { Int64($0.duplicates) })
        object.add("rejected", counts.map { Int64($0.rejected) })
        object.add("killed", counts.map { Int64($0.killed) })
        object.add("stories", counts.map { Int64($0.stories) })
        if let regroup = counts?.regroup {
            // An unfinished regroup: how far it got.
            var progress = JSONObject()
            progress.add("done", Int64(regroup.done))
            progress.add("total", Int64(regroup.total))
            progress.add("started_at", regroup.startedAt)
            object.add("regroup", progress)
        }
        object.add("last_event", lastEvent?.json)
        object.add("recent_decisions", recentDecisions.map(\.json))
        var rate = JSONObject()
        rate.add("files", lastHour)
        rate.add("per_minute", Double(lastHour) / 60)
        object.add("last_hour", rate)
        return object
    }
}
