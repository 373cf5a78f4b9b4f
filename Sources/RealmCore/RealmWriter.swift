#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmModel

/// One change to the realm: files to write or delete. Built from the realm as it is at the
/// tip being written on, so a retry after a concurrent write re-applies it to the new tip.
public struct RealmChange: Sendable {
    public var files: [String: TreeChange] = [:]
    public var message: String

    public init(message: String) { self.message = message }

    public mutating func write<T: RealmDocument>(_ path: String, _ document: T) {
        files[path] = .blob(RealmFiles.encodeBytes(document))
    }

    public mutating func delete(_ path: String) { files[path] = .delete }

    public var isEmpty: Bool { files.isEmpty }
}

/// Writes the realm: every write is one commit on top of the fetched tip, pushed with
/// compare-and-swap (`--force-with-lease` on the tip it was built on). When someone else wrote
/// first the push is rejected: fetch, re-apply the change to the new tip, push again.
public struct RealmWriter {
    public let repository: Repository
    public let realm: String
    public let url: String
    public var maxAttempts = 8

    public init(repository: Repository, realm: String, url: String) {
        self.repository = repository
        self.realm = realm
        self.url = url
    }

    /// Runs `build` against the freshly fetched realm (nil when the realm has no main yet) and
    /// lands its change. Returns the new realm commit, or nil when there was nothing to change.
    /// `build` may throw to refuse; nothing is written then.
    @discardableResult
    public func commit(fetch: Bool = true, _ build: (RealmSnapshot?) throws -> RealmChange?) throws -> OID? {
        var attempt = 0
        while true {
            attempt += 1
            if fetch || attempt > 1 {
                try RealmRemote.fetch(into: repository, realm: realm, url: url)
            }
            let tip = try repository.resolve(ref: RefLayout.fetchedMain(realm: realm))
            let snapshot = tip.map { RealmSnapshot(source: GitRealmSource(repository: repository, commit: $0)) }
            guard let change = try build(snapshot), !change.isEmpty else { return nil }
            let tree = try repository.buildTree(base: tip, changes: change.files)
            if let tip, try repository.commit(tip).tree == tree { return nil }
            let commit = try repository.createCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: change.message)
            do {
                try GitRemote.push(repoDir: repository.workdir ?? repository.gitDir, url: url,
                                   refspecs: ["\(commit.hex):\(RefLayout.realmMainBranch)"],
                                   atomic: true, leases: [(ref: RefLayout.realmMainBranch, expected: tip)])
            } catch {
                // A push that lost a race is not always reported as a rejection (a ref-lock race
                // on the remote reads "failed to push some refs"); the realm having moved is the
                // authoritative sign.
                let moved = error.isRejected || (!error.timedOut && (try? realmMoved(from: tip)) == true)
                guard moved else {
                    throw RealmError(.network, "cannot push to realm '\(realm)' at \(url): \(firstLine(error.stderr))")
                }
                guard attempt < maxAttempts else {
                    throw RealmError(.conflict, "realm '\(realm)' kept changing while writing; gave up after \(attempt) attempts",
                                     hint: "run the command again")
                }
                backoff(attempt)
                continue
            }
            try repository.setRef(RefLayout.fetchedMain(realm: realm), to: commit, message: "git-realm: wrote realm")
            return commit
        }
    }

    /// Whether the realm's main is no longer `tip` (someone else wrote).
    private func realmMoved(from tip: OID?) throws -> Bool {
        let refs = try GitRemote.lsRemote(url: url, patterns: [RefLayout.realmMainBranch], timeout: 60)
        return refs.first { $0.name == RefLayout.realmMainBranch }?.oid != tip
    }

    private func backoff(_ attempt: Int) {
        let base = 20_000 * (1 << min(attempt, 6))   // microseconds
        usleep(UInt32(base + Int.random(in: 0..<base)))
    }
}
