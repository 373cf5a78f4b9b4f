import ArgumentParser
import RealmCore

struct AdminCodeOwnersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codeowners",
        abstract: "Print a CODEOWNERS file from the realm's owners and maintainers.",
        discussion: """
        For realms hosted where custom hooks cannot run (GitHub, most Forgejo setups): commit
        the output as the realm's CODEOWNERS (.github/CODEOWNERS, or CODEOWNERS at the top)
        and make review by code owners required, so that the forge asks the owners of each
        changed file: a contract's owner's maintainers, a repo's maintainers for its binding and
        its registration, the approvers for realm.yaml and governance. Run
        'git realm check --mode=realm' in the realm's CI too: review is advice, the verifier
        is the rule (docs/trust.md).

        Reads the realm of the current directory: a clone of the realm (its working tree), a
        bare realm, or the fetched realm of a member. With --check FILE, prints nothing and
        exits 1 when FILE differs from what would be generated.

        \(exitCodeDiscussion)
        """)

    @Flag(help: "In a member: fetch the realm first.")
    var fetch = false

    @Option(help: "Compare with this file instead of printing (exit 1 when it is stale).")
    var check: String?

    func run() throws {
        try runReporting {
            let location = try RealmLocation.find()
            if fetch, case .participant(let participant) = location { try participant.fetch() }
            let text = try CodeOwners.render(at: location)
            if let check {
                let current = CodeOwners.isCurrent(check, text: text)
                guard current == true else {
                    throw RealmError(.checkFailed, "\(check) is \(current == nil ? "missing" : "stale"): regenerate it with 'git realm admin codeowners > \(check)'")
                }
                Output.line("\(Output.check) \(check) is current")
                return
            }
            for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) { Output.line(String(line)) }
        }
    }
}
