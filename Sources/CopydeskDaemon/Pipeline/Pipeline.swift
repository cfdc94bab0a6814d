public import CopydeskCore
public import Logging

/// The path of one file through copydesk: read and hash, normalize, decide and commit, archive, log.
///
/// Reading, hashing and normalizing run concurrently on every core; decisions are made one file at
/// a time in arrival order, on the catalog's own thread, while the next files are being normalized.
/// A backlog is committed in batches: the files that are ready together are decided and recorded in
/// one transaction, then moved to the Archive, then marked archived in one more. A file leaves the
/// Inbox only after its transaction committed, so a crash at any point leaves every file either
/// recorded (and archived on restart) or still in the Inbox.
public struct Pipeline: Sendable {
    public struct Configuration: Sendable {
        /// Files larger than this are rejected without being read into memory.
        public var maxFileBytes: Int = 50 << 20
        /// How many files are read and normalized at once.
        public var concurrency: Int = max(1, System.coreCount)
        /// How many files may be read and normalized ahead of the decisions: enough for large
        /// batches to gather while the previous one commits (a batch's commit costs about the same
        /// whether it holds 100 files or 1,000: the same index pages, one flush), and bounded in
        /// bytes by ``readAheadBytes``. (Only the normalized text waits: the raw bytes are dropped
        /// once a file is normalized.)
        public var readAhead: Int = 1024
        /// How many bytes of files may be read ahead of the decisions (by their size on disk, at
        /// most ``maxFileBytes`` each): a backlog of large pages cannot fill the memory.
        public var readAheadBytes: Int = 64 << 20
        /// The most files decided and committed in one transaction.
        public var maxBatch: Int = 1024
        /// How long one file may take to normalize (`--file-timeout`) before it is rejected as too
        /// slow; `nil`: no limit. Counted from the end of the read, so a slow disk or share is not
        /// blamed on the file.
        public var fileTimeout: Duration? = .seconds(30)

        public init() {}
    }

    /// What happened to one file.
    public enum Outcome: Sendable {
        /// A decision was committed (and the file archived, unless `archiveError` says why not).
        case decided(SourceFile, CommitResult, archiveError: CopydeskError?)
        /// The file had been decided on before a crash; it was only archived now.
        case recovered(SourceFile, PendingReceipt)
        /// The file was not taken this time (it vanished, or was still changing).
        case skipped(SourceFile, String)
        /// copydesk could not handle the file (I/O or catalog failure); it stays where it is.
        case failed(SourceFile, CopydeskError)
    }

    public let catalog: any CatalogStore
    public let archive: Archive
    public let origin: ReceiptOrigin
    public let configuration: Configuration
    let normalizer = Normalizer()
    let logger: Logger
    /// Counters and the latency histogram for `--metrics-file`, when kept.
    public let metrics: PipelineMetrics?
    /// The node this pipeline decides for, recorded with each receipt; a restart recovers only its
    /// own node's pending receipts (another node's are that node's to finish).
    public var node: String?
    /// Receipts recorded but not yet archived, by source path.
    let pending = PendingReceipts()
    /// The threads that read and normalize (``Configuration/concurrency`` of them).
    let workers: WorkerThreads
    /// Receipts whose files are in the Archive but could not be marked archived yet (the catalog
    /// was locked, full or read-only): marked with the next transaction.
    let unmarked = UnmarkedReceipts()

    public init(
        catalog: any CatalogStore, archive: Archive, origin: ReceiptOrigin, configuration: Configuration = .init(),
        metrics: PipelineMetrics? = nil, logger: Logger
    ) {
        self.catalog = catalog
        self.archive = archive
        self.origin = origin
        self.configuration = configuration
        self.workers = WorkerThreads.shared(count: configuration.concurrency)
        self.metrics = metrics
        self.logger = logger
    }

    /// Takes `files` through the pipeline, calling `report` with each outcome in input order.
    ///
    /// - Parameter isStopping: checked before each file is started; once it returns `true`, the
    ///   files already started are finished and the rest are left where they are.
    public func process(
        _ files: [SourceFile], isStopping: @escaping @Sendable () -> Bool = { false },
        report: (Outcome) -> Void = { _ in }
    ) async {
        if let error = await pending.loadOnce(from: catalog, origin: origin) {
            // Without the receipts a crash left pending, a file decided before it would be decided
            // again: nothing is taken until the catalog can be read.
            for file in files { report(.failed(file, error)) }
            return
        }
        // Finished files land here as soon as they are ready, so that each batch takes every file
        // that is ready by then, not only the one whose completion woke the loop.
        let ready = ReadyFiles()
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            var decided = 0
            // Bytes of the files launched and not yet decided, and each one's share.
            var aheadBytes = 0
            var sizes = [Int]()
            sizes.reserveCapacity(files.count)
            func launch() {
                while next < files.count, next - decided < max(configuration.concurrency, configuration.readAhead),
                    aheadBytes < configuration.readAheadBytes || next == decided, !isStopping()
                {
                    let index = next
                    let file = files[index]
                    let size = Int(SourceReader.identity(ofFileAt: file.path)?.size ?? 0)
                    sizes.append(min(max(size, 0), configuration.maxFileBytes))
                    aheadBytes += sizes[index]
                    group.addTask(executorPreference: workers) {
                        // A file whose turn comes after the stop was asked for is left for the next
                        // start: what is in hand when SIGTERM comes is at most a file per thread.
                        let prepared =
                            isStopping() ? .outcome(.skipped(file, "left for the next start")) : self.prepare(file)
                        ready.put(index, prepared, started: ContinuousClock.now)
                    }
                    next += 1
                }
            }
            launch()
            metrics?.setQueued(files.count)
            // Receipts whose files were archived by the last batch (or earlier, when marking them
            // failed): marked in the next transaction.
            var archived = unmarked.takeAll()
            while await group.next() != nil {
                // Every file ready in order is decided before waiting again, even when more than
                // one batch's worth finished together.
                while case let batch = ready.take(from: decided, limit: configuration.maxBatch), !batch.isEmpty {
                    let outcomes: [Outcome]
                    (outcomes, archived) = await finish(batch.map(\.prepared), marking: archived)
                    aheadBytes -= sizes[decided..<(decided + batch.count)].reduce(0, +)
                    decided += batch.count
                    launch()
                    for (item, outcome) in zip(batch, outcomes) {
                        metrics?.record(outcome, bytes: item.prepared.bytes, seconds: item.started.secondsUntilNow)
                        report(outcome)
                    }
                    metrics?.setQueued(files.count - decided)
                }
            }
            await mark(archived)
            metrics?.setQueued(0)
        }
    }

    // MARK: - Steps

    /// A file after the parallel part of the pipeline.
    enum Prepared: Sendable {
        case submission(SourceFile, Submission)
        case pending(SourceFile, PendingReceipt)
        case outcome(Outcome)

        /// The size of the file, when it was read.
        var bytes: Int64 {
            switch self {
            case .submission(_, let submission): submission.identity.size
            case .pending(_, let receipt): receipt.identity.size
            case .outcome: 0
            }
        }
    }

    /// Reads, hashes and normalizes one file; safe to run concurrently.
    func prepare(_ file: SourceFile) -> Prepared {
        let read: ReadFile
        do {
            read = try SourceReader.read(file.path, maxBytes: configuration.maxFileBytes)
        } catch ReadSkip.vanished {
            return .outcome(.skipped(file, "vanished before it could be read"))
        } catch ReadSkip.changed {
            return .outcome(.skipped(file, "still changing; taken when it is complete"))
        } catch let error as CopydeskError {
            return .outcome(.failed(file, error.at(file.path)))
        } catch {
            return .outcome(.failed(file, CopydeskError(.ioFailed, "\(error)", path: file.path)))
        }
        if let receipt = pending.receipt(sourcePath: file.path, name: file.name, identity: read.identity) {
            return .pending(file, receipt)
        }
        let deadline = configuration.fileTimeout.map { Deadline(limit: $0) } ?? .never
        let items: [Result<Article, CopydeskError>]
        do throws(CopydeskError) {
            items = try normalizer.normalizeItems(try read.content.get(), deadline: deadline)
        } catch {
            items = [.failure(error)]
        }
        var submission = self.submission(file, read, items)
        if !submission.isRejectedWhole, deadline.hasPassed {
            // The normalizer checks its deadline in its own loops; what it cannot check (inside one
            // libxml2 call, the fingerprint) is caught here, so the limit holds however the time was
            // spent.
            submission = self.submission(file, read, [.failure(deadline.error)])
        }
        // `ingest` leaves the source in place: the bytes just hashed are stored now, on every core,
        // and recorded as archived once a flush precedes the decision's transaction. (A file moved
        // out of the Inbox by `watch` leaves only after its decision is committed.)
        if origin == .ingest, case .success(let bytes) = read.content {
            do {
                try archive.store(bytes, at: submission.archivePath)
                submission.isArchived = true
            } catch {
                return .outcome(.failed(file, error))
            }
        }
        return .submission(file, submission)
    }

    /// The submission of a file whose items are these; one with no accepted item is quarantined.
    private func submission(_ file: SourceFile, _ read: ReadFile, _ items: [Result<Article, CopydeskError>])
        -> Submission
    {
        var submission = Submission(
            origin: origin, fileName: file.name, sourcePath: file.path, identity: read.identity,
            rawSHA256: read.rawSHA256, arrivedAt: Timestamp.now(), items: items, archivePath: "")
        submission.archivePath =
            submission.isRejectedWhole
            ? archive.rejectedPath(sha256: read.rawSHA256, fileName: file.name)
            : archive.originalPath(sha256: read.rawSHA256)
        submission.node = node
        return submission
    }

    /// Decides, commits and archives prepared files, in order: one transaction marks the previous
    /// batch archived and records all these decisions, then the files move to the Archive.
    ///
    /// - Parameter previous: receipts of the previous batch whose files are in the Archive now.
    /// - Returns: the outcomes, and the receipts to mark archived in the next transaction.
    func finish(_ batch: [Prepared], marking previous: [Int64] = []) async -> ([Outcome], archived: [Int64]) {
        var outcomes = [Outcome?](repeating: nil, count: batch.count)
        var submissions = [(index: Int, file: SourceFile, submission: Submission)]()
        var archived = [Int64]()
        for (index, prepared) in batch.enumerated() {
            switch prepared {
            case .outcome(let outcome):
                outcomes[index] = outcome
            case .pending(let file, let receipt):
                do {
                    try store(file.path, at: receipt.archivePath, identity: receipt.identity)
                    archived.append(receipt.id)
                    pending.remove(receipt)
                    outcomes[index] = .recovered(file, receipt)
                } catch {
                    outcomes[index] = .failed(file, error)
                }
            case .submission(let file, let submission):
                submissions.append((index, file, submission))
            }
        }
        let results = await commit(submissions.map(\.submission), marking: previous)
        for ((index, file, submission), result) in zip(submissions, results) {
            switch result {
            case .failure(let error):
                outcomes[index] = .failed(file, error)
            case .success(let committed) where submission.isArchived:
                outcomes[index] = .decided(file, committed, archiveError: nil)
            case .success(let committed):
                do {
                    try store(file.path, at: committed.archivePath, identity: submission.identity)
                    archived.append(committed.receiptID)
                    outcomes[index] = .decided(file, committed, archiveError: nil)
                } catch {
                    // Recorded but still in the Inbox: archived when it is seen again, or at restart.
                    pending.add(PendingReceipt(committed, submission))
                    try? await catalog.recordEvent(.error, file: file.name, message: error.detailedDescription())
                    outcomes[index] = .decided(file, committed, archiveError: error)
                }
            }
        }
        let final = outcomes.map { $0! }
        final.forEach(log)
        return (final, archived)
    }

    /// Commits submissions in one transaction, which first marks `previous` archived; if that
    /// fails, one by one, so that one bad file does not hold the others back.
    ///
    /// When the catalog itself cannot be written (locked, full, read-only, damaged), every file of
    /// the batch fails at once with that error: one by one would only wait for the same fault again.
    private func commit(_ submissions: [Submission], marking previous: [Int64]) async -> [Result<CommitResult, CopydeskError>] {
        guard !submissions.isEmpty else {
            await mark(previous)
            return []
        }
        do {
            // Copies (ingest) are made durable in one flush before their receipts say archived: on
            // the catalog's thread, so that the flush does not hold up the normalizing ones.
            return try await catalog.commit(
                batch: submissions, markingArchived: previous,
                beforeRecording: flush(needed: !previous.isEmpty || submissions.contains(where: \.isArchived))
            ).map { .success($0) }
        } catch {
            // A commit that failed may still have committed (a server's connection broke before it
            // answered): the next files are checked against the catalog's pending receipts again.
            pending.invalidate()
            await mark(previous)
            if submissions.count == 1 || error.code != .storeFailed {
                return Array(repeating: .failure(error), count: submissions.count)
            }
        }
        var results = [Result<CommitResult, CopydeskError>]()
        for submission in submissions {
            do {
                let flush = flush(needed: submission.isArchived)
                results.append(
                    .success(
                        try await catalog.commit(batch: [submission], markingArchived: [], beforeRecording: flush)[0]))
            } catch {
                pending.invalidate()
                results.append(.failure(error))
            }
        }
        return results
    }

    /// The Archive's flush that must precede receipts recorded as archived (copies made by
    /// `ingest`), when `needed`.
    private func flush(needed: Bool) -> (@Sendable () throws -> Void)? {
        guard origin == .ingest, needed else { return nil }
        let archive = archive
        return { @Sendable () throws -> Void in try archive.synchronize() }
    }

    /// Marks receipts archived whose files are in the Archive. On failure they are kept for the
    /// next transaction (see ``completeUnfinished()``); should the daemon stop first, the recovery at
    /// the next start marks them.
    private func mark(_ receiptIDs: [Int64]) async {
        guard !receiptIDs.isEmpty else { return }
        do {
            if origin == .ingest { try archive.synchronize() }
            try await catalog.markArchived(receiptIDs: receiptIDs)
        } catch {
            unmarked.add(receiptIDs)
            let files = receiptIDs.count == 1 ? "1 archived file" : "\(receiptIDs.count) archived files"
            logger.error("\(error.detailedDescription()) (\(files) to mark later)")
        }
    }

    /// Reads the pending receipts from the catalog again before the next files (after files of a
    /// node that died were taken over: its receipts are then this node's to finish).
    public func forgetPendingReceipts() {
        pending.invalidate()
    }

    /// Whether receipts of archived files still wait to be marked archived.
    public var hasUnfinishedWork: Bool { !unmarked.isEmpty }

    /// Marks the receipts whose marking failed before.
    ///
    /// - Returns: the error when the catalog still cannot be written.
    @discardableResult
    public func completeUnfinished() async -> CopydeskError? {
        let receiptIDs = unmarked.takeAll()
        guard !receiptIDs.isEmpty else { return nil }
        do {
            if origin == .ingest { try archive.synchronize() }
            try await catalog.markArchived(receiptIDs: receiptIDs)
            logger.info("marked \(receiptIDs.count) archived file\(receiptIDs.count == 1 ? "" : "s") in the catalog")
            return nil
        } catch {
            unmarked.add(receiptIDs)
            return error
        }
    }

    private func store(_ source: String, at relative: String, identity: FileIdentity) throws(CopydeskError) {
        switch origin {
        case .inbox: try archive.moveIn(source, to: relative, expected: identity)
        case .ingest: try archive.copyIn(source, to: relative)
        }
    }

    /// Finishes the receipts a crash left between commit and archive: a file still in place with the
    /// recorded identity is archived; a file already archived is marked so.
    ///
    /// - Returns: how many receipts were completed.
    @discardableResult
    public func recoverPendingReceipts() async -> Int {
        let pending: [PendingReceipt]
        do {
            pending = try await catalog.pendingReceipts().filter {
                $0.origin == origin && ($0.node == nil || $0.node == node)
            }
        } catch {
            logger.error("cannot list pending receipts", metadata: ["copydesk.error": "\(error)"])
            return 0
        }
        var completed = 0
        for receipt in pending {
            let file = SourceFile(path: receipt.sourcePath, name: receipt.fileName)
            do {
                if SourceReader.identity(ofFileAt: receipt.sourcePath) == receipt.identity {
                    try store(receipt.sourcePath, at: receipt.archivePath, identity: receipt.identity)
                } else if !archive.contains(receipt.archivePath) {
                    logger.warning(
                        "receipt \(receipt.id) of \(receipt.fileName) is recorded but its file is neither in place nor archived",
                        metadata: ["copydesk.file": "\(receipt.sourcePath)"])
                    continue
                }
                try await catalog.markArchived(receiptIDs: [receipt.id])
                self.pending.remove(receipt)
                log(.recovered(file, receipt))
                completed += 1
            } catch {
                log(.failed(file, error))
            }
        }
        return completed
    }

    private func log(_ outcome: Outcome) {
        switch outcome {
        case .decided(let file, let result, let archiveError):
            var metadata: Logger.Metadata = ["copydesk.file": "\(file.name)", "copydesk.receipt": "\(result.receiptID)"]
            // One line per decision: the file's, or each of its items'.
            for decision in result.decisions {
                var line = metadata
                line["copydesk.decision"] = "\(decision.decision.rawValue)"
                if let item = decision.item { line["copydesk.item"] = "\(item)" }
                if let article = decision.article { line["copydesk.article"] = "\(article)" }
                if let message = decision.message { line["copydesk.reason"] = "\(message)" }
                let name = file.name + (decision.item.map { " [item \($0)]" } ?? "")
                if decision.decision == .rejected {
                    logger.warning("\(name): rejected: \(decision.message ?? "")", metadata: line)
                } else {
                    logger.info("\(name): \(decision.decision.rawValue)", metadata: line)
                }
            }
            if result.items != nil { metadata["copydesk.reason"] = "\(result.message ?? "")" }
            if let archiveError {
                logger.error("\(archiveError.detailedDescription())", metadata: metadata)
            }
        case .recovered(let file, let receipt):
            logger.info(
                "\(file.name): archived (receipt \(receipt.id), \(receipt.decision.rawValue) recorded before a crash or fault)",
                metadata: ["copydesk.file": "\(file.name)"])
        case .skipped(let file, let reason):
            logger.debug("\(file.name): skipped: \(reason)", metadata: ["copydesk.file": "\(file.name)"])
        case .failed(let file, let error):
            logger.error("\(error.path == nil ? file.name + ": " : "")\(error.detailedDescription())",
                metadata: ["copydesk.file": "\(file.name)"])
        }
    }
}
