// Drop-to-decision latency of the watch daemon with inotify.
//
// Runs the real WatchService in process on a temporary Inbox and Archive (catalog with
// synchronous=FULL), drops one file at a time and measures from the moment the file appears in
// the Inbox (rename, or close after a direct write) to the moment its decision is committed and the
// file archived. Reports p50/p90/p99/max per round and the median of the rounds' p50 and p99.
//
// Then the backlog throughput of the daemon (a full Inbox at start) with and without readers
// running `status`, `log` and `search` queries in a loop on their own connections, to show that
// readers do not slow the writer down.
//
//   swift run -c release LatencyBench [--files N] [--rounds R] [--backlog N]
import BenchmarkCorpus
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging
import ServiceLifecycle

@main
struct LatencyBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        let files = value("--files", 300)
        let rounds = value("--rounds", 3)
        var logger = Logger(label: "copydesk.bench")
        logger.logLevel = .critical

        print("drop-to-decision latency, inotify, \(files) files per round, \(rounds) rounds")
        print("round  arrival  p50 ms  p90 ms  p99 ms  max ms")
        var p50s = [String: [Double]]()
        var p99s = [String: [Double]]()
        for round in 1...rounds {
            for arrival in ["rename", "write"] {
                let latencies = try await measure(files: files, arrival: arrival, logger: logger)
                let sorted = latencies.sorted()
                func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
                p50s[arrival, default: []].append(percentile(0.5))
                p99s[arrival, default: []].append(percentile(0.99))
                print(
                    String(
                        format: "%5d  %-7@  %6.2f  %6.2f  %6.2f  %6.2f", round, arrival as NSString, percentile(0.5),
                        percentile(0.9), percentile(0.99), sorted.last!))
            }
        }
        let median: ([Double]) -> Double = { $0.sorted()[$0.count / 2] }
        for arrival in ["rename", "write"] {
            print(
                String(
                    format: "median of rounds (%@): p50 %.2f ms, p99 %.2f ms", arrival as NSString,
                    median(p50s[arrival]!), median(p99s[arrival]!)))
        }

        let backlog = value("--backlog", 2000)
        print("\nbacklog of \(backlog) text files, files/s (readers: status+log+search queries in a loop)")
        var alone = [Double]()
        var withReaders = [Double]()
        var queries = [Int]()
        for round in 1...rounds {
            let quiet = try await backlogRate(files: backlog, readers: false, logger: logger)
            let busy = try await backlogRate(files: backlog, readers: true, logger: logger)
            alone.append(quiet.rate)
            withReaders.append(busy.rate)
            queries.append(busy.queries)
            print(String(format: "round %d: alone %.0f files/s, with readers %.0f files/s (%d reader queries)",
                         round, quiet.rate, busy.rate, busy.queries))
        }
        print(String(format: "median: alone %.0f files/s, with readers %.0f files/s, ratio %.2f",
                     median(alone), median(withReaders), median(withReaders) / median(alone)))
    }

    /// Files per second the daemon decides on a backlog, optionally with a reader loop beside it.
    static func backlogRate(files: Int, readers: Bool, logger: Logger) async throws -> (rate: Double, queries: Int) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-backlog-\(UUID())").path
        let inbox = root + "/Inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Distinct synthetic news stories (a templated note would make near-copies, versions of one
        // another, which is a different workload).
        try SyntheticNews().writeFiles(0..<files, to: inbox)
        try await Task.sleep(for: .milliseconds(1100))  // past the startup scan's settle time
        let archive = try Archive(root: root + "/Archive")
        let databasePath = root + "/Archive/copydesk.sqlite"
        let catalog = try SQLiteCatalog(path: databasePath)
        let pipeline = Pipeline(catalog: catalog, archive: archive, origin: .inbox, logger: logger)
        let (decisions, continuation) = AsyncStream<Void>.makeStream()
        let service = WatchService(inbox: inbox, pipeline: pipeline, logger: logger) { outcome in
            if case .decided = outcome { continuation.yield() }
        }
        let stop = ManagedAtomicFlag()
        let reader = readers
            ? Task.detached { () async throws -> Int in
                let store = try SQLiteCatalog.openForReading(path: databasePath)
                var count = 0
                while !stop.isSet {
                    _ = try await StatusReport(archive: root + "/Archive", inbox: inbox, catalog: .sqlite(path: databasePath))
                    _ = try await store.events(limit: 20)
                    _ = try await store.search("news desk", limit: 3)
                    count += 3
                    // An operator's loop (`watch -n 0.1 copydesk status`), not a busy spin.
                    try await Task.sleep(for: .milliseconds(100))
                }
                return count
            } : nil
        let start = ContinuousClock.now
        let group = ServiceGroup(services: [service], logger: logger)
        let running = Task { try await group.run() }
        var seen = 0
        for await _ in decisions {
            seen += 1
            if seen == files { break }
        }
        let elapsed = ContinuousClock.now - start
        stop.set()
        let queries = try await reader?.value ?? 0
        await group.triggerGracefulShutdown()
        try await running.value
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(files) / seconds, queries)
    }

    static func measure(files: Int, arrival: String, logger: Logger) async throws -> [Double] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-latency-\(UUID())").path
        let inbox = root + "/Inbox"
        let staging = root + "/staging"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let archive = try Archive(root: root + "/Archive")
        let catalog = try SQLiteCatalog(path: root + "/Archive/copydesk.sqlite")
        let pipeline = Pipeline(catalog: catalog, archive: archive, origin: .inbox, logger: logger)
        let (decisions, continuation) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let service = WatchService(inbox: inbox, pipeline: pipeline, logger: logger) { outcome in
            if case .decided = outcome { continuation.yield(.now) }
        }
        let group = ServiceGroup(services: [service], logger: logger)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))

        var iterator = decisions.makeAsyncIterator()
        var latencies = [Double]()
        for index in 0..<files {
            let text = """
                Council report \(index)

                The council met for its session number \(index) and voted on item \(index * 13) of the agenda, \
                after a debate that lasted most of the afternoon.

                Members will meet again next week to discuss the budget for the district \(index % 17).
                """
            let name = "story-\(index).txt"
            let start: ContinuousClock.Instant
            if arrival == "rename" {
                try Data(text.utf8).write(to: URL(fileURLWithPath: staging + "/" + name))
                start = .now
                rename(staging + "/" + name, inbox + "/" + name)
            } else {
                let descriptor = open(inbox + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                _ = text.withCString { write(descriptor, $0, strlen($0)) }
                start = .now
                close(descriptor)
            }
            guard let decided = await iterator.next() else { break }
            let elapsed = decided - start
            latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        await group.triggerGracefulShutdown()
        try await running.value
        return latencies
    }
}

/// A flag one task sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
