// ScaleBench: fills catalogs of growing size with synthetic articles and measures, at each size,
// the per-file decision time and the database size.
//
//   swift run -c release ScaleBench [--sizes 10000,100000,1000000] [--probes 400] [--dir /tmp/copydesk-scale] [--reuse]
//
// At each size, `--probes` files (a quarter each new articles, revisions, syndicated copies and
// teasers of random stored articles) are decided on twice: once read-only (`decide`: index lookups
// and exact verification, the part that could grow with the catalog) and once through
// `SQLiteCatalog.commit` (`commit`: the same decision plus the durable write of receipt, version, index
// rows and event, with synchronous=FULL). Fingerprints are computed before timing, as the pipeline
// computes them in its parallel stage.
import BenchmarkCorpus
import CopydeskCore
import CopydeskDaemon
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var sizes = [10_000, 100_000, 1_000_000]
    var probes = 400
    var directory = "/tmp/copydesk-scale"
    var batch = 5_000
    /// Keep an existing catalog in `directory` and fill it only up to each size (to measure again
    /// without refilling).
    var reuse = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--sizes": sizes = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--probes": probes = Int(iterator.next() ?? "") ?? probes
            case "--dir": directory = iterator.next() ?? directory
            case "--batch": batch = Int(iterator.next() ?? "") ?? batch
            case "--reuse": reuse = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

/// Resident and peak resident memory of this process, in MiB (from /proc/self/status).
func memory() -> (rss: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func value(_ key: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
    }
    return (value("VmRSS:"), value("VmHWM:"))
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func summary(_ values: [Double]) -> String {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return "-" }
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    let p50 = sorted[sorted.count / 2]
    let p90 = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
    let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    return String(format: "mean %.3f  p50 %.3f  p90 %.3f  p99 %.3f ms", mean, p50, p90, p99)
}

let options = Options(CommandLine.arguments)
let news = SyntheticNews()
if !options.reuse { try? FileManager.default.removeItem(atPath: options.directory) }
try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
let catalog = try SQLiteCatalog(path: options.directory + "/copydesk.sqlite")
let clock = ContinuousClock()
// Probes are committed too, so a reused catalog holds a few more articles than it was filled with;
// filling goes on from the number of bulk-loaded ones, kept beside the catalog.
let filledFile = options.directory + "/filled"
var filled = Int((try? String(contentsOfFile: filledFile, encoding: .utf8)) ?? "") ?? 0
var fresh = 100_000_000
FileHandle.standardOutput.write(
    Data(
        ("size        fill/s   db MiB   B/article   decide (lookup + verify)                               commit (decision + durable write)                    correct  rss MiB  peak MiB"
            + "\n").utf8))
for size in options.sizes {
    let fillStart = clock.now
    let start = filled
    while filled < size {
        let range = filled..<min(size, filled + options.batch)
        let batch = await withTaskGroup(of: [(name: String, article: PreparedArticle)].self) {
            group in
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let chunk = (range.count + workers - 1) / workers
            for worker in 0..<workers {
                let lower = range.lowerBound + worker * chunk
                let upper = min(range.upperBound, lower + chunk)
                guard lower < upper else { continue }
                group.addTask {
                    (lower..<upper).map { index in
                        let article = news.article(index)
                        return (name: "a\(index).txt", article: PreparedArticle(article))
                    }
                }
            }
            var all = [(name: String, article: PreparedArticle)]()
            for await part in group { all += part }
            return all
        }
        try catalog.bulkRecordNewArticles(batch)
        filled = range.upperBound
        try String(filled).write(toFile: filledFile, atomically: true, encoding: .utf8)
    }
    let fillRate = Double(filled - start) / max(1e-9, milliseconds(clock.now - fillStart) / 1000)
    try catalog.checkpoint()
    sync()
    let size = catalog.fileSize()

    // Seeded by the receipts so far, so a run on a reused catalog draws probes not seen before.
    let receipts = try await catalog.counts().receipts
    var random = SplitMix64(seed: UInt64(receipts))
    fresh = 100_000_000 + receipts
    var probes = [(kind: SyntheticNews.ProbeKind, article: PreparedArticle)]()
    for number in 0..<options.probes {
        let kind = SyntheticNews.ProbeKind.allCases[number % 4]
        let article = news.probe(kind, index: Int(random.next() % UInt64(filled)), fresh: fresh)
        if kind == .new { fresh += 1 }
        probes.append((kind, PreparedArticle(article)))
    }
    var decideTimes = [Double]()
    var correct = 0
    for probe in probes {
        let begin = clock.now
        let match = try catalog.nearestVersion(of: probe.article)
        decideTimes.append(milliseconds(clock.now - begin))
        if (match == nil) == (probe.kind == .new) { correct += 1 }
    }
    var commitTimes = [Double]()
    for (number, probe) in probes.enumerated() {
        let name = "probe-\(receipts)-\(number).txt"
        let submission = Submission(
            origin: .ingest, fileName: name, sourcePath: "/bench/" + name,
            identity: FileIdentity(size: 1, modificationTimeNanoseconds: 0, inode: 0, device: 0),
            rawSHA256: SHA256Digest.hex(of: name), arrivedAt: Timestamp.now(), content: .success(probe.article.article),
            archivePath: "originals/" + name)
        let begin = clock.now
        _ = try await catalog.commit(submission)
        commitTimes.append(milliseconds(clock.now - begin))
    }
    let (rss, peak) = memory()
    let line = String(
        format: "%-10d %7.0f %8.1f %11.0f   %@   %@   %3d/%-3d %8.1f %9.1f", filled, fillRate,
        Double(size) / 1_048_576, Double(size) / Double(filled), summary(decideTimes) as NSString,
        summary(commitTimes) as NSString, correct, probes.count, rss, peak)
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
