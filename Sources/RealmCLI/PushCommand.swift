import ArgumentParser
import RealmCore

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a change's branch in every repo, exporters before importers.",
        discussion: """
        Pushes feat/NAME of each repo of the change to its remote (--remote, default origin)
        in dependency order: exporters before their importers, as the realm's domains say
        ('git realm graph'), repos that do not depend on each other in name order. Each push
        carries a lease (--force-with-lease) on what the remote had when this clone last saw
        it, so a branch someone else moved is never overwritten. A repo whose remote already
        has the branch at its tip is not pushed again. The first failure stops the pushes
        after it (reported as skipped) and the command exits 1; running it again pushes
        only what is left. Each repo's pre-push hooks run.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Option(name: .customLong("rfc"), help: ArgumentHelp("The change (default: the one checked out here, or this repo's only one).", valueName: "NAME"))
    var name: String?

    @Option(help: "The remote to push to in every repo.")
    var remote = "origin"

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(name, in: participant)
            let report = try CoordinatedChange.push(record, remote: remote, in: participant)
            ChangeOutput.render(report, json: output.json, heading: "Pushing change '\(record.name)' (branch \(record.branch)), exporters first:")
            try ChangeOutput.finish(report, verb: "push", json: output.json)
        }
    }
}
