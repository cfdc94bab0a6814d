import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Extract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Normalize files and print the result; nothing is recorded or moved.")

        @Flag(name: .long, help: "Print JSON Lines: one object per file, in input order.")
        var json = false

        @Argument(help: "Files to normalize.")
        var files: [String]

        @OptionGroup var limits: LimitOptions

        func run() async throws {
            let maxBytes = limits.pipelineConfiguration.maxFileBytes
            let json = self.json
            var failures = 0
            var output = OutputBuffer()
            let files = self.files.map(FileName.argument)
            Ordered.map(files, width: System.coreCount) { path in
                Self.render(path: path, result: Self.normalize(path, maxBytes: maxBytes), json: json)
            } each: { line, failed in
                output.append(line)
                if failed { failures += 1 }
            }
            output.flush()
            if failures > 0, !json { throw ExitCode.failure }
        }

        /// The items of the file at `path`: one result for a file of one item (or one that cannot be
        /// read), one per item otherwise.
        static func normalize(_ path: String, maxBytes: Int) -> [Normalizer.ItemResult] {
            do throws(CopydeskError) {
                let bytes = try FileBytes.read(path, maxBytes: maxBytes)
                return try Normalizer().normalizeItems(bytes).map { $0.mapError { $0.at(path) } }
            } catch {
                return [.failure(error.at(path))]
            }
        }

        /// The output for one file: a line (JSON) or a block (text) per item, and whether any item
        /// was rejected.
        static func render(path: String, result items: [Normalizer.ItemResult], json: Bool) -> ([UInt8], Bool) {
            var output = [UInt8]()
            var failed = false
            for (position, result) in items.enumerated() {
                let item = items.count > 1 ? position : nil
                switch (result, json) {
                case (.success(let article), true):
                    output.reserveCapacity(output.count + article.paragraphs.reduce(512) { $0 + $1.utf8.count + 4 })
                    var object = article.json(path: path)
                    object.add("item", item.map(Int64.init))
                    object.append(to: &output)
                    output.append(0x0A)
                case (.failure(let error), true):
                    var object = JSONObject()
                    object.add("path", path)
                    object.add("item", item.map(Int64.init))
                    object.add("error", error.reason)
                    object.append(to: &output)
                    output.append(0x0A)
                    failed = true
                case (.success(let article), false):
                    var out = item.map { "== \(path) (item \($0))\n" } ?? "== \(path)\n"
                    out += "format: \(article.format.rawValue), charset: \(article.charset)\n"
                    for (label, value) in [
                        ("title", article.title), ("byline", article.byline), ("published", article.published),
                        ("site", article.site), ("url", article.url), ("language", article.language),
                    ] {
                        if let value { out += "\(label): \(value)\n" }
                    }
                    out += "content_sha256: \(article.contentSHA256)\n\n\(article.body)\n\n"
                    output.append(contentsOf: out.utf8)
                case (.failure(let error), false):
                    let prefix = item.map { "item \($0): " } ?? ""
                    Terminal.error("copydesk: \(prefix)\(error.detailedDescription())")
                    failed = true
                }
            }
            return (output, failed)
        }
    }
}

/// Runs `transform` on `width` threads over the elements and hands the results to `each` on the
/// calling thread, in input order, as soon as each is ready. Workers stay at most a window of
/// results ahead of `each`, so a slow reader of the output bounds the memory held.
enum Ordered {
    static func map<Element: Sendable, Output: Sendable>(
        _ elements: [Element], width: Int, transform: @escaping @Sendable (Element) -> Output,
        each: (Output) throws -> Void
    ) rethrows {
        guard !elements.isEmpty else { return }
        let workers = max(1, min(width, elements.count))
        let state = OrderedState<Output>(count: elements.count, window: 64 * workers)
        for _ in 0 ..< workers {
            Thread.detachNewThread {
                while let index = state.claim() {
                    state.store(transform(elements[index]), at: index)
                }
            }
        }
        for index in elements.indices {
            try each(state.take(index))
        }
    }
}

/// The hand-over between ``Ordered``'s workers and its consumer.
private final class OrderedState<Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Output?]
    private var claimed = 0
    private var taken = 0
    private let window: Int

    init(count: Int, window: Int) {
        results = Array(repeating: nil, count: count)
        self.window = window
    }

    /// The next element to transform, waiting while the workers are a window ahead; `nil` when
    /// all are claimed.
    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while claimed < results.count, claimed >= taken + window { condition.wait() }
        guard claimed < results.count else { return nil }
        claimed += 1
        return claimed - 1
    }

    func store(_ output: Output, at index: Int) {
        condition.lock()
        results[index] = output
        condition.broadcast()
        condition.unlock()
    }

    /// The result for `index`, waiting until it is there.
    func take(_ index: Int) -> Output {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        let output = results[index]!
        results[index] = nil
        taken = index + 1
        condition.broadcast()
        return output
    }
}

/// Standard output collected into large writes.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(1 << 20)
    }

    mutating func append(_ line: [UInt8]) {
        bytes.append(contentsOf: line)
        if bytes.count >= 1 << 19 { flush() }
    }

    /// Writes what is buffered; stops quietly when stdout is closed (as `head` does).
    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Reads a whole regular file for `extract`, refusing what is not one: one `open` (symbolic links
/// are not followed), one `fstat`, and reads straight into the array.
enum FileBytes {
    static func read(_ path: String, maxBytes: Int) throws(CopydeskError) -> [UInt8] {
        let descriptor = FileName.withCString(path) { Glibc.open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR:
                throw CopydeskError(.ioFailed, "cannot read the file: no such file", path: path)
            case ELOOP, ENXIO:
                throw CopydeskError(.unsupportedInput, "not a regular file", path: path)
            default:
                throw CopydeskError(.ioFailed, "cannot read the file", path: path)
            }
        }
        defer { Glibc.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw CopydeskError(.ioFailed, "cannot read the file", path: path)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CopydeskError(.unsupportedInput, "not a regular file", path: path)
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else {
            throw CopydeskError(.tooLarge, "\(size) bytes, over the size cap of \(maxBytes) bytes", path: path)
        }
        // One byte more than the size, so that a file that grew is read whole (up to the cap).
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= maxBytes else {
                    throw CopydeskError(.tooLarge, "over the size cap of \(maxBytes) bytes", path: path)
                }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count)))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CopydeskError(.ioFailed, "cannot read the file", path: path)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
