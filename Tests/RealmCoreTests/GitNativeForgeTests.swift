import Testing
import RealmForge
import RealmGit
@testable import RealmCore

/// The git-native forge on its own (docs/pr.md), against a real bare remote: the merge is
/// refused while a dependency is unmerged, refused when the head moved from the one checked,
/// and otherwise fast-forwards the base branch on the remote.
@Suite struct GitNativeForgeTests {
    final class States: @unchecked Sendable { var state: PullRequestState = .open }

    @Test func mergeWaitsForDependenciesAndIsPinnedToTheCheckedHead() throws {
        let repos = CoreRepos()
        _ = try repos.makeRepo("work", files: ["README.md": "v1\n"])
        try repos.git(["init", "--quiet", "--bare", repos.path("remote.git")], in: "work")
        try repos.git(["remote", "add", "origin", repos.path("remote.git")], in: "work")
        try repos.git(["push", "--quiet", "origin", "main"], in: "work")
        try repos.git(["checkout", "--quiet", "-b", "feat/x"], in: "work")
        try repos.write("work/README.md", "v2\n")
        try repos.git(["commit", "--quiet", "-am", "v2"], in: "work")
        try repos.git(["push", "--quiet", "origin", "feat/x"], in: "work")
        let head = try repos.git(["rev-parse", "HEAD"], in: "work")

        let dependency = States()
        let forge = GitNativeForge(repo: "fungal", checkout: repos.path("work"), remote: "origin", user: "me@example.com",
                                   policy: .defaults, dependencyState: { _ in dependency.state })
        let pr = try forge.createPullRequest(NewPullRequest(title: "v2", body: "", head: "feat/x", base: "main", draft: false))
        #expect(pr.number == 1 && pr.headSHA == head)
        #expect(try forge.findPullRequest(head: "feat/x", base: "main")?.number == 1)
        #expect(try forge.linkDependency(number: 1, dependsOn: PullRequestRef(repo: "aperture", number: 4)))

        #expect(throws: ForgeError.notMergeable("pull request #1 of fungal depends on aperture#4, which is open, not merged")) {
            try forge.merge(number: 1, expectedHead: head, method: .fastForward)
        }
        dependency.state = .merged
        let other = String(repeating: "0", count: 39) + "1"
        #expect(throws: ForgeError.headMoved(expected: other, actual: head)) {
            try forge.merge(number: 1, expectedHead: other, method: .fastForward)
        }
        #expect(try repos.git(["--git-dir", repos.path("remote.git"), "rev-parse", "main"], in: "work") != head, "nothing merged yet")
        try forge.merge(number: 1, expectedHead: head, method: .fastForward)
        #expect(try repos.git(["--git-dir", repos.path("remote.git"), "rev-parse", "main"], in: "work") == head)
        #expect(try forge.pullRequest(number: 1).state == .merged)
        #expect(try forge.findPullRequest(head: "feat/x", base: "main") == nil, "a merged PR is not open")
        #expect(throws: ForgeError.self) { try forge.merge(number: 1, expectedHead: head, method: .fastForward) }
    }
}
