public import CopydeskCore
public import Logging

/// The path of one file through copydesk: read and hash, normalize, decide and commit, archive, log.
///
/// Reading, hashing and normalizing run concurrently on up to ``Configuration/concurrency`` files;
/// decisions and commits run one at a time in arrival order, each in its own transaction, and a file
/// leaves the Inbox only after its transaction committed.
public struct Pipeline: Sendable {
    public struct Configuration: Sendable {
        /// Files larger than this are rejected without being read into memory.
        public var maxFileBytes: Int = 50 << 20
        /// How many files are read and normalized at once.
        public var concurrency: Int = max(1, System.coreCount)

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

    public let catalog: Catalog
    public let archive: Archive
    public let origin: ReceiptOrigin
    public let configuration: Configuration
    let normalizer = Normalizer()
    let logger: Logger
    /// Counters and the latency histogram for `--metrics-file`, when kept.
    public let metrics: PipelineMetrics?

    public init(
        catalog: Catalog, archive: Archive, origin: ReceiptOrigin, configuration: Configuration = .init(),
        metrics: PipelineMetrics? = nil, logger: Logger
    ) {
        self.catalog = catalog
        self.archive = archive
        self.origin = origin
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Takes `files` through the pipeline, calling `report` with each outcome in input order.
    ///
    /// - Parameter isStopping: checked before each file is started; once it returns `true`, the
    ///   files already started are finished and the rest are left where they are.
    public func process(
        _ files: [SourceFile], isStopping: @Sendable () -> Bool = { false }, report: (Outcome) -> Void = { _ in }
    ) async {
        await withTaskGroup(of: (Int, Prepared, ContinuousClock.Instant).self) { group in
            var next = 0
            var ready = [Int: (Prepared, ContinuousClock.Instant)]()
            var committed = 0
            func launch() {
                guard next < files.count, !isStopping() else { return }
                let index = next
                let file = files[index]
                group.addTask { (index, self.prepare(file), ContinuousClock.now) }
                next += 1
            }
            for _ in 0..<configuration.concurrency { launch() }
            metrics?.setQueued(files.count)
            while let (index, prepared, started) = await group.next() {
                ready[index] = (prepared, started)
                launch()
                while let (prepared, started) = ready.removeValue(forKey: committed) {
                    let outcome = finish(prepared)
                    committed += 1
                    metrics?.record(outcome, bytes: prepared.bytes, seconds: started.secondsUntilNow)
                    metrics?.setQueued(files.count - committed)
                    report(outcome)
                }
            }
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
        do {
            if let pending = try catalog.pendingReceipt(sourcePath: file.path, identity: read.identity) {
                return .pending(file, pending)
            }
        } catch {
            return .outcome(.failed(file, error))
        }
        let content: Result<Article, CopydeskError> = read.content.flatMap { bytes in
            Result { () throws(CopydeskError) -> Article in try normalizer.normalize(bytes) }
        }
        let archivePath =
            switch content {
            case .success: archive.originalPath(sha256: read.rawSHA256)
            case .failure: archive.rejectedPath(sha256: read.rawSHA256, fileName: file.name)
            }
        let submission = Submission(
            origin: origin, fileName: file.name, sourcePath: file.path, identity: read.identity,
            rawSHA256: read.rawSHA256, arrivedAt: Timestamp.now(), content: content, archivePath: archivePath)
        return .submission(file, submission)
    }

    /// Decides, commits and archives one prepared file; called for one file at a time.
    func finish(_ prepared: Prepared) -> Outcome {
        switch prepared {
        case .outcome(let outcome):
            log(outcome)
            return outcome
        case .pending(let file, let receipt):
            let outcome: Outcome
            do {
                try store(file.path, at: receipt.archivePath, identity: receipt.identity)
                try catalog.markArchived(receiptID: receipt.id)
                outcome = .recovered(file, receipt)
            } catch {
                outcome = .failed(file, error)
            }
            log(outcome)
            return outcome
        case .submission(let file, let submission):
            let result: CommitResult
            do {
                result = try catalog.commit(submission)
            } catch {
                let outcome = Outcome.failed(file, error)
                log(outcome)
                return outcome
            }
            var archiveError: CopydeskError?
            do {
                try store(file.path, at: result.archivePath, identity: submission.identity)
                try catalog.markArchived(receiptID: result.receiptID)
            } catch {
                archiveError = error
                try? catalog.recordEvent(.error, file: file.name, message: error.detailedDescription())
            }
            let outcome = Outcome.decided(file, result, archiveError: archiveError)
            log(outcome)
            return outcome
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
    public func recoverPendingReceipts() -> Int {
        let pending: [PendingReceipt]
        do {
            pending = try catalog.pendingReceipts().filter { $0.origin == origin }
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
                try catalog.markArchived(receiptID: receipt.id)
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
            var metadata: Logger.Metadata = [
                "copydesk.file": "\(file.name)", "copydesk.decision": "\(result.decision.rawValue)",
                "copydesk.receipt": "\(result.receiptID)",
            ]
            if let article = result.article { metadata["copydesk.article"] = "\(article)" }
            if let message = result.message { metadata["copydesk.reason"] = "\(message)" }
            if result.decision == .rejected {
                logger.warning("\(file.name): rejected: \(result.message ?? "")", metadata: metadata)
            } else {
                logger.info("\(file.name): \(result.decision.rawValue)", metadata: metadata)
            }
            if let archiveError {
                logger.error("\(archiveError.detailedDescription())", metadata: metadata)
            }
        case .recovered(let file, let receipt):
            logger.info(
                "\(file.name): archived after restart (receipt \(receipt.id), \(receipt.decision.rawValue))",
                metadata: ["copydesk.file": "\(file.name)"])
        case .skipped(let file, let reason):
            logger.debug("\(file.name): skipped: \(reason)", metadata: ["copydesk.file": "\(file.name)"])
        case .failed(let file, let error):
            logger.error("\(error.path == nil ? file.name + ": " : "")\(error.detailedDescription())",
                metadata: ["copydesk.file": "\(file.name)"])
        }
    }
}
