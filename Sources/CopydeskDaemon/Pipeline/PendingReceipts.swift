internal import CopydeskCore
internal import Synchronization

/// The receipts recorded but not yet archived, kept in memory so that checking each file against
/// them costs no catalog query.
///
/// Loaded from the catalog once per pipeline; after that the pipeline is the only one that creates
/// or completes receipts of its origin (one daemon per Archive), and keeps the index current.
final class PendingReceipts: Sendable {
    private struct State {
        var loaded = false
        var bySourcePath = [String: [PendingReceipt]]()
        var byIdentity = [FileIdentity: [PendingReceipt]]()

        mutating func add(_ receipt: PendingReceipt) {
            bySourcePath[receipt.sourcePath, default: []].append(receipt)
            byIdentity[receipt.identity, default: []].append(receipt)
        }
    }

    private let state = Mutex(State())

    /// Loads the pending receipts of `origin` unless they were loaded before.
    ///
    /// - Returns: the error when they cannot be read (they are read again next time).
    func loadOnce(from catalog: any CatalogStore, origin: ReceiptOrigin) async -> CopydeskError? {
        let needed = state.withLock { !$0.loaded }
        guard needed else { return nil }
        let receipts: [PendingReceipt]
        do {
            receipts = try await catalog.pendingReceipts()
        } catch {
            return error
        }
        state.withLock { state in
            guard !state.loaded else { return }
            state.loaded = true
            for receipt in receipts where receipt.origin == origin { state.add(receipt) }
        }
        return nil
    }

    /// Forgets what was loaded, so that the next ``loadOnce(from:origin:)`` reads the catalog again:
    /// after a commit whose outcome is unknown (the connection to a server broke while it
    /// committed), its receipts may exist, and their files must then only be archived.
    func invalidate() {
        state.withLock { state in
            state.loaded = false
            state.bySourcePath.removeAll()
            state.byIdentity.removeAll()
        }
    }

    /// The pending receipt of the file at `sourcePath` with exactly this identity; or, for a file
    /// that moved since (a claimed file a node took over from a node that died), the one with this
    /// identity (device, inode, size and modification time in nanoseconds, which a rename keeps)
    /// and this file name.
    func receipt(sourcePath: String, name: String, identity: FileIdentity) -> PendingReceipt? {
        state.withLock { state in
            if let found = state.bySourcePath[sourcePath]?.first(where: { $0.identity == identity }) { return found }
            return state.byIdentity[identity]?.first { $0.fileName == name }
        }
    }

    func add(_ receipt: PendingReceipt) {
        state.withLock { $0.add(receipt) }
    }

    func remove(_ receipt: PendingReceipt) {
        state.withLock { state in
            state.bySourcePath[receipt.sourcePath]?.removeAll { $0.id == receipt.id }
            if state.bySourcePath[receipt.sourcePath]?.isEmpty == true { state.bySourcePath[receipt.sourcePath] = nil }
            state.byIdentity[receipt.identity]?.removeAll { $0.id == receipt.id }
            if state.byIdentity[receipt.identity]?.isEmpty == true { state.byIdentity[receipt.identity] = nil }
        }
    }
}

/// Receipts whose files lie in the Archive but are not yet marked archived in the catalog.
final class UnmarkedReceipts: Sendable {
    private let ids = Mutex([Int64]())

    func add(_ receiptIDs: [Int64]) {
        ids.withLock { $0.append(contentsOf: receiptIDs) }
    }

    func takeAll() -> [Int64] {
        ids.withLock { ids in
            defer { ids.removeAll() }
            return ids
        }
    }

    var isEmpty: Bool { ids.withLock { $0.isEmpty } }
}

extension PendingReceipt {
    /// The pending receipt a fresh commit created.
    init(_ result: CommitResult, _ submission: Submission) {
        self.init(
            id: result.receiptID, origin: submission.origin, fileName: submission.fileName,
            sourcePath: submission.sourcePath, identity: submission.identity, rawSHA256: submission.rawSHA256,
            decision: result.decision, archivePath: result.archivePath, node: submission.node)
    }
}

/// Prepared files waiting for their decision, by position in the input.
final class ReadyFiles: Sendable {
    struct Item: Sendable {
        var prepared: Pipeline.Prepared
        var started: ContinuousClock.Instant
    }

    private let items = Mutex([Int: Item]())

    func put(_ index: Int, _ prepared: Pipeline.Prepared, started: ContinuousClock.Instant) {
        items.withLock { $0[index] = Item(prepared: prepared, started: started) }
    }

    /// The consecutive run of ready files from position `first` on, at most `limit`.
    func take(from first: Int, limit: Int) -> [Item] {
        items.withLock { items in
            var batch = [Item]()
            while batch.count < limit, let item = items.removeValue(forKey: first + batch.count) {
                batch.append(item)
            }
            return batch
        }
    }
}
