import RealmGit
import RealmModel
import RealmLimits
import RealmSupport

/// A realm branch `sync/<repo>/<stamp>`: a change that waits for approval (a breaking change
/// under `breaking_changes.require_approval`), as last fetched here.
public struct PendingSyncBranch: Sendable {
    public var repo: String
    public var stamp: String
    public var commit: OID
    /// The branch in the realm: `refs/heads/sync/<repo>/<stamp>`.
    public var realmRef: String { RefLayout.realmSyncBranch(repo: repo, stamp: stamp) }

    /// The fetched sync branches that the realm's main (as fetched) does not contain: the ones
    /// still pending. A branch merged into main stays until someone deletes it, but it waits for
    /// nothing. Sorted by repo, then stamp (oldest first).
    public static func pending(in repository: Repository, realm: String, main: OID?) throws -> [PendingSyncBranch] {
        var result: [PendingSyncBranch] = []
        // The newest proposals first, at most Limits.pendingSyncBranches of them: a realm writer
        // can push any number of branches, and each costs an ancestry walk.
        let refs = try repository.references(glob: RefLayout.fetchedSyncBranches(realm: realm))
            .filter { RefLayout.isFetchedSyncBranch($0.name, realm: realm) }
            .sorted { $0.name.split(separator: "/").last ?? "" > $1.name.split(separator: "/").last ?? "" }
        // A proposal counts only as one commit on the realm's history, written for the repo its
        // name says and passing the verifier (docs/trust.md): the branches are not judged when
        // pushed, so anyone could otherwise propose in another repo's name.
        let verifier = HistoryVerifier(repository: repository)
        var policies: [String: RealmPolicy] = [:]
        for (name, oid) in refs.prefix(Limits.pendingSyncBranches) {
            guard let (repo, stamp) = RefLayout.parseFetchedSyncBranch(name, realm: realm), Names.isValid(repo) else { continue }
            if let main, try repository.isAncestor(oid, of: main) { continue }
            guard let parent = try? repository.commit(oid).parents.first,
                  main.map({ (try? repository.isAncestor(parent, of: $0)) ?? false || parent == $0 }) ?? false,
                  verifier.accepts(oid, writtenFor: repo, policies: &policies),
                  (try? Proposals.branchMismatch(repository: repository, commit: oid, repo: repo, stamp: stamp,
                                                 allowingNoRecord: true)) == .some(nil)
            else { continue }
            result.append(PendingSyncBranch(repo: repo, stamp: stamp, commit: oid))
        }
        return result.sorted { ($0.repo, $0.stamp) < ($1.repo, $1.stamp) }
    }
}
