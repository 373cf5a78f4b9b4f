import ArgumentParser
import RealmCore

struct AdminProtectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect",
        abstract: "Install the history verifier as a pre-receive hook on a bare realm repository.",
        discussion: """
        Writes hooks/pre-receive into the bare repository at PATH (the realm as its server
        holds it): every push is then judged like every member judges a fetch. A push that
        deletes or rewinds main, or whose new commits on main were written by someone the
        parent commit's policy does not allow, is refused whole (docs/trust.md). git-realm
        must be on the server's PATH. For hosts without custom hooks, run
        'git realm check --mode=realm' in the realm's CI instead.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "Path of the bare realm repository.")
    var path: String

    @Flag(help: "Replace a pre-receive hook that is not git-realm's.")
    var force = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let result = try ProtectRealm(path: path, force: force).run()
            if output.json {
                Output.json(["hook": .string(result.hook), "replaced": .bool(result.replaced)])
                return
            }
            Output.line("\(Output.check) Installed \(result.hook)\(result.replaced ? " (replaced the previous hook)" : "")")
        }
    }
}
