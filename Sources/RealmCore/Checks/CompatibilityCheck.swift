import RealmContracts
import RealmGit
import RealmJSON
import RealmModel

/// `check --mode=compatibility`: compares two versions of a contract (from the realm's git
/// history) or two files, judged against the compatibility the old contract declares
/// (`backwards: true` by default), and checks the version bump between them. Returns one
/// `CompatibilityResult` per comparison; RealmCLI renders them.
public struct CompatibilityCheck: Sendable {
    public var contract: String?
    public var from: String?
    public var to: String?
    public var transitive: Bool
    public var mode: CompatibilityMode

    public init(contract: String? = nil, from: String? = nil, to: String? = nil, transitive: Bool = false,
                mode: CompatibilityMode) {
        self.contract = contract
        self.from = from
        self.to = to
        self.transitive = transitive
        self.mode = mode
    }

    // MARK: Files

    /// Two files (schemas or contracts, YAML or JSON): a bare schema borrows the other side's
    /// contract fields, so only the schema differs.
    public func compareFiles(_ oldPath: String, _ newPath: String) throws -> CompatibilityResult {
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

    /// Versions of the contract (`contract`, else every contract this repo owns, or every
    /// contract of a realm checkout) from the realm's history as `location` has it.
    public func compareHistory(at location: RealmLocation) throws -> [CompatibilityResult] {
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
            if targets.isEmpty, let owner {
                // A repo that only imports has nothing to compare: it passes, as the exporter
                // check of a repo without exports does, so that one CI recipe fits every member.
                var result = CompatibilityResult(contract: "")
                result.note = "'\(owner)' owns no contract: nothing to compare (--contract NAME checks another's)"
                return [result]
            }
            if targets.isEmpty {
                throw RealmError(.usage, "the realm has no contracts", hint: "pass --contract NAME")
            }
        }

        var results: [CompatibilityResult] = []
        for target in targets {
            let history = try ContractHistory.load(repository: location.repository, realmTip: tip,
                                                   domain: target.domain, contract: target.name)
            results.append(try compare(target.name, domain: target.domain, history: history))
        }
        return results
    }

    private func compare(_ name: String, domain: String, history: ContractHistory) throws -> CompatibilityResult {
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
    public init(_ c: Contract.Compatibility) {
        self.init(backwards: c.backwards, forwards: c.forwards)
    }
}

public struct TransitiveResult: Sendable {
    public var version: String
    public var declared: ContractCompatibility
    public var report: CompatibilityReport
    public var breaking: [SchemaChange]
}

/// One comparison of `check --mode=compatibility`.
public struct CompatibilityResult: Sendable {
    public var contract: String
    public var domain: String?
    public var fromVersion: String?
    public var toVersion: String?
    public var fromFile: String?
    public var toFile: String?
    /// `VersionBump.compatibilityLines`: header, one line per property, result.
    public var lines: [String] = []
    public var analysis: BumpAnalysis?
    /// `VersionBump.check` between the versions, when both sides have one.
    public var bump: (ok: Bool, message: String)?
    public var transitive: [TransitiveResult]?
    /// Why nothing was compared.
    public var note: String?

    init(contract: String) { self.contract = contract }

    public var compatible: Bool {
        (analysis?.breakingChanges.isEmpty ?? true) && (transitive ?? []).allSatisfy { $0.breaking.isEmpty }
    }

    public var ok: Bool { compatible && (bump?.ok ?? true) }

    public static func judge(old: JSONValue, new: JSONValue, mode: CompatibilityMode,
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
}
