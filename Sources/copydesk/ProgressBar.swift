import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress line on stderr (done/total, files/s, ETA) when stderr is a terminal; silent otherwise.
final class ProgressBar {
    private let label: String
    /// What is counted, in the rate (`files`).
    private let unit: String
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    init(label: String, unit: String = "files") {
        self.label = label
        self.unit = unit
        self.enabled = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100), done < total { return }
        lastDraw = now
        let elapsed = max(0.001, Double((now - start).components.attoseconds) / 1e18 + Double((now - start).components.seconds))
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? min(width, width * done / total) : width
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let line = String(
            format: "\r%@ [%@] %d/%d  %.0f %@/s  ETA %@ ", label, bar, done, total, rate, unit, Self.duration(remaining))
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// Clears the line.
    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
            : total >= 60 ? String(format: "%dm%02ds", total / 60, total % 60) : "\(total)s"
    }
}
