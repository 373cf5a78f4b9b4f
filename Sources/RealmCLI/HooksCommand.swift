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
        checked (off). realm.prePushFetch=true fetches the realm first.

        post-merge <squash>: fetches the realm (realm.fetchTimeout seconds,
        default 5; 0 = no fetch), reports stale or broken imports and unread
        notifications, and writes them as a note on the merged commit
        (git log --notes=realm). It never fails the merge.

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
        """)

    @Argument(help: "The hook: pre-push, post-merge or pre-receive.")
    var name: String

    @Argument(parsing: .captureForPassthrough, help: "The arguments git passed to the hook.")
    var arguments: [String] = []

    func run() throws {
        if hooksSkipped() { return }   // before any work, even reading the repository
        try runReporting {
            switch name {
            case "pre-push": try runPrePush()
            case "post-merge": runPostMerge()
            case "pre-receive": try runPreReceive()
            default:
                throw RealmError(.usage, "unknown hook '\(name)' (known: \(Hooks.names.joined(separator: ", ")))")
            }
        }
    }

    /// Server side: judge a push to the realm before git updates any ref (objects quarantined).
    private func runPreReceive() throws {
        let repository = try Participant.openRepository()
        let updates = try RealmVerification.parsePreReceive(String(decoding: PrePush.readStandardInput(), as: UTF8.self))
        let refusals = try RealmVerification.preReceive(repository: repository, updates: updates)
        guard !refusals.isEmpty else { return }
        for refusal in refusals { Output.error(RealmError(.checkFailed, "git-realm: push refused: \(refusal)")) }
        throw ExitCode(RealmError.Kind.checkFailed.rawValue)
    }

    private func runPrePush() throws {
        guard let context = HookContext.open() else { return }
        let settings = context.settings
        for problem in settings.problems { Output.warning("git-realm: \(problem)") }
        let result: PrePushResult
        do {
            guard let participant = try context.participant() else { return }
            let updates = try PrePush.parse(PrePush.readStandardInput())
            result = try PrePush.check(participant: participant, remote: arguments.first ?? "", updates: updates,
                                       settings: settings)
        } catch {
            var failure = RealmError.wrap(error)
            switch settings.hookFailure {
            case .block:
                failure.message = "git-realm pre-push could not check this push (push blocked): " + failure.message
                failure.hint = (failure.hint.map { $0 + "; " } ?? "")
                    + "to push anyway: git push --no-verify, or 'git config realm.hookFailure warn'"
                Output.error(failure)
                throw ExitCode(failure.exitCode)
            case .warn:
                Output.warning("git-realm pre-push could not check this push: \(failure.message)")
                Output.hint("pushing anyway (realm.hookFailure=warn)")
                return
            }
        }
        for notice in result.notices { Output.stderrLine("git-realm: \(notice)") }
        guard !result.findings.isEmpty else { return }

        let blocking = settings.prePush == .block
        let fetched = result.fetchedAt.map { "fetched \(Timestamp.age($0))" } ?? "fetch time unknown"
        for finding in result.findings {
            let state = finding.state
            let at = "\(finding.update.localRef) (\(finding.update.localSha.hex.prefix(12)))"
            var message = blocking ? "push blocked: " : ""
            var details: [String] = []
            if let problem = state.problem {
                message += "cannot read the value of export '\(state.contractName)' at \(at): \(problem)"
            } else {
                let version = state.contract?.version ?? "?"
                message += "export '\(state.contractName)' at \(at) differs from contract '\(state.contractName)' \(version) in realm '\(result.realm)' (\(fetched)):"
                details = state.changes
                if state.schemaChanged { details.append("~ schema: \(state.export.schemaFile ?? "schema file") differs from the realm's") }
                details += state.violations.map { "! \($0)" }
            }
            if !finding.touched.isEmpty { details.append("(changed: \(finding.touched.joined(separator: ", ")))") }
            if blocking {
                Output.error(RealmError(.checkFailed, message, details: details))
            } else {
                Output.warning(message)
                for line in details { Output.stderrLine("  \(line)") }
            }
        }
        let drifted = result.findings.contains { $0.state.problem == nil }
        let publish = drifted ? "run 'git realm sync' to publish the new version to the realm"
            : "fix the export's file, or its extraction in the binding"
        if blocking {
            Output.hint("\(publish), then push again (to push anyway: git push --no-verify, or 'git config realm.prePush warn')")
            throw ExitCode(RealmError.Kind.checkFailed.rawValue)
        }
        Output.hint("\(publish) (pushing anyway: realm.prePush=warn)")
    }

    private func runPostMerge() {
        guard let context = HookContext.open() else { return }
        for problem in context.settings.problems { Output.warning("git-realm: \(problem)") }
        do {
            guard let participant = try context.participant() else { return }
            let report = try PostMerge.run(participant: participant, settings: context.settings,
                                           squash: arguments.first == "1")
            for line in report.lines { Output.line(line) }
        } catch {
            Output.warning("git-realm post-merge could not check the realm: \(RealmError.wrap(error).message) (the merge itself is done)")
        }
    }
}
