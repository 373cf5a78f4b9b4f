import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// A member's fetch moves its usable realm (`refs/realm/<realm>/main`) only to commits that pass
/// the history verifier, and remembers how far it verified (`refs/realm/<realm>/verified`).
/// A fetched main that no longer contains the verified tip (rolled back, force-pushed) or that
/// holds a commit the verifier refuses is not used: the usable realm stays where it was.
public enum VerifiedRealm {
    public enum Outcome: Sendable, Equatable {
        /// The realm has no main yet.
        case empty
        /// Nothing new since the last verification.
        case unchanged(OID)
        /// `count` new commits verified; main moved to the tip.
        case advanced(OID, count: Int)
    }

    /// Verifies what the last fetch brought (`refs/realm/<realm>/incoming`) and moves main and
    /// the verified ref to it. Throws a `.refused` RealmError naming the commit, the path and the
    /// rule (or the rollback), leaving main and the verified ref as they were.
    @discardableResult
    public static func accept(repository: Repository, realm: String, limit: Int = Limits.verifiedCommitsPerFetch) throws -> Outcome {
        guard let incoming = try repository.resolve(ref: RefLayout.fetchedIncoming(realm: realm)) else { return .empty }
        let verified = try repository.resolve(ref: RefLayout.verified(realm: realm))
        let main = try repository.resolve(ref: RefLayout.fetchedMain(realm: realm))
        if let verified, incoming != verified, !(try repository.isAncestor(verified, of: incoming)) {
            throw RealmError(.refused, "realm '\(realm)': its main (\(incoming.hex.prefix(12))) no longer contains \(verified.hex.prefix(12)), the last commit verified here: it was rewound or force-pushed; the realm stays at \(verified.hex.prefix(12))",
                             hint: "ask the realm's approvers what happened; until main contains \(verified.hex.prefix(12)) again, nothing newer is used")
        }
        // A clone that fetched the realm before verification existed has a main but no verified
        // commit: the history it already used must still be there.
        if verified == nil, let main, main != incoming, !(try repository.isAncestor(main, of: incoming)) {
            throw RealmError(.refused, "realm '\(realm)': its main (\(incoming.hex.prefix(12))) no longer contains \(main.hex.prefix(12)), the commit this repository used last; the realm stays there",
                             hint: "ask the realm's approvers what happened")
        }
        var count = 0
        var usable = incoming
        if incoming != verified {
            do {
                var verifier = HistoryVerifier(repository: repository)
                verifier.limit = limit
                let progress = try verifier.verify(from: verified, to: incoming)
                count = progress.count
                // A history longer than one run verifies: the usable realm moves as far as it
                // verified, and the next fetch goes on from there.
                if progress.partial, let last = progress.last { usable = last }
            } catch let violation as TrustViolation {
                let kept = (verified ?? main).map { "; the realm stays at \($0.hex.prefix(12))" } ?? ""
                throw RealmError(.refused, "realm '\(realm)': \(violation)\(kept)",
                                 hint: "nothing after that commit is used; the realm's approvers must revert it (docs/trust.md)")
            }
            try repository.setRef(RefLayout.verified(realm: realm), to: usable, message: "git-realm: verified")
        }
        if main != usable {
            try repository.setRef(RefLayout.fetchedMain(realm: realm), to: usable, message: "git-realm: verified fetch")
        }
        return count == 0 ? .unchanged(usable) : .advanced(usable, count: count)
    }
}
