import ArgumentParser
import RealmCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this repository's realm, domains, contracts and imports.",
        discussion: """
        Reads the realm as last fetched into refs/realm/<realm>/main; no network
        unless --fetch is given. With --fetch, an unreachable realm is reported and
        the last fetched state is shown.

        \(exitCodeDiscussion)
        """)

    @Flag(help: "Fetch the realm before showing it.")
    var fetch = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let report = try StatusReport.build(for: participant, fetch: fetch)
            if output.json { Output.json(report.json); return }
            render(report)
        }
    }

    private func render(_ r: StatusReport) {
        Output.line("📊 \(Output.bold(r.repo)) (in realm: \(r.realm))")
        let age = r.fetchedAt.map { Timestamp.age($0) } ?? "unknown"
        Output.line(Output.dim("   realm \(r.url) at \(r.realmCommit.prefix(12)), fetched \(age)"))
        if let error = r.fetchError { Output.line(Output.yellow("⚠️  fetch failed, showing the last fetched state: \(error)")) }
        for warning in r.warnings { Output.line(Output.yellow("⚠️  \(warning)")) }
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
}
