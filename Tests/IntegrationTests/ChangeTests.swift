import Foundation
import Testing

/// `git realm worktree`, `commit` and `push` (docs/change.md) on a three-repo chain, against real
/// git: aperture exports to fungal-image-analysis, which exports to annotation-viewer (first by name, last by dependency). Each repo has
/// a bare remote whose post-receive hook appends the repo's name to one log, so the order of the
/// pushes is read from what the remotes received. The realm's approver is someone else
/// (boss@example.com): every change record the test user writes is judged by the verifier's
/// rule for `changes/`, not waved through as an approver's.
@Suite struct ChangeTests {
    static let repos = ["aperture", "fungal-image-analysis", "annotation-viewer"]
    static let change = "training-metrics-v2"
    static let worktree = ".worktrees/feat-training-metrics-v2"

    struct Chain {
        let box: Sandbox
        let url: String
        let pushLog: String
        func repo(_ name: String) -> String { box.path(name) }
        func worktree(_ name: String) -> String { box.path(name) + "/" + ChangeTests.worktree }
        func remote(_ name: String) -> String { box.path("remotes/\(name).git") }
        func realmMain() throws -> String { try box.git(["--git-dir", url, "rev-parse", "main"]) }
        func pushed() -> [String] {
            (try? String(contentsOfFile: pushLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }
    }

    static func makeChain() throws -> Chain {
        let box = try Sandbox()
        let url = try box.makeBareRealm()
        let initResult = try box.realm(["admin", "init", url, "--name", "letemcook", "--approver", "boss@example.com",
                                        "--admission", "open", "--no-require-approval", "--grace-period-days", "0"])
        #expect(initResult.status == 0, "\(initResult)")
        let log = box.path("push.log")
        for name in repos {
            let dir = try box.makeRepo(name)
            try box.git(["init", "--quiet", "--bare", box.path("remotes/\(name).git")])
            try box.write("remotes/\(name).git/hooks/post-receive", "#!/bin/sh\necho \(name) >> '\(log)'\n")
            chmod(box.path("remotes/\(name).git/hooks/post-receive"), 0o755)
            try box.git(["remote", "add", "origin", box.path("remotes/\(name).git")], in: dir)
            let join = try box.realm(["admin", "join", url], in: dir)
            #expect(join.status == 0, "join \(name): \(join)")
            try box.git(["add", ".gitrealm"], in: dir)
            try box.git(["commit", "--quiet", "-m", "join the realm"], in: dir)
            try box.git(["push", "--quiet", "origin", "main"], in: dir)
        }
        for (domain, repos, contract) in [("s3-access", "aperture,fungal-image-analysis", "s3-permissions"),
                                          ("reports", "fungal-image-analysis,annotation-viewer", "report-format")] {
            let created = try box.realm(["admin", "domain", "create", domain, "--repos", repos, "--contract", contract],
                                        in: box.path(String(repos.split(separator: ",")[0])))
            #expect(created.status == 0, "\(created)")
        }
        try? FileManager.default.removeItem(atPath: log)   // the pushes of main above
        return Chain(box: box, url: url, pushLog: log)
    }

    @Test func worktreesCommitsAndPushesAcrossTheChain() throws {
        let c = try Self.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        // From fungal-image-analysis, a member of both domains: all three repos by default.
        let created = try c.box.realm(["worktree", "--rfc", Self.change], in: fungal)
        #expect(created.status == 0, "\(created)")
        for name in Self.repos {
            #expect(c.box.exists(c.worktree(name) + "/README.md"), "worktree of \(name): \(created)")
            #expect(try c.box.git(["rev-parse", "--abbrev-ref", "HEAD"], in: c.worktree(name)) == "feat/\(Self.change)\n")
            #expect(try c.box.git(["status", "--porcelain"], in: c.repo(name)) == "", ".worktrees/ is excluded in \(name)")
            #expect(try c.box.read(c.repo(name) + "/.git/info/exclude").contains(".worktrees/\n"))
        }
        #expect(created.stdout.contains("✓ aperture: created"), "\(created)")
        let record = try #require(try c.box.realmFile(c.url, "changes/\(Self.change).yaml"))
        for name in Self.repos { #expect(record.contains("repo: \(name)"), "\(record)") }
        #expect(record.contains("branch: \"feat/\(Self.change)\""), "\(record)")
        #expect(record.contains("created_by: test@example.com"), "\(record)")

        // Idempotent: a re-run reports what exists and writes nothing to the realm.
        let main = try c.realmMain()
        let again = try c.box.realm(["worktree", "--rfc", Self.change, "--json"], in: fungal)
        #expect(again.status == 0, "\(again)")
        let states = (try c.box.json(again)["repos"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(states == Self.repos.map { "\($0)=exists" }, "\(again)")
        #expect(try c.realmMain() == main, "nothing new recorded")

        // Commit: only where something changed, with the trailer.
        try c.box.write(c.worktree("fungal-image-analysis") + "/README.md", "metrics v2\n")
        try c.box.write(c.worktree("annotation-viewer") + "/README.md", "reports of metrics v2\n")
        let staged = try c.box.realm(["commit", "-m", "feat: training metrics v2"], in: fungal)
        #expect(staged.status == 0 && staged.stdout.contains("unstaged"), "without --all nothing is staged: \(staged)")
        let committed = try c.box.realm(["commit", "-m", "feat: training metrics v2", "--all", "--json"], in: c.worktree("annotation-viewer"))
        #expect(committed.status == 0, "\(committed)")
        let commitStates = (try c.box.json(committed)["repos"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(commitStates == ["aperture=unchanged", "fungal-image-analysis=committed", "annotation-viewer=committed"], "\(committed)")
        for name in ["fungal-image-analysis", "annotation-viewer"] {
            let message = try c.box.git(["log", "-1", "--format=%B"], in: c.worktree(name))
            #expect(message.contains("feat: training metrics v2") && message.contains("Realm-Change: \(Self.change)"), "\(name): \(message)")
        }
        #expect(try c.box.git(["log", "-1", "--format=%s"], in: c.worktree("aperture")) == "join the realm\n", "aperture untouched")
        let nothing = try c.box.realm(["commit", "-m", "again", "--all"], in: fungal)
        #expect(nothing.status == 0 && !nothing.stdout.contains("✓"), "a re-run commits nothing: \(nothing)")

        // Push: exporters first, as the remotes received them.
        let pushed = try c.box.realm(["push", "--rfc", Self.change], in: c.repo("aperture"))
        #expect(pushed.status == 0, "\(pushed)")
        #expect(c.pushed() == Self.repos, "push order: \(c.pushed()) \(pushed)")
        for name in Self.repos {
            let remoteTip = try c.box.git(["--git-dir", c.remote(name), "rev-parse", "refs/heads/feat/\(Self.change)"])
            #expect(remoteTip == (try c.box.git(["rev-parse", "HEAD"], in: c.worktree(name))), "\(name) pushed")
        }
        let rerun = try c.box.realm(["push", "--rfc", Self.change], in: c.repo("aperture"))
        #expect(rerun.status == 0 && rerun.stdout.components(separatedBy: "up to date").count == 4, "\(rerun)")
        #expect(c.pushed() == Self.repos, "nothing pushed twice")
    }

    @Test func aPushThatFailsOnTheSecondRepoIsFinishedByARerun() throws {
        let c = try Self.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["worktree", "--rfc", Self.change], in: fungal).status == 0)
        for name in Self.repos { try c.box.write(c.worktree(name) + "/README.md", "v2 of \(name)\n") }
        #expect(try c.box.realm(["commit", "-am", "v2"], in: fungal).status == 0)
        let hook = c.remote("fungal-image-analysis") + "/hooks/pre-receive"
        try c.box.write(hook, "#!/bin/sh\necho 'branch protection: no feat/ branches today' >&2\nexit 1\n")
        chmod(hook, 0o755)

        let failed = try c.box.realm(["push", "--json"], in: fungal)
        #expect(failed.status == 1, "\(failed)")
        let states = (try c.box.json(failed)["repos"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(states == ["aperture=pushed", "fungal-image-analysis=failed", "annotation-viewer=skipped"], "\(failed)")
        let text = try c.box.realm(["push"], in: fungal)
        #expect(text.status == 1 && text.stderr.contains("push failed in 1 of 3 repo(s): fungal-image-analysis"), "\(text)")
        #expect(text.stdout.contains("branch protection: no feat/ branches today"), "the remote's reason is shown: \(text)")
        #expect(c.pushed() == ["aperture"], "\(c.pushed())")
        let missing = try c.box.run("git", ["--git-dir", c.remote("annotation-viewer"), "rev-parse", "--verify", "refs/heads/feat/\(Self.change)"])
        #expect(missing.status != 0, "annotation-viewer was not pushed before its exporter")

        try FileManager.default.removeItem(atPath: hook)
        let rerun = try c.box.realm(["push", "--json"], in: fungal)
        #expect(rerun.status == 0, "\(rerun)")
        let after = (try c.box.json(rerun)["repos"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(after == ["aperture=up-to-date", "fungal-image-analysis=pushed", "annotation-viewer=pushed"], "\(rerun)")
        #expect(c.pushed() == Self.repos, "only what was left: \(c.pushed())")
    }

    @Test func aWorktreeThatFailsInOneRepoIsFinishedByARerun() throws {
        let c = try Self.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        // The user's index forgets annotation-viewer (both forms).
        try c.box.git(["config", "--global", "--unset", "realm.letemcook.checkout.annotation-viewer"])
        try c.box.git(["config", "--global", "--unset", "realm.letemcook.checkout", c.repo("annotation-viewer")])
        let partial = try c.box.realm(["worktree", "--rfc", Self.change], in: fungal)
        #expect(partial.status == 1, "\(partial)")
        #expect(partial.stdout.contains("✗ annotation-viewer: failed: no local clone of annotation-viewer is known"), "\(partial)")
        #expect(partial.stderr.contains("worktree failed in 1 of 3 repo(s): annotation-viewer"), "\(partial)")
        #expect(c.box.exists(c.worktree("aperture")) && c.box.exists(c.worktree("fungal-image-analysis")))
        let record = try #require(try c.box.realmFile(c.url, "changes/\(Self.change).yaml"))
        #expect(!record.contains("annotation-viewer"), "only repos with a worktree are recorded: \(record)")

        // A legacy index entry (the multi-valued key alone) is enough to find it again.
        try c.box.git(["config", "--global", "--add", "realm.letemcook.checkout", c.repo("annotation-viewer")])
        let rerun = try c.box.realm(["worktree", "--rfc", Self.change, "--json"], in: fungal)
        #expect(rerun.status == 0, "\(rerun)")
        let states = (try c.box.json(rerun)["repos"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(states == ["aperture=exists", "fungal-image-analysis=exists", "annotation-viewer=created"], "\(rerun)")
        #expect(try c.box.realmFile(c.url, "changes/\(Self.change).yaml")?.contains("repo: annotation-viewer") == true)
    }

    @Test func listAndRemoveRefuseToLoseWork() throws {
        let c = try Self.makeChain()
        let aperture = c.repo("aperture")
        // From aperture: its one domain, s3-access.
        #expect(try c.box.realm(["worktree", "--rfc", Self.change], in: aperture).status == 0)
        #expect(!c.box.exists(c.worktree("annotation-viewer")), "annotation-viewer is not in aperture's domains")
        let list = try c.box.realm(["worktree", "list", "--json"], in: aperture)
        #expect(list.status == 0, "\(list)")
        let items = (try c.box.json(list)["worktrees"] as? [[String: Any]] ?? []).map { "\($0["repo"]!)=\($0["state"]!)" }
        #expect(items == ["aperture=present", "fungal-image-analysis=present"], "\(list)")

        try c.box.write(c.worktree("fungal-image-analysis") + "/notes.txt", "work in progress\n")
        let refused = try c.box.realm(["worktree", "remove", Self.change], in: aperture)
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("uncommitted work in the worktree of fungal-image-analysis"), "\(refused)")
        #expect(c.box.exists(c.worktree("aperture")) && c.box.exists(c.worktree("fungal-image-analysis") + "/notes.txt"), "nothing removed")

        let forced = try c.box.realm(["worktree", "remove", Self.change, "--force"], in: aperture)
        #expect(forced.status == 0, "\(forced)")
        #expect(!c.box.exists(c.worktree("aperture")) && !c.box.exists(c.worktree("fungal-image-analysis")), "\(forced)")
        #expect(try c.box.git(["rev-parse", "--verify", "feat/\(Self.change)"], in: aperture) != "", "the branch stays")
        let after = try c.box.realm(["worktree", "list"], in: aperture)
        #expect(after.stdout.contains("aperture: no worktree here"), "\(after)")
        // And they come back on the existing branch.
        let back = try c.box.realm(["worktree", "--rfc", Self.change], in: aperture)
        #expect(back.status == 0 && back.stdout.contains("on the existing branch"), "\(back)")
    }

    @Test func missingClonesAreClonedBesideThisRepoFromAnAcceptableURL() throws {
        let c = try Self.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        try FileManager.default.moveItem(atPath: c.repo("annotation-viewer"), toPath: c.box.path("elsewhere"))
        try c.box.git(["config", "--global", "--unset", "realm.letemcook.checkout.annotation-viewer"])
        let remoteURL = "file://" + c.remote("annotation-viewer")
        try c.box.editRealmByHand(c.url, message: "annotation-viewer has a URL") { clone in
            let path = clone + "/repos/annotation-viewer.yaml"
            try c.box.write(path, try c.box.read(path).replacingOccurrences(of: "name: annotation-viewer\n", with: "name: annotation-viewer\nurl: \(remoteURL)\n"))
        }
        // A file:// URL from the realm only when the user says so.
        let refused = try c.box.realm(["worktree", "--rfc", Self.change, "--clone-missing"], in: fungal)
        #expect(refused.status == 1 && refused.stdout.contains("is a file:// URL"), "\(refused)")
        #expect(!c.box.exists("annotation-viewer"), "nothing cloned")
        let cloned = try c.box.realm(["worktree", "--rfc", Self.change, "--clone-missing", "--allow-local"], in: fungal)
        #expect(cloned.status == 0, "\(cloned)")
        #expect(cloned.stdout.contains("cloned into \(c.box.path("annotation-viewer"))"), "\(cloned)")
        #expect(c.box.exists(c.worktree("annotation-viewer") + "/.gitrealm"))
        #expect(try c.box.git(["config", "--global", "realm.letemcook.checkout.annotation-viewer"]) == c.box.path("annotation-viewer") + "\n")
        // Its origin came from the realm: marked, so the host earns no forge token by it.
        #expect(try c.box.git(["config", "--bool", "realm.forge.remotesFromRealm"], in: c.box.path("annotation-viewer")) == "true\n")
    }

    @Test func hostileRealmInputIsRefused() throws {
        let c = try Self.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        for bad in ["../escape", "a..b", "feat/x", "x.lock", "a b", "x;rm"] {
            let r = try c.box.realm(["worktree", "--rfc", bad], in: fungal)
            #expect(r.status == 2 && r.stderr.contains("invalid change name"), "\(bad): \(r)")
        }
        let escape = try c.box.realm(["worktree", "--rfc", "x", "--repos", "../../etc"], in: fungal)
        #expect(escape.status == 2 && escape.stderr.contains("contains a path separator"), "\(escape)")

        // A repo whose URL runs a command, registered by its own (open admission) maintainer.
        let marker = c.box.path("pwned")
        try c.box.editRealmByHand(c.url, message: "evil") { clone in
            try c.box.write(clone + "/repos/evil.yaml", "name: evil\nurl: \"ext::sh -c touch% \(marker)\"\nmaintainers: [test@example.com]\njoined_at: 2026-01-01T00:00:00Z\n")
        }
        let ext = try c.box.realm(["worktree", "--rfc", "evil-change", "--repos", "evil", "--clone-missing", "--allow-local"], in: fungal)
        #expect(ext.status == 1 && ext.stdout.contains("names a git remote helper"), "\(ext)")
        #expect(!FileManager.default.fileExists(atPath: marker), "ext:: never ran")
        #expect(!c.box.exists("evil"), "nothing cloned")

        // A change record naming a path, written by the approver (who may write unreadable files).
        let clone = c.box.path("approver-clone")
        try c.box.git(["clone", "--quiet", c.url, clone])
        try c.box.write(clone + "/changes/sneaky.yaml", "name: sneaky\nbranch: feat/sneaky\nrepos:\n  - repo: ../../outside\n    base: \"\(String(repeating: "a", count: 40))\"\n")
        try c.box.git(["add", "-A"], in: clone)
        let boss = ["GIT_AUTHOR_EMAIL": "boss@example.com", "GIT_COMMITTER_EMAIL": "boss@example.com"]
        #expect(try c.box.run("git", ["commit", "-qm", "sneaky"], in: clone, environment: boss).status == 0)
        try c.box.git(["push", "--quiet", "origin", "HEAD:main"], in: clone)
        #expect(try c.box.realm(["status", "--fetch"], in: fungal).status == 0)
        let sneaky = try c.box.realm(["commit", "--rfc", "sneaky", "-m", "x"], in: fungal)
        #expect(sneaky.status == 2 && sneaky.stderr.contains("changes/sneaky.yaml"), "\(sneaky)")
        #expect(!c.box.exists("outside"))
    }

    @Test func onlyMaintainersOfAReposTakingPartWriteItsRecord() throws {
        let c = try Self.makeChain()
        #expect(try c.box.realm(["worktree", "--rfc", Self.change], in: c.repo("aperture")).status == 0)
        var n = 0
        func write(as email: String, _ path: String, _ text: String) throws -> Sandbox.Result {
            n += 1
            let clone = c.box.path("clone-\(n)")
            try c.box.git(["clone", "--quiet", c.url, clone])
            try c.box.write(clone + "/" + path, text)
            try c.box.git(["add", "-A"], in: clone)
            let who = ["GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email]
            #expect(try c.box.run("git", ["commit", "-qm", "record \(n)"], in: clone, environment: who).status == 0)
            try c.box.git(["push", "--quiet", "origin", "HEAD:main"], in: clone)
            let ci = c.box.path("ci-\(n)")
            try c.box.git(["clone", "--quiet", c.url, ci])
            return try c.box.realm(["check", "--mode=realm"], in: ci)
        }
        let base = String(repeating: "b", count: 40)
        let mallory = try write(as: "mallory@example.com", "changes/\(Self.change).yaml",
                                "name: \(Self.change)\nbranch: feat/\(Self.change)\nrepos:\n  - repo: aperture\n    base: \"\(base)\"\ncreated_by: mallory@example.com\ncreated_at: x\n")
        #expect(mallory.status == 1 && mallory.stdout.contains("only the maintainers of a repo taking part in change \(Self.change)"), "\(mallory)")
        // Rewound for the next case: a fresh realm.
        let d = try Self.makeChain()
        #expect(try d.box.realm(["worktree", "--rfc", "other", "--repos", "aperture"], in: d.repo("aperture")).status == 0)
        let misnamed = try { () throws -> Sandbox.Result in
            let clone = d.box.path("clone")
            try d.box.git(["clone", "--quiet", d.url, clone])
            try d.box.write(clone + "/changes/renamed.yaml", "name: other\nbranch: feat/other\nrepos:\n  - repo: aperture\n    base: \"\(base)\"\n")
            try d.box.git(["add", "-A"], in: clone)
            try d.box.git(["commit", "-qm", "misnamed"], in: clone)
            try d.box.git(["push", "--quiet", "origin", "HEAD:main"], in: clone)
            return try d.box.realm(["check", "--mode=realm"], in: clone)
        }()
        #expect(misnamed.status == 1 && misnamed.stdout.contains("the record of change renamed must name renamed"), "\(misnamed)")
    }
}
