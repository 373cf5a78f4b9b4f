import ArgumentParser
import RealmCore

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install or remove the pre-push and post-merge hooks.",
        subcommands: [HooksInstallCommand.self, HooksUninstallCommand.self])
}

struct HooksInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the hook shims (into core.hooksPath when set).",
        discussion: """
        Each hook is a short shell shim that runs 'git realm hook <name>'. A hook
        git-realm did not write is never overwritten without --force; --manual
        prints what to add instead.

        \(exitCodeDiscussion)
        """)

    @Flag(help: "Overwrite hooks that git-realm did not write.")
    var force = false

    @Flag(help: "Print what to add to existing hooks instead of installing.")
    var manual = false

    func run() throws {
        try runReporting {
            let repository = try Participant.openRepository()
            if manual {
                Output.line(try Hooks.manualInstructions(for: repository))
                return
            }
            let plan = try Hooks.plan(for: repository, force: force)
            for line in try Hooks.install(plan) { Output.line("\(Output.check) \(line)") }
        }
    }
}

struct HooksUninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the hooks git-realm installed (others are left alone).",
        discussion: exitCodeDiscussion)

    func run() throws {
        try runReporting {
            let repository = try Participant.openRepository()
            for line in try Hooks.uninstall(from: repository) { Output.line(line) }
        }
    }
}

/// `git realm hook <name>`: what the installed shims run.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run a hook's checks (called by the installed hook shims).",
        discussion: """
        pre-push and post-merge. Set GIT_REALM_SKIP_HOOKS=1 to skip them (git's
        --no-verify skips pre-push too).

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The hook: pre-push or post-merge.")
    var name: String

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook.")
    var arguments: [String] = []

    func run() throws {
        try runReporting {
            guard Hooks.names.contains(name) else {
                throw RealmError(.usage, "unknown hook '\(name)' (known: \(Hooks.names.joined(separator: ", ")))")
            }
            // The checks the hooks run arrive with `git realm sync`; until then they pass.
        }
    }
}
