import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import Foundation

extension Copydesk {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether the daemon runs, what waits in the Inbox, and the catalog's totals.")

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @OptionGroup var inbox: InboxOption
        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let report = try await StatusReport(
                archive: catalog.archivePath, inbox: inbox.inboxPath, catalog: catalog.location)
            if json {
                print(report.json.rendered)
                return
            }
            var out = ""
            if let daemon = report.daemon {
                out += "daemon:     running (pid \(daemon.pid), since \(daemon.since))\n"
            } else {
                out += "daemon:     not running\n"
            }
            out += "inbox:      \(report.inbox) (\(report.waiting) waiting)\n"
            for file in report.openForWriting {
                out += "            \(file.file): open for writing since \(Timestamp.format(nanoseconds: file.since)), "
                out += "waiting for the writer to close it\n"
            }
            out += "archive:    \(catalog.archivePath)\n"
            out += "catalog:    \(report.backend) \(report.location)\n"
            if let notReady = report.notReady {
                out += "            \(notReady)\n"
            }
            for node in report.nodes {
                out += "node:       \(node.name) (\(node.host), pid \(node.pid), last seen \(node.lastSeen))\n"
            }
            if let counts = report.counts {
                out += "articles:   \(counts.articles) in \(counts.stories) stories\n"
                out += "versions:   \(counts.versions)\n"
                out += "receipts:   \(counts.receipts) (\(counts.duplicates) duplicates, \(counts.rejected) rejected)\n"
                if counts.killed > 0 { out += "killed:     \(counts.killed) articles withdrawn by their agency\n" }
                if let regroup = counts.regroup {
                    out += "regroup:    \(regroup.done) of \(regroup.total) articles regrouped since \(regroup.startedAt), "
                    out += "unfinished (`copydesk regroup` continues it)\n"
                }
            }
            out += String(format: "last hour:  %d files (%.1f per minute)\n", report.lastHour, Double(report.lastHour) / 60)
            if let event = report.lastEvent {
                out += "last event: \(event.time) \(event.kind.rawValue) \(event.file ?? "") \(event.message ?? "")\n"
            }
            if !report.recentDecisions.isEmpty {
                out += "\nrecent decisions:\n"
                out += EventTable(color: Terminal.usesColor).render(report.recentDecisions)
            }
            Terminal.write(out)
        }
    }
}
