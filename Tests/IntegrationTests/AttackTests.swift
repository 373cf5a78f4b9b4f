import Foundation
import Testing

/// Attacks on what landed with sessions, watch, the git-native forge, the cache, more than one
/// realm and the history index's head, by a hostile realm writer or remote: each test is one
/// attack that once worked, and asserts what the user sees now.
@Suite struct AttackTests {
    /// The import's status and reason as `status --json` reports them.
    private func importState(_ box: Sandbox, _ fungal: String) throws -> (status: String, reason: String) {
        let r = try box.realm(["status", "--fetch", "--json"], in: fungal)
        #expect(r.status == 0 || r.status == 1, "\(r)")
        let state = (try box.json(r)["import_status"] as? [[String: Any]])?.first ?? [:]
        return (state["status"] as? String ?? "", state["reason"] as? String ?? "")
    }

    /// A contract file deleted, and another file of the domain whose `name:` field says it is
    /// that contract: status read "is the contract there" from the names inside the files it
    /// listed, so the import stayed `current` (sync, reading the file itself, says broken).
    @Test func aDecoyFileNamedLikeADeletedContractDoesNotKeepItsImportCurrent() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        #expect(try importState(box, fungal).status == "current")
        try box.editRealmByHand(url, message: "decoy") { clone in
            let real = clone + "/" + Sandbox.s3Contract
            let text = try box.read(real)
            try FileManager.default.removeItem(atPath: real)
            try box.write(clone + "/domains/s3-access/contracts/decoy.yaml", text)
        }
        let state = try importState(box, fungal)
        #expect(state.status == "broken" && state.reason.contains("no longer exists"), "\(state)")
        let synced = try box.realm(["sync"], in: fungal)
        #expect(synced.stdout.contains("s3-permissions: broken, contract 's3-permissions' no longer exists"), "\(synced)")
    }

    /// The change record names each repo's PR (`pull_requests:`, realm content any maintainer of
    /// a repo taking part may write, and `pr --base` rewrites): `pr merge` took that PR whatever
    /// its base, so a PR of the change's branch into `release` was merged into `release` when the
    /// user merged into main.
    @Test func theRecordsPullRequestIntoAnotherBaseIsNotMergedThere() throws {
        let c = try PullRequestTests.pushedChange(.gitNative)
        let fungal = c.repo("fungal-image-analysis")
        for name in ChangeTests.repos { try c.box.git(["--git-dir", c.remote(name), "branch", "release", "main"]) }
        let opened = try c.box.realm(["pr", "--title", "feat: into main"], in: fungal)
        #expect(opened.status == 0, "\(opened)")
        // Someone opens the same branch into release: the record now names those PRs.
        let other = try c.box.realm(["pr", "--title", "feat: into release", "--base", "release"], in: fungal)
        #expect(other.status == 0, "\(other)")
        #expect(try c.box.realmFile(c.url, "changes/\(ChangeTests.change).yaml")?.contains("number: 2") == true)
        let release = try c.box.git(["--git-dir", c.remote("aperture"), "rev-parse", "release"])
        let merged = try c.box.realm(["pr", "merge", "--base", "main", "--json"], in: fungal)
        #expect(try c.box.git(["--git-dir", c.remote("aperture"), "rev-parse", "release"]) == release, "release untouched: \(merged)")
        #expect(merged.status == 0 && merged.stdout.contains("into main"), "\(merged)")
        #expect(try c.box.git(["--git-dir", c.remote("aperture"), "rev-parse", "main"])
                == (try c.box.git(["rev-parse", "HEAD"], in: c.worktree("aperture"))), "main fast-forwarded")
    }

    /// A session commit (valid record, by a maintainer) whose committer date is the lowest
    /// 64-bit time: `abs(commit time - last activity)` overflowed and every member's status,
    /// session list and watch crashed on it (written without the server's hook, as anyone may).
    @Test func aSessionDatedAtTheLowestTimeDoesNotCrashMembers() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try SyncTests.story(box)
        let me = SessionTests.me
        let message = SessionTests.record(repo: "fungal-image-analysis", user: me, email: me)
        let empty = try box.git(["hash-object", "-t", "tree", "/dev/null"], in: fungal).trimmingCharacters(in: .whitespacesAndNewlines)
        for time in ["-9223372036854775808", "-9223372036854775807"] {
            let object = "tree \(empty)\nauthor T <\(me)> \(time) +0000\ncommitter T <\(me)> \(time) +0000\n\n\(message)\n"
            try box.write("session-commit", object)
            let commit = try box.git(["hash-object", "-t", "commit", "--literally", "-w", box.path("session-commit")], in: fungal)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let push = try box.run("git", ["push", "--no-verify", "--force", url, "\(commit):refs/realm/sessions/fungal-image-analysis/\(me)"], in: fungal)
            #expect(push.status == 0, "\(push)")
            let status = try box.realm(["status", "--fetch"], in: aperture)
            #expect(status.status == 0 && status.stdout.contains("1 session ref(s) ignored"), "\(time): \(status)")
            let list = try box.realm(["session", "list"], in: aperture)
            #expect(list.status == 0, "\(time): \(list)")
        }
    }

    /// Anyone who may open PRs on a remote may write `refs/realm/pulls/*` (its main may well be
    /// protected): a PR whose metadata says `merged` while its base branch does not contain the
    /// head counted as merged, so `pr merge` merged the importers before their exporter.
    @Test func aPullRequestMergedOnlyByItsOwnClaimDoesNotUnblockItsImporters() throws {
        let c = try PullRequestTests.pushedChange(.gitNative)
        let fungal = c.repo("fungal-image-analysis")
        let opened = try c.box.realm(["pr", "--title", "feat: metrics"], in: fungal)
        #expect(opened.status == 0, "\(opened)")
        // The exporter's PR rewritten on its remote: merged, at its head, without touching main.
        let remote = c.remote("aperture")
        let old = try c.box.git(["--git-dir", remote, "rev-parse", "refs/realm/pulls/1"])
        var pull = try JSONSerialization.jsonObject(with: Data(try c.box.git(["--git-dir", remote, "show", "refs/realm/pulls/1:pull.json"]).utf8)) as? [String: Any] ?? [:]
        pull["state"] = "merged"
        pull["merged_sha"] = pull["head_sha"]
        try c.box.write("forged.json", String(decoding: try JSONSerialization.data(withJSONObject: pull), as: UTF8.self))
        let blob = try c.box.git(["--git-dir", remote, "hash-object", "-w", c.box.path("forged.json")]).trimmingCharacters(in: .whitespacesAndNewlines)
        try c.box.write("tree.txt", "100644 blob \(blob)\tpull.json\n")
        let tree = try c.box.run("git", ["--git-dir", remote, "mktree"], stdin: try c.box.read("tree.txt")).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try c.box.git(["--git-dir", remote, "commit-tree", tree, "-p", old.trimmingCharacters(in: .whitespacesAndNewlines), "-m", "merged, says who"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try c.box.git(["--git-dir", remote, "update-ref", "refs/realm/pulls/1", commit])
        let fungalMain = try c.box.git(["--git-dir", c.remote("fungal-image-analysis"), "rev-parse", "main"])
        let merged = try c.box.realm(["pr", "merge"], in: fungal)
        #expect(merged.status != 0 && merged.stdout.contains("aperture#1 is closed"), "\(merged)")
        #expect(try c.box.git(["--git-dir", c.remote("fungal-image-analysis"), "rev-parse", "main"]) == fungalMain,
                "the importer waits for its exporter: \(merged)")
    }

    /// A second realm whose realm.yaml takes the name of the realm this repo is in: `admin join`
    /// took it for the same realm and rewrote the membership's URL, so the repo silently left
    /// its realm (its checks, its history) for the impostor. A moved realm (same history,
    /// another URL) is still joined again.
    @Test func aRealmNamedLikeOursIsNotJoinedInItsPlace() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeScenario()
        let before = try box.read("aperture/.gitrealm")
        // As in a fresh clone: the realm's history not fetched here yet.
        for ref in try box.git(["for-each-ref", "--format=%(refname)", "refs/realm/"], in: aperture).split(separator: "\n") {
            try box.git(["update-ref", "-d", String(ref)], in: aperture)
        }
        let impostor = try box.makeBareRealm("impostor.git")
        #expect(try box.realm(["admin", "init", impostor, "--name", "letemcook"]).status == 0)
        let joined = try box.realm(["admin", "join", impostor, "--no-hooks"], in: aperture)
        #expect(joined.status == 5 && joined.stderr.contains("has the same name"), "\(joined.stdout) \(joined.stderr)")
        #expect(try box.read("aperture/.gitrealm") == before, "membership unchanged")
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.stdout.contains(url) && !status.stdout.contains("impostor"), "\(status)")

        try box.git(["clone", "--quiet", "--bare", url, box.path("moved.git")])
        let moved = try box.realm(["admin", "join", box.path("moved.git"), "--no-hooks"], in: aperture)
        #expect(moved.status == 0, "\(moved)")
        #expect(try box.read("aperture/.gitrealm").contains("moved.git"))
    }
}
