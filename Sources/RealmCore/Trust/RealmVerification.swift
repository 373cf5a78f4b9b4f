import RealmGit
import RealmModel
import RealmSupport

/// The two places history is verified besides a member's fetch: `check --mode=realm` in the
/// realm's CI, and the `pre-receive` hook on a realm server that allows hooks.
public enum RealmVerification {
    public struct Report: Sendable {
        public var base: OID?
        public var tip: OID
        public var verified: Int
        public var violation: TrustViolation?
        /// More commits than one run verifies: verified up to `last`; run again with --base.
        public var partialAt: OID? = nil
        public var ok: Bool { violation == nil && partialAt == nil }
    }

    /// Verifies `base..tip` (the whole history when `base` is nil) in `repository`.
    public static func check(repository: Repository, base: OID?, tip: OID, serverClock: Int64? = nil) throws -> Report {
        do {
            var verifier = HistoryVerifier(repository: repository)
            verifier.serverClock = serverClock
            let progress = try verifier.verify(from: base, to: tip)
            return Report(base: base, tip: tip, verified: progress.count, violation: nil,
                          partialAt: progress.partial ? progress.last : nil)
        } catch let violation as TrustViolation {
            return Report(base: base, tip: tip, verified: 0, violation: violation)
        }
    }

    /// One line of a pre-receive hook's standard input: `<old> <new> <ref>`.
    public struct RefUpdate: Sendable {
        public var old: OID?
        public var new: OID?
        public var ref: String
    }

    public static func parsePreReceive(_ text: String) throws -> [RefUpdate] {
        try text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let old = OID(hex: String(fields[0])), let new = OID(hex: String(fields[1])) else {
                throw RealmError(.usage, "pre-receive: expected '<old> <new> <ref>', got '\(line.prefix(200))'")
            }
            return RefUpdate(old: old.isZero ? nil : old, new: new.isZero ? nil : new, ref: String(fields[2]))
        }
    }

    /// The server-side verdict on a push to the realm: main may not be deleted or rewound, and
    /// every new commit on it must pass the verifier; proposals, notes and sessions are judged by
    /// their own rules, any other ref is refused. Returns the refusals, one line each (empty: accept).
    public static func preReceive(repository: Repository, updates: [RefUpdate]) throws -> [String] {
        var refusals: [String] = []
        // Main as it will be after this push: a proposal's branch sits on the record pushed with it.
        let main = try updates.first { $0.ref == RefLayout.realmMainBranch }.map { $0.new }
            ?? repository.resolve(ref: RefLayout.realmMainBranch)
        var policies: [String: RealmPolicy] = [:]
        for update in updates where update.ref != RefLayout.realmMainBranch {
            // A session (docs/awareness.md): judged by SessionRule, written or deleted.
            if let (repo, user) = RefLayout.parseRealmSession(update.ref) {
                let rule = SessionRule(repository: repository, main: main)
                if let new = update.new {
                    do { _ = try rule.judge(new, repo: repo, user: user) } catch {
                        refusals.append("\(update.ref) is refused: its commit \(new.hex.prefix(12)) \(error)")
                    }
                } else if let old = update.old, let refusal = rule.deletionRefusal(old, repo: repo, user: user) {
                    refusals.append("deleting \(update.ref) is refused: \(refusal)")
                }
                continue
            }
            guard let new = update.new else { continue }   // deleting a proposal's branch withdraws nothing on main
            if let refusal = try judgeProposalBranch(update.ref, new, main: main, repository: repository, policies: &policies) {
                refusals.append(refusal)
            }
        }
        for update in updates where update.ref == RefLayout.realmMainBranch {
            guard let new = update.new else {
                refusals.append("deleting \(update.ref) is refused: realm history is the members' proof of who wrote what")
                continue
            }
            if let old = update.old, old != new, !(try repository.isAncestor(old, of: new)) {
                refusals.append("rewinding \(update.ref) (\(old.hex.prefix(12)) is not in \(new.hex.prefix(12))) is refused: members would lose verified history")
                continue
            }
            let report = try check(repository: repository, base: update.old, tip: new, serverClock: Timestamp.nowSeconds())
            if let violation = report.violation { refusals.append("\(violation)") }
            if let at = report.partialAt {
                refusals.append("more than \(report.verified) new commits in one push: push them in parts (verified up to \(at.hex.prefix(12)))")
            }
        }
        return refusals
    }

    /// A pushed branch other than main: a sync proposal (`sync/<repo>/<stamp>`) or a join
    /// proposal (`join/<repo>`) must be one commit on main's history that its repo's
    /// maintainers wrote (a join: the registration signed by a key it lists); the realm's notes
    /// may move; anything else is refused. nil: accept.
    static func judgeProposalBranch(_ ref: String, _ new: OID, main: OID?, repository: Repository,
                                    policies: inout [String: RealmPolicy]) throws -> String? {
        if ref == RefLayout.realmNotes { return nil }
        let parts = ref.split(separator: "/").map(String.init)
        let repo: String
        if parts.count == 5, parts[0] == "refs", parts[1] == "heads", parts[2] == "sync", Names.isValid(parts[3]),
           Proposal.isValidStamp(parts[4]) {
            repo = parts[3]
        } else if parts.count == 4, parts[0] == "refs", parts[1] == "heads", parts[2] == "join", Names.isValid(parts[3]) {
            repo = parts[3]
        } else {
            return "pushing \(ref) is refused: a realm holds main, its notes, sync/<repo>/<stamp> and join/<repo> proposals, and sessions (refs/realm/sessions/<repo>/<user>)"
        }
        let info = try repository.commit(new)
        let onMain = try info.parents.count == 1 && main.map { main in
            try info.parents[0] == main || repository.isAncestor(info.parents[0], of: main)
        } ?? false
        guard onMain else {
            return "\(ref) is refused: a proposal is one commit on the realm's main"
        }
        guard HistoryVerifier(repository: repository).accepts(new, writtenFor: repo, policies: &policies) else {
            return "\(ref) is refused: its commit \(new.hex.prefix(12)) is not a change that \(repo)'s maintainers may propose"
        }
        if parts[2] == "sync", let mismatch = try Proposals.branchMismatch(repository: repository, commit: new, repo: repo, stamp: parts[4]) {
            return "\(ref) is refused: its commit \(new.hex.prefix(12)) \(mismatch)"
        }
        return nil
    }
}
