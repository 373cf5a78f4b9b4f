import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// Who may write and delete a session ref `refs/realm/sessions/<repo>/<user>` (docs/trust.md,
/// "Sessions"). One rule, applied by the pre-receive hook to a push and by every member to what
/// it fetched (an invalid session is ignored, never shown):
/// - the ref's commit is at most `Limits.sessionBytes`, has no parent and git's empty tree, and
///   its message is a valid `SessionRecord` naming exactly `<repo>` and `<user>`;
/// - `<user>` is the id of the commit's author email, and that email speaks for `<repo>` in the
///   realm's main: a signature by a key `repos/<repo>.yaml` registers for that email, or,
///   unsigned where realm.yaml does not require signed commits, the email among its maintainers;
/// - its last activity is its commit's date, not ahead of the judging clock;
/// - deleting a session: only once it is stopped or idle past its own TTL (the server cannot
///   tell who deletes a ref, so this is what holds for everyone, its owner included; the
///   owner ends a session by replacing it with a stopped record).
public struct SessionRule {
    public let repository: Repository
    /// The realm's main the writer is judged by (as it will be after the push, for the hook).
    public let main: OID?
    public var now: Int64

    public init(repository: Repository, main: OID?, now: Int64 = Timestamp.nowSeconds()) {
        self.repository = repository
        self.main = main
        self.now = now
    }

    /// The record of a valid session commit for `repo`/`user`; throws why it is not one.
    public func judge(_ commit: OID, repo: String, user: String) throws(SessionProblem) -> SessionRecord {
        guard let size = try? repository.objectSize(commit) else { throw SessionProblem("cannot be read") }
        guard size <= Limits.sessionBytes else { throw SessionProblem("is \(size) bytes, more than \(Limits.sessionBytes)") }
        guard let info = try? repository.commit(commit) else { throw SessionProblem("is not a commit") }
        guard info.parents.isEmpty, info.tree == Repository.emptyTree else {
            throw SessionProblem("is not a parentless commit of the empty tree (a session keeps no history)")
        }
        let record = try SessionRecord.decode(message: info.message)
        guard record.repo == repo, record.user == user else { throw SessionProblem("names \(record.repo)/\(record.user), not its ref") }
        guard record.email == info.authorEmail else { throw SessionProblem("is not authored by the email it names") }
        // The commit's date is hostile: within the years 1970-9999 before any arithmetic on it.
        guard info.time >= 0, info.time <= RealmClock.latestDate,
              abs(info.time - record.lastActivity) <= 120 else { throw SessionProblem("is not dated at its last activity") }
        guard record.lastActivity <= now + Limits.clockSkewSeconds else { throw SessionProblem("is dated in the future of this clock") }
        guard let main else { throw SessionProblem("belongs to a realm with no main") }
        let snapshot = RealmSnapshot(source: GitRealmSource(repository: repository, commit: main))
        guard let entry = (try? snapshot.repo(repo)) ?? nil else { throw SessionProblem("names \(repo), which is not registered in the realm") }
        let requireSigned = (try? snapshot.config())?.trust.requireSignedCommits ?? true
        if let signature = try? repository.commitSignature(commit) {
            let keys = entry.keys.filter { $0.principal == record.email }.prefix(Limits.signatureKeysPerCommit)
            let verifier = HistoryVerifier(repository: repository)
            guard !keys.isEmpty, (try? verifier.signed(signature, record.email, by: Array(keys))) == true else {
                throw SessionProblem("is not signed by a key repos/\(repo).yaml registers for \(record.email)")
            }
        } else {
            guard !requireSigned else { throw SessionProblem("is not signed, and realm.yaml requires signed commits") }
            guard entry.vouches(for: record.email) else { throw SessionProblem("is written by \(record.email), not a maintainer of \(repo)") }
        }
        return record
    }

    /// Why deleting the session `old` is refused at `now`; nil: anyone may delete it (stopped,
    /// idle past its TTL, or not a session at all).
    public func deletionRefusal(_ old: OID, repo: String, user: String) -> String? {
        guard let record = try? judge(old, repo: repo, user: user) else { return nil }
        guard !record.isPrunable(at: now) else { return nil }
        return "the session is active (last activity \(Timestamp.format(record.lastActivity)), TTL \(record.ttl) s): its owner ends it with 'git realm session stop'; anyone may delete it once idle past its TTL"
    }
}
