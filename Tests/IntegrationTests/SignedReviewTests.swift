import Foundation
import Testing

/// `git realm pr review` on the git-native forge in TrustTests' signing realm (docs/pr.md,
/// "Trust"): the realm requires signed commits; alice (aperture) opens the change's PRs and
/// requests bob, whose key the realm registers for fungal-image-analysis.
@Suite struct SignedReviewTests {
    /// bob acting on any clone: his email, and his key or none.
    static func bob(_ w: TrustTests.World, key: String?) -> [String: String] {
        ["GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": "bob@example.com",
         "GIT_CONFIG_KEY_1": "user.signingkey", "GIT_CONFIG_VALUE_1": key.map { w.key($0) } ?? ""]
    }

    @Test func onlyASignedApprovalByARegisteredKeyCountsAndMerges() throws {
        let w = try TrustTests.makeWorld()
        let box = w.box
        for (name, dir) in [("aperture", w.aperture), ("fungal-image-analysis", w.fungal)] {
            try box.git(["init", "--quiet", "--bare", box.path("remotes/\(name).git")])
            try box.git(["remote", "add", "origin", box.path("remotes/\(name).git")], in: dir)
            try box.git(["add", "-A"], in: dir)
            _ = try? box.git(["commit", "--quiet", "-m", "join the realm"], in: dir)
            try box.git(["push", "--quiet", "origin", "HEAD:main"], in: dir)
            try box.git(["remote", "set-head", "origin", "main"], in: dir)
        }
        let worktree = try box.realm(["worktree", "--rfc", "signed-reviews"], in: w.aperture)
        #expect(worktree.status == 0, "\(worktree)")
        for dir in [w.aperture, w.fungal] { try box.write(dir + "/.worktrees/feat-signed-reviews/README.md", "v2\n") }
        #expect(try box.realm(["commit", "-am", "feat: v2"], in: w.aperture).status == 0)
        let pushed = try box.realm(["push"], in: w.aperture)
        #expect(pushed.status == 0, "\(pushed)")
        let opened = try box.realm(["pr", "--title", "v2", "--reviewer", "bob@example.com"], in: w.aperture)
        #expect(opened.status == 0, "\(opened)")
        let remote = box.path("remotes/aperture.git")
        let apertureMain = try box.git(["--git-dir", remote, "rev-parse", "main"])

        // bob's approval, unsigned: written, but it proves nothing in this realm.
        let unsigned = try box.realm(["pr", "review", "--approve", "--repo", "aperture"], in: w.aperture, environment: Self.bob(w, key: nil))
        #expect(unsigned.status == 0, "\(unsigned)")
        let status = try box.realm(["pr", "status", "--json"], in: w.aperture)
        let item = (try box.json(status)["pull_requests"] as? [[String: Any]] ?? []).first { $0["repo"] as? String == "aperture" }
        #expect((item?["unproven_reviews"] as? [String] ?? []).contains { $0.contains("bob@example.com: its metadata commit is not signed") }, "\(status)")
        #expect(item?["may_merge"] as? Bool == false, "\(status)")
        let refused = try box.realm(["pr", "merge"], in: w.aperture)
        #expect(refused.status == 1 && refused.stdout.contains("not approved"), "\(refused)")
        #expect(try box.git(["--git-dir", remote, "rev-parse", "main"]) == apertureMain, "not merged")

        // Signed with mallory's key under bob's name: still nothing.
        #expect(try box.realm(["pr", "review", "--approve", "--repo", "aperture"], in: w.aperture, environment: Self.bob(w, key: "mallory")).status == 0)
        #expect(try box.realm(["pr", "merge"], in: w.aperture).status == 1)
        #expect(try box.git(["--git-dir", remote, "rev-parse", "main"]) == apertureMain, "not merged")

        // Signed with bob's registered key: it counts, and the merge goes through.
        #expect(try box.realm(["pr", "review", "--approve", "--repo", "aperture"], in: w.aperture, environment: Self.bob(w, key: "bob")).status == 0)
        let ready = try box.realm(["pr", "status"], in: w.aperture)
        #expect(ready.stdout.contains("review: approved by bob@example.com"), "\(ready)")
        let merged = try box.realm(["pr", "merge", "--json"], in: w.aperture)
        let states = (try box.json(merged)["pull_requests"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(states.contains("aperture=merged"), "\(merged)")
        #expect(try box.git(["--git-dir", remote, "rev-parse", "main"]) != apertureMain, "merged")
    }
}
