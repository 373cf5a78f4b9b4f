import Testing
import RealmGit
@testable import RealmCore

/// A fetch verifies at most so many new realm commits; the usable realm moves as far as it
/// verified, the next fetch goes on from there, and a refused commit stops it wherever it is.
@Suite struct VerifiedRealmTests {
    /// A realm (unsigned, collaborative) in which core@example.com maintains repo `a`, with
    /// `count` more commits by that maintainer changing a's binding-free registration, and one
    /// by an outsider at `forgedAt` (1-based) when given.
    static func realm(_ repos: CoreRepos, count: Int, forgedAt: Int? = nil) throws -> (Repository, [String]) {
        let repo = try repos.makeRepo("realm", files: [
            "realm.yaml": "name: r\nversion: \"1.0.0\"\ncreated_at: now\ngovernance:\n  admission: open\n",
            "repos/a.yaml": "name: a\nmaintainers: [core@example.com]\njoined_at: now\n",
        ])
        var commits: [String] = []
        for i in 1...count {
            try repos.write("realm/repos/a.yaml", "name: a\nmaintainers: [core@example.com]\njoined_at: now\n# \(i)\n")
            try repos.git(["add", "--all"], in: "realm")
            let outsider = i == forgedAt ? ["GIT_AUTHOR_EMAIL": "mallory@example.com", "GIT_COMMITTER_EMAIL": "mallory@example.com"] : [:]
            try repos.git(["commit", "--quiet", "-m", "change \(i)"], in: "realm", environment: outsider)
            commits.append(try repos.git(["rev-parse", "HEAD"], in: "realm"))
        }
        try repos.git(["update-ref", RefLayout.fetchedIncoming(realm: "r"), "HEAD"], in: "realm")
        return (repo, commits)
    }

    @Test func longHistoriesAreVerifiedAcrossFetches() throws {
        let repos = CoreRepos()
        let (repository, commits) = try Self.realm(repos, count: 7)
        let main = RefLayout.fetchedMain(realm: "r"), verified = RefLayout.verified(realm: "r")
        // From scratch: the root and the first two changes (3 commits), then 3 more, then the last one.
        #expect(try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3)
                == .advanced(try #require(OID(hex: commits[1])), count: 3))
        #expect(try repository.resolve(ref: main)?.hex == commits[1] && repository.resolve(ref: verified)?.hex == commits[1])
        #expect(try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3)
                == .advanced(try #require(OID(hex: commits[4])), count: 3))
        #expect(try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3)
                == .advanced(try #require(OID(hex: commits[6])), count: 2))
        #expect(try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3) == .unchanged(try #require(OID(hex: commits[6]))))
    }

    @Test func aRefusedCommitStopsThePartialVerificationWhereItIs() throws {
        let repos = CoreRepos()
        let (repository, commits) = try Self.realm(repos, count: 6, forgedAt: 5)
        let main = RefLayout.fetchedMain(realm: "r")
        #expect(try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3)
                == .advanced(try #require(OID(hex: commits[1])), count: 3))
        // The second run meets mallory's commit among its three: refused, and the usable realm
        // stays at the last verified commit (nothing of that run is used).
        let error = realmError { _ = try VerifiedRealm.accept(repository: repository, realm: "r", limit: 3) }
        #expect(error?.message.contains("realm commit \(commits[4].prefix(12)) by mallory@example.com") == true, "\(String(describing: error))")
        #expect(try repository.resolve(ref: main)?.hex == commits[1])
        #expect(try repository.resolve(ref: RefLayout.verified(realm: "r"))?.hex == commits[1])
        // And every later fetch says so again: the forged commit is never passed.
        #expect(realmError { _ = try VerifiedRealm.accept(repository: repository, realm: "r", limit: 100) } != nil)
        #expect(try repository.resolve(ref: main)?.hex == commits[1])
    }
}
