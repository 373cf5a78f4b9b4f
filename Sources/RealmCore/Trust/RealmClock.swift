#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmModel

/// Time as realm history tells it: a commit's time is the latest committer date on its
/// first-parent history, its own included. Dating a commit in the past moves the clock back for
/// nobody; a grace period counts in this clock from the commit that recorded the proposal to
/// the one that lands it (docs/trust.md "Time"). Memoised: one walk of the history per verifier.
final class RealmClock: @unchecked Sendable {
    /// 9999-12-31T23:59:59Z: the latest date git-realm accepts on a realm commit.
    static let latestDate: Int64 = 253_402_300_799

    /// This machine's clock (the real one: tests' GIT_REALM_NOW fakes only what is displayed).
    static func now() -> Int64 { Int64(Glibc.time(nil)) }

    let repository: Repository
    private var memo: [OID: Int64] = [:]

    init(repository: Repository) { self.repository = repository }

    func time(of commit: OID) throws -> Int64 {
        if let known = memo[commit] { return known }
        var chain: [(OID, Int64)] = []
        var current: OID? = commit
        var base: Int64 = 0
        while let oid = current {
            if let known = memo[oid] { base = known; break }
            let info = try repository.commit(oid)
            chain.append((oid, min(max(info.time, 0), Self.latestDate)))
            current = info.parents.first
        }
        var latest = base
        for (oid, date) in chain.reversed() {
            latest = max(latest, date)
            memo[oid] = latest
        }
        return memo[commit] ?? latest
    }

    /// When `proposal`'s record took its present content, on the history of `tip`: the realm's
    /// clock at the commit that wrote it (nil when it is not there).
    func recordTime(of proposal: Proposal, before tip: OID) throws -> Int64? {
        let path = Proposal.path(repo: proposal.repo, stamp: proposal.stamp)
        guard let wrote = try repository.firstParentPathChanges(path, from: tip, stoppingAt: nil).first, wrote.blob != nil else {
            return nil
        }
        return try time(of: wrote.commit)
    }
}
