import ArgumentParser
import RealmCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this repository's realm, domains, contracts and imports.",
        discussion: """
        Reads the realm as last fetched into refs/realm/<realm>/main; no network
        unless --fetch is given. With --fetch, an unreachable realm is reported and
        the last fetched state is shown, with its age.

        A repository in more than one realm is shown in each, the first realm of
        .gitrealm first (--json: the others under "other_realms"); the global
        option --realm NAME shows one.

        Shows notifications addressed to this repo that it has not acknowledged,
        local export changes not yet published (working tree against the realm),
        stale and broken imports, sync branches awaiting approval, and, for an
        exporter, who acknowledged each published version. "Active sessions" lists
        who works on what in this repo and the repos sharing a domain with it, as
        last fetched ('git realm session', docs/awareness.md).

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Flag(help: "Fetch the realm before showing it.")
    var fetch = false

    @Flag(help: "List each pending notification (by default, several about one contract show as one).")
    var all = false

    @Flag(name: .customLong("no-cache"), help: "Read and write nothing in git-realm's cache: extract every export again (docs/cache.md).")
    var noCache = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            // Each realm this repository is in (only the one --realm names), the first first.
            var reports: [StatusReport] = []
            let participants = try Participant.selected()
            for participant in participants {
                participant.usesCache = !noCache
                let report = try StatusReport.build(for: participant, fetch: fetch)
                if let error = report.fetchError {
                    let age = report.fetchedAt.map { Timestamp.age($0) } ?? "at an unknown time"
                    let which = participants.count > 1 ? " for realm '\(report.realm)'" : ""
                    Output.warning("fetch failed\(which), showing the state fetched \(age): \(error)")
                }
                reports.append(report)
            }
            if output.json {
                // The first realm's report as always, the others in `other_realms`.
                var first = reports[0].json.objectValue ?? [:]
                first["other_realms"] = .array(reports.dropFirst().map(\.json))
                Output.json(.object(first))
                return
            }
            for (i, report) in reports.enumerated() {
                if i > 0 { Output.line() }
                render(report)
            }
        }
    }

    private func render(_ r: StatusReport) {
        Output.line("📊 \(Output.bold(r.repo)) (in realm: \(r.realm))")
        let age = r.fetchedAt.map { Timestamp.age($0) } ?? "unknown"
        let verified = r.verifiedCommit == r.realmCommit ? ", history verified" : ""
        Output.line(Output.dim("   realm \(r.url) at \(r.realmCommit.prefix(12)), fetched \(age)\(verified)"))
        // Commits this repo wrote itself sit above the verified one until the next fetch.
        if r.verifiedCommit == nil {
            Output.line(Output.yellow("⚠️  the realm's history has not been verified here yet; run 'git realm status --fetch'"))
        }
        // A failed fetch was said on stderr (run()); an old one is said here.
        if r.fetchError == nil && r.fetchIsOld {
            let when = r.fetchedAt == nil ? "when the realm was last fetched is unknown" : "the realm was last fetched \(age)"
            Output.line(Output.yellow("⚠️  \(when); run 'git realm status --fetch' for news"))
        }
        for warning in r.warnings { Output.line(Output.yellow("⚠️  \(warning)")) }

        let groups = all ? r.notifications.map { NotificationGroup(notifications: [$0]) } : NotificationGroup.collapse(r.notifications)
        for group in groups {
            let n = group.newest
            Output.line()
            Output.line("🔔 Notification from \(n.record.from) (\(n.age())): \(group.headline)")
            for line in group.detailLines() { Output.line("   \(line)") }
            Output.line("   Update the binding when ready; 'git realm sync' acknowledges it.")
        }

        for d in r.drifts {
            Output.line()
            let state = d.state
            if let problem = state.problem {
                Output.line(Output.yellow("⚠️  Cannot read export \(state.contractName): \(problem)"))
                continue
            }
            Output.line(Output.yellow("⚠️ Contract change detected:"))
            Output.line("   \(state.contractName) has local changes:")
            for line in state.changes { Output.line("     \(line)") }
            if state.schemaChanged { Output.line("     ~ schema (\(state.export.schemaFile ?? "schema file"))") }
            for violation in state.violations { Output.line(Output.red("     ! \(violation)")) }
            if !d.consumers.isEmpty {
                Output.line("   Affected repos:")
                for c in d.consumers { Output.line("     - \(c.repo) (imports \(c.range))") }
            }
            Output.line("   Run 'git realm sync' to update realm")
        }

        let stale = r.importStates.filter { $0.status == .stale }
        if !stale.isEmpty {
            Output.line()
            Output.line(Output.yellow("⚠️ Stale imports:"))
            for s in stale {
                let newest = s.newest.map { $0.version.description } ?? "?"
                Output.line("   \(s.contract): \(s.entry.resolvedVersion ?? "unresolved") → \(newest) available")
                if let binding = s.entry.binding { Output.line("   Binding: \(binding)") }
                for line in s.changes { Output.line("     \(line)") }
            }
        }
        let broken = r.importStates.filter { $0.status == .broken }
        if !broken.isEmpty {
            Output.line()
            Output.line(Output.red("❌ Broken imports:"))
            for b in broken { Output.line("   \(b.contract): \(b.reason ?? "unusable")") }
        }

        let branches = r.syncBranches.filter(\.concernsYou)
        if !branches.isEmpty {
            Output.line()
            Output.line("⏳ Pending sync branches (awaiting approval):")
            for b in branches {
                let when = b.createdAt.map { ", \($0)" } ?? ""
                let who = b.yours ? "yours" : "from \(b.repo)"
                Output.line("   \(b.ref) (\(who)\(when)): \(b.subject)")
                if b.ready == true { Output.line("      ready: git realm proposals merge \(b.ref)") }
                for need in b.needs { Output.line("      needs \(need)") }
            }
        }
        let others = r.syncBranches.count - branches.count
        if others > 0 { Output.line(Output.dim("   \(others) other pending sync branch\(others == 1 ? "" : "es") in the realm")) }

        let acks = r.acknowledgements
        if !acks.isEmpty {
            Output.line()
            Output.line("Notifications:")
            for v in acks {
                for c in v.acknowledged {
                    let when = c.acknowledgedAt.flatMap(Timestamp.parse).map { " (\(Timestamp.age($0)))" } ?? ""
                    Output.line("   ✓ \(c.repo) acknowledged \(v.contract) \(v.version)\(when)")
                }
                for c in v.pending {
                    let when = c.notifiedAt.flatMap(Timestamp.parse).map { ", notified \(Timestamp.age($0))" } ?? ""
                    Output.line("   ⏳ \(c.repo) has not acknowledged \(v.contract) \(v.version) yet\(when)")
                }
            }
        }

        renderSessions(r.sessions)

        Output.line()
        if r.domains.isEmpty {
            Output.line("No domains yet. Create one with 'git realm admin domain create'.")
            return
        }
        Output.line("Domains:")
        for d in r.domains {
            Output.line("  \(Output.bold(d.name)) (\(d.role))")
            for c in d.contracts {
                let mine = c.owner == r.repo ? ", owned by you" : ", owner \(c.owner)"
                Output.line("    Contract: \(c.name) v\(c.version)\(mine)")
            }
            for e in d.exports {
                let files = e.sourceFiles.isEmpty ? "no source files declared" : e.sourceFiles.joined(separator: ", ")
                Output.line("    Exports: \(e.contract) (\(files))")
                if !e.consumers.isEmpty { Output.line("      Imported by: \(e.consumers.joined(separator: ", "))") }
            }
            for i in d.imports {
                let resolved = i.resolvedVersion.map { "resolved \($0)" } ?? "unresolved"
                let status: String = switch i.status {
                case "current": Output.green(i.status)
                case "stale": Output.yellow(i.status)
                default: Output.red(i.status)
                }
                let from = i.from.map { " from \($0)" } ?? ""
                Output.line("    Imports: \(i.contract)\(from) \(i.range), \(resolved), \(status)")
                if let b = i.binding { Output.line("      Binding: \(b)") }
            }
        }
    }

    /// "Active sessions:" as the seeds show them (docs/awareness.md).
    private func renderSessions(_ sessions: [SessionView]) {
        guard !sessions.isEmpty else { return }
        Output.line()
        Output.line("Active sessions:")
        for s in sessions { Output.line("  • \(SessionLine.text(s))") }
    }
}
