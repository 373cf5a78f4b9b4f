import RealmGit
import RealmSupport

/// A hook manager that runs git-realm's pre-push check itself and describes the push in
/// environment variables instead of git's standard input (`git realm hook pre-push --from-env`).
public enum HookFramework: String, Sendable, CaseIterable {
    /// pre-commit (pre-commit.com): reads git's lines itself and runs each hook with
    /// `PRE_COMMIT_FROM_REF` (what the remote has: its old value of the ref, or the parent of
    /// the first commit it lacks), `PRE_COMMIT_TO_REF` (the pushed commit),
    /// `PRE_COMMIT_LOCAL_BRANCH`, `PRE_COMMIT_REMOTE_BRANCH`, `PRE_COMMIT_REMOTE_NAME` and
    /// `PRE_COMMIT_REMOTE_URL`. It describes the first pushed ref that is not a deletion; when
    /// the push starts at a root commit it sets no from/to refs (every file counts as changed).
    case preCommit = "pre-commit"
}

extension PrePush {
    /// The push as `framework` describes it: the remote's name and one ref update.
    static func fromEnvironment(_ framework: HookFramework, repository: Repository) throws -> (remote: String, updates: [RefUpdate]) {
        switch framework {
        case .preCommit:
            let remote = envString("PRE_COMMIT_REMOTE_NAME") ?? ""
            let localBranch = envString("PRE_COMMIT_LOCAL_BRANCH").flatMap { $0.isEmpty ? nil : $0 }
            let remoteBranch = envString("PRE_COMMIT_REMOTE_BRANCH").flatMap { $0.isEmpty ? nil : $0 }
            func commit(_ variable: String, _ spec: String) throws -> OID {
                guard let oid = try? repository.revparse(spec), (try? repository.commit(oid)) != nil else {
                    throw RealmError(.usage, "\(variable)=\(quoted(Substring(spec))): no such commit in this repository")
                }
                return oid
            }
            if let to = envString("PRE_COMMIT_TO_REF"), !to.isEmpty, let from = envString("PRE_COMMIT_FROM_REF"), !from.isEmpty {
                let update = RefUpdate(localRef: localBranch ?? to, localSha: try commit("PRE_COMMIT_TO_REF", to),
                                       remoteRef: remoteBranch ?? "(unknown)", remoteSha: try commit("PRE_COMMIT_FROM_REF", from))
                return (remote, [update])
            }
            if let localBranch {
                // The whole history is pushed (from a root commit): nothing is on the remote yet.
                let update = RefUpdate(localRef: localBranch, localSha: try commit("PRE_COMMIT_LOCAL_BRANCH", localBranch),
                                       remoteRef: remoteBranch ?? "(unknown)", remoteSha: OID.zero)
                return (remote, [update])
            }
            throw RealmError(.usage, "pre-commit did not say what is pushed: PRE_COMMIT_TO_REF and PRE_COMMIT_LOCAL_BRANCH are not set",
                             hint: "--from-env pre-commit is for pre-commit's pre-push stage (the 'git-realm-pre-push' hook of .pre-commit-hooks.yaml); git's own pre-push hook runs 'git realm hook pre-push' without it")
        }
    }
}
