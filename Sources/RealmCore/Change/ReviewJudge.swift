import RealmForge
import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// Whether a git-native review counts, as the realm proves it (docs/pr.md "Trust"). The forge
/// found the metadata commit that added the review (and refused an author's own approval, or
/// one by someone not requested); here: that commit must be written under the reviewer's email;
/// signed, by a key some `repos/<repo>.yaml` registers for that email; unsigned, only where the
/// realm does not require signed commits (realm.yaml, as history verification reads it). With
/// no reviewer requested, an approval counts only from a maintainer of the PR's repo.
struct ReviewJudge {
    let requireSigned: Bool
    /// Registered keys by principal (email), over every repo file of the realm.
    let keys: [String: [SigningKey]]
    /// Maintainers of each repo, by realm repo name.
    let maintainers: [String: [String]]
    let verifier: HistoryVerifier

    init(snapshot: RealmSnapshot, repository: Repository) throws {
        let policy = try RealmPolicy(snapshot: snapshot)
        requireSigned = policy.requireSignedCommits
        var keys: [String: [SigningKey]] = [:]
        var maintainers: [String: [String]] = [:]
        for (name, entry) in policy.repos {
            maintainers[name] = entry.maintainers
            for key in entry.keys where !(keys[key.principal] ?? []).contains(key) { keys[key.principal, default: []].append(key) }
        }
        self.keys = keys
        self.maintainers = maintainers
        verifier = HistoryVerifier(repository: repository)
    }

    func judge(_ evidence: ReviewEvidence) -> ReviewProof {
        let user = evidence.review.user
        guard evidence.commitAuthor == user else {
            return .unproven("its metadata commit was written by \(evidence.commitAuthor), not \(user)")
        }
        if evidence.review.state == .approved, evidence.requestedReviewers.isEmpty, !(maintainers[evidence.repo] ?? []).contains(user) {
            return .unproven("no reviewer was requested, and \(user) maintains no \(evidence.repo) in the realm")
        }
        guard let signature = evidence.signature else {
            return requireSigned ? .unproven("its metadata commit is not signed, and the realm requires signed commits") : .unsigned
        }
        let candidates = Array((keys[user] ?? []).prefix(Limits.signatureKeysPerCommit))
        let ok = (try? verifier.signed((signature, evidence.payload), user, by: candidates)) ?? false
        return ok ? .signed : .unproven("its metadata commit is signed by no key the realm registers for \(user)")
    }
}
