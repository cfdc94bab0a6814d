import ArgumentParser
import CopydeskCore
import CopydeskDaemon

extension Copydesk {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the Archive and the catalog agree: every archived file is there with its receipt's SHA-256.",
            discussion: "Files in the Archive that no receipt knows are listed. Exits 1 when a file is missing or altered.")

        @Flag(name: .long, help: "Print JSON Lines: one object per problem, then a summary object.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let archive = try Archive(root: catalog.archivePath)
            let progress = ProgressBar(label: "verifying")
            let report = try await catalog.reading { store in
                try await ArchiveVerifier.verify(archive: archive, catalog: store) { done, total in
                    progress.update(done: done, total: total)
                }
            }
            progress.finish()
            var out = ""
            for problem in report.problems {
                if json {
                    var object = JSONObject()
                    object.add("problem", problem.kind.rawValue)
                    object.add("path", problem.path)
                    object.add("detail", problem.detail)
                    out += object.rendered + "\n"
                } else {
                    out += "\(problem.kind.rawValue): \(problem.path): \(problem.detail)\n"
                }
            }
            let failures = report.problems.filter { $0.kind != .unknown }.count
            let unknown = report.problems.count - failures
            if json {
                var summary = JSONObject()
                summary.add("checked", report.checkedFiles)
                summary.add("bytes", report.checkedBytes)
                summary.add("missing_or_altered", failures)
                summary.add("unknown", unknown)
                summary.add("ok", report.agrees)
                out += summary.rendered + "\n"
            } else {
                out += "\(report.checkedFiles) archived files checked (\(report.checkedBytes) bytes): "
                out += report.agrees ? "all match their receipts" : "\(failures) missing or altered"
                if unknown > 0 { out += "; \(unknown) not known to any receipt" }
                out += "\n"
            }
            Terminal.write(out)
            if !report.agrees { throw ExitCode.failure }
        }
    }
}
