import ArgumentParser
import RealmCore

struct AdminJoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Register this repository in a realm.",
        discussion: """
        Adds repos/<name>.yaml to the realm, writes the membership file .gitrealm
        (commit it so every clone knows its realm), fetches the realm into
        refs/realm/<realm>/ and installs the pre-push and post-merge hooks. A hook
        that git-realm did not write is never overwritten without --force; --manual
        prints what to add instead.

        A repository may be in more than one realm: joining another adds a
        [realm "<name>"] section to .gitrealm (the first realm's [realm] section
        stays as it was); the global option --realm NAME then picks the realm a
        command acts on.

        Credentials are never stored or published: a password or token in the realm
        URL is used for this command only (.gitrealm and git config get the URL
        without it; later fetches and pushes authenticate through git's credential
        helpers), and repos/<name>.yaml gets origin's URL without credentials, or no
        URL when origin is missing or a local path.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Argument(help: "URL or path of the realm repository.")
    var realm: String

    @Option(name: .customLong("as"), help: "This repository's name in the realm (default: the directory's name).")
    var name: String?

    @Option(help: "Organisation this repository belongs to.")
    var org: String?

    @Option(help: ArgumentHelp("Where this repo's pull requests live: forgejo, gitea, github or git (the git-native forge; the default unless origin is on github.com or codeberg.org).", valueName: "KIND"))
    var forge: String?

    @Option(help: ArgumentHelp("The forge's REST API base (https; http only on a loopback host). Default for github: https://api.github.com.", valueName: "URL"))
    var forgeApi: String?

    @Option(help: ArgumentHelp("The repo on the forge (default: from origin's URL).", valueName: "OWNER/NAME"))
    var forgeRepo: String?

    @Option(name: .customLong("forge-user"), help: ArgumentHelp("A maintainer's user name on the realm's forge, asked to review realm PRs for sync proposals this repo imports from (repeatable; joining again sets the list).", valueName: "NAME"))
    var forgeUsers: [String] = []

    @Flag(help: "Overwrite existing hooks that git-realm did not write.")
    var force = false

    @Flag(help: "Do not install hooks; print what to add to the existing ones.")
    var manual = false

    @Flag(name: .customLong("no-hooks"), help: "Do not install hooks.")
    var noHooks = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let mode: JoinRealm.HookMode = noHooks ? .skip : manual ? .manual : force ? .force : .install
            var join = JoinRealm(url: realm, name: name, org: org, hooks: mode)
            join.forge = try JoinRealm.forgeSetting(kind: forge, api: forgeApi, repo: forgeRepo)
            join.forgeUsers = try JoinRealm.forgeUsers(forgeUsers)
            let result = try join.run()
            let m = result.membership
            if result.droppedCredentials {
                Output.warning("the realm URL's credentials were used for this join and stored nowhere: .gitrealm and git config say \(m.url)")
                Output.hint("later fetches and pushes get credentials from a git credential helper, as 'git fetch' does: see 'git help credentials' (for example: git config --global credential.helper cache)")
            }
            if output.json {
                Output.json([
                    "realm": .string(m.realm), "url": .string(m.url), "repo": .string(m.repo),
                    "registered": .bool(result.registered && result.pendingBranch == nil),
                    "pending_branch": result.pendingBranch.map { .string($0) } ?? .null,
                    "admission": .string(result.admission),
                    "hooks": .array(result.hookLines.map { .string($0) }),
                    "detected": .array(result.detected.map {
                        ["domain": .string($0.domain), "role": .string($0.role), "contracts": .array($0.contracts.map { .string($0) })]
                    }),
                    "detected_exports": result.detectedS3Sources.isEmpty ? .array([]) : .array([
                        ["detector": .string(S3PathDetector.name), "source_files": .array(result.detectedS3Sources.map { .string($0) }),
                         "value": result.detectedS3Value.json],
                    ]),
                ])
                return
            }
            if let branch = result.pendingBranchName {
                Output.line("\(Output.check) Asked to join realm '\(m.realm)' (admission: \(result.admission)): the registration waits on \(branch)")
                Output.line("  an approver admits it with: git realm admin admit \(m.repo)")
            } else {
                Output.line(result.registered ? "\(Output.check) Created repos/\(m.repo).yaml in realm '\(m.realm)'"
                                              : "\(Output.check) Already registered as '\(m.repo)' in realm '\(m.realm)'")
            }
            for d in result.detected {
                let kind = d.role == "provider" ? "export" : "import"
                Output.line("\(Output.check) Detected \(kind): \(d.contracts.joined(separator: ", ")) in domain \(d.domain)")
            }
            Output.line("\(Output.check) Wrote .gitrealm (commit it so every clone knows its realm)")
            for line in result.hookLines { Output.line("\(Output.check) Hook \(line)") }
            if let manual = result.manualHooks { Output.block(manual) }
            if !result.detectedS3Sources.isEmpty {
                let found = result.detectedS3Value
                Output.line("Auto-detected exports: S3 paths (\(found.read.count) read, \(found.write.count) write) in \(result.detectedS3Sources.joined(separator: ", "))")
                Output.line("  to export them: git realm export <contract> --detect \(S3PathDetector.name) --source \(result.detectedS3Sources.joined(separator: " "))")
            }
        }
    }
}
