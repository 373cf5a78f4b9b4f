import Testing
import RealmForge
import RealmGit
import RealmSupport
@testable import RealmCore

/// Git-native reviews count only when proven (docs/pr.md "Trust"), with real git and real
/// ssh-keygen keys. The realm (a directory) registers me's key for fungal (me maintains it) and
/// bob's key for aperture; mallory's key is registered for nobody. me opens PR 1 of fungal
/// (feat/x into main) and requests bob; anyone who can push rewrites refs/realm/pulls/1.
@Suite struct GitNativeReviewTests {
    final class Judge: @unchecked Sendable {
        var judge: ReviewJudge?
    }

    struct World {
        let repos: CoreRepos
        let head: String
        let judge: Judge
        func key(_ who: String) -> String { repos.path("keys/\(who)") }

        /// An adapter in the clone `work` acting as `who` (and the clone's user.email `email`,
        /// default `who`), signing with `key` as git would sign there (nil: unsigned).
        func forge(_ who: String, key: String?, email: String? = nil) throws -> GitNativeForge {
            try repos.git(["config", "user.email", email ?? who], in: "work")
            try repos.git(["config", "gpg.format", "ssh"], in: "work")
            if let key { try repos.git(["config", "user.signingkey", self.key(key)], in: "work") } else {
                _ = try? repos.git(["config", "--unset", "user.signingkey"], in: "work")
            }
            let judge = self.judge
            return GitNativeForge(repo: "fungal", checkout: repos.path("work"), remote: "origin", user: who, policy: .defaults,
                                  dependencyState: { _ in .merged }, reviewJudge: { judge.judge!.judge($0) })
        }

        /// Rewrites pull.json of PR 1 on the remote with plain git: a commit by `author` on the
        /// PR's ref, signed with `key` (nil: unsigned).
        func plant(author: String, key: String?, _ edit: (String) -> String) throws {
            let env = ["GIT_AUTHOR_EMAIL": author, "GIT_COMMITTER_EMAIL": author]
            try repos.git(["init", "--quiet", repos.path("plant")], in: "work")
            try repos.git(["fetch", "--quiet", repos.path("remote.git"), "refs/realm/pulls/1"], in: "plant")
            try repos.git(["checkout", "--quiet", "--detach", "FETCH_HEAD"], in: "plant")
            let json = try repos.git(["show", "HEAD:pull.json"], in: "plant")
            let edited = edit(json)
            #expect(edited != json, "the plant changes pull.json")
            try repos.write("plant/pull.json", edited + "\n")
            var commit = ["commit", "--quiet", "-am", "planted"]
            if let key { commit = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(self.key(key))"] + commit + ["-S"] }
            try repos.git(commit, in: "plant", environment: env)
            try repos.git(["push", "--quiet", repos.path("remote.git"), "HEAD:refs/realm/pulls/1"], in: "plant")
        }

        func onRemote(_ ref: String) throws -> String {
            try repos.git(["--git-dir", repos.path("remote.git"), "rev-parse", ref], in: "work")
        }

        /// The merge is refused and main and release on the remote are where they were.
        func mergeIsRefused(_ forge: GitNativeForge, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let main = try onRemote("main"), release = try onRemote("release")
            do {
                try forge.merge(number: 1, expectedHead: head, method: .fastForward)
                Issue.record("merged, but should not have", sourceLocation: sourceLocation)
            } catch {
                guard case .notMergeable(let why) = error, why.contains(words) else {
                    Issue.record("expected not mergeable saying '\(words)', got \(error)", sourceLocation: sourceLocation)
                    return
                }
            }
            let after = (try onRemote("main"), try onRemote("release"))
            #expect(after.0 == main && after.1 == release, "nothing merged", sourceLocation: sourceLocation)
        }

        /// The proof of the (only) review of the head, as a fresh adapter reads it.
        func proof() throws -> ReviewProof? {
            try forge("me@example.com", key: "me").reviews(number: 1).last { $0.commit == head }?.proof
        }
    }

    static func makeWorld(requireSigned: Bool = true, reviewers: [String] = ["bob@example.com"]) throws -> World {
        let repos = CoreRepos()
        try ProcessRunner.run("mkdir", ["-p", repos.path("keys"), repos.path("realm/repos")])
        var lines: [String: String] = [:]
        for who in ["me", "bob", "mallory"] {
            let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", who, "-f", repos.path("keys/\(who)")])
            try #require(made.status == 0, "ssh-keygen: \(made.stderrText)")
            lines[who] = SSHSigner.publicKeyLine(String(decoding: try readFile(repos.path("keys/\(who).pub"), limit: 4096), as: UTF8.self))
        }
        try repos.write("realm/realm.yaml", """
            name: letemcook
            version: "1.0.0"
            created_at: 2026-01-24T10:00:00Z
            trust:
              require_signed_commits: \(requireSigned)

            """)
        for (repo, who) in [("fungal", "me"), ("aperture", "bob")] {
            try repos.write("realm/repos/\(repo).yaml", """
                name: \(repo)
                maintainers: [\(who)@example.com]
                keys:
                  - principal: \(who)@example.com
                    key: \(lines[who]!)
                joined_at: 2026-01-24T10:00:00Z

                """)
        }
        let work = try repos.makeRepo("work", files: ["README.md": "v1\n"])
        try repos.git(["init", "--quiet", "--bare", repos.path("remote.git")], in: "work")
        try repos.git(["remote", "add", "origin", repos.path("remote.git")], in: "work")
        try repos.git(["push", "--quiet", "origin", "main", "main:release"], in: "work")
        try repos.git(["checkout", "--quiet", "-b", "feat/x"], in: "work")
        try repos.write("work/README.md", "v2\n")
        try repos.git(["commit", "--quiet", "-am", "v2"], in: "work")
        try repos.git(["push", "--quiet", "origin", "feat/x"], in: "work")
        let judge = Judge()
        judge.judge = try ReviewJudge(snapshot: RealmSnapshot(source: DirectoryRealmSource(root: repos.path("realm"))), repository: work)
        #expect(judge.judge?.requireSigned == requireSigned, "realm.yaml is read")
        let world = World(repos: repos, head: try repos.git(["rev-parse", "HEAD"], in: "work"), judge: judge)
        let author = try world.forge("me@example.com", key: "me")
        _ = try author.createPullRequest(NewPullRequest(title: "v2", body: "", head: "feat/x", base: "main", draft: false))
        try author.requestReviewers(number: 1, reviewers: reviewers)
        return world
    }

    @Test func aForgedUnsignedApprovalDoesNotCountWhereSignaturesAreRequired() throws {
        let w = try Self.makeWorld()
        _ = try w.forge("bob@example.com", key: nil).submitReview(number: 1, state: .approved)
        try w.mergeIsRefused(try w.forge("me@example.com", key: "me"), saying: "not approved")
        guard case .unproven(let why)? = try w.proof() else { Issue.record("counted"); return }
        #expect(why.contains("not signed"))
    }

    @Test func anApprovalSignedByAKeyOfAnotherEmailDoesNotCount() throws {
        let w = try Self.makeWorld()
        _ = try w.forge("bob@example.com", key: "mallory").submitReview(number: 1, state: .approved)
        try w.mergeIsRefused(try w.forge("me@example.com", key: "me"), saying: "not approved")
        guard case .unproven(let why)? = try w.proof() else { Issue.record("counted"); return }
        #expect(why.contains("signed by no key the realm registers for bob@example.com"))
        // Nor one whose commit is written under another email than the review's user.
        _ = try w.forge("bob@example.com", key: "mallory", email: "mallory@example.com").submitReview(number: 1, state: .approved)
        try w.mergeIsRefused(try w.forge("me@example.com", key: "me"), saying: "not approved")
    }

    @Test func theAuthorsOwnApprovalDoesNotCount() throws {
        let w = try Self.makeWorld(reviewers: ["me@example.com", "bob@example.com"])
        // pr review refuses it; written with plain git, signed with the author's registered key.
        #expect(throws: ForgeError.self) { try w.forge("me@example.com", key: "me").submitReview(number: 1, state: .approved) }
        try w.plant(author: "me@example.com", key: "me") {
            $0.replacingOccurrences("\"reviews\": []", with: "\"reviews\": [{\"user\": \"me@example.com\", \"state\": \"approved\", \"commit\": \"\(w.head)\"}]")
        }
        try w.mergeIsRefused(try w.forge("me@example.com", key: "me"), saying: "not approved")
        guard case .unproven(let why)? = try w.proof() else { Issue.record("counted"); return }
        #expect(why.contains("author's own approval"))
    }

    @Test func aRequestedReviewersSignedApprovalCountsAndMerges() throws {
        let w = try Self.makeWorld()
        _ = try w.forge("bob@example.com", key: "bob").submitReview(number: 1, state: .approved)
        let commit = try w.repos.git(["--git-dir", w.repos.path("remote.git"), "cat-file", "commit", "refs/realm/pulls/1"], in: "work")
        #expect(commit.contains("-----BEGIN SSH SIGNATURE-----"), "pr review signs its metadata commit")
        #expect(try w.proof() == .signed)
        let merger = try w.forge("me@example.com", key: "me")
        let verdict = GitNativeForge.reviewVerdict(try merger.reviews(number: 1), head: w.head)
        #expect(verdict.approvedBy == ["bob@example.com"] && verdict.unproven.isEmpty && verdict.unsigned.isEmpty)
        try merger.merge(number: 1, expectedHead: w.head, method: .fastForward)
        #expect(try w.onRemote("main") == w.head)
    }

    @Test func aBaseRewrittenBetweenTheCheckAndTheMergeIsNotMergedInto() throws {
        let w = try Self.makeWorld()
        _ = try w.forge("bob@example.com", key: "bob").submitReview(number: 1, state: .approved)
        let merger = try w.forge("me@example.com", key: "me")
        let checked = try merger.pullRequest(number: 1)
        let approvedBy = GitNativeForge.reviewVerdict(try merger.reviews(number: 1), head: w.head).approvedBy
        #expect(checked.base == "main" && approvedBy == ["bob@example.com"])
        try w.plant(author: "mallory@example.com", key: nil) { $0.replacingOccurrences("\"base\": \"main\"", with: "\"base\": \"release\"") }
        try w.mergeIsRefused(merger, saying: "changed on origin since it was checked")
        #expect(try w.onRemote("release") != w.head, "release is not merged into")
    }

    @Test func unsignedApprovalsCountWhereSignaturesAreNotRequiredButSaySo() throws {
        let w = try Self.makeWorld(requireSigned: false)
        _ = try w.forge("bob@example.com", key: nil, email: "mallory@example.com").submitReview(number: 1, state: .approved)
        guard case .unproven(let why)? = try w.proof() else { Issue.record("counted"); return }
        #expect(why.contains("written by mallory@example.com"))
        _ = try w.forge("bob@example.com", key: nil).submitReview(number: 1, state: .approved)
        #expect(try w.proof() == .unsigned)
        let merger = try w.forge("me@example.com", key: nil)
        let verdict = GitNativeForge.reviewVerdict(try merger.reviews(number: 1), head: w.head)
        #expect(verdict.approvedBy == ["bob@example.com"] && verdict.unsigned == ["bob@example.com"])
        try merger.merge(number: 1, expectedHead: w.head, method: .fastForward)
        #expect(try w.onRemote("main") == w.head)
    }
}

extension String {
    /// Every `target` replaced (no Foundation).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
