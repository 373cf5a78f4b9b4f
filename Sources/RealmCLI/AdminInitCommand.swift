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

        With --forge forgejo|gitea and --forge-api URL and no REALM, the realm's
        repository is first created on that forge (for you, or in --forge-owner's
        organisation), and realm.yaml records it as the realm's forge. The token comes
        from GIT_REALM_TOKEN, FORGEJO_TOKEN/GITEA_TOKEN or git credential
        (docs/forges.md). With REALM and --forge, realm.yaml only records the forge
        (--forge-repo OWNER/NAME).

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Argument(help: "URL or path of the realm repository (empty, usually bare); omitted with --forge: created there.")
    var realm: String?

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

    @Option(help: "The realm repository's forge: forgejo, gitea, github or git (recorded in realm.yaml).")
    var forge: String?

    @Option(name: .customLong("forge-api"), help: "The forge's REST base URL (https://codeberg.org/api/v1).")
    var forgeAPI: String?

    @Option(name: .customLong("forge-owner"), help: "The organisation to create the realm's repository in (default: your user).")
    var forgeOwner: String?

    @Option(name: .customLong("forge-repo"), help: "OWNER/NAME of an existing realm repository on the forge (with REALM).")
    var forgeRepo: String?

    @Flag(help: "Write realm.yaml even when the repository is not empty.")
    var force = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            guard gracePeriodDays >= 0 else { throw RealmError(.usage, "--grace-period-days must not be negative") }
            var url = realm ?? ""
            var setting: ForgeSetting?
            var created: (url: String, web: String, repo: String)?
            if let forge {
                if realm == nil {
                    guard let forgeAPI else { throw RealmError(.usage, "--forge without REALM creates the realm's repository: give --forge-api URL") }
                    let made = try InitRealm.createOnForge(kind: forge, api: forgeAPI, owner: forgeOwner, name: name)
                    url = made.url
                    setting = made.forge
                    created = (made.url, made.web, made.forge.repo ?? "")
                } else {
                    let given = ForgeSetting(kind: forge, api: forgeAPI, repo: forgeRepo)
                    if let problem = given.problems().first {
                        throw RealmError(.usage, "--forge\(problem.field == "kind" ? "" : "-" + problem.field) \(problem.problem)")
                    }
                    setting = given
                }
            } else if realm == nil {
                throw RealmError(.usage, "give the realm repository's URL or path (REALM), or --forge and --forge-api to create it on a forge")
            }
            var operation = InitRealm(url: url, name: name, force: force, approvers: approvers,
                                      admission: admission, requireSignedCommits: requireSignedCommits)
            operation.breakingChanges = .init(requireApproval: !noRequireApproval, gracePeriodDays: gracePeriodDays)
            operation.forge = setting
            let result = try operation.run()
            if output.json {
                Output.json(["realm": .string(name), "url": .string(result.url), "commit": .string(result.commit.hex),
                             "forge": setting.map { ["kind": .string($0.kind), "api": $0.api.map(JSONValue.string) ?? .null,
                                                     "repo": $0.repo.map(JSONValue.string) ?? .null] } ?? .null])
                return
            }
            if let created {
                Output.line("\(Output.check) Created repository \(Printable.line(created.repo)) on the forge (\(Printable.line(created.web)))")
            }
            Output.line("\(Output.check) Created realm '\(name)' at \(result.url)")
            Output.line("\(Output.check) Wrote realm.yaml (admission: \(result.config.governance.admission)\(result.config.trust.requireSignedCommits ? ", signed commits required" : ""))")
            Output.line("Next: in each participant repository, run 'git realm admin join \(result.url)'")
        }
    }
}
