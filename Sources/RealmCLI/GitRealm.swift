import ArgumentParser

/// `git realm`: the root of the command tree. Usage text always says `git realm <sub>`,
/// whichever name the binary was started under.
public struct GitRealm: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "git realm",
        abstract: "Keep git repositories that depend on each other in step.",
        discussion: """
        A realm is a git repository of YAML files describing repos, domains,
        contracts and bindings. Participant repos export contracts and import them;
        git-realm keeps the realm's record true. State lives in git refs
        (refs/realm/<realm>/*) and notes.

        \(GlobalOptions.realmHelp)

        Environment: GIT_REALM_TRACE_PERFORMANCE=1 prints the time each phase and
        each git subprocess took on standard error (2-9: to that descriptor; an
        absolute path: appended to that file). GIT_REALM_TRACE=1 (same values)
        prints each export extraction and each cache hit and miss (docs/cache.md).
        GIT_REALM_SKIP_HOOKS=1 makes the hooks do nothing.

        Colour: GIT_REALM_COLOR=always|never|auto, else git config color.realm,
        else color.ui (auto, always, never, true, false, as git reads them); auto
        colours on a terminal unless NO_COLOR is set. Whatever a realm, a note or
        git says is printed with control characters escaped (as \\033, \\n); --json
        output is exact. URLs are shown, stored and published without credentials.

        \(exitCodeDiscussion)
        """,
        version: gitRealmVersion,
        groupedSubcommands: [
            CommandGroup(name: "Everyday", subcommands: [StatusCommand.self, SyncCommand.self, CheckCommand.self, GraphCommand.self]),
            CommandGroup(name: "Awareness", subcommands: [SessionCommand.self, WatchCommand.self]),
            CommandGroup(name: "Changes across repos", subcommands: [WorktreeCommand.self, CommitCommand.self, PushCommand.self, PrCommand.self]),
            CommandGroup(name: "Contracts", subcommands: [ExportCommand.self, ImportCommand.self]),
            CommandGroup(name: "Governance", subcommands: [ProposalsCommand.self, ApproveCommand.self]),
            CommandGroup(name: "Administration", subcommands: [AdminCommand.self, HooksCommand.self]),
            CommandGroup(name: "Plumbing", subcommands: [SchemaCommand.self, SemverCommand.self, HookCommand.self]),
            CommandGroup(name: "Other", subcommands: [DemoCommand.self, GenerateManCommand.self]),
        ]
    )

    public init() {}
}

public let gitRealmVersion = "0.1.0"
