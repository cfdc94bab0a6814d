// copydesk's benchmarks, run with ordo-one/benchmark:
//
//   swift package benchmark --target CopydeskBenchmarks            (all; about 5 minutes)
//   swift package benchmark --target CopydeskBenchmarks --filter 'ingest.*'
//
// The core steps (decode, bare libxml2 parse, normalize, canonical key, fingerprint, decision) are
// timed per file on the real pages of ../shared/corpora/extraction-dev and on synthetic news texts.
// The end-to-end benchmarks take a whole corpus through the real pipeline into an Archive on disk
// (catalog with synchronous=FULL) and report files/s, MB/s, the database size and the peak RSS;
// the watch benchmarks run the daemon's WatchService on an Inbox (a backlog, then files dropped one
// at a time for the drop-to-decision latency). The bare parse of the same pages runs in the same
// process and run, as the floor the HTML figures compare with.
import Benchmark
import BenchmarkCorpus
import CLibXML2
import CopydeskCore
import CopydeskDaemon
import Foundation
import Logging
import ServiceLifecycle

let news = SyntheticNews()
/// Real saved web pages (HTML) and synthetic wire texts.
nonisolated(unsafe) var pages = [[UInt8]]()
nonisolated(unsafe) var texts = [[UInt8]]()
nonisolated(unsafe) var articles = [Article]()

let quiet: Logger = {
    var logger = Logger(label: "copydesk.benchmark")
    logger.logLevel = .critical
    return logger
}()

enum Metric {
    static let filesPerSecond = BenchmarkMetric.custom("files/s", polarity: .prefersLarger, useScalingFactor: false)
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let databaseKilobytes = BenchmarkMetric.custom("catalog KB", polarity: .prefersSmaller, useScalingFactor: false)
    static let p50 = BenchmarkMetric.custom("drop-to-decision p50 (us)", useScalingFactor: false)
    static let p99 = BenchmarkMetric.custom("drop-to-decision p99 (us)", useScalingFactor: false)
}

/// Folders made by ``scratchFolder(_:)``, removed after each benchmark, not after each iteration:
/// ext4 does not hand out the inodes of files deleted in the last minutes again and scans past
/// them, so deleting thousands of files right before the next iteration would slow its file
/// creation down several times over (measured here), which no real Archive meets.
nonisolated(unsafe) var scratchRoots = [String]()

/// A fresh folder with an `Inbox` under the temporary directory.
func scratchFolder(_ name: String) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("copydesk-bench-\(name)-\(UUID())").path
    try FileManager.default.createDirectory(atPath: root + "/Inbox", withIntermediateDirectories: true)
    scratchRoots.append(root)
    return root
}

func write(_ files: [[UInt8]], to folder: String, extension suffix: String) throws {
    for (index, bytes) in files.enumerated() {
        try Data(bytes).write(to: URL(fileURLWithPath: String(format: "%@/%06d.%@", folder, index, suffix)))
    }
}

/// Ingests `files` from a folder into a fresh Archive with `copydesk ingest`'s pipeline and reports
/// the end-to-end figures; the files are written before the measurement starts.
func ingest(_ benchmark: Benchmark, _ files: [[UInt8]], suffix: String) async throws {
    for _ in benchmark.scaledIterations {
        let root = try scratchFolder("ingest")
        try write(files, to: root + "/Inbox", extension: suffix)
        let sources = InboxScanner.scan(root + "/Inbox").map { SourceFile(path: root + "/Inbox/" + $0, name: $0) }
        let archive = try Archive(root: root + "/Archive")
        let catalog = try SQLiteCatalog(path: root + "/Archive/copydesk.sqlite")
        let pipeline = Pipeline(catalog: catalog, archive: archive, origin: .ingest, logger: quiet)
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        await pipeline.process(sources)
        let seconds = (ContinuousClock.now - start).seconds
        benchmark.stopMeasurement()
        report(benchmark, files: files, seconds: seconds, catalog: catalog)
    }
}

func report(_ benchmark: Benchmark, files: [[UInt8]], seconds: Double, catalog: SQLiteCatalog) {
    let bytes = files.reduce(0) { $0 + $1.count }
    benchmark.measurement(Metric.filesPerSecond, Int(Double(files.count) / seconds))
    benchmark.measurement(Metric.megabytesPerSecond, Int(Double(bytes) / 1e6 / seconds))
    // The catalog's own size, its write-ahead log folded in (as after any quiet moment).
    try? catalog.checkpoint()
    benchmark.measurement(Metric.databaseKilobytes, Int(catalog.fileSize() / 1024))
}

/// Runs the watch daemon on an Inbox that already holds `files` and reports how fast it clears it.
func watchBacklog(_ benchmark: Benchmark, _ files: [[UInt8]], suffix: String) async throws {
    for _ in benchmark.scaledIterations {
        let root = try scratchFolder("backlog")
        try write(files, to: root + "/Inbox", extension: suffix)
        // Older than the startup scan's settle time, so that the scan takes every file.
        let past = Date(timeIntervalSinceNow: -5)
        for name in InboxScanner.scan(root + "/Inbox") {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: root + "/Inbox/" + name)
        }
        let archive = try Archive(root: root + "/Archive")
        let catalog = try SQLiteCatalog(path: root + "/Archive/copydesk.sqlite")
        let pipeline = Pipeline(catalog: catalog, archive: archive, origin: .inbox, logger: quiet)
        let (decisions, continuation) = AsyncStream<Void>.makeStream()
        let service = WatchService(inbox: root + "/Inbox", pipeline: pipeline, logger: quiet) { outcome in
            if case .decided = outcome { continuation.yield() }
        }
        let group = ServiceGroup(services: [service], logger: quiet)
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        let running = Task { try await group.run() }
        var seen = 0
        for await _ in decisions {
            seen += 1
            if seen == files.count { break }
        }
        let seconds = (ContinuousClock.now - start).seconds
        benchmark.stopMeasurement()
        await group.triggerGracefulShutdown()
        try await running.value
        report(benchmark, files: files, seconds: seconds, catalog: catalog)
    }
}

/// Drops `files` into a watched Inbox one at a time (written elsewhere, renamed in, as mail and sync
/// tools deliver) and reports the percentiles of the time from the rename to the committed decision.
func dropToDecision(_ benchmark: Benchmark, _ files: [[UInt8]]) async throws {
    for _ in benchmark.scaledIterations {
        let root = try scratchFolder("latency")
        try FileManager.default.createDirectory(atPath: root + "/staging", withIntermediateDirectories: true)
        try write(files, to: root + "/staging", extension: "txt")
        let archive = try Archive(root: root + "/Archive")
        let pipeline = Pipeline(
            catalog: try SQLiteCatalog(path: root + "/Archive/copydesk.sqlite"), archive: archive, origin: .inbox, logger: quiet)
        let (decisions, continuation) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let service = WatchService(inbox: root + "/Inbox", pipeline: pipeline, logger: quiet) { outcome in
            if case .decided = outcome { continuation.yield(.now) }
        }
        let group = ServiceGroup(services: [service], logger: quiet)
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))
        var iterator = decisions.makeAsyncIterator()
        var latencies = [Double]()
        for index in files.indices {
            let name = String(format: "%06d.txt", index)
            let start = ContinuousClock.now
            rename(root + "/staging/" + name, root + "/Inbox/" + name)
            guard let decided = await iterator.next() else { break }
            latencies.append((decided - start).seconds * 1e6)
        }
        await group.triggerGracefulShutdown()
        try await running.value
        latencies.sort()
        benchmark.measurement(Metric.p50, Int(latencies[latencies.count / 2]))
        benchmark.measurement(Metric.p99, Int(latencies[min(latencies.count - 1, latencies.count * 99 / 100)]))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Parses `page` with libxml2's HTML parser and frees the tree: the floor under any extraction.
func bareParse(_ page: [UInt8]) {
    let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
        | HTML_PARSE_NONET.rawValue)
    page.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            if let document = htmlReadMemory(chars.baseAddress, Int32(chars.count), nil, nil, options) {
                xmlFreeDoc(document)
            }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 100_000)

    Benchmark.teardown = {
        for root in scratchRoots { try? FileManager.default.removeItem(atPath: root) }
        scratchRoots.removeAll()
    }

    Benchmark.setup = {
        pages = DevPages.load()
        texts = (0..<2_000).map { Array(news.fileText($0).utf8) }
        articles = (0..<2_000).map { news.article($0) }
        precondition(!pages.isEmpty, "no pages in \(DevPages.folders): is ../shared beside the package?")
    }

    // MARK: Core steps, per file

    Benchmark("decode: HTML page (charset, UTF-8)") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? TextDecoder.decode(pages[index % pages.count]))
        }
    }

    Benchmark("parse: HTML page, bare libxml2 (the floor)") { benchmark in
        for index in benchmark.scaledIterations {
            bareParse(pages[index % pages.count])
        }
    }

    Benchmark("normalize: HTML page (decode, parse, metadata, extract)") { benchmark in
        let normalizer = Normalizer()
        for index in benchmark.scaledIterations {
            blackHole(try? normalizer.normalize(pages[index % pages.count]))
        }
    }

    Benchmark("normalize: text file") { benchmark in
        let normalizer = Normalizer()
        for index in benchmark.scaledIterations {
            blackHole(try? normalizer.normalize(texts[index % texts.count]))
        }
    }

    Benchmark("canonical key + SHA-256: article") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(articles[index % articles.count].contentSHA256)
        }
    }

    Benchmark("fingerprint: article (shingles, MinHash bands, containment keys)") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(Fingerprint(articles[index % articles.count]))
        }
    }

    // The near-copy decision against a catalog of 10,000 synthetic articles: index lookups and
    // exact verification, read-only (a quarter each: new, revision, syndicated copy, teaser).
    nonisolated(unsafe) var decisionCatalog: SQLiteCatalog?
    nonisolated(unsafe) var probes = [PreparedArticle]()
    Benchmark(
        "decision: near-copy search, 10k-article catalog",
        configuration: .init(
            setup: {
                let catalog = try SQLiteCatalog.inMemory()
                for start in stride(from: 0, to: 10_000, by: 1_000) {
                    try catalog.bulkRecordNewArticles((start..<(start + 1_000)).map { index in
                        let article = news.article(index)
                        return ("article-\(index).txt", PreparedArticle(article))
                    })
                }
                decisionCatalog = catalog
                probes = (0..<400).map { number in
                    let kind = SyntheticNews.ProbeKind.allCases[number % 4]
                    let article = news.probe(kind, index: number * 23 % 10_000, fresh: 10_000 + number)
                    return PreparedArticle(article)
                }
            })
    ) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try decisionCatalog!.nearestVersion(of: probes[index % probes.count]))
        }
    }

    // MARK: End to end

    let endToEnd = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .syscalls, Metric.filesPerSecond,
                  Metric.megabytesPerSecond, Metric.databaseKilobytes],
        warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 3)

    Benchmark("parse: all dev pages, bare libxml2 (the floor, same run)", configuration: endToEnd) { benchmark in
        for _ in benchmark.scaledIterations {
            let start = ContinuousClock.now
            for page in pages { bareParse(page) }
            let seconds = (ContinuousClock.now - start).seconds
            benchmark.measurement(Metric.filesPerSecond, Int(Double(pages.count) / seconds))
            benchmark.measurement(
                Metric.megabytesPerSecond, Int(Double(pages.reduce(0) { $0 + $1.count }) / 1e6 / seconds))
        }
    }

    Benchmark("ingest: dev pages (HTML), end to end", configuration: endToEnd) { benchmark in
        try await ingest(benchmark, pages, suffix: "html")
    }

    Benchmark("ingest: 2,000 text files, end to end", configuration: endToEnd) { benchmark in
        try await ingest(benchmark, texts, suffix: "txt")
    }

    Benchmark("watch: backlog of 2,000 text files", configuration: endToEnd) { benchmark in
        try await watchBacklog(benchmark, texts, suffix: "txt")
    }

    Benchmark("watch: backlog of dev pages (HTML)", configuration: endToEnd) { benchmark in
        try await watchBacklog(benchmark, pages, suffix: "html")
    }

    Benchmark(
        "watch: drop-to-decision, 300 text files one at a time",
        configuration: .init(
            metrics: [.wallClock, Metric.p50, Metric.p99], warmupIterations: 0, maxDuration: .seconds(60),
            maxIterations: 3)
    ) { benchmark in
        try await dropToDecision(benchmark, Array(texts.prefix(300)))
    }
}
