#if canImport(Glibc)
internal import Glibc
#endif
public import CopydeskCore
internal import Synchronization

/// What the daemon counts for Prometheus: files by decision, bytes, errors, the queue, and a
/// histogram of the time from taking a file to its committed and archived decision.
///
/// Written as the text exposition format to a file (`--metrics-file`), the node_exporter
/// textfile-collector convention: the file is replaced atomically, so a scrape never sees half.
public final class PipelineMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct State {
        var files = [Decision: Int]()
        var recovered = 0
        var skipped = 0
        var errors = 0
        var bytes: Int64 = 0
        var queued = 0
        var bucketCounts = [Int](repeating: 0, count: PipelineMetrics.buckets.count)
        var latencyCount = 0
        var latencySum = 0.0
    }

    private let state = Mutex(State())
    private let startTime = time(nil)

    public init() {}

    func record(_ outcome: Pipeline.Outcome, bytes: Int64, seconds: Double) {
        state.withLock { state in
            switch outcome {
            case .decided(_, let result, let archiveError):
                for item in result.decisions { state.files[item.decision, default: 0] += 1 }
                state.bytes += bytes
                if archiveError != nil { state.errors += 1 }
                state.latencyCount += 1
                state.latencySum += seconds
                for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
                    state.bucketCounts[index] += 1
                }
            case .recovered: state.recovered += 1
            case .skipped: state.skipped += 1
            case .failed: state.errors += 1
            }
        }
    }

    func setQueued(_ count: Int) {
        state.withLock { $0.queued = count }
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        let state = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("copydesk_files_total", "counter", "Files decided since the daemon started, by decision.")
        for decision in Decision.allCases {
            out += "copydesk_files_total{decision=\"\(decision.rawValue)\"} \(state.files[decision, default: 0])\n"
        }
        family("copydesk_recovered_total", "counter", "Files decided before a crash and archived after the restart.")
        out += "copydesk_recovered_total \(state.recovered)\n"
        family("copydesk_skipped_total", "counter", "Files not taken because they vanished or were still changing.")
        out += "copydesk_skipped_total \(state.skipped)\n"
        family("copydesk_bytes_total", "counter", "Bytes of the files decided.")
        out += "copydesk_bytes_total \(state.bytes)\n"
        family("copydesk_errors_total", "counter", "Files copydesk failed to handle (I/O or catalog); they stay in place.")
        out += "copydesk_errors_total \(state.errors)\n"
        family("copydesk_queue_files", "gauge", "Files taken from the Inbox and not yet decided.")
        out += "copydesk_queue_files \(state.queued)\n"
        family(
            "copydesk_decision_seconds", "histogram",
            "Time from taking a file to its committed and archived decision.")
        for (index, bound) in Self.buckets.enumerated() {
            // Counts are cumulative already: a file counts in every bucket its time fits.
            out += "copydesk_decision_seconds_bucket{le=\"\(bound)\"} \(state.bucketCounts[index])\n"
        }
        out += "copydesk_decision_seconds_bucket{le=\"+Inf\"} \(state.latencyCount)\n"
        out += "copydesk_decision_seconds_sum \(state.latencySum)\n"
        out += "copydesk_decision_seconds_count \(state.latencyCount)\n"
        family("copydesk_start_time_seconds", "gauge", "When the daemon started, seconds since the epoch.")
        out += "copydesk_start_time_seconds \(startTime)\n"
        return out
    }

    /// Replaces the file at `path` with the current metrics: written to a temporary name in the same
    /// folder, then renamed over it.
    public func write(to path: String) throws(CopydeskError) {
        let text = exposition()
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CopydeskError(.ioFailed, "cannot write the metrics file", path: temporary) }
        let written = text.withCString { Glibc.write(descriptor, $0, strlen($0)) }
        close(descriptor)
        guard written == text.utf8.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CopydeskError(.ioFailed, "cannot write the metrics file", path: path)
        }
    }
}

extension ContinuousClock.Instant {
    var secondsUntilNow: Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
