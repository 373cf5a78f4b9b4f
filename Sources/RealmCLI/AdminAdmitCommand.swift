import ArgumentParser
import RealmCore

struct AdminAdmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admit",
        abstract: "Admit a repo waiting to join the realm (approvers).",
        discussion: """
        In a realm whose admission is approval or invite-only, 'git realm admin join' by
        someone who is not an approver leaves the registration on the realm branch
        join/REPO. An approver admits it: repos/REPO.yaml from that branch lands on main as
        the approver's own (signed) commit, and the branch is removed. Members refuse a
        registration on main written by anyone else (docs/trust.md).

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The repo to admit.")
    var repo: String

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let result = try AdmitRepo(repo: repo).run(in: participant)
            if output.json {
                Output.json(["repo": .string(repo), "commit": result.commit.map { .string($0.hex) } ?? .null,
                             "maintainers": .array(result.entry.maintainers.map { .string($0) })])
                return
            }
            Output.line(result.commit == nil ? "\(repo) is already registered in realm '\(participant.realm)'"
                                             : "\(Output.check) Admitted \(repo) to realm '\(participant.realm)' (maintainers: \(result.entry.maintainers.joined(separator: ", ")))")
        }
    }
}
