import ArgumentParser
import RealmContracts
import RealmCore
import RealmJSON
import RealmModel

extension CheckCommand {
    /// `--mode=compatibility`: compares two versions of a contract (from the realm's git
    /// history) or two files, judged against the compatibility the old contract declares
    /// (`backwards: true` by default), and checks the version bump between them.
    func runCompatibilityCheck() throws {
        try refuseOptions(["--base": base != nil, "--strict": strict], mode: "compatibility")
        let mode: CompatibilityMode = lenient ? .lenient : .strict
        let results: [CompatibilityResult]
        if fromFile != nil || toFile != nil {
            guard let fromFile, let toFile else {
                throw RealmError(.usage, "--from-file and --to-file go together")
            }
            if contract != nil || from != nil || to != nil || transitive || fetch {
                throw RealmError(.usage, "--from-file/--to-file compare two files; --contract, --from, --to, --transitive and --fetch read a contract's history in the realm")
            }
            results = [try compareFiles(fromFile, toFile, mode: mode)]
        } else {
            results = try compareHistory(mode: mode)
        }

        if output.json {
            Output.json(["ok": .bool(results.allSatisfy(\.ok)), "mode": .string(mode.rawValue),
                         "results": .array(results.map(\.json))])
        } else {
            for (i, result) in results.enumerated() {
                if i > 0 { Output.line("") }
                for line in result.humanLines { Output.line(line) }
            }
        }
        if !results.allSatisfy(\.ok) { throw ExitCode(1) }
    }

    // MARK: Files

    private func compareFiles(_ oldPath: String, _ newPath: String, mode: CompatibilityMode) throws -> CompatibilityResult {
        let oldFile = try SchemaDocument.load(oldPath), newFile = try SchemaDocument.load(newPath)
        try oldFile.checkShape()
        try newFile.checkShape()
        // A bare schema borrows the other side's contract fields (or the default declaration,
        // backwards: true), so only the schema differs.
        func contract(_ file: SchemaDocument, other: SchemaDocument) -> JSONValue {
            if file.isContract { return file.document }
            guard other.isContract, case .object(var o) = other.document else { return ["schema": file.schema] }
            o["schema"] = file.schema
            o["version"] = nil
            o["evolution"] = nil
            return .object(o)
        }
        let old = contract(oldFile, other: newFile), new = contract(newFile, other: oldFile)
        var result = try CompatibilityResult.judge(old: old, new: new, mode: mode) { error in
            let file = error.side == .old ? oldFile : newFile
            if error.location.tokens.first == "schema" {
                return file.invalid(at: JSONPointer(tokens: Array(error.location.tokens.dropFirst())), error.message)
            }
            return RealmError(.usage, "\(file.location(error.location)): \(error.message)")
        }
        result.fromFile = oldFile.displayName
        result.toFile = newFile.displayName
        if !(oldFile.isContract && newFile.isContract) {
            result.lines[0] = "Checking \(oldFile.displayName) → \(newFile.displayName)"
        }
        return result
    }

    // MARK: History

    private func compareHistory(mode: CompatibilityMode) throws -> [CompatibilityResult] {
        let location = try RealmLocation.find()
        if fetch, case .participant(let participant) = location { try fetchOrFallBack(participant) }
        let tip = try location.tip()
        let snapshot = RealmSnapshot(source: GitRealmSource(repository: location.repository, commit: tip))

        var targets: [(domain: String, name: String)] = []
        if let contract {
            guard let found = try snapshot.findContract(contract).first else {
                throw RealmError(.usage, "no contract '\(contract)' in the realm (at \(String(tip.description.prefix(12))))")
            }
            targets = [(found.domain, contract)]
        } else {
            if from != nil || to != nil {
                throw RealmError(.usage, "--from and --to name versions of one contract: add --contract NAME")
            }
            var owner: String?
            if case .participant(let participant) = location { owner = participant.name }
            for domain in try snapshot.domainNames() {
                for name in try snapshot.contractNames(in: domain) {
                    guard let c = try? snapshot.contract(domain: domain, name: name) else { continue }
                    if owner == nil || c.owner == owner { targets.append((domain, name)) }
                }
            }
            if targets.isEmpty {
                throw RealmError(.usage, owner.map { "'\($0)' owns no contract to check" } ?? "the realm has no contracts",
                                 hint: "pass --contract NAME")
            }
        }

        var results: [CompatibilityResult] = []
        for target in targets {
            let history = try ContractHistory.load(repository: location.repository, realmTip: tip,
                                                   domain: target.domain, contract: target.name)
            results.append(try compare(target.name, domain: target.domain, history: history, mode: mode))
        }
        return results
    }

    private func compare(_ name: String, domain: String, history: ContractHistory, mode: CompatibilityMode) throws -> CompatibilityResult {
        let published = history.versions.map(\.description).joined(separator: ", ")
        func entry(_ text: String, _ option: String) throws -> ContractHistory.Entry {
            let version: Version
            do { version = try Version.parse(text) } catch {
                throw RealmError(.usage, "\(option): \(error.description)")
            }
            guard let found = history.entry(for: version) else {
                throw RealmError(.usage, "\(name) \(text) is not in the realm's history (published: \(published.isEmpty ? "none" : published))")
            }
            return found
        }
        guard let latest = history.entries.last else {
            throw RealmError(.usage, "no published version of '\(name)' in the realm's history")
        }
        let newEntry = try to.map { try entry($0, "--to") } ?? latest
        let oldEntry = try from.map { try entry($0, "--from") }
            ?? history.entries.last { $0.version < newEntry.version }
        guard let oldEntry else {
            var result = CompatibilityResult(contract: name)
            result.domain = domain
            result.toVersion = newEntry.contract.version
            result.note = "\(name) \(newEntry.contract.version) is the first published version: nothing to compare"
            result.lines = ["\(Output.check) \(result.note!)"]
            return result
        }

        var result = try CompatibilityResult.judge(old: oldEntry.contract.json, new: newEntry.contract.json, mode: mode) { error in
            let side = error.side == .old ? oldEntry : newEntry
            return RealmError(.usage, "\(Contract.path(domain: domain, name: name)) at \(side.contract.version): \(error.description)")
        }
        result.domain = domain
        if transitive {
            // Every earlier version; with --from, those from it on.
            let floor = from == nil ? nil : oldEntry.version
            let earlier = history.entries.filter { entry in
                entry.version < newEntry.version && !(floor.map { entry.version < $0 } ?? false)
            }
            let reports: [(Version, CompatibilityReport)]
            do {
                reports = try SchemaCompatibility.checkTransitive(history: earlier.map { ($0.version, $0.contract.schema) },
                                                                  new: newEntry.contract.schema, mode: mode)
            } catch {
                throw RealmError(.usage, "\(Contract.path(domain: domain, name: name)): \(error.description)")
            }
            result.transitive = zip(earlier, reports).map { entry, pair in
                let declared = ContractCompatibility(entry.contract.compatibility)
                return TransitiveResult(version: entry.contract.version, declared: declared, report: pair.1,
                                        breaking: pair.1.changes.filter(declared.isBroken))
            }
        }
        return result
    }
}

extension ContractCompatibility {
    init(_ c: Contract.Compatibility) {
        self.init(backwards: c.backwards, forwards: c.forwards)
    }
}

struct TransitiveResult {
    var version: String
    var declared: ContractCompatibility
    var report: CompatibilityReport
    var breaking: [SchemaChange]
}

/// One comparison of `check --mode=compatibility`.
struct CompatibilityResult {
    var contract: String
    var domain: String?
    var fromVersion: String?
    var toVersion: String?
    var fromFile: String?
    var toFile: String?
    /// `VersionBump.compatibilityLines`: header, one line per property, result.
    var lines: [String] = []
    var analysis: BumpAnalysis?
    /// `VersionBump.check` between the versions, when both sides have one.
    var bump: (ok: Bool, message: String)?
    var transitive: [TransitiveResult]?
    /// Why nothing was compared.
    var note: String?

    init(contract: String) { self.contract = contract }

    var compatible: Bool {
        (analysis?.breakingChanges.isEmpty ?? true) && (transitive ?? []).allSatisfy { $0.breaking.isEmpty }
    }

    var ok: Bool { compatible && (bump?.ok ?? true) }

    static func judge(old: JSONValue, new: JSONValue, mode: CompatibilityMode,
                      error wrap: (CompatibilityError) -> RealmError) throws -> CompatibilityResult {
        let analysis: BumpAnalysis
        let lines: [String]
        do {
            analysis = try VersionBump.analyze(old: old, new: new, mode: mode)
            lines = try VersionBump.compatibilityLines(old: old, new: new, mode: mode)
        } catch {
            throw wrap(error)
        }
        var result = CompatibilityResult(contract: new["name"]?.stringValue ?? old["name"]?.stringValue ?? "schema")
        result.analysis = analysis
        result.lines = lines
        result.fromVersion = old["version"]?.stringValue
        result.toVersion = new["version"]?.stringValue
        if let a = result.fromVersion.flatMap({ try? Version.parse($0) }),
           let b = result.toVersion.flatMap({ try? Version.parse($0) }) {
            result.bump = VersionBump.check(oldVersion: a, newVersion: b, required: analysis.required)
        }
        return result
    }

    var humanLines: [String] {
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
