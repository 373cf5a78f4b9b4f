import ArgumentParser
import RealmCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through a throwaway realm with two repos, printing each command.",
        discussion: """
        Builds a realm and the repos aperture and fungal-image-analysis in a
        temporary directory (with its own HOME, so your git config is untouched),
        runs the seeds' scenario with the real commands and prints each command and
        its output, ending with a change across both repos: worktree --rfc, commit,
        push, pr (in merge order, on the git-native forge) and pr merge. Exits 0 when every step behaved, 1 otherwise.

        \(exitCodeDiscussion)
        """)

    @Option(help: "Build the demo in this (new or empty) directory and keep it.")
    var keep: String?

    @Flag(help: "Sign every realm write with a key made by ssh-keygen, in a realm that requires signed commits and verifies each push.")
    var signed = false

    func run() throws {
        try runReporting {
            let failures = try Demo(keep: keep, signed: signed, print: { Output.line($0) }).run()
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
