import RealmContracts
import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// `git realm sync`: publishes this repo's export changes and acknowledges the contract
/// versions it has caught up with, in one commit pushed atomically with its notes.
///
/// As exporter: extract each export's value, compare with the realm's contract, require the
/// bump the engine computes (refusing an insufficient explicit one), refuse a contract this repo
/// does not own, write the new version with its evolution entry and notify every consumer. A
/// breaking change under `breaking_changes.require_approval` goes to a
/// `sync/<repo>/<timestamp>` branch instead, pending review.
///
/// As importer: classify each import; for a stale one whose importer validation passes, move
/// `resolved_version` to the newest version its range accepts and acknowledge the notification.
public struct SyncOperation {
    public var dryRun = false
    public var strict = false
    /// An explicit new version (with `contract`), checked against the required bump.
    public var version: String?
    /// Limit to one contract.
    public var contract: String?

    public init(dryRun: Bool = false, strict: Bool = false, version: String? = nil, contract: String? = nil) {
        self.dryRun = dryRun
        self.strict = strict
        self.version = version
        self.contract = contract
    }

    public struct Published: Sendable {
        public var domain: String
        public var contract: String
        public var from: String
        public var to: String
        public var bump: BumpLevel
        public var breaking: Bool
        public var changes: [String]
        public var consumers: [String]
    }

    public struct Acknowledged: Sendable {
        public var domain: String
        public var contract: String
        public var status: ImportState.Status
        public var from: String?
        public var to: String?
        public var reason: String?
        public var validation: ValidationRunner.Report?
        public var changes: [String]
        public var acknowledged: Bool
    }

    public struct Report: Sendable {
        public var realm: String
        public var repo: String
        public var dryRun: Bool
        public var published: [Published] = []
        public var imports: [Acknowledged] = []
        public var problems: [String] = []
        public var commit: OID?
        public var branch: String?
        /// What happened to `branch`: a new proposal, a pending one replaced by this change, or
        /// a pending one that already proposes exactly this change (nothing written).
        public var branchState: BranchState = .new
        /// `branch` as a reader names it (`sync/<repo>/<stamp>`).
        public var branchName: String? { branch.map(RefLayout.shortBranchName) }

        public enum BranchState: String, Sendable { case new, updated, unchanged }

        /// Broken imports and failed validations fail the sync; stale ones only with --strict.
        public func failed(strict: Bool) -> Bool {
            !problems.isEmpty || imports.contains { i in
                i.status == .broken || (i.validation?.fails(strict: strict) ?? false) || (strict && i.status == .stale && !i.acknowledged)
            }
        }

        public var json: JSONValue {
            var o: JSONObject = ["realm": .string(realm), "repo": .string(repo), "dry_run": .bool(dryRun)]
            o["commit"] = commit.map { .string($0.hex) } ?? .null
            o["pending_branch"] = branch.map { .string($0) } ?? .null
            o["pending_branch_state"] = branch.map { _ in .string(branchState.rawValue) } ?? .null
            o["published"] = .array(published.map { p in
                ["domain": .string(p.domain), "contract": .string(p.contract), "from": .string(p.from), "to": .string(p.to),
                 "bump": .string(p.bump.description), "breaking": .bool(p.breaking),
                 "changes": .array(p.changes.map { .string($0) }), "consumers": .array(p.consumers.map { .string($0) })]
            })
            o["imports"] = .array(imports.map { i in
                var e: JSONObject = ["domain": .string(i.domain), "contract": .string(i.contract), "status": .string(i.status.rawValue),
                                     "acknowledged": .bool(i.acknowledged), "changes": .array(i.changes.map { .string($0) })]
                e["from"] = i.from.map { .string($0) } ?? .null
                e["to"] = i.to.map { .string($0) } ?? .null
                e["reason"] = i.reason.map { .string($0) } ?? .null
                e["validation"] = i.validation.map { .string($0.outcome.rawValue) } ?? .null
                return .object(e)
            })
            o["problems"] = .array(problems.map { .string($0) })
            return .object(o)
        }
    }

    public func run(in participant: Participant) throws -> Report {
        let me = participant.name
        if version != nil && contract == nil {
            throw RealmError(.usage, "--new-version needs --contract: it sets one contract's new version")
        }
        let explicitVersion: Version? = try version.map { text in
            do { return try Version.parse(text) } catch { throw RealmError(.usage, "invalid --version: \(error)") }
        }
        // Values come from this repo's tree: extract them once, whatever the realm does meanwhile.
        var extracted: [String: Result<(value: JSONValue?, schema: JSONValue?), RealmError>] = [:]
        var validations: [String: ValidationRunner.Report] = [:]
        let runner = ValidationRunner(repository: participant.repository)
        let extractor = ValueExtractor(repository: participant.repository)
        // How this repo computes its exports and which scripts it runs: its own .gitrealm.
        let declared = try RepoDeclarations.load(in: participant.repository)
        var report = Report(realm: participant.realm, repo: me, dryRun: dryRun)

        let landed = try participant.writer().commit(fetch: .whenNeeded) { (snapshot: RealmSnapshot?, current: Bool) throws -> RealmChange? in
            guard let realm = snapshot, let tip = (realm.source as? GitRealmSource)?.commit else {
                throw RealmError(.usage, "the realm has no main branch")
            }
            report.published = []
            report.imports = []
            report.problems = []
            report.branch = nil
            report.branchState = .new
            var change = RealmChange(message: "\(me): sync")
            var needsApproval = false
            _ = try realm.config()
            var summary: [String] = []

            for domain in try realm.domains(of: me) {
                // A malformed domain file (a bad member name, say) is an error here as for status.
                _ = try realm.domain(domain)
                guard var binding = try realm.binding(domain: domain, repo: me) else { continue }
                // Exports.
                for listed in binding.exports where contract == nil || listed.contract == contract {
                    guard let export = declared.export(listed.contract)?.binding, export.extraction != nil else { continue }
                    guard var current = try realm.contract(domain: domain, name: export.contract) else {
                        report.problems.append("\(Binding.path(domain: domain, repo: me)): export names contract '\(export.contract)', which does not exist")
                        continue
                    }
                    let result = extracted[export.contract] ?? Result { () throws(RealmError) -> (value: JSONValue?, schema: JSONValue?) in
                        do {
                            let extracted = try extractor.extract(export, cache: participant.cache)
                            return (extracted.value, extracted.schema)
                        } catch { throw RealmError.wrap(error) }
                    }
                    extracted[export.contract] = result
                    let (value, schema) = try result.get()
                    guard let value else { continue }
                    let newSchema = schema ?? current.schema
                    // A schema that does not compile is an error even when nothing changed.
                    let validator: JSONSchemaValidator
                    do { validator = try JSONSchemaValidator(schema: newSchema) } catch {
                        throw RealmError(.usage, "\(export.schemaFile ?? Contract.path(domain: domain, name: current.name)): not a valid schema: \(error)")
                    }
                    if value == current.value && newSchema == current.schema { continue }
                    guard current.owner == me else {
                        throw RealmError(.refused, "contract '\(current.name)' is owned by \(current.owner); only its owner may change it",
                                         hint: "ask \(current.owner) to publish the change, or drop the export from this repo's .gitrealm")
                    }
                    let violations = validator.validate(value)
                    if !violations.isEmpty {
                        throw RealmError(.checkFailed, "the value of \(current.name) extracted from this repo does not match its schema; nothing was published",
                                         details: violations.map(\.description))
                    }
                    var next = current
                    next.value = value
                    next.schema = newSchema
                    let analysis: BumpAnalysis
                    do { analysis = try VersionBump.analyze(old: current.json, new: next.json) } catch {
                        throw RealmError(.usage, "\(Contract.path(domain: domain, name: current.name)): \(error)")
                    }
                    guard let oldVersion = try? Version.parse(current.version) else {
                        throw RealmError(.usage, "\(Contract.path(domain: domain, name: current.name)): version '\(current.version)' is not a semver version")
                    }
                    let newVersion = explicitVersion ?? VersionBump.minimumVersion(after: oldVersion, for: analysis.required)
                    let verdict = VersionBump.check(oldVersion: oldVersion, newVersion: newVersion, required: analysis.required)
                    if !verdict.ok {
                        throw RealmError(.refused, "\(current.name): \(verdict.message)", details: analysis.reasons)
                    }
                    let breaking = !analysis.breakingChanges.isEmpty
                    let schemaLines = analysis.schemaReport.changes.map { "schema \($0.path.description.isEmpty ? "/" : $0.path.description): \($0.kind)" }
                    let changeLines = ValueDiff.lines(from: current.value, to: value) + schemaLines
                    next.version = newVersion.description
                    next.evolution.append(.init(version: next.version, changes: changeLines.isEmpty ? ["Updated"] : changeLines,
                                                compatible: !breaking))
                    change.write(Contract.path(domain: domain, name: current.name), next)
                    // Approval for a breaking change, a grace period for one that narrows what
                    // importers acknowledge: the change waits as a proposal (docs/trust.md).
                    if try ContractGate.evaluate(domain: domain, old: current, new: next, in: realm, analysis: analysis).gated { needsApproval = true }
                    var consumers: [String] = []
                    for repo in try realm.bindingRepos(in: domain) where repo != me {
                        if try realm.binding(domain: domain, repo: repo)?.imports.contains(where: { $0.contract == current.name }) == true {
                            consumers.append(repo)
                        }
                    }
                    let now = Timestamp.now()
                    for consumer in consumers {
                        change.notesOnNewCommit.append(NotificationRecord(
                            kind: .notification, domain: domain, contract: current.name, from: me, to: consumer,
                            version: next.version, previous: current.version, changeType: breaking ? "breaking" : "updated",
                            changes: changeLines, at: now).line)
                    }
                    report.published.append(Published(domain: domain, contract: current.name, from: current.version, to: next.version,
                                                      bump: analysis.required, breaking: breaking, changes: changeLines, consumers: consumers))
                    summary.append("\(current.name) \(current.version) -> \(next.version)")
                    current = next
                }
                // Imports.
                var bindingChanged = false
                for (i, entry) in binding.imports.enumerated() where contract == nil || entry.contract == contract {
                    let state = try ImportCheck.classify(entry, domain: domain, repository: participant.repository, snapshot: realm, tip: tip,
                                                         cache: participant.cache)
                    var outcome = Acknowledged(domain: domain, contract: entry.contract, status: state.status,
                                               from: entry.resolvedVersion, to: state.newest?.version.description,
                                               reason: state.reason, validation: nil, changes: state.changes, acknowledged: false)
                    switch state.status {
                    case .broken:
                        if entry.status != "broken" { binding.imports[i].status = "broken"; bindingChanged = true }
                    case .current:
                        if entry.status != "current" { binding.imports[i].status = "current"; bindingChanged = true }
                    case .stale:
                        guard let newest = state.newest else { break }
                        let scripts = declared.import(entry.contract)?.validate ?? []
                        if !scripts.isEmpty {
                            let key = "\(entry.contract)@\(newest.version)"
                            // Scripts run once, for the realm as it is now.
                            if validations[key] == nil && !current { throw RealmWriter.NeedsCurrentRealm() }
                            let validation = try validations[key] ?? runner.runAll(scripts, strict: strict)
                            validations[key] = validation
                            outcome.validation = validation
                            if validation.fails(strict: strict) {
                                if entry.status != "stale" { binding.imports[i].status = "stale"; bindingChanged = true }
                                break
                            }
                        }
                        binding.imports[i].resolvedVersion = newest.version.description
                        binding.imports[i].resolvedAt = Timestamp.now()
                        binding.imports[i].status = "current"
                        bindingChanged = true
                        outcome.acknowledged = true
                        change.notesOnCommits[newest.commit, default: []].append(NotificationRecord(
                            kind: .acknowledgement, domain: domain, contract: entry.contract, from: me,
                            version: newest.version.description, at: Timestamp.now()).line)
                        summary.append("ack \(entry.contract) \(newest.version)")
                    }
                    report.imports.append(outcome)
                }
                if bindingChanged { change.write(Binding.path(domain: domain, repo: me), binding) }
            }
            if needsApproval {
                change.notesOnNewCommit = []
                // One proposal per repo: a change while one is pending replaces it on its
                // branch (reviewers see one branch, updated), unless it proposes the same.
                let pending = try PendingSyncBranch.pending(in: participant.repository, realm: participant.realm, main: tip)
                    .last { $0.repo == me }
                if let pending {
                    change.branch = pending.realmRef
                    change.branchTip = pending.commit
                    let same = try change.files.allSatisfy { path, file in
                        let there = try participant.repository.blob(at: path, in: pending.commit)
                        if case .blob(let bytes) = file { return there == bytes }
                        return there == nil
                    }
                    report.branch = pending.realmRef
                    report.branchState = same ? .unchanged : .updated
                    if same { return nil }
                } else {
                    change.branch = RefLayout.realmSyncBranch(repo: me, stamp: Timestamp.stamp(Timestamp.nowSeconds()))
                    report.branch = change.branch
                }
                // The record on main: which contract files, by blob id, and when (the time of
                // the commit that records it). Approvals of an earlier content are withdrawn.
                let stamp = String((change.branch ?? "").split(separator: "/").last ?? "")
                let files = change.files.sorted { $0.key < $1.key }.compactMap { path, file -> Proposal.File? in
                    guard ContractGate.contractPath(path) != nil, case .blob(let bytes) = file else { return nil }
                    return Proposal.File(path: path, blob: OID.ofBlob(bytes).hex)
                }
                let record = Proposal(repo: me, stamp: stamp, proposedAt: Repository.commitTime(), files: files)
                change.mainFiles[Proposal.path(repo: me, stamp: stamp)] = .blob(RealmFiles.encodeBytes(record))
                if try realm.exists(Proposal.path(repo: me, stamp: stamp)), !(try realm.approvals(repo: me, stamp: stamp).isEmpty) {
                    change.mainFiles[Approval.directory(repo: me, stamp: stamp)] = .delete
                }
                change.mainMessage = "\(me): propose \(change.branch.map { String($0.dropFirst(11)) } ?? stamp)"
            }
            change.message = "\(me): sync" + (summary.isEmpty ? "" : " (" + summary.joined(separator: "; ") + ")")
            if dryRun { return nil }
            return change
        }
        report.commit = landed
        if !dryRun, report.branch != nil { try? participant.fetch() }
        return report
    }
}
