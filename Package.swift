// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "copydesk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "copydesk", targets: ["copydesk"]),
        .library(name: "CopydeskCore", targets: ["CopydeskCore"]),
        .library(name: "CopydeskDaemon", targets: ["CopydeskDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "CopydeskCore",
            dependencies: [
                "CLibXML2",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CopydeskDaemon",
            dependencies: [
                "CopydeskCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "copydesk",
            dependencies: [
                "CopydeskCore",
                "CopydeskDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BenchmarkCorpus",
            dependencies: ["CopydeskCore"],
            path: "Benchmarks/BenchmarkCorpus"
        ),
        .executableTarget(
            name: "CopydeskBenchmarks",
            dependencies: [
                "BenchmarkCorpus",
                "CLibXML2",
                "CopydeskCore",
                "CopydeskDaemon",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/CopydeskBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LatencyBench",
            dependencies: [
                "BenchmarkCorpus",
                "CopydeskCore",
                "CopydeskDaemon",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/LatencyBench"
        ),
        .executableTarget(
            name: "ExtractBench",
            dependencies: ["CopydeskCore", "CLibXML2"],
            path: "Benchmarks/ExtractBench"
        ),
        .executableTarget(
            name: "StoryEval",
            dependencies: ["CopydeskCore"],
            path: "Benchmarks/StoryEval"
        ),
        .executableTarget(
            name: "FuzzNormalizer",
            dependencies: ["CopydeskCore"],
            path: "Fuzz/NormalizerFuzz"
        ),
        .executableTarget(
            name: "ScaleBench",
            dependencies: ["BenchmarkCorpus", "CopydeskCore", "CopydeskDaemon"],
            path: "Benchmarks/ScaleBench"
        ),
        .testTarget(
            name: "CopydeskCoreTests",
            dependencies: ["CopydeskCore"]
        ),
        .testTarget(
            name: "CopydeskDaemonTests",
            dependencies: [
                "CopydeskCore",
                "CopydeskDaemon",
                "copydesk",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}
