import ArgumentParser
import RealmCore

struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Commit in every worktree of a change that has something to commit.",
        discussion: """
        Runs 'git commit -m MSG' (with --all: 'git commit --all', which stages changed
        tracked files, never untracked ones) in each worktree of the change, in dependency
        order, with the trailer 'Realm-Change: NAME'. A worktree with nothing to commit is
        left alone. The change is --rfc NAME, else the one whose branch is checked out here,
        else the only change this repo takes part in. Each repo's commit hooks run. A repo
        that fails is reported, the others go on, and the command exits 1; running it again
        commits only where something is left.

        \(exitCodeDiscussion)
        """)

    @Option(name: .shortAndLong, help: "The commit message.")
    var message: String

    @Flag(name: .shortAndLong, help: "Stage changed and deleted tracked files first, as 'git commit --all'.")
    var all = false

    @Option(name: .customLong("rfc"), help: ArgumentHelp("The change (default: see above).", valueName: "NAME"))
    var name: String?

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(name, in: participant)
            let report = try CoordinatedChange.commit(record, message: message, all: all, in: participant)
            ChangeOutput.render(report, json: output.json, heading: "Committing change '\(record.name)' (branch \(record.branch)):")
            try ChangeOutput.finish(report, verb: "commit", json: output.json)
        }
    }
}
