import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=contract`: every file of the realm, findings printed together (`RealmCheck`).
    /// Runs in a clone of the realm (its working tree; history for the base), in a bare
    /// realm (HEAD), or in a participant (the fetched realm).
    func runContractCheck() throws {
        try refuseOptions(["--from": from != nil, "--to": to != nil, "--from-file": fromFile != nil,
                           "--to-file": toFile != nil, "--transitive": transitive, "--lenient": lenient,
                           "--strict": strict], mode: "contract")
        let location = try RealmLocation.find()
        if fetch, case .participant(let participant) = location { try fetchOrFallBack(participant) }
        let (report, baseCommit) = try RealmCheck.run(at: location, base: base, contract: contract)
        let baseText = baseCommit.map { String($0.prefix(12)) }

        if output.json {
            Output.json([
                "ok": .bool(report.ok),
                "findings": .array(report.findings.map(ContractFindings.json)),
                "contracts": .array(report.contracts.map { c in
                    ["name": .string(c.name), "domain": .string(c.domain), "file": .string(c.file),
                     "version": c.version.map { .string($0) } ?? .null, "ok": .bool(c.errors == 0),
                     "bump": .string(c.bump.rawValue), "bump_message": c.bumpMessage.map { .string($0) } ?? .null]
                }),
                "base": baseCommit.map { .string($0) } ?? .null,
                "files": .integer(report.filesChecked),
            ])
        } else if format == .gitlab {
            // The report alone on standard output: the job saves it as its codequality artifact.
            let fallback = if case .participant = location { ".gitrealm" } else { "realm.yaml" }
            Output.json(CodeQuality.report(report.findings, checkName: "git-realm-contract", fallbackPath: fallback))
        } else {
            ContractFindings.print(report.findings, format: format)
            if !report.findings.isEmpty && !report.contracts.isEmpty { Output.line("") }
            for c in report.contracts { Output.line(summary(c)) }
            let counts = "\(ContractFindings.plural(report.errorCount, "error")), \(ContractFindings.plural(report.warningCount, "warning"))"
            let against = baseText.map { " (version bumps against \($0))" } ?? " (no base revision: version bumps not checked)"
            Output.line("")
            Output.line("\(report.ok ? Output.check : "✗") \(try location.describe()): \(ContractFindings.plural(report.filesChecked, "file")) checked, \(counts)\(against)")
        }
        if !report.ok { throw ExitCode(1) }
    }

    private func summary(_ c: RealmCheck.ContractResult) -> String {
        if c.errors > 0 { return "✗ \(c.name): \(ContractFindings.plural(c.errors, "error"))" }
        switch c.bump {
        case .verified:
            return c.unchanged ? "\(Output.check) \(c.name): valid schema, unchanged since base"
                               : "\(Output.check) \(c.name): valid schema, version bump correct"
        case .new: return "\(Output.check) \(c.name): valid schema, new at \(c.version ?? "?")"
        case .noBase: return "\(Output.check) \(c.name): valid schema (no base to check the version bump against)"
        case .notChecked, .insufficient: return "\(Output.check) \(c.name): valid schema (version bump not checked)"
        }
    }

    /// Options of other modes are mistakes, not silently ignored.
    func refuseOptions(_ given: [String: Bool], mode: String) throws {
        let wrong = given.filter(\.value).map(\.key).sorted()
        guard !wrong.isEmpty else { return }
        throw RealmError(.usage, "\(wrong.joined(separator: ", ")) do\(wrong.count == 1 ? "es" : "") not apply to --mode=\(mode)",
                         hint: "see 'git realm check --help'")
    }
}
