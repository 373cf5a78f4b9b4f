import RealmGit
import RealmJSON
import RealmModel

/// `git realm proposals`, `git realm approve`, `git realm proposals merge`: changes that wait on
/// the realm's main as proposals (docs/trust.md "Governance").
public enum Proposals {
    /// One recorded proposal and where it stands.
    public struct Item: Sendable {
        public var proposal: Proposal
        /// nil when the proposed content is not here (its branch was not fetched).
        public var standing: ProposalStanding?
        public var contracts: [(path: String, version: String)]
        public var ready: Bool
        public var needs: [String]
        /// What it changes, exactly as recorded (version steps and value diffs).
        public var changes: [String]

        public var name: String { proposal.branch }

        public var json: JSONValue {
            var o: JSONObject = ["name": .string(name), "repo": .string(proposal.repo),
                                 "proposed_at": .string(Timestamp.format(proposal.proposedAt)), "ready": .bool(ready),
                                 "needs": .array(needs.map { .string($0) })]
            o["contracts"] = .array(contracts.map { ["path": .string($0.path), "version": .string($0.version)] })
            o["approved_by"] = .array((standing?.approvedBy ?? []).map { .string($0) })
            o["acknowledged_by"] = .array((standing?.acknowledgedBy ?? []).map { .string($0) })
            o["waiting_for"] = .array((standing?.waitingFor ?? []).map { .string($0) })
            o["grace_ends_at"] = standing?.graceEndsAt.map { .string(Timestamp.format($0)) } ?? .null
            o["breaking"] = .bool(standing?.gates.contains { $0.needsApproval } ?? false)
            o["changes"] = .array(changes.map { .string($0) })
            return .object(o)
        }
    }

    /// The proposals recorded on `snapshot` (the realm as fetched), judged at `time`.
    public static func list(in participant: Participant, snapshot: RealmSnapshot, at time: Int64) throws -> [Item] {
        var items: [Item] = []
        for (repo, stamp) in try snapshot.proposalNames() {
            guard let proposal = (try? snapshot.proposal(repo: repo, stamp: stamp)) ?? nil else { continue }
            let contracts = proposedContracts(proposal, in: participant.repository)
            let versions = proposal.files.map { file in (path: file.path, version: contracts[file.path]?.version ?? "?") }
            guard contracts.count == proposal.files.count else {
                items.append(Item(proposal: proposal, standing: nil, contracts: versions, ready: false,
                                  needs: ["its content: fetch the realm (the branch \(proposal.branch) holds it)"], changes: []))
                continue
            }
            let standing = try ProposalStanding.evaluate(proposal, in: snapshot, proposed: contracts, excluding: [],
                                                         startedAt: started(proposal, repository: participant.repository, snapshot: snapshot))
            items.append(Item(proposal: proposal, standing: standing, contracts: versions,
                              ready: standing.ready(at: time), needs: standing.needs(at: time),
                              changes: changes(proposal, contracts: contracts, snapshot: snapshot)))
        }
        return items
    }

    /// When the record took its content, by the realm's clock (what the verifier counts from).
    static func started(_ proposal: Proposal, repository: Repository, snapshot: RealmSnapshot) -> Int64? {
        guard let tip = (snapshot.source as? GitRealmSource)?.commit else { return nil }
        return try? RealmClock(repository: repository).recordTime(of: proposal, before: tip)
    }

    /// What the proposal changes, exactly as recorded: per file, the version step and the value diff.
    static func changes(_ proposal: Proposal, contracts: [String: Contract], snapshot: RealmSnapshot) -> [String] {
        var lines: [String] = []
        for file in proposal.files {
            guard let new = contracts[file.path], let (domain, name) = ContractGate.contractPath(file.path) else { continue }
            let old = (try? snapshot.contract(domain: domain, name: name)) ?? nil
            lines.append("\(name) \(old?.version ?? "(new)") -> \(new.version) (blob \(file.blob.prefix(12)))")
            lines += ValueDiff.lines(from: old?.value ?? .null, to: new.value).map { "  " + $0 }
            if let old, old.schema != new.schema { lines.append("  schema changed") }
        }
        return lines
    }

    /// The proposed contracts, read by blob id from this repository's objects (fetched with the
    /// proposal's branch); a file whose blob is missing or unreadable is left out.
    static func proposedContracts(_ proposal: Proposal, in repository: Repository) -> [String: Contract] {
        var contracts: [String: Contract] = [:]
        for file in proposal.files {
            guard let oid = OID(hex: file.blob), let bytes = try? repository.blob(oid),
                  let contract = try? RealmFiles.decode(Contract.self, bytes: bytes, path: file.path).value else { continue }
            contracts[file.path] = contract
        }
        return contracts
    }

    /// Finds a proposal by `sync/<repo>/<stamp>`, `<repo>/<stamp>` or `<repo>` (its only one).
    static func find(_ name: String, in snapshot: RealmSnapshot) throws -> Proposal {
        let text = RefLayout.withoutSyncBranchPrefix(name)
        let parts = text.split(separator: "/").map(String.init)
        let names = try snapshot.proposalNames()
        let matches = names.filter { parts.count == 2 ? ($0.repo == parts[0] && $0.stamp == parts[1]) : (parts.count == 1 && $0.repo == parts[0]) }
        guard let match = matches.first else {
            let known = names.map { "sync/\($0.repo)/\($0.stamp)" }
            throw RealmError(.usage, "no proposal '\(name)' is recorded in the realm",
                             hint: known.isEmpty ? "the realm has no pending proposals" : "pending: \(known.joined(separator: ", "))")
        }
        guard matches.count == 1 else {
            throw RealmError(.usage, "\(parts[0]) has \(matches.count) proposals: name one (\(matches.map { "sync/\($0.repo)/\($0.stamp)" }.joined(separator: ", ")))")
        }
        guard let proposal = try snapshot.proposal(repo: match.repo, stamp: match.stamp) else {
            throw RealmError(.usage, "no proposal '\(name)' is recorded in the realm")
        }
        return proposal
    }

    public struct Approved: Sendable {
        public var proposal: Proposal
        public var by: String
        public var contracts: [(path: String, version: String)]
        public var commit: OID?
        /// What was approved, exactly as recorded.
        public var changes: [String] = []
    }

    /// Records this user's (or this repo's) approval of exactly the proposal's content.
    public static func approve(_ name: String, in participant: Participant) throws -> Approved {
        let repository = participant.repository
        let email = (try? repository.configString(ConfigKey.userEmail)) ?? nil
        var result: Approved?
        let commit = try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            let proposal = try find(name, in: realm)
            if proposal.repo == participant.name {
                throw RealmError(.refused, "\(proposal.branch) is this repo's own proposal: it needs approval by someone else")
            }
            // Who approves: an approver (this user's email, or this repo), else this repo as an
            // importer acknowledging early.
            var approvers = Set<String>()
            var importer = false
            for file in proposal.files {
                guard let (domain, contract) = ContractGate.contractPath(file.path) else { continue }
                approvers.formUnion(try EffectiveGovernance(snapshot: realm, domain: domain).approvers)
                if let binding = try realm.binding(domain: domain, repo: participant.name),
                   binding.imports.contains(where: { $0.contract == contract }) { importer = true }
            }
            let by: String
            if let email, approvers.contains(email) { by = email }
            else if approvers.contains(participant.name) || importer { by = participant.name }
            else {
                throw RealmError(.refused, "neither you (\(email ?? "no user.email")) nor \(participant.name) may approve \(proposal.branch): approvers are \(approvers.sorted().joined(separator: ", ")), or an importer of its contracts")
            }
            let contracts = proposedContracts(proposal, in: repository)
            guard contracts.count == proposal.files.count else {
                throw RealmError(.network, "the content of \(proposal.branch) is not here: fetch the realm and try again")
            }
            result = Approved(proposal: proposal, by: by,
                              contracts: proposal.files.map { ($0.path, contracts[$0.path]?.version ?? "?") }, commit: nil,
                              changes: changes(proposal, contracts: contracts, snapshot: realm))
            let path = Approval.path(repo: proposal.repo, stamp: proposal.stamp, by: by)
            if let existing = try? realm.approvals(repo: proposal.repo, stamp: proposal.stamp).first(where: { $0.by == by }),
               existing.files == proposal.files { return nil }
            var change = RealmChange(message: "\(by): approve \(proposal.branch)")
            change.write(path, Approval(by: by, files: proposal.files, approvedAt: Timestamp.now()))
            return change
        }
        guard var approved = result else { throw RealmError(.usage, "the realm has no main branch") }
        approved.commit = commit
        return approved
    }

    public struct Landed: Sendable {
        public var name: String
        public var landed: Bool
        public var needs: [String]
        public var contracts: [(path: String, version: String)]
    }

    /// Lands the named proposals (all ready ones when none are named): their contract files,
    /// exactly as proposed, on main; the record and approvals removed; notifications sent.
    public static func merge(_ names: [String], in participant: Participant) throws -> (landed: [Landed], commit: OID?) {
        let repository = participant.repository
        var outcomes: [Landed] = []
        var landedBranches: [(ref: String, tip: OID)] = []
        let commit = try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            outcomes = []
            landedBranches = []
            let chosen = try names.isEmpty ? realm.proposalNames().compactMap { try realm.proposal(repo: $0.repo, stamp: $0.stamp) }
                : names.map { try find($0, in: realm) }
            // The landing commit's time by the realm's clock: its own date, or later.
            let tip = (realm.source as? GitRealmSource)?.commit
            let time = try max(Repository.commitTime(), tip.map { try RealmClock(repository: repository).time(of: $0) } ?? 0)
            var change = RealmChange(message: "Land proposals")
            var summary: [String] = []
            for proposal in chosen {
                let contracts = proposedContracts(proposal, in: repository)
                let versions = proposal.files.map { (path: $0.path, version: contracts[$0.path]?.version ?? "?") }
                guard contracts.count == proposal.files.count else {
                    outcomes.append(Landed(name: proposal.branch, landed: false, needs: ["its content: fetch the realm"], contracts: versions))
                    continue
                }
                let standing = try ProposalStanding.evaluate(proposal, in: realm, proposed: contracts, excluding: [],
                                                             startedAt: started(proposal, repository: repository, snapshot: realm))
                guard standing.ready(at: time) else {
                    outcomes.append(Landed(name: proposal.branch, landed: false, needs: standing.needs(at: time), contracts: versions))
                    continue
                }
                for file in proposal.files {
                    guard let oid = OID(hex: file.blob) else { continue }
                    change.files[file.path] = .blob(try repository.blob(oid))
                    guard let (domain, name) = ContractGate.contractPath(file.path), let new = contracts[file.path],
                          let old = try realm.contract(domain: domain, name: name) else { continue }
                    let breaking = standing.gates.contains { $0.path == file.path && $0.breaking }
                    let changes = new.evolution.last { $0.version == new.version }?.changes ?? []
                    for repo in try realm.bindingRepos(in: domain) where repo != new.owner {
                        guard try realm.binding(domain: domain, repo: repo)?.imports.contains(where: { $0.contract == name }) == true else { continue }
                        change.notesOnNewCommit.append(NotificationRecord(
                            kind: .notification, domain: domain, contract: name, from: new.owner, to: repo,
                            version: new.version, previous: old.version, changeType: breaking ? "breaking" : "updated",
                            changes: changes, at: Timestamp.now()).line)
                    }
                    summary.append("\(name) \(old.version) -> \(new.version)")
                }
                change.delete(Proposal.path(repo: proposal.repo, stamp: proposal.stamp))
                change.delete(Approval.directory(repo: proposal.repo, stamp: proposal.stamp))
                if let tip = try repository.resolve(ref: RefLayout.fetchedSyncBranch(realm: participant.realm, repo: proposal.repo, stamp: proposal.stamp)) {
                    landedBranches.append((RefLayout.realmSyncBranch(repo: proposal.repo, stamp: proposal.stamp), tip))
                }
                outcomes.append(Landed(name: proposal.branch, landed: true, needs: [], contracts: versions))
            }
            if summary.isEmpty && change.files.isEmpty { return nil }
            change.message = "Land \(outcomes.filter(\.landed).map(\.name).joined(separator: ", ")) (\(summary.joined(separator: "; ")))"
            return change
        }
        // The branches have done their job; a failure to delete one leaves a stale branch, no harm.
        if commit != nil, !landedBranches.isEmpty {
            let policy = try RealmRemote.policy(for: repository)
            _ = try? GitRemote.push(repoDir: repository.workdir ?? repository.gitDir, url: participant.membership.url,
                                    refspecs: landedBranches.map { ":\($0.ref)" }, atomic: false,
                                    leases: landedBranches.map { (ref: $0.ref, expected: Optional($0.tip)) }, policy: policy)
        }
        return (outcomes, commit)
    }
}

extension Proposals {
    /// Why the sync branch commit `commit` does not carry exactly what its record says (nil:
    /// it does): the record `proposals/<repo>/<stamp>.yaml` must be in its parent, and the
    /// contract files it changes must be the record's files, blob for blob. What reviewers diff
    /// is then what approvals name and what lands.
    /// `allowingNoRecord`: a branch with no record at all (made by a git-realm from before
    /// records; nothing can approve or land it) passes, for members listing what is pending.
    public static func branchMismatch(repository: Repository, commit: OID, repo: String, stamp: String,
                                      allowingNoRecord: Bool = false) throws -> String? {
        guard let parent = try repository.commit(commit).parents.first else { return "has no parent on main" }
        let path = Proposal.path(repo: repo, stamp: stamp)
        guard let bytes = try repository.blob(at: path, in: parent) else {
            return allowingNoRecord ? nil : "has no record \(path) on main under it"
        }
        guard let record = try? RealmFiles.decode(Proposal.self, bytes: bytes, path: path).value else {
            return "has an unreadable record \(path) under it"
        }
        var changed = Set<Proposal.File>()
        for file in try repository.changedPaths(from: parent, to: commit) where ContractGate.contractPath(file) != nil {
            guard let blob = try repository.entry(at: file, in: commit)?.oid.hex else { return "deletes \(file), which a proposal cannot" }
            changed.insert(Proposal.File(path: file, blob: blob))
        }
        return changed == Set(record.files) ? nil : "changes contract files other than its record \(path) names (what reviewers see must be what is approved)"
    }
}
