#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmModel

/// A repository that has joined a realm, seen from a command run inside it.
public final class Participant: @unchecked Sendable {
    public let repository: Repository
    public let membership: Membership

    public init(repository: Repository, membership: Membership) {
        self.repository = repository
        self.membership = membership
    }

    /// Finds the repository around `directory` and its membership.
    public static func current(from directory: String = currentDirectory()) throws -> Participant {
        let repository = try Trace.region("repository opened") { try openRepository(from: directory) }
        guard let membership = try Membership.load(in: repository) else {
            throw RealmError(.notInRealm, "this repository has not joined a realm (no \(Membership.fileName))",
                             hint: "run 'git realm admin join <realm-url>' first")
        }
        return Participant(repository: repository, membership: membership)
    }

    public static func openRepository(from directory: String = currentDirectory()) throws -> Repository {
        do {
            return try Repository.discover(from: directory)
        } catch {
            throw RealmError(.notInRealm, "not a git repository (or any of the parent directories): \(directory)")
        }
    }

    public var realm: String { membership.realm }
    public var name: String { membership.repo }

    /// The last fetched realm commit, nil when the realm was never fetched here.
    public func fetchedTip() throws -> OID? {
        try repository.resolve(ref: RefLayout.fetchedMain(realm: realm))
    }

    /// The realm at the last fetched commit.
    public func snapshot() throws -> RealmSnapshot {
        guard let tip = try fetchedTip() else {
            throw RealmError(.notInRealm, "realm '\(realm)' has not been fetched into this repository",
                             hint: "run 'git realm status --fetch'")
        }
        return snapshot(at: tip)
    }

    /// The realm at `commit` (a fetched realm commit), read through this repository's
    /// BindingIndex.
    public func snapshot(at commit: OID) -> RealmSnapshot {
        RealmSnapshot(source: GitRealmSource(repository: repository, commit: commit,
                                             indexRef: RefLayout.bindingIndex(realm: realm)))
    }

    /// When the realm was last fetched here (seconds since the epoch).
    public func lastFetched() throws -> Int64? {
        try repository.configString(fetchedAtKey).flatMap { Int64($0) }
    }

    private var fetchedAtKey: String { "realm.\(realm).fetchedAt" }

    /// Fetches the realm's main, notes and sync branches into `refs/realm/<realm>/`.
    public func fetch(timeout: Double? = nil) throws {
        try RealmRemote.fetch(into: repository, realm: realm, url: membership.url, timeout: timeout)
        try repository.setConfig(fetchedAtKey, String(Timestamp.nowSeconds()))
    }

    /// A writer that commits realm changes from this repository's object store.
    public func writer() -> RealmWriter {
        RealmWriter(repository: repository, realm: realm, url: membership.url)
    }
}

/// Fetching a realm: the one place that knows the refspecs.
public enum RealmRemote {
    public static func fetch(into repository: Repository, realm: String, url: String, timeout: Double? = nil) throws {
        removeStaleLocks(under: repository.commonDir + "/" + RefLayout.fetchedPrefix(realm: realm))
        do {
            try GitRemote.fetch(repoDir: repository.workdir ?? repository.gitDir, url: url,
                                refspecs: RefLayout.fetchRefspecs(realm: realm), prune: true, timeout: timeout)
        } catch {
            let reason = error.timedOut ? "timed out after \(Int(timeout ?? 0)) s" : firstLine(error.stderr)
            throw RealmError(.network, "cannot fetch realm '\(realm)' from \(url): \(reason)",
                             hint: "check the URL in \(Membership.fileName) and your access to it")
        }
    }

    /// A git-realm killed (SIGKILL, a crash) while it updated the fetched refs, in `git fetch` or
    /// after its push, leaves the ref's `.lock` file, and git and libgit2 then refuse to update
    /// that ref ever again: every later fetch fails, every later write lands but fails after its
    /// push. These refs are a copy of the realm's that only git-realm writes, and a live update
    /// holds a lock for milliseconds: a lock still there a second after it was made is stale, and
    /// is removed.
    static func removeStaleLocks(under directory: String, olderThan limit: Double = 1) {
        for name in listDirectory(directory) {
            let path = directory + "/" + name
            if isDirectory(path) { removeStaleLocks(under: path, olderThan: limit); continue }
            guard name.hasSuffix(".lock") else { continue }
            for _ in 0..<30 {
                var info = stat(), now = timespec()
                guard stat(path, &info) == 0 else { break }   // gone: it was live
                clock_gettime(CLOCK_REALTIME, &now)
                let age = Double(now.tv_sec - info.st_mtim.tv_sec) + Double(now.tv_nsec - info.st_mtim.tv_nsec) / 1e9
                if age >= limit {
                    removeFile(path)
                    break
                }
                usleep(50_000)
            }
        }
    }

    /// Whether the remote has any refs, and its main branch if it has one.
    public static func probe(url: String, timeout: Double? = 60) throws -> (empty: Bool, main: OID?) {
        do {
            let refs = try GitRemote.lsRemote(url: url, timeout: timeout)
            return (refs.isEmpty, refs.first { $0.name == RefLayout.realmMainBranch }?.oid)
        } catch {
            throw RealmError(.network, "cannot reach realm at \(url): \(firstLine(error.stderr))")
        }
    }
}

/// The line of git's standard error that says what failed, without credentials in URLs.
func firstLine(_ text: String) -> String {
    let lines = GitURL.redactingURLs(in: text).split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
    return lines.first(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }).map(String.init)
        ?? lines.first.map(String.init) ?? "(no message)"
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}

extension String {
    func trimmed() -> String { String(self[...].trimmingCharacters()) }
}
