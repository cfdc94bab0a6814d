import Foundation

/// Files of `../shared` beside the package (read, never copied into the repository).
enum SharedFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var seedsFolder: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds")
    }

    /// The five seed articles, sorted by name.
    static func seeds() -> [(name: String, bytes: [UInt8])] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: seedsFolder.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: seedsFolder.appendingPathComponent(name).path).map { (name, [UInt8]($0)) }
        }
    }
}
