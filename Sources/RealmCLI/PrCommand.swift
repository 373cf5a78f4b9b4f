import ArgumentParser
import RealmCore

struct PrCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pr",
        abstract: "Open a change's pull requests in merge order; show them; merge them in order.",
        discussion: """
        One pull request per repo of the change, from feat/NAME into the repo's default
        branch, on the repo's forge: 'forge:' in repos/<repo>.yaml (set by 'git realm admin
        join --forge'), or the git-native forge when none is set (pull requests as refs on the
        repo's own remote). See docs/pr.md.

        On Forgejo, Gitea and GitHub the token is GIT_REALM_TOKEN, else the forge's own
        variable (FORGEJO_TOKEN, GITEA_TOKEN, GITHUB_TOKEN, GH_TOKEN), else what 'git
        credential fill' gives for the API's URL; git-realm stores none. It is sent only to a
        host this clone trusts: a host of one of its remotes, api.github.com for a github.com
        remote, or a host in 'git config --global --add realm.forge.trustedHost HOST' (the
        realm says where a forge is, so it never decides who gets a token). See
        docs/forges.md.

        \(exitCodeDiscussion)
        """,
        subcommands: [PrOpenCommand.self, PrStatusCommand.self, PrMergeCommand.self, PrReviewCommand.self],
        defaultSubcommand: PrOpenCommand.self)
}

/// The options every `pr` subcommand shares.
struct PrTarget: ParsableArguments {
    @Option(name: .customLong("rfc"), help: ArgumentHelp("The change (default: the one checked out here, or this repo's only one).", valueName: "NAME"))
    var name: String?

    @Option(help: "The remote that holds the git-native forge's pull requests in every repo.")
    var remote = "origin"

    @Option(help: ArgumentHelp("The branch the pull requests merge into (default: each remote's default branch, else main).", valueName: "BRANCH"))
    var base: String?
}

struct PrOpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open or update the change's pull requests in merge order (the default: 'git realm pr --title T').",
        discussion: """
        Creates the pull requests in dependency order, exporters first (independent repos in
        name order). Each body ends with the realm's lines: 'Realm change:', 'Merge order:'
        (every PR of the change, in order), 'Blocked by:' (the PRs this one waits for) and a
        'Depends-On:' URL for each. Where the forge can enforce the order it is told to: a
        dependency between PRs (Forgejo/Gitea, the git-native forge), or a pending
        'realm/merge-order' commit status until the PRs before it are merged (GitHub). An
        existing PR from the branch is found and updated, never duplicated. The PRs are
        recorded in changes/NAME.yaml, so 'git realm commit' adds Depends-On: trailers in
        importers. The first failure stops the repos after it (reported skipped) and the
        command exits 1; running it again creates only what is missing.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Option(help: "The pull requests' title (required to create one; kept when omitted).")
    var title: String?

    @Option(help: ArgumentHelp("Text above the realm's lines in every body (kept when omitted).", valueName: "FILE"))
    var bodyFile: String?

    @Flag(help: "Open them as drafts.")
    var draft = false

    @Option(name: .customLong("reviewer"), help: ArgumentHelp("Ask this person to review (repeatable; as the forge names users).", valueName: "R"))
    var reviewers: [String] = []

    @OptionGroup var target: PrTarget
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(target.name, in: participant)
            var options = ChangePullRequests.Options()
            options.title = title
            options.body = try bodyFile.map(PrOutput.readBody)
            options.draft = draft
            options.reviewers = reviewers
            options.remote = target.remote
            options.base = target.base
            let report = try ChangePullRequests.open(record, options: options, in: participant)
            PrOutput.render(report, json: output.json, heading: "Pull requests of change '\(record.name)' (branch \(record.branch)), in merge order:")
            try PrOutput.finish(report, verb: "pr", json: output.json)
        }
    }
}

struct PrStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each pull request of the change: state, reviews, checks, whether it may merge now.",
        discussion: """
        A PR may merge now when it is open and not a draft, every PR before it in the merge
        order has merged, no check failed or is pending, nobody asks for changes on its
        head, and, when reviewers were requested, its head is approved: an approval of an
        older head does not count. On the git-native forge a review counts only when proven:
        its metadata commit written under the reviewer's email and signed by a key the realm
        registers for it (unsigned only where the realm does not require signatures: shown
        "unsigned"), not by the PR's author, by a requested reviewer (else a maintainer of the
        repo); one that is not is shown "not counted" with why (docs/pr.md, "Trust"). On GitHub the 'realm/merge-order' status is brought up to
        date. Exits 1 when a forge could not be read.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @OptionGroup var target: PrTarget
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(target.name, in: participant)
            let report = try ChangePullRequests.status(record, remote: target.remote, base: target.base, in: participant)
            PrOutput.render(report, json: output.json, heading: "Pull requests of change '\(record.name)' (branch \(record.branch)):")
            try PrOutput.finish(report, verb: "pr status", json: output.json)
        }
    }
}

struct PrMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the change's pull requests in merge order, each pinned to the head it checked.",
        discussion: """
        In merge order, merges every PR whose predecessors have merged and that may merge now
        (see 'git realm pr status'), telling the forge the head it checked: a PR whose branch
        moved meanwhile is not merged. The git-native forge fast-forwards the base branch on
        the remote. Stops at the first PR that cannot merge (the ones after it are reported
        skipped) and exits 1; running it again merges what is left.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @OptionGroup var target: PrTarget
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(target.name, in: participant)
            let report = try ChangePullRequests.merge(record, remote: target.remote, base: target.base, in: participant)
            PrOutput.render(report, json: output.json, heading: "Merging change '\(record.name)' (branch \(record.branch)) in merge order:")
            try PrOutput.finish(report, verb: "pr merge", json: output.json)
        }
    }
}

struct PrReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review the change's pull requests on the git-native forge (approve or request changes).",
        discussion: """
        Records a review by you (git config user.email) of each PR's current head, in the
        PR's metadata on the repo's remote, signed when git signs here (gpg.format,
        user.signingkey): where the realm requires signed commits, only a review signed by a
        key the realm registers for your email counts. The PR's author cannot approve it. A later commit
        on the branch needs a new approval. PRs on Forgejo, Gitea or GitHub are reviewed on
        their pages.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Flag(help: "Approve the current head.")
    var approve = false

    @Flag(help: "Ask for changes on the current head.")
    var requestChanges = false

    @Option(name: .customLong("repo"), help: ArgumentHelp("Only this repo's PR (repeatable; default: every repo of the change).", valueName: "R"))
    var repos: [String] = []

    @OptionGroup var target: PrTarget
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            guard approve != requestChanges else { throw RealmError(.usage, "say --approve or --request-changes") }
            let participant = try Participant.current()
            let record = try CoordinatedChange.resolve(target.name, in: participant)
            let report = try ChangePullRequests.review(record, state: approve ? .approved : .changesRequested, repos: repos,
                                                       remote: target.remote, base: target.base, in: participant)
            PrOutput.render(report, json: output.json, heading: "Reviewing change '\(record.name)':")
            try PrOutput.finish(report, verb: "pr review", json: output.json)
        }
    }
}
