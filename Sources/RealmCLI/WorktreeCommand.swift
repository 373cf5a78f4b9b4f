import ArgumentParser
import RealmCore

struct WorktreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worktree",
        abstract: "Start a change across repos: branch feat/NAME as a worktree in each.",
        discussion: """
        A coordinated change is one branch, feat/NAME, in every repo taking part, checked out
        as a git worktree at .worktrees/feat-NAME/ inside each repo's clone ('.worktrees/' is
        added to .git/info/exclude). The change is recorded in the realm as changes/NAME.yaml:
        its repos, branch and base commits, and who started it (a signed realm write, allowed
        to the maintainers of the repos taking part; docs/trust.md). 'git realm commit' and
        'git realm push' then act on every worktree of the change. See docs/change.md.

        \(exitCodeDiscussion)
        """,
        subcommands: [WorktreeCreateCommand.self, WorktreeListCommand.self, WorktreeRemoveCommand.self],
        defaultSubcommand: WorktreeCreateCommand.self)
}

struct WorktreeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create the worktrees of a change (the default: 'git realm worktree --rfc NAME').",
        discussion: """
        The repos: with no option, every member of every domain this repo is a member of;
        --domain D (repeatable): the members of those domains; --repos a,b: those repos (and
        this one); both: the named repos, each a member of a named domain. A repo already in
        the change's record stays in it.

        Each repo is found through the user's index (global git config
        realm.<realm>.checkout.<repo>, recorded by 'git realm admin join'); one with no known
        clone fails, unless --clone-missing clones it from the URL in repos/<repo>.yaml into a
        folder named as the repo beside this repository's working tree. A URL from the realm
        is used only with the https, http, ssh or git schemes (or scp-like host:path);
        local paths and file:// URLs only with --allow-local; remote helpers (ext::) never.

        The branch starts at --base REF (resolved in each repo) or at each repo's HEAD; an
        existing feat/NAME branch is checked out as it is. Running it again reports what
        exists and completes what is missing. A repo that fails is reported and the others go
        on; the command then exits 1, and the record names only the repos with a worktree.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Option(name: .customLong("rfc"), help: ArgumentHelp("The change's name (branch feat/NAME).", valueName: "NAME"))
    var name: String

    @Option(name: .customLong("domain"), help: ArgumentHelp("Take part with the members of this domain (repeatable).", valueName: "D"))
    var domains: [String] = []

    @Option(name: .customLong("repos"), help: ArgumentHelp("Take part with these repos (comma-separated).", valueName: "a,b"))
    var repos: String?

    @Option(help: ArgumentHelp("Start the branch at this revision in every repo (default: each repo's HEAD).", valueName: "REF"))
    var base: String?

    @Flag(help: "Clone a member with no local clone from its URL in the realm.")
    var cloneMissing = false

    @Flag(help: "Let --clone-missing use a local path or file:// URL from the realm.")
    var allowLocal = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            var request = CoordinatedChange.Start(name: name)
            request.domains = domains
            request.repos = repos.map(splitList) ?? []
            request.base = base
            request.cloneMissing = cloneMissing
            request.allowLocal = allowLocal
            let report = try CoordinatedChange.start(request, in: participant)
            ChangeOutput.render(report, json: output.json, heading: "Worktrees of change '\(name)' (branch \(report.branch)):")
            try ChangeOutput.finish(report, verb: "worktree", json: output.json)
        }
    }
}

struct WorktreeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the realm's recorded changes and their worktrees on this machine.",
        discussion: "Reads the realm as last fetched (--fetch to fetch first).\n\n\(exitCodeDiscussion)")

    @Flag(help: "Fetch the realm first.")
    var fetch = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            if fetch { try participant.fetch() }
            let items = try CoordinatedChange.list(in: participant)
            if output.json {
                Output.json(["realm": .string(participant.realm), "worktrees": .array(items.map(\.json))])
                return
            }
            if items.isEmpty {
                Output.line("No changes recorded in realm '\(participant.realm)'")
                return
            }
            var current = ""
            for item in items {
                if item.change != current {
                    current = item.change
                    Output.line("\(item.change) (\(item.branch))")
                }
                let state = switch item.state {
                case "present": item.uncommitted > 0 ? "\(item.uncommitted) uncommitted change(s)" : "clean"
                case "missing": "no worktree here"
                case "no-clone": "no local clone known"
                default: "error: \(item.detail ?? "")"
                }
                Output.line("  \(item.repo): \(item.state == "present" ? (item.path ?? "") + " " : "")\(state)")
            }
        }
    }
}

struct WorktreeRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a change's worktrees on this machine (branches and commits stay).",
        discussion: """
        Refuses, removing nothing, when a worktree of the change holds uncommitted work
        (untracked files included), unless --force. The branch feat/NAME, its commits and the
        realm's record of the change stay; 'git realm worktree --rfc NAME' brings the
        worktrees back.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The change's name.")
    var name: String

    @Flag(help: "Remove worktrees with uncommitted work too (that work is lost).")
    var force = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(name, in: participant)
            let report = try CoordinatedChange.remove(record, force: force, in: participant)
            ChangeOutput.render(report, json: output.json, heading: "Removing the worktrees of change '\(record.name)':")
            try ChangeOutput.finish(report, verb: "worktree remove", json: output.json)
        }
    }
}
