import ArgumentParser
import CopydeskCore
#if canImport(Glibc)
import Glibc
#endif

@main
struct Copydesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydesk",
        abstract: "Ingest articles dropped into an Inbox: normalize, de-duplicate, version and archive them.",
        discussion: """
            Exit codes: 0 success (also when files were rejected: a rejection is a decision), \
            1 copydesk itself failed, 2 usage error.
            """,
        subcommands: [
            Watch.self, Ingest.self, Extract.self, Status.self, Log.self, Search.self, Show.self, Diff.self, Stories.self,
            Story.self, Verify.self, Reprocess.self, Regroup.self, MigrateCatalog.self,
        ]
    )

    /// Runs the command and maps outcomes to copydesk's exit codes: argument-parser's usage exit
    /// (64) becomes 2, a ``CopydeskError`` becomes 1 with its file and reason on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CopydeskError {
            Terminal.error("copydesk: \(error.detailedDescription())")
            Glibc.exit(error.code == .usage ? 2 : 1)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Glibc.exit(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
