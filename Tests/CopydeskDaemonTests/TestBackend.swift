import CopydeskDaemon
import Testing

/// The catalog backends the contract tests run on.
enum TestBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// The backends this machine can run.
    static var available: [TestBackend] { [.sqlite] }

    /// A new, empty catalog.
    func make() async throws -> any CatalogBackend {
        switch self {
        case .sqlite: try SQLiteCatalog.inMemory()
        }
    }
}
