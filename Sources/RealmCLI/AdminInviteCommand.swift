import ArgumentParser
import RealmCore

struct AdminInviteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite",
        abstract: "Invite a repo to register itself (approvers).",
        discussion: """
        Writes invitations/REPO.yaml on the realm's main: the invited maintainers and the SSH
        keys they sign with. The invited repo's 'git realm admin join' then registers it on
        main directly (signed with an invited key, or by an invited email where the realm
        does not require signatures) and consumes the invitation. In an invite-only realm this
        (or 'admin admit') is the only way in; in an approval realm it admits in advance.
        Members and the realm's server refuse a registration no invitation or approver vouches
        for (docs/trust.md).

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The repo to invite (its name in the realm).")
    var repo: String

    @Option(name: .customLong("maintainer"), help: "An invited maintainer's email (repeatable; the first one signs with --key).")
    var maintainers: [String] = []

    @Option(name: .customLong("key"), help: "An invited public key line, 'ssh-ed25519 AAAA...' (repeatable).")
    var keys: [String] = []

    @Flag(help: "Withdraw the invitation instead.")
    var withdraw = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let (invitation, commit) = try InviteRepo(repo: repo, maintainers: maintainers, keys: keys, withdraw: withdraw).run(in: participant)
            if output.json {
                Output.json(["repo": .string(repo), "withdrawn": .bool(withdraw), "commit": commit.map { .string($0.hex) } ?? .null,
                             "maintainers": .array((invitation?.maintainers ?? []).map { .string($0) }),
                             "keys": .array((invitation?.keys ?? []).map { .string($0.key) })])
                return
            }
            if withdraw {
                Output.line("\(Output.check) Withdrew the invitation of \(repo)")
            } else if commit == nil {
                Output.line("\(repo) is already invited, as asked")
            } else {
                Output.line("\(Output.check) Invited \(repo) (maintainers: \(maintainers.joined(separator: ", ")); \(keys.count) key(s))")
                Output.line("Next: in \(repo), run 'git realm admin join \(participant.membership.url)'")
            }
        }
    }
}
