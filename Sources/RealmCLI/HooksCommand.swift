import ArgumentParser
import RealmCore

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install or remove the pre-push, post-merge and post-rewrite hooks.",
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
                Output.block(try Hooks.manualInstructions(for: repository))
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
        pre-push <remote> <url>: reads git's ref lines on standard input; when the
        push changes an export's source files and the value at the pushed commit
        differs from the realm's contract (as last fetched), the push is blocked
        (realm.prePush=block, the default), or only warned about (warn), or not
        checked (off). realm.prePushFetch=true fetches the realm first. Run by
        pre-commit (.pre-commit-hooks.yaml at git-realm's top), --from-env pre-commit
        reads the push from PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF and
        PRE_COMMIT_REMOTE_NAME instead, with the same policy.

        post-merge <squash>: fetches the realm (realm.fetchTimeout seconds,
        default 5; 0 = no fetch), reports stale or broken imports and unread
        notifications, and writes them as a note on the merged commit
        (git log --notes=realm). It never fails the merge.

        post-rewrite <rebase|amend>: after a rebase (git pull --rebase,
        pull.rebase=true) does what post-merge does, on the rebased HEAD; after
        commit --amend nothing.

        When git-realm itself fails, it says what failed; realm.hookFailure=block
        (the default) then blocks the push, warn lets it through. A repository
        that has not joined a realm passes silently.

        GIT_REALM_SKIP_HOOKS=1 skips both hooks; git push --no-verify skips
        pre-push. See docs/hooks.md.

        pre-receive: on a bare realm repository (installed by 'git realm admin
        protect'), refuses a push that deletes or rewinds main, or whose new commits
        on main fail the history verifier (docs/trust.md). All or nothing: git then
        stores none of the pushed refs.

        \(exitCodeDiscussion)
        """,
        subcommands: [HookPrePushCommand.self, HookPostMergeCommand.self, HookPostRewriteCommand.self, HookPreReceiveCommand.self])
}

extension HookFramework: ExpressibleByArgument {}

/// Renders a hook's outcome on standard error, then exits as it says.
func render(_ outcome: HookOutcome) throws {
    for message in outcome.messages {
        switch message.severity {
        case .error: Output.error(RealmError(.checkFailed, message.message, hint: message.hint, details: message.details))
        case .warning:
            Output.warning(message.message)
            for line in message.details { Output.stderrLine("  \(line)") }
        case .notice, .ok: Output.stderrLine(message.message)
        }
    }
    if let hint = outcome.hint { Output.hint(hint) }
    if let code = outcome.exitCode { throw ExitCode(code) }
}

/// `git realm hook pre-push <remote> <url>`: git's ref lines on standard input.
struct HookPrePushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-push",
        abstract: "Check a push against the realm (the pre-push shim runs this).")

    @Option(name: .customLong("from-env"),
            help: "Read the push from a hook manager's environment instead of git's standard input: pre-commit (PRE_COMMIT_FROM_REF, PRE_COMMIT_TO_REF, PRE_COMMIT_REMOTE_NAME, ...).")
    var fromEnv: HookFramework?

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook: <remote> <url>.")
    var arguments: [String] = []

    func run() throws {
        if hooksSkipped() { return }   // before any work, even reading the repository
        try runReporting {
            guard let context = HookContext.open() else { return }
            if let fromEnv {
                try render(PrePush.decide(context: context, framework: fromEnv))
            } else {
                try render(PrePush.decide(context: context, remote: arguments.first ?? "", input: PrePush.readStandardInput))
            }
        }
    }
}

/// `git realm hook post-merge <squash>`.
struct HookPostMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post-merge",
        abstract: "Report stale imports and notifications after a merge (the post-merge shim runs this).")

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook: <squash> (1 for a squash merge).")
    var arguments: [String] = []

    func run() throws {
        if hooksSkipped() { return }
        try runPostMergeReport(hook: "post-merge", operation: "merge", squash: arguments.first == "1")
    }
}

/// What post-merge and post-rewrite (after a rebase) say: stale or broken imports and unread
/// notifications, also written as a note on HEAD (none after a squash merge). Never fails.
private func runPostMergeReport(hook: String, operation: String, squash: Bool) throws {
    try runReporting {
        guard let context = HookContext.open() else { return }
        for problem in context.settings.problems { Output.warning("git-realm: \(problem)") }
        // Every realm this repository is in, each on its own.
        let participants: [Participant]
        do { participants = try context.participants() } catch {
            Output.warning("git-realm \(hook) could not check the realm: \(RealmError.wrap(error).message) (the \(operation) itself is done)")
            return
        }
        for participant in participants {
            do {
                let report = try PostMerge.run(participant: participant, settings: context.settings, squash: squash)
                for line in report.lines { Output.line(line) }
            } catch {
                Output.warning("git-realm \(hook) could not check realm '\(participant.realm)': \(RealmError.wrap(error).message) (the \(operation) itself is done)")
            }
        }
    }
}

/// `git realm hook post-rewrite <rebase|amend>`: git's list of rewritten commits on standard
/// input is read and not used.
struct HookPostRewriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post-rewrite",
        abstract: "After a rebase, report stale imports and notifications like post-merge (the post-rewrite shim runs this).")

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook: rebase or amend.")
    var arguments: [String] = []

    func run() throws {
        if hooksSkipped() { return }
        _ = PrePush.readStandardInput()   // git's "<old> <new>" lines: drained, so git never writes into a closed pipe
        guard arguments.first == "rebase" else { return }
        try runPostMergeReport(hook: "post-rewrite", operation: "rebase", squash: false)
    }
}

/// `git realm hook pre-receive`: server side, on a bare realm repository.
struct HookPreReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-receive",
        abstract: "Judge a push to the realm before git updates any ref (installed by 'git realm admin protect').")

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook (none).")
    var arguments: [String] = []

    /// Judges a push to the realm before git updates any ref (objects quarantined).
    func run() throws {
        if hooksSkipped() { return }
        try runReporting {
            let repository = try Participant.openRepository()
            let updates = try RealmVerification.parsePreReceive(String(decoding: PrePush.readStandardInput(), as: UTF8.self))
            let refusals = try RealmVerification.preReceive(repository: repository, updates: updates)
            guard !refusals.isEmpty else { return }
            for refusal in refusals { Output.error(RealmError(.checkFailed, "git-realm: push refused: \(refusal)")) }
            throw ExitCode(RealmError.Kind.checkFailed.rawValue)
        }
    }
}
