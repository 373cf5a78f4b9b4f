import RealmGit
import RealmModel
import RealmSupport

/// `git realm admin leave`: removes this repo from the realm (its entry, its bindings, its
/// membership in domains, the contracts it owns) and the local membership, hooks and refs (in
/// a repo still in another realm, only this realm's `.gitrealm` section and refs: the hooks stay).
/// Refuses while other repos import its contracts, unless forced.
public struct LeaveRealm {
    public var force = false

    public init(force: Bool = false) { self.force = force }

    public struct Result: Sendable {
        public var removed: [String]
        public var orphanedImporters: [String]
        public var hookLines: [String]
    }

    public func run(in participant: Participant) throws -> Result {
        let me = participant.name
        var removed: [String] = []
        var importers: [String] = []
        // No session rides along: the repo it would name is leaving.
        try participant.writer(session: nil).commit { snapshot in
            guard let realm = snapshot else { return nil }
            var change = RealmChange(message: "Leave: \(me)")
            importers = []
            var owned: [(domain: String, contract: String)] = []
            for domain in try realm.domainNames() {
                for name in try realm.contractNames(in: domain) {
                    if try realm.contractSummary(domain: domain, name: name)?.owner == me { owned.append((domain, name)) }
                }
            }
            for domain in try realm.domainNames() {
                for repo in try realm.bindingRepos(in: domain) where repo != me {
                    guard let binding = try realm.binding(domain: domain, repo: repo) else { continue }
                    for entry in binding.imports where owned.contains(where: { $0.contract == entry.contract && $0.domain == domain })
                        || entry.from == me {
                        importers.append("\(repo) imports \(entry.contract) (domain \(domain))")
                    }
                }
            }
            if !importers.isEmpty && !force {
                throw RealmError(.refused, "other repos import this repo's contracts: \(importers.joined(separator: "; "))",
                                 hint: "they must drop those imports first, or use --force to leave them broken")
            }
            // Deleting a contract others import is an approver's decision (docs/trust.md): every
            // member's verifier would refuse the write, and the realm would stop there for all.
            if !importers.isEmpty {
                let config = try realm.config()
                let email = try participant.repository.configString(ConfigKey.userEmail)
                guard try JoinRealm.isApprover(config, email: email, repository: participant.repository)
                        || config.governance.approvers.contains(me) else {
                    throw RealmError(.refused, "leaving would delete contracts that others import (\(importers.joined(separator: "; "))), which only the realm's approvers may do",
                                     hint: "they must drop those imports first, or an approver runs the leave")
                }
            }
            if let entry = try realm.repo(me) {
                change.delete(RepoEntry.path(me))
                // The name stays its team's: only they (their keys) or an approver register it again.
                change.write(RepoEntry.retiredPath(me), entry)
            }
            for domain in try realm.domainNames() {
                if try realm.exists(Binding.path(domain: domain, repo: me)) { change.delete(Binding.path(domain: domain, repo: me)) }
                for (d, c) in owned where d == domain { change.delete(Contract.path(domain: d, name: c)) }
                if var info = try realm.domain(domain), info.members.contains(me) {
                    info.members.removeAll { $0 == me }
                    change.write(Domain.path(domain), info)
                }
            }
            removed = change.files.keys.sorted()
            return change
        }
        // Local state, once the realm no longer lists us.
        let repository = participant.repository
        // The hooks stay while the repository is in another realm (they check each).
        let remaining = try Membership.remove(realm: participant.realm, from: repository)
        let hookLines = remaining.isEmpty ? try Hooks.uninstall(from: repository) : []
        for ref in try repository.references(glob: RefLayout.fetchedRefs(realm: participant.realm)) {
            try? repository.deleteRef(ref.name, expected: ref.oid)
        }
        try? repository.unsetConfig(ConfigKey.fetchedAt(realm: participant.realm))
        return Result(removed: removed, orphanedImporters: importers, hookLines: hookLines)
    }
}
