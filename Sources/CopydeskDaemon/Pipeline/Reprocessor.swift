public import CopydeskCore

/// `copydesk reprocess`: reads the archived originals again with the current normalizer and records
/// what changed (``ReprocessOutcome``), after an upgrade whose ``Normalizer/version`` is newer than
/// the one that made the catalog's versions.
///
/// Originals are read and normalized on every core, a batch at a time, while the previous batch is
/// being recorded in one transaction. Each original is done once per normalizer version: a second
/// run, or a run after a crash, takes only what is left. Receipts are never added or changed.
public struct Reprocessor: Sendable {
    /// What happened to one original.
    public enum Outcome: Sendable {
        case done(ReprocessResult)
        /// The original could not be read from the Archive (missing, damaged); it is tried again by
        /// the next run.
        case failed(ReprocessTarget, CopydeskError)
    }

    public let catalog: any CatalogBackend
    public let archive: Archive
    /// Work everything out and report it, but roll every transaction back.
    public var dryRun = false
    /// Originals per transaction.
    public var batchSize = 64
    let normalizer = Normalizer()

    public init(catalog: any CatalogBackend, archive: Archive, dryRun: Bool = false) {
        self.catalog = catalog
        self.archive = archive
        self.dryRun = dryRun
    }

    /// How many originals are left to re-normalize.
    public func remaining() async throws(CopydeskError) -> Int {
        try await catalog.reprocessTargetCount()
    }

    /// Re-normalizes every original left, calling `report` with each outcome in arrival order.
    ///
    /// - Throws: ``CopydeskError`` when the catalog cannot be read or written (what was recorded
    ///   before stays recorded).
    public func run(report: (Outcome) -> Void) async throws(CopydeskError) {
        var after: Int64 = 0
        var recording: Task<[ReprocessResult], any Error>?
        func finishRecording() async throws(CopydeskError) {
            guard let task = recording else { return }
            recording = nil
            do {
                try await task.value.forEach { report(.done($0)) }
            } catch let error as CopydeskError {
                throw error
            } catch {
                throw CopydeskError(.storeFailed, "\(error)", path: catalog.location)
            }
        }
        while true {
            let targets = try await catalog.reprocessTargets(after: after, limit: batchSize)
            guard let last = targets.last else { break }
            after = last.receiptID
            let prepared = await prepare(targets)
            // The previous batch was being recorded while this one was normalized.
            try await finishRecording()
            var ready = [(target: ReprocessTarget, content: Result<PreparedArticle, CopydeskError>)]()
            for (target, read) in zip(targets, prepared) {
                switch read {
                case .success(let content): ready.append((target, content))
                case .failure(let error): report(.failed(target, error))
                }
            }
            let catalog = catalog
            let dryRun = dryRun
            recording = Task { try await catalog.recordReprocessed(ready, dryRun: dryRun) }
        }
        try await finishRecording()
    }

    /// Reads and normalizes `targets` concurrently. The outer result fails when the original cannot
    /// be read or does not match its hash; the inner one is the normalizer's verdict.
    private func prepare(_ targets: [ReprocessTarget]) async -> [Result<Result<PreparedArticle, CopydeskError>, CopydeskError>] {
        await withTaskGroup(of: (Int, Result<Result<PreparedArticle, CopydeskError>, CopydeskError>).self) { group in
            var results = [Result<Result<PreparedArticle, CopydeskError>, CopydeskError>?](repeating: nil, count: targets.count)
            var next = 0
            func launch() {
                guard next < targets.count else { return }
                let index = next
                let target = targets[index]
                group.addTask { (index, self.prepare(target)) }
                next += 1
            }
            for _ in 0..<max(1, System.coreCount) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                launch()
            }
            return results.map { $0! }
        }
    }

    private func prepare(_ target: ReprocessTarget) -> Result<Result<PreparedArticle, CopydeskError>, CopydeskError> {
        let path = archive.absolute(target.archivePath)
        let read: ReadFile
        do {
            read = try SourceReader.read(path, maxBytes: Int.max / 2)
        } catch ReadSkip.vanished {
            return .failure(CopydeskError(.ioFailed, "the archived original of \(target.fileName) is missing", path: path))
        } catch let error as CopydeskError {
            return .failure(error.at(path))
        } catch {
            return .failure(CopydeskError(.ioFailed, "cannot read the archived original: \(error)", path: path))
        }
        guard read.rawSHA256 == target.rawSHA256 else {
            return .failure(
                CopydeskError(
                    .ioFailed, "the archived original of \(target.fileName) does not match its receipt's hash",
                    path: path))
        }
        return .success(read.content.flatMap { bytes in
            Result { () throws(CopydeskError) -> PreparedArticle in PreparedArticle(try normalizer.normalize(bytes), stories: false) }
        })
    }
}
