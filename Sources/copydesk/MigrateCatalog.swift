import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct MigrateCatalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate-catalog",
            abstract: "Copy the catalog (articles, versions, receipts, the log, the index) into a PostgreSQL database.",
            discussion: """
                Ids are kept, so the Archive, the log and every reference stay valid. Resumable: a copy \
                interrupted or run again continues after what is there. At the end both catalogs are \
                compared table by table (rows and a SHA-256 of their values); exit 1 when they differ. \
                Stop the daemons writing the source first (or run the copy again after they stopped).
                """)

        @Option(name: .long, help: ArgumentHelp("The PostgreSQL database to copy into.", valueName: "URL"))
        var to: String

        @Option(name: .long, help: "Rows per transaction.")
        var batch = 2000

        @Flag(name: .long, help: "Print one JSON object per table, then a summary.")
        var json = false

        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            guard PostgresLocation.isURL(to) else {
                throw ValidationError("--to takes a PostgreSQL URL: postgresql://USER@HOST:PORT/DB")
            }
            guard batch > 0 else { throw ValidationError("--batch must be positive") }
        }

        func run() async throws {
            let source = try await catalog.openForReading()
            guard let export = source as? any CatalogExport else {
                throw CopydeskError(.usage, "this catalog cannot be copied")
            }
            let destination = try await PostgresCatalog.openForWriting(
                try PostgresLocation(url: to), busyTimeout: .seconds(10))
            let progress = ProgressBar(label: "copying")
            var copied = [TransferTable: Int]()
            for (step, table) in TransferTable.allCases.enumerated() {
                var after = try await destination.importedPosition(table)
                while true {
                    let rows = try await export.exportRows(table, after: after, limit: batch)
                    guard !rows.isEmpty else { break }
                    try await destination.importRows(table, rows)
                    copied[table, default: 0] += rows.count
                    progress.update(done: step, total: TransferTable.allCases.count)
                    guard table.isOrderedByInteger, let last = rows.last else { break }
                    after = last.position
                }
            }
            try await destination.finishImport()
            progress.finish()
            var differ = false
            var out = ""
            for table in TransferTable.allCases {
                let (mine, theirs) = (try await export.digest(table), try await destination.digest(table))
                let same = mine == theirs
                differ = differ || !same
                if json {
                    var object = JSONObject()
                    object.add("table", table.rawValue)
                    object.add("copied", copied[table, default: 0])
                    object.add("source_rows", mine.rows)
                    object.add("destination_rows", theirs.rows)
                    object.add("sha256", mine.sha256)
                    object.add("same", same)
                    out += object.rendered + "\n"
                } else {
                    out += "\(table.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                        + "\(copied[table, default: 0]) copied, \(mine.rows) rows here, \(theirs.rows) there: "
                        + (same ? "same (SHA-256 \(mine.sha256.prefix(16)))" : "DIFFERENT") + "\n"
                }
            }
            await source.close()
            await destination.close()
            if json {
                var summary = JSONObject()
                summary.add("destination", destination.location)
                summary.add("same", !differ)
                out += summary.rendered + "\n"
            } else {
                out += differ
                    ? "the catalogs differ: the destination held other data, or the source changed during the copy (run it again)\n"
                    : "copied into \(destination.location); every table matches\n"
            }
            Terminal.write(out)
            if differ { throw ExitCode.failure }
        }
    }
}
