import ArgumentParser
import RealmCore

struct AdminInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a realm in an empty git repository.",
        discussion: """
        Writes realm.yaml with the default governance (admission: approval, breaking
        changes need approval with a 14-day grace period; trust: collaborative) into
        the repository at REALM (a URL or a path, usually an empty bare repository)
        and pushes it.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Argument(help: "URL or path of the realm repository (empty, usually bare).")
    var realm: String

    @Option(help: "The realm's name (kebab-case).")
    var name: String

    @Option(name: .customLong("approver"), help: "An approver's address (repeatable; default: your user.email).")
    var approvers: [String] = []

    @Option(help: "How new repos are admitted: open, approval or invite-only (recorded; see docs/trust.md).")
    var admission: String = "approval"

    @Flag(name: .customLong("require-signed-commits"), help: "Every realm commit must be signed by a registered key (docs/trust.md).")
    var requireSignedCommits = false

    @Flag(name: .customLong("no-require-approval"),
          help: "Breaking changes land without an approver's approval (default: they wait as proposals).")
    var noRequireApproval = false

    @Option(name: .customLong("grace-period-days"),
            help: "Days a change that narrows what importers acknowledge waits, unless they all acknowledge it (0: none).")
    var gracePeriodDays: Int = 14

    @Flag(help: "Write realm.yaml even when the repository is not empty.")
    var force = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            guard gracePeriodDays >= 0 else { throw RealmError(.usage, "--grace-period-days must not be negative") }
            var operation = InitRealm(url: realm, name: name, force: force, approvers: approvers,
                                      admission: admission, requireSignedCommits: requireSignedCommits)
            operation.breakingChanges = .init(requireApproval: !noRequireApproval, gracePeriodDays: gracePeriodDays)
            let result = try operation.run()
            if output.json {
                Output.json(["realm": .string(name), "url": .string(result.url), "commit": .string(result.commit.hex)])
                return
            }
            Output.line("\(Output.check) Created realm '\(name)' at \(result.url)")
            Output.line("\(Output.check) Wrote realm.yaml (admission: \(result.config.governance.admission)\(result.config.trust.requireSignedCommits ? ", signed commits required" : ""))")
            Output.line("Next: in each participant repository, run 'git realm admin join \(result.url)'")
        }
    }
}
