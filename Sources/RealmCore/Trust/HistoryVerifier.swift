import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// A realm commit that its parent's policy does not allow: the commit, the path, the rule.
public struct TrustViolation: Error, Sendable, CustomStringConvertible {
    public var commit: OID
    public var author: String
    public var path: String?
    public var rule: String

    public var description: String {
        "realm commit \(commit.hex.prefix(12)) by \(author)" + (path.map { " changes \($0), which" } ?? "") + " " + rule
    }
}

/// Judges realm history from history alone (docs/trust.md). Each commit is judged only by the
/// policy in its first parent's tree: who its signer (or, where signatures are not required, its
/// author) is, which repos that identity maintains there, and which paths those may write. A
/// rule lowered in a commit therefore never applies to that commit itself. The root commit is the
/// realm's trust anchor (trust on first use). Everything not allowed is refused.
public struct HistoryVerifier {
    public let repository: Repository
    /// The program that checks SSH signatures (`gpg.ssh.program`, default ssh-keygen).
    public var signingProgram = "ssh-keygen"
    /// The program that checks OpenPGP signatures (`gpg.openpgp.program`, `gpg.program`, default gpg).
    public var openPGPProgram = "gpg"
    /// Most commits one verification walks.
    public var limit = Limits.verifiedCommitsPerFetch
    /// The clock of a realm server (the pre-receive hook): a commit that records a proposal or
    /// lands a gated change must then be dated within `Limits.clockSkewSeconds` of it, so that
    /// a grace period is measured in time that passed (docs/trust.md "Governance").
    public var serverClock: Int64?
    /// Judging a proposal's commit (off main): the gates on landing do not apply to it.
    var judgingProposal = false
    /// The clock a new commit may not be ahead of (this machine's; the server's in the hook).
    public var judgeClock: Int64? = RealmClock.now()
    /// The realm's clock (latest date on each commit's history), shared by the commits judged.
    let clock: RealmClock

    public init(repository: Repository) {
        self.repository = repository
        clock = RealmClock(repository: repository)
        if let program = try? repository.configString(ConfigKey.gpgSSHProgram), !program.isEmpty { signingProgram = program }
        for key in [ConfigKey.gpgProgram, ConfigKey.gpgOpenPGPProgram] {
            if let program = try? repository.configString(key), !program.isEmpty { openPGPProgram = program }
        }
    }

    public struct Progress: Sendable {
        /// Commits judged.
        public var count: Int
        /// The newest commit judged (nil when there was none).
        public var last: OID?
        /// More than `limit` commits were new: verification stopped at `last` (history is
        /// linear, so `last` is a commit of main); the next run goes on from there.
        public var partial: Bool
    }

    /// Verifies, parents first, the commits reachable from `tip` that are not reachable from
    /// `verified` (nil: the whole history), at most `limit` of them; throws the first
    /// `TrustViolation`.
    public func verify(from verified: OID?, to tip: OID) throws -> Progress {
        let (commits, more) = try repository.commits(from: tip, excluding: verified.map { [$0] } ?? [], limit: limit)
        var policies: [String: RealmPolicy] = [:]
        for (index, commit) in commits.enumerated() {
            // Linear history from one root: a merge would be judged against a parent its author
            // chooses (an old policy, a root of their own), so there are none; and a root commit
            // is the trust anchor only as the first commit of a history verified from scratch.
            let info = try repository.commit(commit)
            if info.parents.count > 1 {
                throw TrustViolation(commit: commit, author: info.authorEmail, path: nil,
                                     rule: "is a merge: realm history must be linear (rebase instead of merging)")
            }
            if info.parents.isEmpty && (verified != nil || index > 0) {
                throw TrustViolation(commit: commit, author: info.authorEmail, path: nil,
                                     rule: "is a second root commit: realm history has one root, its trust anchor")
            }
            try judge(commit, policies: &policies)
        }
        return Progress(count: commits.count, last: commits.last, partial: more)
    }

    /// Whether a single commit off the realm's history (a sync proposal) passes against its
    /// parent's policy, and was written for `repo` (by its maintainers). `policies` is a cache
    /// to share between calls.
    public func accepts(_ oid: OID, writtenFor repo: String, policies: inout [String: RealmPolicy]) -> Bool {
        // A proposal is judged as a write by `repo`, not as a landing: its gates are what it waits for.
        var proposal = self
        proposal.judgingProposal = true
        guard let info = try? repository.commit(oid), info.parents.count == 1,
              let repos = try? proposal.judge(oid, policies: &policies) else { return false }
        return repos.contains(repo)
    }

    /// Judges one commit against its first parent's policy (the root commit is accepted).
    /// Returns the repos the commit's writer proved to speak for.
    @discardableResult
    func judge(_ oid: OID, policies: inout [String: RealmPolicy]) throws -> Set<String> {
        let info = try repository.commit(oid)
        // Dates: within git's sane range (no arithmetic on them overflows), and never ahead of
        // the clock that judges (a realm commit is dated when it is made).
        if info.time < 0 || info.time > RealmClock.latestDate {
            throw TrustViolation(commit: oid, author: info.authorEmail.isEmpty ? "(no author email)" : info.authorEmail, path: nil,
                                 rule: "is dated \(info.time) seconds from 1970, outside the years 1970-9999")
        }
        if let now = judgeClock ?? serverClock, info.time > now + Limits.clockSkewSeconds {
            throw TrustViolation(commit: oid, author: info.authorEmail.isEmpty ? "(no author email)" : info.authorEmail, path: nil,
                                 rule: "is dated \(Timestamp.format(info.time)), in the future of this clock (\(Timestamp.format(now))): realm commits are dated when they are made")
        }
        guard let parent = info.parents.first else { return [] }
        // The policy depends only on realm.yaml and repos/: shared by every commit that leaves
        // them as they were (most of them), so a long history parses each version once.
        let key = "\(try repository.entry(at: RealmConfig.path, in: parent)?.oid.hex ?? "-") \(try repository.entry(at: "repos", in: parent)?.oid.hex ?? "-") \(try repository.entry(at: Invitation.directory, in: parent)?.oid.hex ?? "-") \(try repository.entry(at: RepoEntry.retiredDirectory, in: parent)?.oid.hex ?? "-")"
        let policy: RealmPolicy
        if let cached = policies[key] { policy = cached } else {
            policy = try RealmPolicy(snapshot: snapshot(parent))
            policies[key] = policy
        }
        let before = snapshot(parent)
        let after = snapshot(oid)
        let changed = try repository.changedPaths(from: parent, to: oid)
        let author = info.authorEmail
        func violation(_ path: String?, _ rule: String) -> TrustViolation {
            TrustViolation(commit: oid, author: author.isEmpty ? "(no author email)" : author, path: path, rule: rule)
        }

        // Who wrote it: the repos whose registered keys (or, unsigned where allowed, whose
        // maintainers) vouch for the author, in the parent's tree. New repo files in this very
        // commit vouch only for their own repo (a repo registering itself).
        var repos = Set<String>()
        var selfRegistered = Set<String>()
        // New repo files an invitation in the parent admits, written by an invited identity.
        var invited = Set<String>()
        // New repo files registering a retired name, written by a key or maintainer of its old entry.
        var rejoining = Set<String>()
        let signature = try repository.commitSignature(oid)
        let newRepos = changed.compactMap(RealmPolicy.repoName(inReposPath:)).filter { policy.repos[$0] == nil }
        // Each distinct key is tried once per commit, and only so many: a realm writer may list
        // one key in any number of repo files, or any number of keys for one email.
        var verdicts: [String: Bool] = [:]
        func signedBy(_ keys: [SigningKey]) throws -> Bool {
            guard let signature else { return false }
            for key in keys where key.principal == author {
                if let known = verdicts[key.key] {
                    if known { return true }
                    continue
                }
                if verdicts.count >= Limits.signatureKeysPerCommit {
                    throw violation(nil, "names more than \(Limits.signatureKeysPerCommit) keys for \(author): not verified")
                }
                let ok = try signed(signature, author, by: [key])
                verdicts[key.key] = ok
                if ok { return true }
            }
            return false
        }
        if signature != nil {
            for (name, entry) in policy.repos where try signedBy(entry.keys) { repos.insert(name) }
            for name in newRepos {
                if let entry = (try? after.repo(name)) ?? nil, try signedBy(entry.keys) { selfRegistered.insert(name) }
            }
            for name in newRepos {
                if let invitation = policy.invitations[name], let entry = (try? after.repo(name)) ?? nil,
                   invitation.admits(entry), try signedBy(invitation.keys) { invited.insert(name) }
            }
            for name in newRepos {
                if let retired = policy.retired[name], try signedBy(retired.keys) { rejoining.insert(name) }
            }
            let byApproverKey = try signedBy(policy.approverKeys)
            if repos.isEmpty && selfRegistered.isEmpty && invited.isEmpty && !byApproverKey {
                throw violation(nil, "is signed by no key registered for \(author) in repos/*.yaml or realm.yaml of its parent")
            }
        } else {
            if policy.requireSignedCommits {
                throw violation(nil, "is not signed, and realm.yaml of its parent requires signed commits")
            }
            for (name, entry) in policy.repos where entry.vouches(for: author) { repos.insert(name) }
            for name in newRepos {
                if let entry = (try? after.repo(name)) ?? nil, entry.vouches(for: author) { selfRegistered.insert(name) }
                if let invitation = policy.invitations[name], let entry = (try? after.repo(name)) ?? nil,
                   invitation.admits(entry), invitation.maintainers.contains(author) { invited.insert(name) }
                if let retired = policy.retired[name], retired.vouches(for: author) { rejoining.insert(name) }
            }
        }
        // An approver proves it: by a key of realm.yaml's approver_keys (signed), by
        // maintaining a repo named as approver (its key, in the parent), or, unsigned where
        // signatures are not required, by author email alone.
        var approver = policy.approvers.contains { repos.contains($0) }
        if signature != nil, policy.approvers.contains(author) {
            if try signedBy(policy.approverKeys) { approver = true }
        } else if signature == nil, policy.approvers.contains(author) {
            approver = true
        }

        // An approver by email proves that email (approvals in its name).
        let emailProven = signature == nil ? true : try signedBy(policy.approverKeys)
        var governed: Governed?
        for path in changed {
            // A file every reader would refuse breaks every member: only approvers (trusted to
            // repair the realm) may write one.
            if !approver, let problem = unreadable(path, in: after) { throw violation(path, problem) }
            if let rule = try refusal(path, repos: repos, selfRegistered: selfRegistered, invited: invited, rejoining: rejoining,
                                      permissions: policy.permissions, approver: approver,
                                      approvers: policy.approvers, admission: policy.admission,
                                      before: before, after: after) {
                throw violation(path, rule)
            }
            if governed == nil {
                governed = Governed(author: author, repos: repos, approver: approver, time: info.time,
                                    clock: try clock.time(of: oid), emailProven: emailProven)
            }
            if let rule = try governance(path, governed!, before: before, after: after, commit: oid) {
                throw violation(path, rule)
            }
        }
        return repos.union(selfRegistered)
    }

    /// Why a realm file `path` written by the commit (`after`) cannot be read; nil when it can,
    /// was deleted, or is not one of the realm's YAML files.
    private func unreadable(_ path: String, in after: RealmSnapshot) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        func check(_ read: () throws -> Any?) -> String? {
            do { _ = try read(); return nil } catch { return "is not a readable realm file: \(RealmError.wrap(error).message)" }
        }
        guard path.hasSuffix(".yaml") else { return nil }
        if path == RealmConfig.path { return check { try after.exists(path) ? try after.config() : nil } }
        if parts.count == 2, parts[0] == "repos" { return check { try after.repo(String(parts[1].dropLast(5))) } }
        if parts.count == 2, parts[0] == ChangeRecord.directory { return check { try after.change(String(parts[1].dropLast(5))) } }
        guard parts.count >= 3, parts[0] == "domains" else { return nil }
        let domain = parts[1]
        if parts.count == 3 && parts[2] == "domain.yaml" { return check { try after.domain(domain) } }
        if parts.count == 3 && parts[2] == "governance.yaml" { return check { try after.governance(domain) } }
        if parts.count == 4 && parts[2] == "contracts" { return check { try after.contract(domain: domain, name: String(parts[3].dropLast(5))) } }
        if parts.count == 4 && parts[2] == "bindings" { return check { try after.binding(domain: domain, repo: String(parts[3].dropLast(5))) } }
        return nil
    }

    /// nil when `path` may be changed by this identity; else the rule that forbids it.
    private func refusal(_ path: String, repos: Set<String>, selfRegistered: Set<String>, invited: Set<String>,
                         rejoining: Set<String>, permissions: [(String, [String])], approver: Bool,
                         approvers: [String], admission: String, before: RealmSnapshot, after: RealmSnapshot) throws -> String? {
        let parts = path.split(separator: "/").map(String.init)
        let approversOnly = "only the realm's approvers (realm.yaml governance.approvers) may change"
        func maintainers(_ repo: String) -> String { "only the maintainers of \(repo) may change" }

        if path == RealmConfig.path { return approver ? nil : approversOnly }
        if parts.count == 2, parts[0] == "repos", let name = RealmPolicy.repoName(inReposPath: path) {
            if try before.exists(path) { return repos.contains(name) || approver ? nil : maintainers(name) }
            if approver { return nil }
            // A name whose repo left stays its team's.
            if try before.exists(RepoEntry.retiredPath(name)), !rejoining.contains(name) {
                return "registers repo \(name), a name retired when \(name) left: only its former maintainers (their keys) or an approver may register it again"
            }
            if invited.contains(name) { return nil }
            if approvers.contains(name) {
                return "registers repo \(name), a name realm.yaml lists as approver: only approvers may"
            }
            // A join proposal (judged off main) waits for an approver: admission is what it waits for.
            if admission != "open" && !judgingProposal {
                return "registers repo \(name), but realm.yaml's admission is \(admission): an approver admits it (git realm admin admit \(name))"
            }
            return selfRegistered.contains(name) ? nil
                : "registers repo \(name) without listing its author (or signing key) in the new file"
        }
        // Retired names: written by the leaving repo as it leaves (its repo file goes in the
        // same commit); changed or freed only by approvers.
        if parts.count == 2, parts[0] == RepoEntry.retiredDirectory, parts[1].hasSuffix(".yaml") {
            let name = String(parts[1].dropLast(5))
            if approver { return nil }
            let leaving = try before.exists(RepoEntry.path(name)) && !(try after.exists(RepoEntry.path(name)))
            if repos.contains(name), leaving, try after.exists(path) { return nil }
            if rejoining.contains(name), !(try after.exists(path)) { return nil }
            return "only \(name)'s maintainers, as it leaves, or an approver may write it"
        }
        // Invitations: approvers write them; the invited repo consumes its own when it registers.
        if parts.count == 2, parts[0] == Invitation.directory, parts[1].hasSuffix(".yaml") {
            let name = String(parts[1].dropLast(5))
            if approver { return nil }
            if invited.contains(name), !(try after.exists(path)) { return nil }
            return "only the realm's approvers may invite a repo (git realm admin invite)"
        }
        // Proposals and approvals: judged by `governance` (Governance+Verifier.swift).
        if Governed.isProposalPath(parts) || Governed.isApprovalPath(parts) { return nil }
        // Files outside the layout (a README, the realm's CI configuration): approvers only.
        let outside = "is outside the realm's layout: only the realm's approvers, or the roles realm.yaml's trust.permissions names for it, may write it"
        let outsideRule = approver || permitted(path, permissions: permissions, repos: repos, approver: approver, before: before) ? nil : outside
        // Change records (`git realm worktree`): the maintainers of a repo taking part. Before
        // this rule they were outside the layout, and what trust.permissions grants there still holds.
        if parts.count == 2, parts[0] == ChangeRecord.directory, parts[1].hasSuffix(".yaml") {
            guard let rule = try changeRecordRefusal(path, name: String(parts[1].dropLast(5)), repos: repos,
                                                     before: before, after: after) else { return nil }
            return outsideRule == nil ? nil : rule
        }
        guard parts.count >= 3, parts[0] == "domains" else { return outsideRule }
        let domain = parts[1]
        if parts.count == 3 && parts[2] == "governance.yaml" { return approver ? nil : approversOnly }
        if parts.count == 3 && parts[2] == "domain.yaml" {
            if approver { return nil }
            let old = (try? before.domain(domain)) ?? nil
            let new = (try? after.domain(domain)) ?? nil
            let stillThere = try after.exists(path)
            if old != nil && !stillThere { return "deletes the domain: \(approversOnly) it" }
            let oldMembers = Set(old?.members ?? [])
            if !oldMembers.isDisjoint(with: repos) { return nil }
            if old == nil, let new, !Set(new.members).isDisjoint(with: repos) { return nil }
            // A repo adding only itself to the members (an import into the domain).
            if let old, let new, old.name == new.name, old.description == new.description,
               Set(new.members).subtracting(oldMembers).isSubset(of: repos), oldMembers.isSubset(of: Set(new.members)) {
                return nil
            }
            return "only the maintainers of the domain's members may change"
        }
        if parts.count == 4 && parts[2] == "contracts" && path.hasSuffix(".yaml") {
            let name = String(parts[3].dropLast(5))
            let existed = try before.exists(path)
            let old: Contract? = existed ? ((try? before.contract(domain: domain, name: name)) ?? nil) : nil
            let new: Contract? = (try? after.contract(domain: domain, name: name)) ?? nil
            // Whose it is: the parent's owner; for a new contract, the new file's. A parent file
            // nobody can read belongs to nobody: only approvers may write it.
            guard let owner = existed ? old?.owner : new?.owner else {
                return approver ? nil : "is not a readable contract: \(approversOnly) it"
            }
            guard repos.contains(owner) || approver else { return "belongs to \(owner): \(maintainers(owner)) it" }
            // Handing a contract to another repo needs that repo's consent: its maintainers write it.
            if let newOwner = new?.owner, newOwner != owner, !repos.contains(newOwner), !approver {
                return "hands the contract to \(newOwner): \(maintainers(newOwner)) may take it"
            }
            return nil
        }
        if parts.count == 4 && parts[2] == "bindings" && path.hasSuffix(".yaml") {
            let repo = String(parts[3].dropLast(5))
            // A repo writes its own binding only in a domain it is a member of.
            let members = ((try? after.domain(domain)) ?? nil)?.members ?? []
            if repos.contains(repo) {
                let deleted = !(try after.exists(path))
                return members.contains(repo) || deleted ? nil
                    : "is a binding in domain \(domain), which does not list \(repo) as a member"
            }
            // A member's first binding, written by another member: an empty one, or any one in
            // the commit that creates the domain (its creator sets up every member's part;
            // afterwards only each repo changes its own).
            if !(try before.exists(path)),
               let new = (try? after.binding(domain: domain, repo: repo)) ?? nil,
               members.contains(repo), !Set(members).isDisjoint(with: repos) {
                // Creating the domain: nothing of it existed in the parent.
                let creatingDomain = try before.source.list("domains/\(domain)").isEmpty
                if creatingDomain || (new.exports.isEmpty && new.imports.isEmpty) { return nil }
            }
            return maintainers(repo)
        }
        return outsideRule
    }

    /// nil when a writer speaking for `repos` may write (or delete) the change record at `path`:
    /// they maintain a repo taking part, as the parent's record says (for a new record: as the
    /// new file says) and, for a record that stays, as the new one says too; the record is named
    /// as its file, on its `feat/<name>` branch, and names only registered repos.
    private func changeRecordRefusal(_ path: String, name: String, repos: Set<String>,
                                     before: RealmSnapshot, after: RealmSnapshot) throws -> String? {
        let existed = try before.exists(path)
        let old: ChangeRecord? = existed ? ((try? before.change(name)) ?? nil) : nil
        if existed && old == nil { return "is not a readable change record: only the realm's approvers may change it" }
        let stays = try after.exists(path)
        let new: ChangeRecord? = stays ? ((try? after.change(name)) ?? nil) : nil
        let takingPart = "only the maintainers of a repo taking part in change \(name) may change it"
        if let old, Set(old.repos.map(\.repo)).isDisjoint(with: repos) { return takingPart }
        guard stays else { return nil }
        guard let new else { return "is not a readable change record" }
        if new.name != name || new.branch != RefLayout.changeBranchName(change: name) {
            return "names change '\(new.name)' on branch '\(new.branch)': the record of change \(name) must name \(name) on \(RefLayout.changeBranchName(change: name))"
        }
        if Set(new.repos.map(\.repo)).isDisjoint(with: repos) { return takingPart }
        for member in new.repos where !(try after.exists(RepoEntry.path(member.repo))) {
            return "names repo \(member.repo), which is not registered in the realm"
        }
        return nil
    }

    /// Whether `signature` verifies by one of `keys` (all for principal `author`).
    func signed(_ signature: (signature: String, payload: [UInt8]), _ author: String, by keys: [SigningKey]) throws -> Bool {
        guard !keys.isEmpty else { return false }
        // OpenPGP: each registered OpenPGP key in a private GnuPG home of its own.
        if OpenPGPSigner.isSignature(signature.signature) {
            for key in keys where key.isOpenPGP {
                if try OpenPGPSigner.verify(program: openPGPProgram, payload: signature.payload,
                                            signature: signature.signature, publicKey: key.key) { return true }
            }
            return false
        }
        let keys = keys.filter { !$0.isOpenPGP }
        guard !keys.isEmpty else { return false }
        // Ed25519 in process (microseconds); other key types through ssh-keygen.
        switch SSHSignature.verify(payload: signature.payload, armored: signature.signature, keys: keys.map(\.key)) {
        case .valid: return true
        case .invalid: return false
        case .unsupported: break
        }
        let allowed = keys.map(\.allowedSignersLine).joined(separator: "\n") + "\n"
        return try SSHSigner.verify(program: signingProgram, payload: signature.payload, signature: signature.signature,
                                    allowedSigners: allowed, principal: author) == nil
    }

    func snapshot(_ commit: OID) -> RealmSnapshot {
        RealmSnapshot(source: GitRealmSource(repository: repository, commit: commit))
    }
}

/// What a realm tree says about who may write it: registered repos with their maintainers and
/// keys, the approvers, and whether commits must be signed.
public struct RealmPolicy {
    var repos: [String: RepoEntry] = [:]
    var approvers: [String] = []
    var approverKeys: [SigningKey] = []
    /// `open`, `approval` or `invite-only`; an unreadable realm.yaml admits nobody by itself.
    var admission = "approval"
    var requireSignedCommits = false
    /// Invitations by repo name (`invitations/<repo>.yaml`); an unreadable one invites nobody.
    var invitations: [String: Invitation] = [:]
    /// Entries of repos that left, by name (`retired/<repo>.yaml`).
    var retired: [String: RepoEntry] = [:]
    /// realm.yaml's trust.permissions (pattern -> roles), for files outside the layout.
    var permissions: [(String, [String])] = []

    /// Fails closed on what it cannot read: an unreadable realm.yaml names no approver and
    /// requires signatures; an unreadable repo file vouches for nobody.
    init(snapshot: RealmSnapshot) throws {
        if (try? snapshot.exists(RealmConfig.path)) ?? true {
            if let config = try? snapshot.config() {
                approvers = config.governance.approvers
                approverKeys = config.trust.approverKeys
                admission = config.governance.admission
                requireSignedCommits = config.trust.requireSignedCommits
                permissions = config.trust.permissions
            } else {
                requireSignedCommits = true
            }
        }
        for name in try snapshot.repoNames() {
            if let entry = try? snapshot.repo(name) { repos[name] = entry }
        }
        for name in try snapshot.retiredRepoNames() {
            if let entry = (try? snapshot.retiredRepo(name)) ?? nil { retired[name] = entry }
        }
        for name in try snapshot.invitationNames().prefix(Limits.proposalsRecorded) {
            if let invitation = (try? snapshot.invitation(name)) ?? nil, invitation.repo == name { invitations[name] = invitation }
        }
    }

    static func repoName(inReposPath path: String) -> String? {
        guard path.hasPrefix("repos/"), path.hasSuffix(".yaml") else { return nil }
        let name = String(path.dropFirst(6).dropLast(5))
        return name.contains("/") ? nil : name
    }
}

extension RepoEntry {
    /// Whether an unsigned commit by `email` speaks for this repo: a maintainer, or a key's principal.
    func vouches(for email: String) -> Bool {
        !email.isEmpty && (maintainers.contains(email) || keys.contains { $0.principal == email })
    }
}
