import RealmContracts
import RealmGit
import RealmJSON
import RealmLimits
import RealmModel

/// The governance that applies in one domain: realm.yaml's, with the domain's `governance.yaml`
/// over it. Unless realm.yaml says `domain_overrides: any`, an override only tightens: approval
/// stays required if the realm requires it, the grace period is the longer one, and the
/// domain's approvers are those of the realm's approvers it names.
public struct EffectiveGovernance: Sendable, Equatable {
    public var requireApproval: Bool
    public var gracePeriodDays: Int
    public var approvers: [String]

    public init(realm: RealmConfig.Governance, domain: DomainGovernance?) {
        let base = realm.breakingChanges
        requireApproval = base.requireApproval
        gracePeriodDays = max(0, base.gracePeriodDays)
        approvers = realm.approvers
        guard let domain else { return }
        if realm.domainOverrides == "any" {
            requireApproval = domain.requireApproval ?? requireApproval
            gracePeriodDays = max(0, domain.gracePeriodDays ?? gracePeriodDays)
            approvers = domain.approvers ?? approvers
        } else {
            requireApproval = requireApproval || (domain.requireApproval ?? false)
            gracePeriodDays = max(gracePeriodDays, domain.gracePeriodDays ?? 0)
            if let named = domain.approvers { approvers = realm.approvers.filter(named.contains) }
        }
    }

    public init(snapshot: RealmSnapshot, domain: String) throws {
        self.init(realm: try snapshot.config().governance, domain: try snapshot.governance(domain))
    }

    /// What a domain override loosens compared with the realm's governance (empty: it only
    /// tightens, or realm.yaml allows any override).
    public static func loosenings(realm: RealmConfig.Governance, domain: DomainGovernance) -> [String] {
        guard realm.domainOverrides != "any" else { return [] }
        var found: [String] = []
        if realm.breakingChanges.requireApproval, domain.requireApproval == false {
            found.append("breaking_changes.require_approval: false where realm.yaml requires approval")
        }
        if let days = domain.gracePeriodDays, days < realm.breakingChanges.gracePeriodDays {
            found.append("breaking_changes.grace_period_days: \(days), shorter than realm.yaml's \(realm.breakingChanges.gracePeriodDays)")
        }
        if let approvers = domain.approvers {
            let extra = approvers.filter { !realm.approvers.contains($0) }
            if !extra.isEmpty { found.append("approvers \(extra.joined(separator: ", ")), who are not realm approvers") }
        }
        if let admission = domain.admission, let r = RealmConfig.admissionModes.firstIndex(of: realm.admission),
           let d = RealmConfig.admissionModes.firstIndex(of: admission), d < r {
            found.append("admission: \(admission), more open than realm.yaml's \(realm.admission)")
        }
        return found
    }
}

/// What stands between a contract change and the realm's main: approval (a breaking change
/// under `require_approval`) and the grace period (a change that removes or narrows something
/// importers still acknowledge). Computed from the contracts themselves, never from what the
/// writer says about its change, by `sync` (to decide where a change goes), by the verifier (to
/// judge a change that lands) and by `proposals` (to say what one still needs).
public struct ContractGate: Sendable {
    public var domain: String
    public var contract: String
    public var path: String
    public var owner: String
    public var from: String
    public var to: String
    /// Breaking by the compatibility rules, or a major version bump.
    public var breaking: Bool
    /// Removes or changes part of the value (a narrowing, even when compatible).
    public var narrowing: Bool
    public var governance: EffectiveGovernance
    /// Importers whose bindings acknowledge an earlier version of the contract.
    public var acknowledgingImporters: [String]

    public var needsApproval: Bool { breaking && governance.requireApproval }
    public var needsGrace: Bool {
        !needsApproval && narrowing && governance.gracePeriodDays > 0 && !acknowledgingImporters.isEmpty
    }
    public var gated: Bool { needsApproval || needsGrace }

    /// The gate for changing `old` into `new` in `domain`, as the realm `snapshot` (the state the
    /// change is made on) governs it. Lazy: the importers' bindings are read only for a
    /// compatible change that narrows the value under a grace period. `analysis`: the caller's
    /// own compatibility analysis of the same change, when it has one.
    public static func evaluate(domain: String, old: Contract, new: Contract, in snapshot: RealmSnapshot,
                                analysis: BumpAnalysis? = nil) throws -> ContractGate {
        var breaking = true
        if let analysis = try analysis ?? (try? VersionBump.analyze(old: old.json, new: new.json)) {
            breaking = !analysis.breakingChanges.isEmpty
        }
        if let a = try? Version.parse(old.version), let b = try? Version.parse(new.version), a < b,
           VersionBump.effectiveBump(from: a, to: b) == .major {
            breaking = true
        }
        let governance = try EffectiveGovernance(snapshot: snapshot, domain: domain)
        var gate = ContractGate(domain: domain, contract: old.name, path: Contract.path(domain: domain, name: old.name),
                                owner: old.owner, from: old.version, to: new.version, breaking: breaking, narrowing: false,
                                governance: governance, acknowledgingImporters: [])
        if gate.needsApproval || governance.gracePeriodDays == 0 { return gate }
        gate.narrowing = ValueDiff.narrows(from: old.value, to: new.value)
        guard gate.narrowing else { return gate }
        for repo in try snapshot.bindingRepos(in: domain) where repo != old.owner {
            guard let binding = try? snapshot.binding(domain: domain, repo: repo) else { continue }
            if binding.imports.contains(where: { $0.contract == old.name && $0.resolvedVersion != nil }) {
                gate.acknowledgingImporters.append(repo)
            }
        }
        return gate
    }

    /// `domains/<d>/contracts/<c>.yaml` -> (d, c).
    public static func contractPath(_ path: String) -> (domain: String, name: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "domains", parts[2] == "contracts", parts[3].hasSuffix(".yaml") else { return nil }
        return (String(parts[1]), String(parts[3].dropLast(5)))
    }
}

/// Where a proposal stands: which of its gates are met, and what it still needs.
public struct ProposalStanding: Sendable {
    public var proposal: Proposal
    public var gates: [ContractGate]
    /// Approvals of exactly the proposal's files, by someone other than the proposing repo.
    public var approvals: [Approval]
    /// Gates needing approval met by an approver's approval.
    public var approvedBy: [String]
    /// Importers (of gates under a grace period) that approved it early.
    public var acknowledgedBy: [String]
    /// When the grace period ends (seconds since the epoch), where one applies.
    public var graceEndsAt: Int64?
    /// Approval still missing (gates needing approval no approver approved).
    public var missingApproval: [ContractGate]
    /// Importers whose acknowledgement still counts, before the grace period ends.
    public var waitingFor: [String]

    /// `start` plus `days` days, saturating (dates and day counts come from the realm).
    static func adding(days: Int, to start: Int64) -> Int64 {
        let (span, o1) = Int64(clamping: days).multipliedReportingOverflow(by: 86_400)
        let (end, o2) = start.addingReportingOverflow(span)
        return o1 || o2 ? Int64.max : end
    }

    /// Whether the proposal may land at `time` (a landing commit's date).
    public func ready(at time: Int64) -> Bool {
        missingApproval.isEmpty && (waitingFor.isEmpty || (graceEndsAt.map { time >= $0 } ?? true))
    }

    /// What it still needs at `time`, one phrase each (empty: ready).
    public func needs(at time: Int64) -> [String] {
        var out: [String] = []
        for gate in missingApproval {
            let who = gate.governance.approvers.isEmpty ? "an approver (realm.yaml names none)" : "one of \(gate.governance.approvers.joined(separator: ", "))"
            out.append("approval of the breaking change to \(gate.contract) by \(who) (git realm approve \(proposal.branch))")
        }
        if !waitingFor.isEmpty, let ends = graceEndsAt, time < ends {
            let (left, overflow) = ends.subtractingReportingOverflow(time)
            out.append("the grace period (\(Timestamp.countdown(overflow ? Int64.max : left)) left, until \(Timestamp.format(min(ends, RealmClock.latestDate)))) or an acknowledgement from \(waitingFor.joined(separator: ", "))")
        }
        return out
    }

    /// Judges `proposal` against the realm `snapshot` it would land on; approvals by anyone in
    /// `excluding` do not count (its author, and whoever lands it).
    /// `startedAt`: when the record took its content by the realm's clock (`RealmClock`); the
    /// record's own `proposed_at` when not known.
    public static func evaluate(_ proposal: Proposal, in snapshot: RealmSnapshot, proposed contracts: [String: Contract],
                                excluding: Set<String>, startedAt: Int64? = nil) throws -> ProposalStanding {
        var gates: [ContractGate] = []
        for file in proposal.files {
            guard let (domain, name) = ContractGate.contractPath(file.path),
                  let old = try snapshot.contract(domain: domain, name: name), let new = contracts[file.path] else { continue }
            let gate = try ContractGate.evaluate(domain: domain, old: old, new: new, in: snapshot)
            if gate.gated { gates.append(gate) }
        }
        var excluded = excluding
        excluded.insert(proposal.repo)
        if let entry = try? snapshot.repo(proposal.repo) {
            excluded.formUnion(entry.maintainers)
            excluded.formUnion(entry.keys.map(\.principal))
        }
        let approvals = try snapshot.approvals(repo: proposal.repo, stamp: proposal.stamp)
            .filter { $0.files == proposal.files && !excluded.contains($0.by) }
        let by = Set(approvals.map(\.by))
        var approvedBy: [String] = []
        var missing: [ContractGate] = []
        var waiting: [String] = []
        var acknowledged: [String] = []
        var graceDays = 0
        for gate in gates {
            if gate.needsApproval {
                let approvers = gate.governance.approvers.filter { by.contains($0) }
                if approvers.isEmpty { missing.append(gate) } else { approvedBy.append(contentsOf: approvers) }
            } else if gate.needsGrace {
                graceDays = max(graceDays, gate.governance.gracePeriodDays)
                for importer in gate.acknowledgingImporters {
                    if by.contains(importer) { acknowledged.append(importer) } else { waiting.append(importer) }
                }
            }
        }
        func unique(_ xs: [String]) -> [String] { Array(Set(xs)).sorted() }
        return ProposalStanding(proposal: proposal, gates: gates, approvals: approvals, approvedBy: unique(approvedBy),
                                acknowledgedBy: unique(acknowledged),
                                graceEndsAt: graceDays > 0 ? Self.adding(days: graceDays, to: startedAt ?? proposal.proposedAt) : nil,
                                missingApproval: missing, waitingFor: unique(waiting))
    }
}
