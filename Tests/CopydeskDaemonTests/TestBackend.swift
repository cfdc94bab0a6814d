import CopydeskCore
import CopydeskDaemon
import Foundation
import Testing

/// The catalog backends the contract tests run on.
enum TestBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The backends this machine can run: PostgreSQL where its server binaries are installed (CI
    /// installs them; elsewhere the skip is said once).
    static let available: [TestBackend] = {
        if let reason = PostgresTestCluster.unavailableReason {
            FileHandle.standardError.write(Data("copydesk tests: \(reason)\n".utf8))
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()

    /// A new, empty catalog (for PostgreSQL: a database of its own in the shared test cluster).
    ///
    /// - Parameter storyAssigner: how it assigns new articles to stories.
    func make(storyAssigner: StoryAssigner = StoryAssigner()) async throws -> any CatalogBackend {
        switch self {
        case .sqlite:
            try SQLiteCatalog.inMemory(storyAssigner: storyAssigner)
        case .postgres:
            try await CatalogLocation(PostgresTestCluster.shared().createDatabase())
                .openForWriting(busyTimeout: .seconds(10), storyAssigner: storyAssigner)
        }
    }
}
