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
            try await Concurrently.map(files, width: System.coreCount) { path in
                Self.render(path: path, result: Self.normalize(path, maxBytes: maxBytes), json: json)
            } each: { line, failed in
                Terminal.write(line)
                if failed { failures += 1 }
            }
            if failures > 0, !json { throw ExitCode.failure }
        }

        static func normalize(_ path: String, maxBytes: Int) -> Result<Article, CopydeskError> {
            Result { () throws(CopydeskError) -> Article in
                let bytes = try FileBytes.read(path, maxBytes: maxBytes)
                do throws(CopydeskError) {
                    return try Normalizer().normalize(bytes)
                } catch {
                    throw error.at(path)
                }
            }
        }

        static func render(path: String, result: Result<Article, CopydeskError>, json: Bool) -> (String, Bool) {
            switch (result, json) {
            case (.success(let article), true):
                return (article.json(path: path).rendered + "\n", false)
            case (.failure(let error), true):
                var object = JSONObject()
                object.add("path", path)
                object.add("error", error.reason)
                return (object.rendered + "\n", true)
            case (.success(let article), false):
                var out = "== \(path)\n"
                out += "format: \(article.format.rawValue), charset: \(article.charset)\n"
                for (label, value) in [
                    ("title", article.title), ("byline", article.byline), ("published", article.published),
                    ("site", article.site), ("url", article.url), ("language", article.language),
                ] {
                    if let value { out += "\(label): \(value)\n" }
                }
                out += "content_sha256: \(article.contentSHA256)\n\n\(article.body)\n\n"
                return (out, false)
            case (.failure(let error), false):
                Terminal.error("copydesk: \(error.detailedDescription())")
                return ("", true)
            }
        }
    }
}

/// Runs `transform` on up to `width` elements at once and hands the results to `each` in input order.
enum Concurrently {
    static func map<Element: Sendable>(
        _ elements: [Element], width: Int, transform: @escaping @Sendable (Element) -> (String, Bool),
        each: (String, Bool) throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, (String, Bool)).self) { group in
            var next = 0
            var ready = [Int: (String, Bool)]()
            var emitted = 0
            func launch() {
                guard next < elements.count else { return }
                let index = next
                let element = elements[index]
                group.addTask { (index, transform(element)) }
                next += 1
            }
            for _ in 0..<max(1, width) * 2 { launch() }
            while let (index, output) = try await group.next() {
                ready[index] = output
                launch()
                while let output = ready.removeValue(forKey: emitted) {
                    try each(output.0, output.1)
                    emitted += 1
                }
            }
        }
    }
}

/// Reads a whole regular file for `extract`, refusing what is not one.
enum FileBytes {
    static func read(_ path: String, maxBytes: Int) throws(CopydeskError) -> [UInt8] {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw CopydeskError(.ioFailed, "cannot read the file: no such file", path: path)
        }
        let type = attributes[.type] as? FileAttributeType
        guard type == .typeRegular else {
            throw CopydeskError(.unsupportedInput, "not a regular file", path: path)
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxBytes else {
            throw CopydeskError(.tooLarge, "\(size) bytes, over the size cap of \(maxBytes) bytes", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CopydeskError(.ioFailed, "cannot read the file", path: path)
        }
        return [UInt8](data)
    }
}
