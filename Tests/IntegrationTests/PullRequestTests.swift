import Foundation
import Testing

/// `git realm pr`, `pr status`, `pr merge`, `pr review` (docs/pr.md) on ChangeTests' three-repo
/// chain (aperture -> fungal-image-analysis -> annotation-viewer) against real git. Each scenario
/// takes the forge as its one parameter: today the git-native forge, implicit (no `forge:`) and
/// declared (`admin join --forge git`); the stand-ins for Forgejo and GitHub plug in as more
/// cases of `ForgeUnderTest` (`prepare` sets `forge:` for each repo).
@Suite struct PullRequestTests {
    enum ForgeUnderTest: String, CaseIterable, Sendable {
        case gitNative, gitNativeDeclared

        /// Points every repo of the chain at this forge.
        func prepare(_ c: ChangeTests.Chain) throws {
            switch self {
            case .gitNative: break
            case .gitNativeDeclared:
                for name in ChangeTests.repos {
                    let joined = try c.box.realm(["admin", "join", c.url, "--forge", "git"], in: c.repo(name))
                    #expect(joined.status == 0, "\(joined)")
                }
                #expect(try c.box.realmFile(c.url, "repos/aperture.yaml")?.contains("forge:\n  kind: git") == true)
            }
        }

        /// Where the forge keeps PR `number` of `repo` (for checks from outside git-realm).
        func pullJSON(_ c: ChangeTests.Chain, _ repo: String, _ number: Int) throws -> [String: Any] {
            let text = try c.box.git(["--git-dir", c.remote(repo), "show", "refs/realm/pulls/\(number):pull.json"])
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        }

        func pullNumbers(_ c: ChangeTests.Chain, _ repo: String) throws -> [String] {
            try c.box.git(["--git-dir", c.remote(repo), "for-each-ref", "--format=%(refname)", "refs/realm/pulls/"])
                .split(separator: "\n").map { String($0.split(separator: "/").last ?? "") }
        }
    }

    static let reviewer: [String: String] = ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": "boss@example.com"]

    /// Worktrees, a commit in each, pushed: the change ready for pull requests.
    static func pushedChange(_ forge: ForgeUnderTest) throws -> ChangeTests.Chain {
        let c = try ChangeTests.makeChain()
        try forge.prepare(c)
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["worktree", "--rfc", ChangeTests.change], in: fungal).status == 0)
        for name in ChangeTests.repos { try c.box.write(c.worktree(name) + "/README.md", "v2 of \(name)\n") }
        #expect(try c.box.realm(["commit", "-am", "feat: training metrics v2"], in: fungal).status == 0)
        for name in ChangeTests.repos {
            let message = try c.box.git(["log", "-1", "--format=%B"], in: c.worktree(name))
            #expect(message.contains("Realm-Change: \(ChangeTests.change)") && !message.contains("Depends-On:"), "no PR yet: \(message)")
        }
        let pushed = try c.box.realm(["push"], in: fungal)
        #expect(pushed.status == 0, "\(pushed)")
        #expect(c.pushed() == ChangeTests.repos, "pushed exporters first: \(c.pushed())")
        try? FileManager.default.removeItem(atPath: c.pushLog)
        return c
    }

    static func states(_ c: ChangeTests.Chain, _ result: Sandbox.Result) throws -> [String] {
        (try c.box.json(result)["pull_requests"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
    }

    @Test(arguments: ForgeUnderTest.allCases)
    func pullRequestsInMergeOrderWithLinksAndAnOrderedMerge(forge: ForgeUnderTest) throws {
        let c = try Self.pushedChange(forge)
        let fungal = c.repo("fungal-image-analysis")
        try c.box.write("body.md", "Adds the experiments path.\n")
        let opened = try c.box.realm(["pr", "--title", "feat: training metrics v2", "--body-file", c.box.path("body.md"),
                                      "--reviewer", "boss@example.com"], in: fungal)
        #expect(opened.status == 0, "\(opened)")
        #expect(opened.stdout.contains("✓ aperture PR #1 created (merge first - exports)"), "\(opened)")
        #expect(opened.stdout.contains("✓ fungal-image-analysis PR #1 created (merge second - imports and exports)"), "\(opened)")
        #expect(opened.stdout.contains("✓ annotation-viewer PR #1 created (merge third - imports)"), "\(opened)")
        #expect(opened.stdout.contains("Blocked by: aperture#1 (fungal-image-analysis#1)"), "\(opened)")
        #expect(opened.stdout.contains("Merge order: aperture#1 → fungal-image-analysis#1 → annotation-viewer#1"), "\(opened)")
        // Created in merge order, as the remotes received them.
        var seen: [String] = []
        for name in c.pushed() where !seen.contains(name) { seen.append(name) }
        #expect(seen == ChangeTests.repos, "creation order: \(c.pushed())")

        // The bodies and links, as stored on each remote.
        let aperturePR = try forge.pullJSON(c, "aperture", 1)
        let fungalPR = try forge.pullJSON(c, "fungal-image-analysis", 1)
        let viewerPR = try forge.pullJSON(c, "annotation-viewer", 1)
        let fungalBody = fungalPR["body"] as? String ?? ""
        #expect(fungalBody.hasPrefix("Adds the experiments path.\n\n---\nRealm change: training-metrics-v2"), "\(fungalBody)")
        #expect(fungalBody.contains("Merge order: aperture#1 → fungal-image-analysis#1 → annotation-viewer#1"), "\(fungalBody)")
        #expect(fungalBody.contains("Blocked by: aperture#1\nDepends-On: \(c.remote("aperture"))#refs/realm/pulls/1"), "\(fungalBody)")
        #expect((aperturePR["body"] as? String ?? "").contains("Merge order: aperture#1 → fungal-image-analysis#1 → annotation-viewer#1"),
                "the first PR's body names the PRs opened after it")
        #expect((viewerPR["body"] as? String ?? "").contains("Blocked by: fungal-image-analysis#1"))
        #expect((fungalPR["depends_on"] as? [[String: Any]])?.first?["repo"] as? String == "aperture", "\(fungalPR)")
        #expect((viewerPR["depends_on"] as? [[String: Any]])?.map { $0["repo"] as? String } == ["fungal-image-analysis"])
        #expect(fungalPR["reviewers"] as? [String] == ["boss@example.com"])
        #expect(fungalPR["head"] as? String == "feat/\(ChangeTests.change)" && fungalPR["base"] as? String == "main")
        let record = try c.box.realmFile(c.url, "changes/\(ChangeTests.change).yaml") ?? ""
        #expect(record.contains("pull_requests:") && record.contains("repo: annotation-viewer\n    number: 1"), "\(record)")

        // Found and updated, never duplicated.
        let again = try c.box.realm(["pr", "--json"], in: fungal)
        #expect(again.status == 0, "\(again)")
        #expect(try Self.states(c, again) == ChangeTests.repos.map { "\($0)=unchanged" }, "\(again)")
        for name in ChangeTests.repos { #expect(try forge.pullNumbers(c, name) == ["1"], "one PR in \(name)") }

        // An importer's next commit names its exporters' PRs.
        try c.box.write(c.worktree("annotation-viewer") + "/README.md", "v2 of annotation-viewer, again\n")
        #expect(try c.box.realm(["commit", "-am", "follow-up"], in: fungal).status == 0)
        let message = try c.box.git(["log", "-1", "--format=%B"], in: c.worktree("annotation-viewer"))
        #expect(message.contains("Depends-On: \(c.remote("fungal-image-analysis"))#refs/realm/pulls/1"), "\(message)")
        #expect(message.contains("Depends-On: \(c.remote("aperture"))#refs/realm/pulls/1"), "\(message)")
        #expect(try c.box.realm(["push"], in: fungal).status == 0)

        // Not approved: nothing merges, the importers wait for their exporters.
        let status = try c.box.realm(["pr", "status", "--json"], in: fungal)
        #expect(status.status == 0, "\(status)")
        let items = try c.box.json(status)["pull_requests"] as? [[String: Any]] ?? []
        #expect(items.map { $0["may_merge"] as? Bool } == [false, false, false], "\(status)")
        #expect((items[1]["detail"] as? String ?? "").contains("waiting for aperture#1 to merge"), "\(status)")

        // The author cannot approve their own PR; the reviewer can.
        let own = try c.box.realm(["pr", "review", "--approve", "--repo", "aperture"], in: fungal)
        #expect(own.status == 1 && own.stdout.contains("cannot approve it"), "\(own)")
        let approved = try c.box.realm(["pr", "review", "--approve"], in: fungal, environment: Self.reviewer)
        #expect(approved.status == 0, "\(approved)")
        // This realm does not require signatures: the unsigned approval counts, and says so.
        let counted = try c.box.realm(["pr", "status"], in: fungal)
        #expect(counted.stdout.contains("review: approved by boss@example.com (unsigned: boss@example.com)"), "\(counted)")

        // A commit after the approval: annotation-viewer's approval is of an older head.
        try c.box.write(c.worktree("annotation-viewer") + "/README.md", "v2, after review\n")
        #expect(try c.box.realm(["commit", "-am", "after review"], in: fungal).status == 0)
        #expect(try c.box.realm(["push"], in: fungal).status == 0)
        let stale = try c.box.realm(["pr", "status"], in: fungal)
        #expect(stale.stdout.contains("approval outdated (given on an older head by boss@example.com)"), "\(stale)")

        // Merge: in order, up to the first that may not merge.
        let viewerMainBefore = try c.box.git(["--git-dir", c.remote("annotation-viewer"), "rev-parse", "main"])
        let merged = try c.box.realm(["pr", "merge", "--json"], in: fungal)
        #expect(merged.status == 1, "\(merged)")
        #expect(try Self.states(c, merged) == ["aperture=merged", "fungal-image-analysis=merged", "annotation-viewer=failed"], "\(merged)")
        for name in ["aperture", "fungal-image-analysis"] {
            let main = try c.box.git(["--git-dir", c.remote(name), "rev-parse", "main"])
            #expect(main == (try c.box.git(["rev-parse", "HEAD"], in: c.worktree(name))), "\(name) fast-forwarded")
            #expect(try forge.pullJSON(c, name, 1)["state"] as? String == "merged")
        }
        #expect(try c.box.git(["--git-dir", c.remote("annotation-viewer"), "rev-parse", "main"]) == viewerMainBefore, "not merged")

        // Approved again on the new head: the re-run merges what is left.
        #expect(try c.box.realm(["pr", "review", "--approve", "--repo", "annotation-viewer"], in: fungal, environment: Self.reviewer).status == 0)
        let rest = try c.box.realm(["pr", "merge", "--json"], in: fungal)
        #expect(rest.status == 0, "\(rest)")
        #expect(try Self.states(c, rest) == ChangeTests.repos.map { "\($0)=merged" }, "\(rest)")
        #expect(try c.box.git(["--git-dir", c.remote("annotation-viewer"), "rev-parse", "main"])
                == (try c.box.git(["rev-parse", "HEAD"], in: c.worktree("annotation-viewer"))))
    }

    @Test(arguments: ForgeUnderTest.allCases)
    func mergingOutOfOrderIsRefused(forge: ForgeUnderTest) throws {
        let c = try Self.pushedChange(forge)
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["pr", "--title", "v2"], in: fungal).status == 0)
        // aperture's PR has changes requested: nothing after it merges.
        #expect(try c.box.realm(["pr", "review", "--request-changes", "--repo", "aperture"], in: fungal, environment: Self.reviewer).status == 0)
        let before = try ChangeTests.repos.map { try c.box.git(["--git-dir", c.remote($0), "rev-parse", "main"]) }
        let merge = try c.box.realm(["pr", "merge", "--json"], in: fungal)
        #expect(merge.status == 1, "\(merge)")
        #expect(try Self.states(c, merge) == ["aperture=failed", "fungal-image-analysis=skipped", "annotation-viewer=skipped"], "\(merge)")
        let text = try c.box.realm(["pr", "merge"], in: fungal)
        #expect(text.stdout.contains("changes requested"), "\(text)")
        #expect(text.stderr.contains("pr merge failed in 1 of 3 repo(s): aperture"), "\(text)")
        #expect(try ChangeTests.repos.map { try c.box.git(["--git-dir", c.remote($0), "rev-parse", "main"]) } == before)
        // The forge itself refuses an importer's PR while its exporter's is open.
        let status = try c.box.realm(["pr", "status", "--json"], in: fungal)
        let items = try c.box.json(status)["pull_requests"] as? [[String: Any]] ?? []
        #expect(items.map { $0["enforcement"] as? String } == [nil, "dependency", "dependency"], "\(status)")
        #expect((items[2]["blocked_by"] as? [String]) == ["aperture#1", "fungal-image-analysis#1"], "\(status)")
    }

    @Test(arguments: ForgeUnderTest.allCases)
    func aFailureOnTheSecondRepoIsFinishedByARerun(forge: ForgeUnderTest) throws {
        let c = try Self.pushedChange(forge)
        let fungal = c.repo("fungal-image-analysis")
        let hook = c.remote("fungal-image-analysis") + "/hooks/pre-receive"
        try c.box.write(hook, "#!/bin/sh\nif grep -q refs/realm/; then echo 'internal error (500)' >&2; exit 1; fi\n")
        chmod(hook, 0o755)
        let failed = try c.box.realm(["pr", "--title", "v2", "--json"], in: fungal)
        #expect(failed.status == 1, "\(failed)")
        #expect(try Self.states(c, failed) == ["aperture=created", "fungal-image-analysis=failed", "annotation-viewer=skipped"], "\(failed)")
        let text = try c.box.realm(["pr", "--title", "v2"], in: fungal)
        #expect(text.stderr.contains("pr failed in 1 of 3 repo(s): fungal-image-analysis"), "\(text)")
        #expect(text.stdout.contains("internal error (500)"), "the remote's reason: \(text)")
        #expect(try forge.pullNumbers(c, "annotation-viewer").isEmpty, "nothing opened after the failure")

        try FileManager.default.removeItem(atPath: hook)
        let rerun = try c.box.realm(["pr", "--title", "v2", "--json"], in: fungal)
        #expect(rerun.status == 0, "\(rerun)")
        let after = try Self.states(c, rerun)
        #expect(after[0] != "aperture=created" && after.dropFirst() == ["fungal-image-analysis=created", "annotation-viewer=created"], "\(rerun)")
        for name in ChangeTests.repos { #expect(try forge.pullNumbers(c, name) == ["1"], "exactly one PR in \(name)") }
    }

    /// PR metadata on a remote is hostile: control characters are shown escaped; an oversized,
    /// malformed or unknown-field pull.json is refused, naming the ref.
    @Test func hostileMetadataOnTheRemoteIsRefusedOrEscaped() throws {
        let c = try Self.pushedChange(.gitNative)
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["pr", "--title", "v2"], in: fungal).status == 0)
        let remote = c.remote("aperture")
        let original = try c.box.git(["--git-dir", remote, "show", "refs/realm/pulls/1:pull.json"])

        func plant(_ json: String) throws {
            try c.box.write("pull.json", json)
            let blob = try c.box.git(["--git-dir", remote, "hash-object", "-w", c.box.path("pull.json")]).trimmingCharacters(in: .whitespacesAndNewlines)
            let tree = try c.box.run("git", ["--git-dir", remote, "mktree"], stdin: "100644 blob \(blob)\tpull.json\n").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let commit = try c.box.git(["--git-dir", remote, "commit-tree", tree, "-m", "planted"]).trimmingCharacters(in: .whitespacesAndNewlines)
            try c.box.git(["--git-dir", remote, "update-ref", "refs/realm/pulls/1", commit])
        }

        // A title that would drive the terminal: kept, shown escaped.
        try plant(original.replacingOccurrences(of: "\"title\": \"v2\"", with: "\"title\": \"v2\\u001b]0;pwned\\u0007\\u001b[2J\""))
        let escaped = try c.box.realm(["pr", "status"], in: fungal)
        #expect(escaped.status == 0, "\(escaped)")
        #expect(!escaped.stdout.contains("\u{1b}") && !escaped.stdout.contains("\u{7}"), "no raw control characters: \(escaped)")

        for (json, said) in [
            ("{\"format\": 1, \"number\": 1", "not JSON"),
            (original.replacingOccurrences(of: "\"format\": 1,", with: "\"format\": 1, \"run\": \"rm -rf /\","), "unknown field 'run'"),
            (original.replacingOccurrences(of: "\"head\": \"feat/training-metrics-v2\"", with: "\"head\": \"../../etc\""), "field 'head' must be a branch name"),
            (original.replacingOccurrences(of: "\"number\": 1,", with: "\"number\": 7,"), "names pull request 1"),
            (original.replacingOccurrences(of: "\"title\": \"v2\"", with: "\"title\": \"\(String(repeating: "x", count: 2 << 20))\""), "larger than the limit"),
        ] {
            try plant(json)
            let refused = try c.box.realm(["pr", "status"], in: fungal)
            #expect(refused.status == 1, "\(said): \(refused)")
            #expect(refused.stdout.contains("refs/realm/pulls/1") && refused.stdout.contains(said), "\(said): \(refused)")
        }
    }

    /// `admin join --forge` sets `forge:` (checked as readers check it); without it the forge is
    /// guessed from origin's URL where unambiguous (github.com), else none: the git-native forge.
    @Test func adminJoinSetsOrGuessesTheForge() throws {
        let box = try Sandbox()
        let url = try box.makeBareRealm()
        #expect(try box.realm(["admin", "init", url, "--name", "letemcook"]).status == 0)
        let aperture = try box.makeRepo("aperture")
        try box.git(["remote", "add", "origin", "git@github.com:letemcook/aperture.git"], in: aperture)
        let joined = try box.realm(["admin", "join", url], in: aperture)
        #expect(joined.status == 0, "\(joined)")
        let entry = try box.realmFile(url, "repos/aperture.yaml") ?? ""
        #expect(entry.contains("forge:\n  kind: github\n  api: \"https://api.github.com\"\n  repo: \"letemcook/aperture\"\n"), "\(entry)")

        let insecure = try box.realm(["admin", "join", url, "--forge", "forgejo", "--forge-api", "http://forge.example.com/api/v1"], in: aperture)
        #expect(insecure.status == 2 && insecure.stderr.contains("--forge-api must be https://"), "\(insecure)")
        let unknown = try box.realm(["admin", "join", url, "--forge", "gitlab"], in: aperture)
        #expect(unknown.status == 2 && unknown.stderr.contains("--forge must be one of forgejo, gitea, github, git"), "\(unknown)")
        let forgejo = try box.realm(["admin", "join", url, "--forge", "forgejo", "--forge-api", "http://127.0.0.1:3000/api/v1"], in: aperture)
        #expect(forgejo.status == 0, "\(forgejo)")
        let after = try box.realmFile(url, "repos/aperture.yaml") ?? ""
        #expect(after.contains("kind: forgejo\n  api: \"http://127.0.0.1:3000/api/v1\"\n  repo: \"letemcook/aperture\""), "\(after)")

        let fungal = try box.makeRepo("fungal-image-analysis")
        #expect(try box.realm(["admin", "join", url], in: fungal).status == 0)
        #expect(!(try box.realmFile(url, "repos/fungal-image-analysis.yaml") ?? "forge:").contains("forge:"), "no origin: the git-native forge")
    }
}
