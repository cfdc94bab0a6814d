// ScaleBench: fills catalogs of growing size with synthetic articles and measures, at each size,
// the per-file decision time, the serialized time of story assignment and the database size.
//
//   swift run -c release ScaleBench [--sizes 10000,100000,1000000] [--probes 400] [--dir /tmp/copydesk-scale] [--reuse] [--no-plans]
//                                   [--commit-group 32]
//   swift run -c release ScaleBench --show 123     (synthetic article 123 and its story terms)
//
// At each size, `--probes` files (a quarter each new articles, revisions, syndicated copies and
// teasers of random stored articles) are decided on twice: once read-only (`decide`: index lookups
// and exact verification, the part that could grow with the catalog) and once through
// `SQLiteCatalog.commit` (`commit`: the same decision plus the durable write of receipt, version, index
// rows and event, with synchronous=FULL). Fingerprints and story features are computed before
// timing, as the pipeline computes them in its parallel stage. Each probe is committed in its own
// transaction, or `--commit-group N` of them in one, as the pipeline commits the files of a backlog
// that are ready together (then `commit` is the transaction's time divided among its probes, and
// the story parts of a transaction's new articles run one after another: see
// `SQLiteCatalog.commit(_:assigner:stories:storyTimer:in:)`).
//
// Stories: the synthetic articles report on events (`SyntheticNews(events: true)`: made-up people,
// places, organisations and numbers with Zipf frequencies; a third of the articles on an event of
// their own, most on one that neighbouring articles share, one in ten on a running event), are
// published 8 s apart (10,800 a day, so a 3-day story window holds about 32,000 articles), and are
// assigned to stories as they are filled, by the catalog's own assigner, lookup and write. Half of
// the new probes report on the event of one of the last 2,000 articles, half on an event of their
// own. The story part of each new probe's commit (the assignment procedure, SQLite's answers and the
// write of the outcome, inside the write transaction: what is serialized per article for stories) is
// timed apart (`story`), and so are the procedure's own computing alone (`compute`: the time inside
// its `next` steps), each of SQLite's answers and the write. After the probes, the story tables' bytes (SQLite's `dbstat`) and their share
// of the catalog are measured; at the end, a summary compares every size with the first.
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
    /// Decide every story assignment in its turn, none worked out ahead (the baseline).
    var noPlans = false
    /// How many probes are committed in one transaction, as the pipeline commits a backlog's
    /// files together (1: each its own, the per-file commit latency).
    var commitGroup = 1
    /// Print this synthetic article and its story terms, and exit.
    var show: Int?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--sizes": sizes = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--probes": probes = Int(iterator.next() ?? "") ?? probes
            case "--dir": directory = iterator.next() ?? directory
            case "--batch": batch = Int(iterator.next() ?? "") ?? batch
            case "--reuse": reuse = true
            case "--no-plans": noPlans = true
            case "--commit-group": commitGroup = max(1, Int(iterator.next() ?? "") ?? commitGroup)
            case "--show": show = Int(iterator.next() ?? "")
            default:
                FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

/// When synthetic article `index` was published: from 2026-01-01, 8 s apart.
func published(_ index: Int) -> String {
    Timestamp.format(seconds: 1_767_225_600 + index * 8)
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

/// The mean, median, 90th and 99th percentiles of `values` (zeros when there are none).
func percentiles(_ values: [Double]) -> (mean: Double, p50: Double, p90: Double, p99: Double) {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return (0, 0, 0, 0) }
    return (
        sorted.reduce(0, +) / Double(sorted.count), sorted[sorted.count / 2],
        sorted[min(sorted.count - 1, sorted.count * 9 / 10)], sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    )
}

func summary(_ values: [Double]) -> String {
    guard !values.isEmpty else { return "-" }
    let (mean, p50, p90, p99) = percentiles(values)
    return String(format: "mean %.3f  p50 %.3f  p90 %.3f  p99 %.3f ms", mean, p50, p90, p99)
}

func mebibytes(_ bytes: Int64) -> Double { Double(bytes) / 1_048_576 }

/// What one size measured of stories, for the closing summary.
struct StoryFigures {
    var size: Int
    var story: (mean: Double, p50: Double, p90: Double, p99: Double)
    var compute: (mean: Double, p50: Double, p90: Double, p99: Double)
    /// The procedure's share of the story time, summed over the probes.
    var computeShare: Double
    var storyBytes: Int64?
    var catalogBytes: Int64
    var rss: Double
}

let options = Options(CommandLine.arguments)
let news = SyntheticNews(events: true)
if let index = options.show {
    let article = news.article(index)
    var lines = ["event \(news.event(of: index) ?? 0)", article.title ?? ""] + article.paragraphs + [""]
    for (term, text) in StoryFeatures.described(article) { lines.append("\(term.channel) \(term.count) \(text)") }
    print(lines.joined(separator: "\n"))
    exit(0)
}
if !options.reuse { try? FileManager.default.removeItem(atPath: options.directory) }
try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
let catalog = try SQLiteCatalog(path: options.directory + "/copydesk.sqlite")
let clock = ContinuousClock()
// Probes are committed too, so a reused catalog holds a few more articles than it was filled with;
// filling goes on from the number of bulk-loaded ones, kept beside the catalog.
let filledFile = options.directory + "/filled"
var filled = Int((try? String(contentsOfFile: filledFile, encoding: .utf8)) ?? "") ?? 0
var fresh = 100_000_000
var storyFigures = [StoryFigures]()
FileHandle.standardOutput.write(
    Data(
        ("size        fill/s   db MiB   B/article   decide (lookup + verify)                               commit (decision + durable write)                    correct  rss MiB  peak MiB"
            + "\n").utf8))
for size in options.sizes {
    let fillStart = clock.now
    let start = filled
    while filled < size {
        let range = filled..<min(size, filled + options.batch)
        // In index order (the order of publication, which story assignment follows), whichever
        // worker finishes first.
        let batch = await withTaskGroup(of: (lower: Int, part: [(name: String, article: PreparedArticle)]).self) {
            group in
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let chunk = (range.count + workers - 1) / workers
            for worker in 0..<workers {
                let lower = range.lowerBound + worker * chunk
                let upper = min(range.upperBound, lower + chunk)
                guard lower < upper else { continue }
                group.addTask {
                    let part = (lower..<upper).map { index in
                        var article = news.article(index)
                        article.published = published(index)
                        return (name: "a\(index).txt", article: PreparedArticle(article))
                    }
                    return (lower, part)
                }
            }
            var parts = [(lower: Int, part: [(name: String, article: PreparedArticle)])]()
            for await part in group { parts.append(part) }
            return parts.sorted { $0.lower < $1.lower }.flatMap(\.part)
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
        var index = Int(random.next() % UInt64(filled))
        // A new article reports on a recent event (every other one), or on one of its own.
        if kind == .new { index = number / 4 % 2 == 0 ? filled - 1 - index % min(filled, 2_000) : fresh }
        var article = news.probe(kind, index: index, fresh: fresh)
        article.published = published(kind == .new ? filled + number : index)
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
    let storyTimer = StoryTimer()
    var lastStory = try catalog.storyTables(measuringBytes: false).last
    var joined = 0
    let submissions = probes.enumerated().map { number, probe in
        let name = "probe-\(receipts)-\(number).txt"
        return Submission(
            origin: .ingest, fileName: name, sourcePath: "/bench/" + name,
            identity: FileIdentity(size: 1, modificationTimeNanoseconds: 0, inode: 0, device: 0),
            rawSHA256: SHA256Digest.hex(of: name), arrivedAt: Timestamp.now(), content: .success(probe.article.article),
            archivePath: "originals/" + name)
    }
    // As in the daemon: each transaction works out its new articles' stories on another thread
    // while it decides its files (`SQLiteStoryPlanner`), and a decision takes its plan when nothing
    // it read has changed since (`--no-plans`: every assignment worked out in its turn).
    catalog.plansStoriesWhileDeciding = !options.noPlans
    for first in stride(from: 0, to: submissions.count, by: options.commitGroup) {
        let batch = Array(submissions[first..<min(first + options.commitGroup, submissions.count)])
        let begin = clock.now
        let results = try await catalog.commit(batch: batch, storyTimer: storyTimer)
        // A transaction of several probes: each is given its share of the time.
        let each = milliseconds(clock.now - begin) / Double(batch.count)
        commitTimes.append(contentsOf: Array(repeating: each, count: batch.count))
        for result in results where result.decision == .newArticle {
            guard let story = result.story else { continue }
            if story <= lastStory { joined += 1 }
            lastStory = max(lastStory, story)
        }
    }
    let (rss, peak) = memory()
    let line = String(
        format: "%-10d %7.0f %8.1f %11.0f   %@   %@   %3d/%-3d %8.1f %9.1f", filled, fillRate,
        Double(size) / 1_048_576, Double(size) / Double(filled), summary(decideTimes) as NSString,
        summary(commitTimes) as NSString, correct, probes.count, rss, peak)
    FileHandle.standardOutput.write(Data((line + "\n").utf8))

    let samples = storyTimer.samples
    let storyTimes = samples.map { milliseconds($0.total) }
    let computeTimes = samples.map { milliseconds($0.compute) }
    let computeShare = computeTimes.reduce(0, +) / max(1e-12, storyTimes.reduce(0, +))
    let tables = try catalog.storyTables(measuringBytes: true)
    let storyBytes = tables.bytes.map { $0.values.reduce(0, +) }
    let tableSizes = tables.bytes.map { bytes in
        SQLiteCatalog.storyTableNames.map { String(format: "%@ %.1f", $0, mebibytes(bytes[$0] ?? 0)) }
            .joined(separator: ", ")
    }
    // Each question's answers: the median time, and how many of the articles asked it.
    let answers = ["frequencies", "stories", "profiles"].map { question in
        let times = samples.compactMap { sample in sample.answers.first { $0.question == question }.map { milliseconds($0.time) } }
        return String(format: "%@ p50 %.3f ms (%d)", question, percentiles(times).p50, times.count)
    }
    let storyLines = [
        String(
            format: "           story, %d new articles (%d joined a story): serialized %@;  compute %@ (%.0f %% of the time)",
            samples.count, joined, summary(storyTimes) as NSString, summary(computeTimes) as NSString,
            computeShare * 100),
        String(
            format: "           story answers: %@;  write p50 %.3f ms;  worked out ahead and taken: %d, turned down: %d (resumed from the profiles: %d)",
            answers.joined(separator: ", "), percentiles(samples.map { milliseconds($0.write) }).p50,
            samples.filter(\.planned).count, storyTimer.plansTurnedDown, storyTimer.plansResumed),
        String(
            format: "           of the %d worked out ahead and taken: serialized %@;  check p50 %.3f ms, write p50 %.3f ms",
            samples.filter(\.planned).count, summary(samples.filter(\.planned).map { milliseconds($0.total) }) as NSString,
            percentiles(samples.filter(\.planned).map { milliseconds($0.compute) }).p50,
            percentiles(samples.filter(\.planned).map { milliseconds($0.write) }).p50),
        String(
            format: "           story tables %@ MiB (%@ %% of the catalog: %@ MiB);  %d live stories, the largest of %d articles",
            storyBytes.map { String(format: "%.1f", mebibytes($0)) } ?? "-",
            storyBytes.map { String(format: "%.1f", Double($0) / Double(size) * 100) } ?? "-",
            tableSizes ?? "dbstat unavailable", tables.stories, tables.largest),
    ]
    FileHandle.standardOutput.write(Data((storyLines.joined(separator: "\n") + "\n").utf8))
    storyFigures.append(
        StoryFigures(
            size: filled, story: percentiles(storyTimes), compute: percentiles(computeTimes),
            computeShare: computeShare, storyBytes: storyBytes, catalogBytes: size, rss: rss))
}

// Every size against the first: what growing the catalog adds to the serialized story time.
if let first = storyFigures.first {
    var lines = [
        "",
        "story part of a new article's commit (serialized), ms:",
        "size        p50     p90     p99     p50 vs first  p99 vs first  compute p50  compute share  story bytes  rss MiB",
    ]
    for figures in storyFigures {
        lines.append(
            String(
                format: "%-10d %6.3f  %6.3f  %6.3f  %12.2fx %12.2fx %12.3f %13.0f %%  %10@ %8.1f", figures.size,
                figures.story.p50, figures.story.p90, figures.story.p99, figures.story.p50 / max(1e-9, first.story.p50),
                figures.story.p99 / max(1e-9, first.story.p99), figures.compute.p50, figures.computeShare * 100,
                (figures.storyBytes.map { String(format: "%.1f %%", Double($0) / Double(figures.catalogBytes) * 100) }
                    ?? "-") as NSString, figures.rss))
    }
    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}
