// swift-tools-version:6.0
import PackageDescription

// Layers (arrows point down only; docs/architecture.md):
//   git-realm (executable) -> RealmCLI -> RealmCore (alone: it re-exports what the CLI renders)
//   -> RealmModel, RealmContracts, RealmForge -> RealmGit, RealmYAML -> RealmJSON -> RealmSupport
//   -> RealmLimits; CGit2, CYAML (system libraries)
let package = Package(
    name: "git-realm",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "git-realm", targets: ["git-realm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2",
                       providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // Every bound on untrusted input, in one place (docs/security.md).
        .target(name: "RealmLimits"),
        // The shared helpers, once each: process running, files, environment, text, tracing,
        // credential redaction in URLs (docs/architecture.md).
        .target(name: "RealmSupport", dependencies: ["RealmLimits"]),
        .target(name: "RealmJSON",
                dependencies: ["RealmLimits", "RealmSupport", .product(name: "OrderedCollections", package: "swift-collections")]),
        // Start-up of libgit2 without the CA bundle it never uses here (see ca_bundle.c).
        .target(name: "CGit2Setup"),
        // A command's new objects written as one pack (see object_batch.c).
        .target(name: "CGit2Pack", dependencies: ["CGit2"]),
        .target(name: "RealmGit", dependencies: ["RealmLimits", "RealmSupport", "CGit2", "CGit2Setup", "CGit2Pack"]),
        .target(name: "RealmYAML", dependencies: ["RealmLimits", "CYAML", "RealmJSON"]),
        .target(name: "RealmContracts", dependencies: ["RealmLimits", "RealmSupport", "RealmJSON"]),
        .target(name: "RealmModel", dependencies: ["RealmSupport", "RealmYAML", "RealmJSON"]),
        // Pull requests on Forgejo/Gitea, GitHub or the git-native forge, behind one interface
        // (docs/forges.md).
        .target(name: "RealmForge", dependencies: ["RealmLimits", "RealmSupport", "RealmJSON", "RealmGit"]),
        .target(name: "RealmCore",
                dependencies: ["RealmLimits", "RealmSupport", "RealmGit", "RealmForge", "RealmYAML", "RealmModel", "RealmContracts", "RealmJSON"]),
        .target(name: "RealmCLI",
                dependencies: ["RealmCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "git-realm", dependencies: ["RealmCLI"],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file"])]),
        // scripts/benchmark-contracts.sh: timings of the contract engine (not a test).
        .executableTarget(name: "realm-bench", dependencies: ["RealmContracts", "RealmJSON"],
                          linkerSettings: [.linkedLibrary("m")]),

        // The environment every test runs git and git-realm in (Tests/TestSupport).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RealmJSONTests", dependencies: ["RealmJSON"]),
        .testTarget(name: "RealmGitTests", dependencies: ["RealmGit", "RealmSupport", "TestSupport"]),
        .testTarget(name: "RealmYAMLTests", dependencies: ["RealmYAML"]),
        .testTarget(name: "RealmModelTests", dependencies: ["RealmModel"]),
        .testTarget(name: "RealmContractsTests", dependencies: ["RealmContracts", "RealmJSON"]),
        .testTarget(name: "RealmCoreTests", dependencies: ["RealmCore", "RealmGit", "RealmModel", "RealmLimits", "RealmForge", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["RealmJSON", "TestSupport"]),
        // A stand-in HTTP server for Forgejo's and GitHub's APIs that serves only what their
        // published descriptions (../shared/forges) allow (docs/forges.md, "The stand-in").
        .executableTarget(name: "forge-standin", dependencies: ["RealmContracts", "RealmJSON"], path: "Tests/ForgeStandIn"),
        .testTarget(name: "RealmForgeTests", dependencies: ["RealmForge", "RealmGit", "RealmJSON", "RealmSupport", "TestSupport"]),
    ]
)
