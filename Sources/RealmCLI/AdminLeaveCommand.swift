import ArgumentParser
import RealmCore

struct AdminLeaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave",
        abstract: "Remove this repository from its realm.",
        discussion: """
        Removes repos/<name>.yaml, this repo's bindings, its domain memberships and
        the contracts it owns from the realm; then the local .gitrealm, the hooks
        git-realm wrote and the fetched realm refs. Refuses while other repos import
        this repo's contracts, unless --force is given (their imports then become
        broken).

        In a repository that is in more than one realm, leaves the first realm of
        .gitrealm, or the one the global option --realm NAME names; only that
        realm's section of .gitrealm and its refs go, and the hooks stay.

        \(exitCodeDiscussion)
        """)

    @Flag(help: "Leave even though other repos import this repo's contracts.")
    var force = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let result = try LeaveRealm(force: force).run(in: participant)
            if output.json {
                Output.json(["realm": .string(participant.realm), "repo": .string(participant.name),
                             "removed": .array(result.removed.map { .string($0) }),
                             "broken_imports": .array(result.orphanedImporters.map { .string($0) })])
                return
            }
            for file in result.removed { Output.line("\(Output.check) Updated \(file)") }
            for line in result.orphanedImporters { Output.warning("now broken: \(line)") }
            for line in result.hookLines { Output.line("\(Output.check) Hook \(line)") }
            Output.line("\(Output.check) Left realm '\(participant.realm)' (remove .gitrealm from your next commit)")
        }
    }
}
