import RealmGit
import RealmModel
import RealmSupport

/// `git realm admin admit REPO`: an approver lands a pending join (`join/<repo>` in the realm,
/// written by `admin join` where admission is `approval` or `invite-only`) on main, as the
/// approver's own (signed) commit, and removes the proposal. Only the proposal's
/// `repos/<repo>.yaml` is taken; nothing else on the branch.
public struct AdmitRepo {
    public var repo: String

    public init(repo: String) { self.repo = repo }

    public struct Result: Sendable {
        public var entry: RepoEntry
        public var commit: OID?
    }

    public func run(in participant: Participant) throws -> Result {
        if let problem = Names.problem(with: repo) { throw RealmError(.usage, "repo name '\(repo)' \(problem)") }
        let repository = participant.repository
        let url = participant.membership.url
        let branch = RefLayout.realmJoinBranch(repo: repo)
        let local = RefLayout.fetchedJoinBranch(realm: participant.realm, repo: repo)
        let policy = try RealmRemote.policy(for: repository)
        let tip: OID
        do {
            guard let found = try GitRemote.lsRemote(url: url, patterns: [branch], policy: policy).first(where: { $0.name == branch })?.oid else {
                throw RealmError(.usage, "realm '\(participant.realm)' has no pending join of '\(repo)' (no branch \(branch.dropFirst(11)))")
            }
            tip = found
            try GitRemote.fetch(repoDir: repository.workdir ?? repository.gitDir, url: url, refspecs: ["+\(branch):\(local)"], policy: policy)
        } catch let error as GitRemote.Failure {
            throw RealmRemote.unreachable(realm: participant.realm, url: url, error, verb: "fetch", preposition: "from")
        }
        defer { try? repository.deleteRef(local, expected: nil) }
        let path = RepoEntry.path(repo)
        guard let bytes = try repository.blob(at: path, in: tip) else {
            throw RealmError(.usage, "the join proposal of '\(repo)' has no \(path)")
        }
        let entry = try RealmFiles.decode(RepoEntry.self, bytes: bytes, path: path).value
        guard entry.name == repo else {
            throw RealmError(.usage, "\(path) in the join proposal names '\(entry.name)', not '\(repo)'")
        }
        let commit = try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            if try realm.repo(repo) != nil { return nil }
            var change = RealmChange(message: "Admit \(repo)")
            change.write(path, entry)
            return change
        }
        // The proposal has done its job; a failure to delete it leaves a stale branch, no harm.
        _ = try? GitRemote.push(repoDir: repository.workdir ?? repository.gitDir, url: url, refspecs: [":\(branch)"],
                                atomic: false, leases: [(ref: branch, expected: tip)], policy: policy)
        return Result(entry: entry, commit: commit)
    }
}
