import ArgumentParser
import RealmCore

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Publish this repo's export changes and acknowledge the versions it imports.",
        discussion: """
        Fetches the realm. As exporter: extracts each export's value, shows how it differs from the
        realm's contract, computes the version bump the change needs (refusing an insufficient
        --new-version and a contract this repo does not own), writes the new version with its
        evolution entry and notifies every consumer in the realm's notes, in one atomic push. A
        breaking change that governance sends for approval goes to a sync/<repo>/<timestamp>
        branch instead; while one of this repo's is pending, a new change replaces the proposal
        on that branch (or finds it already there). When realm.yaml names the realm's forge
        (forge:), that branch also gets a PR there (opened, or updated), with the affected
        importers' maintainers asked to review (docs/forges.md). As importer: classifies each import
        (current, stale, broken), runs the importer validation script and, when it passes, moves
        resolved_version to the newest version the range accepts and acknowledges it. Stale imports are a soft error, broken
        ones a hard one (exit 1). --dry-run shows everything and writes nothing.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Flag(name: .customLong("dry-run"), help: "Show what would be published and acknowledged; write nothing.")
    var dryRun = false

    @Option(help: "Sync only this contract.")
    var contract: String?

    @Option(name: .customLong("new-version"), help: ArgumentHelp("The new version for --contract (must be a sufficient bump).", valueName: "version"))
    var newVersion: String?

    /// The old spelling, which shadowed the global --version: still taken, with a note.
    @Option(name: .customLong("version"), help: .hidden)
    var legacyVersion: String?

    func validate() throws {
        if newVersion != nil && legacyVersion != nil { throw ValidationError("give the new version once, with --new-version") }
    }

    @Flag(help: "Treat validation warnings (exit 2) and unacknowledged stale imports as failures.")
    var strict = false

    @Flag(name: .customLong("no-cache"), help: "Read and write nothing in git-realm's cache: extract every export again (docs/cache.md).")
    var noCache = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            participant.usesCache = !noCache
            if legacyVersion != nil { Output.warning("sync --version is now --new-version; --version still works") }
            if !output.json { Output.line("📤 Syncing with realm '\(participant.realm)'...") }
            let report = try SyncOperation(dryRun: dryRun, strict: strict, version: newVersion ?? legacyVersion,
                                           contract: contract).run(in: participant)
            // The realm's forge gets a PR for a sync branch; the proposal stands without it.
            var pullRequest: RealmProposalPR.Outcome?
            var prProblem: String?
            do { pullRequest = try RealmProposalPR.open(participant: participant, report: report) } catch {
                prProblem = RealmError.wrap(error).message
            }
            if output.json {
                var json = report.json
                if case .object(var object) = json {
                    object["pull_request"] = pullRequest.map { pr in
                        ["number": .integer(pr.number), "url": .string(pr.url), "created": .bool(pr.created),
                         "reviewers": .array(pr.reviewers.map(JSONValue.string)), "warning": pr.warning.map(JSONValue.string) ?? .null]
                    } ?? .null
                    if let prProblem { object["pull_request_problem"] = .string(prProblem) }
                    json = .object(object)
                }
                Output.json(json)
            } else {
                render(report)
                if let pr = pullRequest {
                    Output.line("\(Output.check) PR #\(pr.number) \(pr.created ? "opened" : "updated") on the realm's forge: \(Printable.line(pr.url))")
                    if !pr.reviewers.isEmpty { Output.line("Reviewers: \(pr.reviewers.map(Printable.line).joined(separator: ", "))") }
                    if let warning = pr.warning { Output.warning(warning) }
                }
            }
            if let prProblem { Output.warning("the proposal is on the realm, but its PR was not opened: \(prProblem)") }
            if report.failed(strict: strict) { throw ExitCode(1) }
        }
    }

    private func render(_ r: SyncOperation.Report) {
        let prefix = r.dryRun ? "Would publish" : "Published"
        if !r.published.isEmpty {
            Output.line("Contract changes detected:")
            for p in r.published {
                let kind = p.breaking ? Output.red("breaking") : "compatible"
                Output.line("  \(p.contract): \(p.from) → \(p.to) (\(kind), \(p.bump) bump)")
                for line in p.changes { Output.line("    \(line)") }
            }
            if let name = r.branchName {
                switch r.branchState {
                case .new:
                    Output.line(r.dryRun ? "Would push branch \(name) for approval" : "\(Output.check) Pushed branch \(name): breaking change pending approval")
                case .updated:
                    Output.line(r.dryRun ? "Would update pending branch \(name) with this change"
                                         : "\(Output.check) Updated pending branch \(name): its earlier proposal is replaced; breaking change pending approval")
                case .unchanged:
                    Output.line("Branch \(name) already proposes this change: pending approval")
                }
            } else {
                for p in r.published {
                    Output.line(r.dryRun ? "\(prefix) \(p.contract) \(p.to)" : "\(Output.check) \(prefix) \(p.contract) \(p.to)")
                    for consumer in p.consumers {
                        Output.line(r.dryRun ? "  would notify \(consumer)" : "\(Output.check) \(consumer) notified")
                    }
                }
            }
        }
        let moved = r.imports.filter { $0.acknowledged }
        if !moved.isEmpty {
            Output.line("Binding updated:")
            for i in moved { Output.line("  \(i.contract): resolved_version \(i.from ?? "none") → \(i.to ?? "?")") }
            for i in moved { Output.line(r.dryRun ? "Would acknowledge \(i.contract) \(i.to ?? "")" : "\(Output.check) Acknowledged \(i.contract) \(i.to ?? "")") }
        }
        for i in r.imports where !i.acknowledged {
            switch i.status {
            case .current: Output.line("\(Output.check) \(i.contract): binding at \(i.from ?? "?") (current)")
            case .stale:
                Output.line(Output.yellow("⚠️  \(i.contract): stale, \(i.reason ?? "")"))
                for line in i.changes { Output.line("    \(line)") }
                if let v = i.validation { Output.line("  importer validation \(v.script): \(v.outcome.rawValue)"); printOutput(v.output) }
            case .broken: Output.line(Output.red("✗ \(i.contract): broken, \(i.reason ?? "")"))
            }
        }
        for problem in r.problems { Output.line(Output.red("✗ \(problem)")) }
        if r.published.isEmpty && moved.isEmpty && r.problems.isEmpty && r.imports.allSatisfy({ $0.status == .current }) {
            Output.line("\(Output.check) Nothing to sync: exports match the realm, imports are current")
        } else if !r.dryRun && r.commit != nil {
            // What landed landed; a broken import or a failed validation still fails the sync.
            Output.line(r.failed(strict: strict) ? "Realm updated; see the problems above (exit 1)" : "\(Output.check) Realm synced")
        }
    }

    private func printOutput(_ text: String) {
        for line in text.split(separator: "\n") { Output.line("    | \(line)") }
    }
}
