#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// A repository that has joined a realm, seen from a command run inside it.
public final class Participant: @unchecked Sendable {
    public let repository: Repository
    public let membership: Membership

    /// Whether commands read and write the cache (docs/cache.md); `--no-cache` clears it.
    public var usesCache = true
    /// The cache under git's own directory; nil with `--no-cache` or `realm.cache=false`.
    public var cache: RealmCache? { usesCache && cacheConfigured ? RealmCache(repository: repository) : nil }
    private lazy var cacheConfigured: Bool = (try? repository.configBool(ConfigKey.cache)) != false

    public init(repository: Repository, membership: Membership) {
        self.repository = repository
        self.membership = membership
    }

    /// Finds the repository around `directory` and its membership in `realm` (default: the
    /// global `--realm`, else the first realm of its `.gitrealm`).
    public static func current(from directory: String = currentDirectory(),
                               realm: String? = RealmSelection.name) throws -> Participant {
        let repository = try Trace.region("repository opened") { try openRepository(from: directory) }
        guard let membership = try Membership.load(in: repository, realm: realm) else {
            throw notJoined
        }
        return Participant(repository: repository, membership: membership)
    }

    /// The realm named by `--realm` alone, else every realm the repository is in (first first):
    /// for the commands that show each realm (`status`).
    public static func selected(from directory: String = currentDirectory()) throws -> [Participant] {
        if RealmSelection.name != nil { return [try current(from: directory)] }
        let repository = try Trace.region("repository opened") { try openRepository(from: directory) }
        let all = try Membership.loadAll(in: repository)
        if all.isEmpty { throw notJoined }
        return all.map { Participant(repository: repository, membership: $0) }
    }

    private static var notJoined: RealmError {
        RealmError(.notInRealm, "this repository has not joined a realm (no \(Membership.fileName))",
                   hint: "run 'git realm admin join <realm-url>' first")
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

    private var fetchedAtKey: String { ConfigKey.fetchedAt(realm: realm) }

    /// Fetches the realm's main, notes and sync branches into `refs/realm/<realm>/`, under the
    /// configured timeouts (`NetworkPolicy`), each at most `timeout` seconds when one is given.
    public func fetch(timeout: Double? = nil) throws {
        var policy = try RealmRemote.policy(for: repository)
        if let timeout { policy = policy.limited(to: timeout) }
        try RealmRemote.fetch(into: repository, realm: realm, url: membership.url, policy: policy)
        try repository.setConfig(fetchedAtKey, String(Timestamp.nowSeconds()))
    }

    /// Fetches; when the fetch fails in a way `fallBack` accepts (the default: it timed out) and
    /// the realm was fetched here before, the last fetched state stands in and the returned
    /// warning says so and how old it is. nil when the fetch worked. Other failures throw.
    public func fetchOrFallBack(timeout: Double? = nil,
                                when fallBack: (RealmError) -> Bool = { $0.timedOut }) throws -> String? {
        do {
            try fetch(timeout: timeout)
            return nil
        } catch let error as RealmError where fallBack(error) {
            guard try fetchedTip() != nil else { throw error }
            return "\(error.message); using the state fetched \(try lastFetched().map { Timestamp.age($0) } ?? "at an unknown time")"
        }
    }

    /// A writer that commits realm changes from this repository's object store. Its push also
    /// carries this user's session as `session` says (nil: none) and prunes idle sessions
    /// (docs/awareness.md).
    public func writer(session: Sessions.Mode? = .refresh) -> RealmWriter {
        var writer = RealmWriter(repository: repository, realm: realm, url: membership.url)
        if let session { writer.alongside = { try Sessions.updates(self, mode: session) } }
        return writer
    }
}

/// The realm a command acts on in a repository that is in more than one: the global option
/// `--realm NAME`, set once by the command line before the command runs (nil: the first realm
/// of `.gitrealm`). Hooks ignore it: they check every realm.
public enum RealmSelection {
    nonisolated(unsafe) public static var name: String?
}

/// Fetching a realm: the one place that knows the refspecs.
public enum RealmRemote {
    /// The timeouts and ssh settings of `repository`'s git config; a malformed timeout is a
    /// usage error naming the key.
    public static func policy(for repository: Repository) throws -> NetworkPolicy {
        let (policy, problems) = NetworkPolicy.read(from: repository)
        if let problem = problems.first {
            throw RealmError(.usage, problem, hint: "fix it with 'git config' (docs/security.md, \"Network\")")
        }
        return policy
    }

    /// Fetches the realm's refs. A fetch that finds a fetched ref locked or moved by another
    /// git-realm in this clone (three `sync`s at once, say) waits and tries again (bounded,
    /// `Limits.fetchLockAttempts`); still locked, that is what it says (exit 6), not that the
    /// realm is unreachable.
    public static func fetch(into repository: Repository, realm: String, url: String,
                             policy: NetworkPolicy? = nil) throws {
        let policy = try policy ?? Self.policy(for: repository)
        var attempt = 0
        while true {
            attempt += 1
            removeStaleLocks(under: repository.commonDir + "/" + RefLayout.fetchedPrefix(realm: realm))
            do {
                try GitRemote.fetch(repoDir: repository.workdir ?? repository.gitDir, url: url,
                                    refspecs: RefLayout.fetchRefspecs(realm: realm), prune: true, policy: policy)
            } catch where !error.timedOut && error.isLocalRefLock {
                guard attempt < Limits.fetchLockAttempts else {
                    throw RealmError(.conflict, "cannot update the fetched realm '\(realm)' in this repository: "
                                     + "another command holds its refs (\(error.reason)); gave up after \(attempt) attempts",
                                     hint: "run the command again when the other git-realm command is done")
                }
                lockBackoff(attempt)
                continue
            } catch {
                throw unreachable(realm: realm, url: url, error, verb: "fetch", preposition: "from")
            }
            // What was fetched is used only once its history verifies (docs/trust.md).
            do {
                try Trace.region("realm history verified") { try VerifiedRealm.accept(repository: repository, realm: realm) }
                return
            } catch let error as GitError where error.isLocked && attempt < Limits.fetchLockAttempts {
                lockBackoff(attempt)
            }
        }
    }

    /// The error of a fetch or push that failed on the way to the realm (exit 4): one line
    /// naming the realm and its URL (`GitRemote.displayURL`), and git's reason or the timeout.
    static func unreachable(realm: String?, url: String, _ error: GitRemote.Failure, verb: String,
                            preposition: String) -> RealmError {
        let what = realm.map { "realm '\($0)'" } ?? "realm"
        var result = RealmError(.network, "cannot \(verb) \(what) \(preposition) \(GitRemote.displayURL(url)): \(error.reason)",
                                hint: error.timedOut
                                    ? "the realm did not answer in time; raise realm.inactivityTimeout or realm.timeout (git config) if it is just slow"
                                    : "check the URL in \(Membership.fileName) and your access to it (git-realm's git never prompts: use a credential helper or an ssh agent)")
        result.timedOut = error.timedOut
        return result
    }

    /// Waits before the next attempt at a locked ref: doubling from
    /// `Limits.fetchLockBackoffMilliseconds`, with up to as much again of jitter.
    static func lockBackoff(_ attempt: Int) {
        let base = Limits.fetchLockBackoffMilliseconds * 1000 * (1 << min(attempt - 1, 5))
        usleep(UInt32(base + Int.random(in: 0..<base)))
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
    public static func probe(url: String, policy: NetworkPolicy) throws -> (empty: Bool, main: OID?) {
        do {
            let refs = try GitRemote.lsRemote(url: url, policy: policy)
            return (refs.isEmpty, refs.first { $0.name == RefLayout.realmMainBranch }?.oid)
        } catch {
            throw unreachable(realm: nil, url: url, error, verb: "reach", preposition: "at")
        }
    }
}

/// The line of git's standard error that says what failed, without credentials in URLs.
func firstLine(_ text: String) -> String {
    let lines = GitURL.redactingURLs(in: text).split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    return lines.first(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") })
        ?? lines.first ?? "(no message)"
}
