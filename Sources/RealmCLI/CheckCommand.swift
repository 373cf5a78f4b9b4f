import ArgumentParser
import RealmCore

/// `git realm check --mode=...`: the CI entry point. Each mode lives in its own file
/// (Check<Mode>.swift) and reports findings together.
struct CheckCommand: ParsableCommand {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case contract, compatibility, exporter, importer, realm
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, github, gitlab
    }

    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate contracts, compatibility, exports and imports (for CI).",
        discussion: """
        --mode=contract checks every contract and binding file of the realm;
        --mode=compatibility compares two versions of a contract's schema;
        --mode=exporter fails when this repo's exported values differ from the realm or fail
        validation; --mode=importer fails on broken imports and warns on stale ones;
        --mode=realm verifies who wrote each realm commit after --base (default: all of
        history), each judged by its parent's policy (docs/trust.md).

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Option(help: "What to check: contract, compatibility, exporter, importer or realm.")
    var mode: Mode

    @Option(help: "Limit the check to one contract.")
    var contract: String?

    @Option(help: "Compatibility: the old version of --contract (from the realm's history).")
    var from: String?

    @Option(help: "Compatibility: the new version of --contract.")
    var to: String?

    @Option(name: .customLong("from-file"), help: "Compatibility: the old schema or contract file (YAML or JSON).")
    var fromFile: String?

    @Option(name: .customLong("to-file"), help: "Compatibility: the new schema or contract file (YAML or JSON).")
    var toFile: String?

    @Flag(help: "Compatibility: judge as users expect (e.g. an optional property added to an open model is compatible).")
    var lenient = false

    @Flag(help: "Compatibility: check the new version against every earlier version of the contract.")
    var transitive = false

    @Option(help: "Contract: compare version bumps against this realm revision (default: the previous commit). Realm: verify only the commits after it.")
    var base: String?

    @Flag(help: "Exporter/importer: treat validation warnings (exit 2) and stale imports as failures.")
    var strict = false

    @Flag(help: "Fetch the realm first.")
    var fetch = false

    @Option(help: "Findings format: text, github (GitHub Actions annotations) or gitlab (a GitLab Code Quality report: JSON on standard output).")
    var format: Format = .text

    @Flag(name: .customLong("no-cache"), help: "Read and write nothing in git-realm's cache: extract every export again (docs/cache.md).")
    var noCache = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            switch mode {
            case .contract: try runContractCheck()
            case .compatibility: try runCompatibilityCheck()
            case .exporter: try runExporterCheck()
            case .importer: try runImporterCheck()
            case .realm: try runRealmCheck()
            }
        }
    }
}
