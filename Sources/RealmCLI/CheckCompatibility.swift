import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=compatibility`: compares two versions of a contract (from the realm's git
    /// history) or two files, judged against the compatibility the old contract declares
    /// (`backwards: true` by default), and checks the version bump between them.
    func runCompatibilityCheck() throws {
        try refuseOptions(["--base": base != nil, "--strict": strict], mode: "compatibility")
        let mode: CompatibilityMode = lenient ? .lenient : .strict
        let check = CompatibilityCheck(contract: contract, from: from, to: to, transitive: transitive, mode: mode)
        let results: [CompatibilityResult]
        var inRealm = false   // a clone of the realm or a bare realm: its files are the repository's
        if fromFile != nil || toFile != nil {
            guard let fromFile, let toFile else {
                throw RealmError(.usage, "--from-file and --to-file go together")
            }
            if contract != nil || from != nil || to != nil || transitive || fetch {
                throw RealmError(.usage, "--from-file/--to-file compare two files; --contract, --from, --to, --transitive and --fetch read a contract's history in the realm")
            }
            results = [try check.compareFiles(fromFile, toFile)]
        } else {
            let location = try RealmLocation.find()
            if fetch, case .participant(let participant) = location { try fetchOrFallBack(participant) }
            results = try check.compareHistory(at: location)
            if case .participant = location {} else { inRealm = true }
        }

        if output.json {
            Output.json(["ok": .bool(results.allSatisfy(\.ok)), "mode": .string(mode.rawValue),
                         "results": .array(results.map(\.json))])
        } else if format == .gitlab {
            // One issue per comparison that fails, at the contract's file in a realm clone (at
            // the new file with --to-file), else at .gitrealm: the participant has no realm file.
            let findings = results.filter { !$0.ok }.map { $0.finding(inRealm: inRealm) }
            Output.json(CodeQuality.report(findings, checkName: "git-realm-compatibility", fallbackPath: ".gitrealm"))
        } else {
            for (i, result) in results.enumerated() {
                if i > 0 { Output.line("") }
                for line in result.humanLines { Output.line(line) }
            }
            if format == .github {
                // An annotation per failing comparison; a file only where the repository has it.
                var failing = Findings()
                for result in results where !result.ok {
                    var finding = result.finding(inRealm: inRealm)
                    finding.details = []   // the report is printed above
                    failing.add(finding)
                }
                if !failing.items.isEmpty { Output.line("") }
                for line in failing.githubLines() where line.hasPrefix("::") { Output.line(line) }
            }
        }
        if !results.allSatisfy(\.ok) { throw ExitCode(1) }
    }
}

/// How a comparison is shown: lines of text, or JSON.
extension CompatibilityResult {
    var humanLines: [String] {
        if analysis == nil, lines.isEmpty, let note { return ["\(Output.check) \(note)"] }
        var out = lines
        guard let analysis else { return out }
        if !analysis.breakingChanges.isEmpty {
            out.append("Declared compatibility: \(analysis.declared.text)")
        }
        if let bump {
            out.append("\(bump.ok ? Output.check : "✗") Version bump: \(bump.message)")
        }
        if let transitive {
            out.append("")
            out.append("Transitive: \(toVersion ?? "new") against \(ContractFindings.plural(transitive.count, "earlier version"))")
            for t in transitive {
                if t.breaking.isEmpty {
                    out.append("  \(Output.check) \(t.version): COMPATIBLE")
                } else {
                    let kinds = t.breaking.prefix(3).map { "\($0.kind) at \($0.path.tokens.isEmpty ? "/" : $0.path.description)" }
                    let more = t.breaking.count > 3 ? ", ..." : ""
                    out.append("  ✗ \(t.version): BREAKING (\(kinds.joined(separator: ", "))\(more))")
                }
            }
        }
        return out
    }

    /// A failing comparison as a finding for an annotation or a report: at the contract's
    /// file when the check runs in the realm (`inRealm`), at the new file with --to-file, else
    /// without a file (a participant has no realm file).
    func finding(inRealm: Bool) -> Finding {
        let file = toFile ?? (inRealm ? domain.map { Contract.path(domain: $0, name: contract) } : nil)
        return Finding(severity: .error, subject: contract, message: gitlabSummary, file: file, details: humanLines)
    }

    /// One line for a report: what broke, or the bump that is too small.
    var gitlabSummary: String {
        let versions = "\(fromVersion ?? fromFile ?? "?") → \(toVersion ?? toFile ?? "?")"
        if !compatible { return "\(versions): BREAKING for the declared compatibility" }
        return "\(versions): \(bump?.message ?? "version bump too small")"
    }

    var json: JSONValue {
        var o: JSONObject = ["contract": .string(contract)]
        if let domain { o["domain"] = .string(domain) }
        o["from"] = fromVersion.map { .string($0) } ?? .null
        o["to"] = toVersion.map { .string($0) } ?? .null
        if let fromFile { o["from_file"] = .string(fromFile) }
        if let toFile { o["to_file"] = .string(toFile) }
        o["ok"] = .bool(ok)
        o["compatible"] = .bool(compatible)
        if let note { o["note"] = .string(note) }
        if let analysis {
            o["declared"] = ContractFindings.json(analysis.declared)
            o["required"] = .string(analysis.required.description)
            o["result"] = .string(lines.last ?? "")
            o["bump"] = bump.map { ["ok": .bool($0.ok), "message": .string($0.message)] } ?? .null
            o["backward"] = .bool(analysis.schemaReport.backward)
            o["forward"] = .bool(analysis.schemaReport.forward)
            o["value_changed"] = .bool(analysis.valueChanged)
            o["reasons"] = .array(analysis.reasons.map { .string($0) })
            o["changes"] = .array(analysis.schemaReport.changes.map { ContractFindings.json($0, declared: analysis.declared) })
        }
        if let transitive {
            o["transitive"] = .array(transitive.map { t in
                ["version": .string(t.version), "compatible": .bool(t.breaking.isEmpty),
                 "declared": ContractFindings.json(t.declared),
                 "changes": .array(t.report.changes.map { ContractFindings.json($0, declared: t.declared) })]
            })
        }
        return .object(o)
    }
}
