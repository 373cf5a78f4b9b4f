import RealmGit
import RealmLimits
import RealmModel

/// Who wrote a commit, as the verifier proved it, and when it says it was written.
struct Governed {
    var author: String
    /// The repos the writer speaks for (their keys, or their maintainers where unsigned is allowed).
    var repos: Set<String>
    var approver: Bool
    /// The commit's own date.
    var time: Int64
    /// The realm's clock at this commit: the latest date on its history (`RealmClock`).
    var clock: Int64
    /// The author email is proven as an approver's: signed by a key of realm.yaml's
    /// approver_keys for it, or unsigned where the realm allows unsigned commits.
    var emailProven: Bool

    /// Whether the writer is `who`: an email (proven as above) or a repo it speaks for.
    func `is`(_ who: String) -> Bool { (who == author && emailProven) || repos.contains(who) }

    /// `proposals/<repo>/<stamp>.yaml`
    static func isProposalPath(_ parts: [String]) -> Bool {
        parts.count == 3 && parts[0] == Proposal.directory && parts[2].hasSuffix(".yaml")
    }

    /// `approvals/<repo>/<stamp>/<by>.yaml`
    static func isApprovalPath(_ parts: [String]) -> Bool {
        parts.count == 4 && parts[0] == Approval.directory && parts[3].hasSuffix(".yaml")
    }
}

extension HistoryVerifier {
    /// The governance rules on one changed path (docs/trust.md "Governance"): who may record a
    /// proposal or an approval, which domain overrides are allowed, and that a gated contract
    /// change lands only as an approved (or matured) proposal. nil: allowed.
    func governance(_ path: String, _ who: Governed, before: RealmSnapshot, after: RealmSnapshot, commit: OID) throws -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if Governed.isProposalPath(parts) { return try proposalRule(parts, who, before: before, after: after) }
        if Governed.isApprovalPath(parts) { return try approvalRule(parts, who, before: before, after: after) }
        if parts.count == 3, parts[0] == "domains", parts[2] == "governance.yaml", try after.exists(path) {
            guard let domain = try? after.governance(parts[1]), let realm = try? before.config() else { return nil }
            let loose = EffectiveGovernance.loosenings(realm: realm.governance, domain: domain)
            if !loose.isEmpty {
                return "loosens the realm's governance (\(loose.joined(separator: "; "))): realm.yaml allows domain overrides that only tighten (governance.domain_overrides: tighten-only)"
            }
            return nil
        }
        if let (domain, name) = ContractGate.contractPath(path), !judgingProposal {
            return try landingRule(path, domain: domain, name: name, who, before: before, after: after, commit: commit)
        }
        return nil
    }

    private func proposalRule(_ parts: [String], _ who: Governed, before: RealmSnapshot, after: RealmSnapshot) throws -> String? {
        let repo = parts[1], stamp = String(parts[2].dropLast(5))
        let path = parts.joined(separator: "/")
        guard try after.exists(path) else {
            return who.repos.contains(repo) || who.approver ? nil : "withdraws a proposal of \(repo): only the maintainers of \(repo) or an approver may"
        }
        guard who.repos.contains(repo) else { return "records a proposal in the name of \(repo): only the maintainers of \(repo) may" }
        let proposal: Proposal
        do {
            guard let read = try after.proposal(repo: repo, stamp: stamp) else { return nil }
            proposal = read
        } catch {
            return "is not a readable proposal: \(RealmError.wrap(error).message)"
        }
        guard proposal.repo == repo, proposal.stamp == stamp else {
            return "names proposal \(proposal.repo)/\(proposal.stamp), not \(repo)/\(stamp) as its path says"
        }
        // Informative only: the grace period counts from the realm's clock at this commit.
        if proposal.proposedAt > who.time + Limits.clockSkewSeconds || proposal.proposedAt < who.time - Limits.clockSkewSeconds {
            return "says it was proposed at \(Timestamp.format(proposal.proposedAt)), but its commit is dated \(Timestamp.format(who.time)): a proposal's time is its commit's"
        }
        if let clock = serverClock, abs(who.time - clock) > Limits.clockSkewSeconds {
            return "is dated \(Timestamp.format(who.time)), but the realm server's clock says \(Timestamp.format(clock)): a proposal must be pushed when it is made"
        }
        // One proposal per repo: a later change replaces it (docs/sync.md).
        let recorded = try after.source.list("\(Proposal.directory)/\(repo)").filter { $0.hasSuffix(".yaml") }
        if recorded.count > 1 {
            return "records a second proposal of \(repo) (\(recorded.count) are on main): a repo has one proposal at a time; land or withdraw the other first"
        }
        if proposal.files.count > Limits.proposalFiles {
            return "proposes \(proposal.files.count) files, more than the limit of \(Limits.proposalFiles)"
        }
        if Set(proposal.files.map(\.path)).count != proposal.files.count { return "names a file twice" }
        guard !proposal.files.isEmpty else { return "is a proposal of no files" }
        for file in proposal.files {
            guard let (domain, name) = ContractGate.contractPath(file.path) else {
                return "proposes \(file.path), which is not a contract: a proposal changes contracts only"
            }
            guard let contract = (try? before.contract(domain: domain, name: name)) ?? nil, contract.owner == repo else {
                return "proposes a change to \(file.path), which \(repo) does not own"
            }
        }
        return nil
    }

    private func approvalRule(_ parts: [String], _ who: Governed, before: RealmSnapshot, after: RealmSnapshot) throws -> String? {
        let repo = parts[1], stamp = parts[2], by = String(parts[3].dropLast(5))
        let path = parts.joined(separator: "/")
        let name = "sync/\(repo)/\(stamp)"
        guard try after.exists(path) else {
            return who.is(by) || who.repos.contains(repo) || who.approver ? nil
                : "withdraws \(by)'s approval of \(name): only \(by), the maintainers of \(repo) or an approver may"
        }
        guard Approval.isValidApprover(by), who.is(by) else {
            return "records an approval in the name of \(by): only \(by) may approve as \(by)"
        }
        let approval: Approval
        do {
            guard let read = try after.approvals(repo: repo, stamp: stamp).first(where: { $0.by == by }) else {
                _ = try after.source.read(path).map { try RealmFiles.decode(Approval.self, bytes: $0, path: path) }
                return "is not a readable approval (its 'by' must be \(by), as its file name says)"
            }
            approval = read
        } catch {
            return "is not a readable approval: \(RealmError.wrap(error).message)"
        }
        guard Proposal.isValidStamp(stamp), let proposal = (try? before.proposal(repo: repo, stamp: stamp)) ?? nil else {
            return "approves \(name), which no proposal on the realm's main records"
        }
        let entry = (try? before.repo(repo)) ?? nil
        if by == repo || (entry.map { $0.maintainers.contains(by) || $0.keys.contains { $0.principal == by } } ?? false)
            || who.repos.contains(repo) {
            return "approves \(name), a proposal of \(by == repo ? "its own repo" : repo): a proposal needs approval by someone other than its author (self-approval)"
        }
        guard approval.files == proposal.files else {
            return "approves content other than \(name) proposes (its files or blob ids differ): an approval names exactly the proposed content"
        }
        // Approvers of the proposal's domains, or importers of its contracts (an early acknowledgement).
        var entitled = false
        for file in proposal.files {
            guard let (domain, contract) = ContractGate.contractPath(file.path) else { continue }
            if try EffectiveGovernance(snapshot: before, domain: domain).approvers.contains(by) { entitled = true }
            if let binding = (try? before.binding(domain: domain, repo: by)) ?? nil,
               binding.imports.contains(where: { $0.contract == contract }) { entitled = true }
        }
        return entitled ? nil : "approves \(name), but \(by) is neither an approver of its domain nor an importer of its contracts"
    }

    /// A contract change that passes a gate (breaking under require_approval; narrowing what
    /// importers acknowledge, under a grace period) lands only as a recorded proposal of exactly
    /// this content that is approved, or whose grace period has passed.
    private func landingRule(_ path: String, domain: String, name: String, _ who: Governed,
                             before: RealmSnapshot, after: RealmSnapshot, commit: OID) throws -> String? {
        guard let old = (try? before.contract(domain: domain, name: name)) ?? nil else { return nil }
        guard let new = (try? after.contract(domain: domain, name: name)) ?? nil else {
            // Deleting (or moving) a contract others import breaks them all: approvers only.
            guard !(try after.exists(path)), !who.approver else { return nil }
            var importers: [String] = []
            for repo in try before.bindingRepos(in: domain) where repo != old.owner {
                if let binding = (try? before.binding(domain: domain, repo: repo)) ?? nil,
                   binding.imports.contains(where: { $0.contract == name }) { importers.append(repo) }
            }
            return importers.isEmpty ? nil
                : "deletes contract \(name), which \(importers.joined(separator: ", ")) import\(importers.count == 1 ? "s" : ""): only the realm's approvers may delete an imported contract"
        }
        let gate = try ContractGate.evaluate(domain: domain, old: old, new: new, in: before)
        guard gate.gated else { return nil }
        let what = gate.needsApproval ? "a breaking change (\(old.version) -> \(new.version))" : "a change that narrows what \(gate.acknowledgingImporters.joined(separator: ", ")) acknowledge\(gate.acknowledgingImporters.count == 1 ? "s" : "")"
        guard let blob = try repository.entry(at: path, in: commit)?.oid.hex else { return nil }
        // The owner's proposal (a repo has one at a time; a record names only contracts its repo owns).
        var record: Proposal?
        for stamp in try before.proposalStamps(of: old.owner).prefix(Limits.proposalsRecorded) {
            if let proposal = (try? before.proposal(repo: old.owner, stamp: stamp)) ?? nil,
               proposal.files.contains(Proposal.File(path: path, blob: blob)) { record = proposal; break }
        }
        guard let proposal = record, let parent = try repository.commit(commit).parents.first else {
            return "lands \(what) that no proposal on the realm's main records: it must be proposed (git realm sync) and \(gate.needsApproval ? "approved by an approver other than its author" : "wait out the grace period of \(gate.governance.gracePeriodDays) days or be acknowledged by every importer")"
        }
        var contracts: [String: Contract] = [:]
        for file in proposal.files {
            if let (d, n) = ContractGate.contractPath(file.path), let c = (try? after.contract(domain: d, name: n)) ?? nil {
                contracts[file.path] = c
            }
        }
        let started = try clock.recordTime(of: proposal, before: parent)
        let standing = try ProposalStanding.evaluate(proposal, in: before, proposed: contracts, excluding: [], startedAt: started)
        guard standing.ready(at: who.clock) else {
            return "lands \(what) before it may: it still needs \(standing.needs(at: who.clock).joined(separator: "; and "))"
        }
        if let server = serverClock, !standing.waitingFor.isEmpty, abs(who.time - server) > Limits.clockSkewSeconds {
            return "is dated \(Timestamp.format(who.time)), but the realm server's clock says \(Timestamp.format(server)): a grace period ends in time that passed"
        }
        return nil
    }
}
