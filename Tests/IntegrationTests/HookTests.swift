import Foundation
import Testing

/// The pre-push and post-merge hooks, run by real `git push`, `git merge` and `git pull`
/// through the installed shims.
@Suite struct HookTests {
    // MARK: pre-push

    @Test func prePushBlocksWhenAnExportSourceChangesTheValue() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        let before = try box.revParse("main", in: box.path("aperture-origin.git"))

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "new path"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(push.status != 0, "\(push)")
        #expect(push.stderr.contains("error: push blocked: export 's3-permissions'"), "\(push)")
        #expect(push.stderr.contains("+ training-metrics/experiments/*"))
        #expect(push.stderr.contains("run 'git realm sync' to publish"))
        #expect(push.stderr.contains("--no-verify"))
        #expect(try box.revParse("main", in: box.path("aperture-origin.git")) == before, "the remote did not move")

        // The hook itself exits 1 (a check failed), given git's line by hand.
        let head = try #require(try box.revParse("HEAD", in: aperture))
        let hook = try box.realm(["hook", "pre-push", "origin", box.path("aperture-origin.git")], in: aperture,
                                 stdin: "refs/heads/main \(head) refs/heads/main \(before!)\n")
        #expect(hook.status == 1, "\(hook)")
    }

    @Test func prePushPassesWhenNoExportSourceIsTouched() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        // A drifted value already on the remote (pushed with --no-verify) ...
        try box.write("aperture/config/s3.yaml", "read: [elsewhere/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "drift"], in: aperture)
        #expect(try box.run("git", ["push", "--quiet", "--no-verify", "origin", "main"], in: aperture).status == 0)
        // ... does not block a push that does not touch the export's sources.
        try box.write("aperture/README.md", "more\n")
        try box.git(["commit", "--quiet", "-am", "docs"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(push.status == 0, "\(push)")
        #expect(!push.stderr.contains("error:") && !push.stderr.contains("warning:"), "\(push)")

        // A new branch is compared with what the remote has (merge base with origin/*).
        try box.git(["checkout", "--quiet", "-b", "topic"], in: aperture)
        try box.write("aperture/notes.txt", "x\n")
        try box.git(["add", "notes.txt"], in: aperture)
        try box.git(["commit", "--quiet", "-m", "topic"], in: aperture)
        let topic = try box.run("git", ["push", "origin", "topic"], in: aperture)
        #expect(topic.status == 0, "\(topic)")
        // Deleting a branch checks nothing.
        let delete = try box.run("git", ["push", "origin", ":topic"], in: aperture)
        #expect(delete.status == 0, "\(delete)")
    }

    /// A value printed by a command is the value at the pushed commit, like a value read from
    /// a file: the command runs in a checkout of that commit when the working tree is not it.
    @Test func prePushRunsAnExtractionCommandOnThePushedCommit() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        try box.editRealmByHand(url, message: "aperture's value comes from a command") { clone in
            try box.write(clone + "/" + Sandbox.apertureBinding, """
            repo: aperture
            role: provider
            exports:
              - contract: s3-permissions
                source_files: [config/s3.yaml]
                command: cat config/s3.yaml

            """)
        }
        #expect(try box.realm(["status", "--fetch"], in: aperture).status == 0)

        // The pushed commit adds a path; the working tree has it taken out again, uncommitted.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "new path"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        let blocked = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(blocked.status != 0, "the pushed commit changes the value: \(blocked)")
        #expect(blocked.stderr.contains("+ training-metrics/experiments/*"), "\(blocked)")

        // The other way round: the pushed commit keeps the value, the working tree drifts.
        try box.git(["checkout", "--quiet", "--", "config/s3.yaml"], in: aperture)
        try box.git(["reset", "--quiet", "--hard", "HEAD~1"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n# touched\n")
        try box.git(["commit", "--quiet", "-am", "comment only"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [somewhere/else/*]\nwrite: []\n")
        let passes = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(passes.status == 0, "the pushed commit keeps the value: \(passes)")
        #expect(try box.revParse("main", in: box.path("aperture-origin.git")) == box.revParse("HEAD", in: aperture))
        // The checkout it ran in is gone, and git knows no worktree of it.
        #expect(try box.git(["worktree", "list", "--porcelain"], in: aperture).components(separatedBy: "worktree ").count == 2)
    }

    @Test func prePushOnlyWarnsWithRealmPrePushWarn() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        try box.git(["config", "realm.prePush", "warn"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: [training-metrics/*]\n")
        try box.git(["commit", "--quiet", "-am", "write path"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(push.status == 0, "\(push)")
        #expect(push.stderr.contains("warning: export 's3-permissions'"), "\(push)")
        #expect(push.stderr.contains("+ training-metrics/*"), "\(push)")
        #expect(push.stderr.contains("git realm sync"))
        #expect(try box.revParse("main", in: box.path("aperture-origin.git")) == box.revParse("HEAD", in: aperture))
    }

    @Test func escapeHatchesSkipTheCheck() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        try box.write("aperture/config/s3.yaml", "read: [other/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "drift"], in: aperture)
        #expect(try box.run("git", ["push", "--quiet", "origin", "main"], in: aperture).status != 0)

        let skipped = try box.run("git", ["push", "origin", "main"], in: aperture, environment: ["GIT_REALM_SKIP_HOOKS": "1"])
        #expect(skipped.status == 0, "\(skipped)")
        #expect(!skipped.stderr.contains("error:") && !skipped.stderr.contains("blocked"))

        try box.write("aperture/config/s3.yaml", "read: [other/*, more/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "drift more"], in: aperture)
        let noVerify = try box.run("git", ["push", "--no-verify", "origin", "main"], in: aperture)
        #expect(noVerify.status == 0, "\(noVerify)")
        // GIT_REALM_SKIP_HOOKS passes before any work, even on garbage.
        let hook = try box.realm(["hook", "pre-push", "origin", "x"], in: aperture, stdin: "garbage\n",
                                 environment: ["GIT_REALM_SKIP_HOOKS": "1"])
        #expect(hook.status == 0 && hook.stderr.isEmpty, "\(hook)")
    }

    @Test func garbageOnStandardInputIsOneClearError() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        let sha = String(repeating: "a", count: 40)
        for input in ["garbage\n", "refs/heads/main \(sha) refs/heads/main\n", "refs/heads/main xyz refs/heads/main \(sha)\n",
                      "refs/heads/main \(sha) refs/heads/main \(sha)\n"] {
            let r = try box.realm(["hook", "pre-push", "origin", "url"], in: aperture, stdin: input)
            #expect(r.status == 2, "\(input): \(r)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1, "\(r)")
            #expect(r.stderr.contains("git-realm pre-push could not check this push (push blocked)"), "\(r)")
            #expect(r.stderr.contains("hint:") && r.stderr.contains("--no-verify") && r.stderr.contains("realm.hookFailure"))
        }
        let line = try box.realm(["hook", "pre-push", "origin", "url"], in: aperture, stdin: "garbage\n")
        #expect(line.stderr.contains("line 1 of standard input is not '<local ref> <local sha> <remote ref> <remote sha>': 'garbage'"))

        // realm.hookFailure=warn: says what failed, lets the push through.
        try box.git(["config", "realm.hookFailure", "warn"], in: aperture)
        let warn = try box.realm(["hook", "pre-push", "origin", "url"], in: aperture, stdin: "garbage\n")
        #expect(warn.status == 0, "\(warn)")
        #expect(warn.stderr.contains("warning: git-realm pre-push could not check this push"), "\(warn)")
        #expect(warn.stderr.contains("'garbage'"))

        // Empty input (nothing pushed) is fine.
        #expect(try box.realm(["hook", "pre-push", "origin", "url"], in: aperture, stdin: "").status == 0)
        // A repository that has not joined passes silently, whatever the input.
        let lonely = try box.makeRepo("lonely")
        let silent = try box.realm(["hook", "pre-push", "origin", "url"], in: lonely, stdin: "garbage\n")
        #expect(silent.status == 0 && silent.stdout.isEmpty && silent.stderr.isEmpty, "\(silent)")
        let merge = try box.realm(["hook", "post-merge", "0"], in: lonely)
        #expect(merge.status == 0 && merge.stdout.isEmpty && merge.stderr.isEmpty, "\(merge)")
    }

    @Test func prePushRunsFromCoreHooksPath() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        try box.git(["config", "core.hooksPath", "githooks"], in: aperture)
        let fungal = try box.makeRepo("fungal-image-analysis")
        for dir in [aperture, fungal] { #expect(try box.realm(["admin", "join", url], in: dir).status == 0) }
        #expect(box.exists("aperture/githooks/pre-push"))
        #expect(try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                               "--contract", "s3-permissions"], in: aperture).status == 0)
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.apertureBinding,
                          "repo: aperture\nrole: provider\nexports:\n  - contract: s3-permissions\n    source_files: [config/s3.yaml]\n    from_file: config/s3.yaml\n")
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(version: "1.0.0", read: ["a/*"]))
        }
        #expect(try box.realm(["status", "--fetch"], in: aperture).status == 0)
        try box.git(["init", "--quiet", "--bare", box.path("origin.git")])
        try box.git(["remote", "add", "origin", box.path("origin.git")], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [b/*]\nwrite: []\n")
        try box.declareExport(in: aperture, "s3-permissions", source: "config/s3.yaml", way: "file = config/s3.yaml")
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "config"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(push.status != 0, "\(push)")
        #expect(push.stderr.contains("push blocked"))
        #expect(push.stderr.contains("+ b/*") && push.stderr.contains("- a/*"), "\(push)")
    }

    @Test func prePushBesideAForeignHookInstalledByHand() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        let fungal = try box.makeRepo("fungal-image-analysis")
        try box.write("aperture/.git/hooks/pre-push", "#!/bin/sh\necho 'my own hook ran' >&2\n")
        chmod(box.path("aperture/.git/hooks/pre-push"), 0o755)
        let join = try box.realm(["admin", "join", url, "--manual"], in: aperture)
        #expect(join.status == 0, "\(join)")
        // Follow the --manual instructions: append the line to the existing hook.
        let manual = try box.realm(["hooks", "install", "--manual"], in: aperture)
        let line = try #require(manual.stdout.split(separator: "\n").first { $0.contains("git realm hook pre-push") })
        let existing = try box.read("aperture/.git/hooks/pre-push")
        try box.write("aperture/.git/hooks/pre-push", existing + line.trimmingCharacters(in: .whitespaces) + "\n")
        chmod(box.path("aperture/.git/hooks/pre-push"), 0o755)

        #expect(try box.realm(["admin", "join", url], in: fungal).status == 0)
        #expect(try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                               "--contract", "s3-permissions"], in: aperture).status == 0)
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.apertureBinding,
                          "repo: aperture\nrole: provider\nexports:\n  - contract: s3-permissions\n    source_files: [config/s3.yaml]\n    from_file: config/s3.yaml\n")
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(version: "1.0.0", read: ["a/*"]))
        }
        #expect(try box.realm(["status", "--fetch"], in: aperture).status == 0)
        try box.git(["init", "--quiet", "--bare", box.path("origin.git")])
        try box.git(["remote", "add", "origin", box.path("origin.git")], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [a/*]\nwrite: []\n")
        try box.declareExport(in: aperture, "s3-permissions", source: "config/s3.yaml", way: "file = config/s3.yaml")
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "config"], in: aperture)
        let ok = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stderr.contains("my own hook ran"))

        try box.write("aperture/config/s3.yaml", "read: [a/*, c/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "more"], in: aperture)
        let blocked = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(blocked.status != 0, "\(blocked)")
        #expect(blocked.stderr.contains("my own hook ran"))
        #expect(blocked.stderr.contains("push blocked"))
        #expect(blocked.stderr.contains("+ c/*"), "\(blocked)")
    }

    @Test func prePushFetchesFirstWhenAsked() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        // Someone published the new value already; aperture has not fetched it.
        try box.publishS3(url, version: "1.1.0", read: ["jobs/*/masks/*", "training-metrics/*"])
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "follow"], in: aperture)
        let stale = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(stale.status != 0, "compared with the last fetched realm: \(stale)")
        let fresh = try box.run("git", ["-c", "realm.prePushFetch=true", "push", "origin", "main"], in: aperture)
        #expect(fresh.status == 0, "\(fresh)")
    }

    // MARK: post-merge

    @Test func postMergeWritesANoteAfterPull() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        _ = aperture
        try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "training-metrics/experiments/*"])
        try box.addRealmNote(url, Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.5.0",
                                                           changes: ["+ training-metrics/experiments/*"]))
        // fungal has an origin; a colleague pushes to it; fungal pulls (a merge).
        try box.git(["init", "--quiet", "--bare", box.path("fungal-origin.git")])
        try box.git(["remote", "add", "origin", box.path("fungal-origin.git")], in: fungal)
        try box.git(["push", "--quiet", "-u", "origin", "main"], in: fungal)
        try box.git(["clone", "--quiet", box.path("fungal-origin.git"), box.path("colleague")])
        try box.write("colleague/cdk.py", "policy = []\n")
        try box.git(["add", "."], in: box.path("colleague"))
        try box.git(["commit", "--quiet", "-m", "colleague"], in: box.path("colleague"))
        try box.git(["push", "--quiet", "origin", "main"], in: box.path("colleague"))
        try box.write("fungal-image-analysis/local.txt", "mine\n")
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "--quiet", "-m", "local"], in: fungal)
        try box.git(["config", "--unset-all", "notes.rewriteRef"], in: fungal)

        let pull = try box.run("git", ["pull", "--no-rebase", "--no-edit", "origin", "main"], in: fungal,
                               environment: Sandbox.fiveMinutesLater)
        #expect(pull.status == 0, "\(pull)")
        let said = pull.stdout + pull.stderr
        #expect(said.contains("Stale import: s3-permissions 1.5.0 available"), "\(pull)")
        #expect(said.contains("🔔 Notification from aperture (5 min ago): Contract 's3-permissions' updated to 1.5.0"), "\(pull)")
        #expect(said.contains("+ training-metrics/experiments/*"))
        #expect(said.contains("Your import (>=1.0.0, <2.0.0) is still satisfied."))

        let log = try box.git(["log", "--notes=realm", "-1"], in: fungal)
        #expect(log.contains("Notes (realm):"), "\(log)")
        #expect(log.contains("Stale import: s3-permissions 1.5.0 available"), "\(log)")
        #expect(log.contains("Notification from aperture"), "\(log)")
        #expect(try box.git(["config", "--get-all", "notes.rewriteRef"], in: fungal).contains("refs/notes/realm"))
    }

    @Test func postMergeAppendsToAnExistingNote() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        try box.publishS3(url, version: "1.1.0", read: ["jobs/*/masks/*", "x/*"])
        try box.git(["checkout", "--quiet", "-b", "topic"], in: fungal)
        try box.write("fungal-image-analysis/t.txt", "t\n")
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "--quiet", "-m", "topic"], in: fungal)
        try box.git(["notes", "--ref=realm", "add", "-m", "my own note", "HEAD"], in: fungal)
        try box.git(["checkout", "--quiet", "main"], in: fungal)
        let merge = try box.run("git", ["merge", "--ff-only", "topic"], in: fungal)   // HEAD becomes topic's commit
        #expect(merge.status == 0, "\(merge)")
        let note = try box.git(["notes", "--ref=realm", "show", "HEAD"], in: fungal)
        #expect(note.hasPrefix("my own note\n\n"), "\(note)")
        #expect(note.contains("Stale import: s3-permissions 1.1.0 available"), "\(note)")
        // Run again on the same commit: the same findings are not appended twice.
        let again = try box.realm(["hook", "post-merge", "0"], in: fungal)
        #expect(again.stdout.contains("Stale import"), "\(again)")
        #expect(try box.git(["notes", "--ref=realm", "show", "HEAD"], in: fungal) == note)

        // A squash merge commits nothing: the findings are said, no note is written.
        try box.git(["checkout", "--quiet", "-b", "squashed"], in: fungal)
        try box.write("fungal-image-analysis/s.txt", "s\n")
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "--quiet", "-m", "squashed"], in: fungal)
        try box.git(["checkout", "--quiet", "main"], in: fungal)
        let notesBefore = try box.revParse("refs/notes/realm", in: fungal)
        let squash = try box.run("git", ["merge", "--squash", "squashed"], in: fungal)
        #expect(squash.status == 0, "\(squash)")
        #expect((squash.stdout + squash.stderr).contains("Stale import"), "\(squash)")
        #expect(try box.revParse("refs/notes/realm", in: fungal) == notesBefore)
    }

    @Test func postMergeWorksWhenTheRealmIsUnreachable() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        try box.publishS3(url, version: "1.2.0", read: ["jobs/*/masks/*", "y/*"])
        #expect(try box.realm(["status", "--fetch"], in: fungal).status == 0)
        try FileManager.default.moveItem(atPath: url, toPath: url + ".away")

        try box.git(["checkout", "--quiet", "-b", "topic"], in: fungal)
        try box.write("fungal-image-analysis/t.txt", "t\n")
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "--quiet", "-m", "topic"], in: fungal)
        try box.git(["checkout", "--quiet", "main"], in: fungal)
        // Two hours after the last fetch.
        let later = String(Int(Date().timeIntervalSince1970) + 7200)
        let merge = try box.run("git", ["merge", "--no-ff", "--no-edit", "topic"], in: fungal, environment: ["GIT_REALM_NOW": later])
        #expect(merge.status == 0, "\(merge)")
        let said = merge.stdout + merge.stderr
        #expect(said.contains("cannot fetch realm 'letemcook'"), "\(merge)")
        #expect(said.contains("using the state fetched 2 h ago"), "\(merge)")
        #expect(said.contains("Stale import: s3-permissions 1.2.0 available"), "\(merge)")
        let log = try box.git(["log", "--notes=realm", "-1"], in: fungal)
        #expect(log.contains("Stale import: s3-permissions 1.2.0"), "\(log)")
        #expect(log.contains("fetched 2 h ago"), "\(log)")
    }

    @Test func postMergeSaysNothingWhenAllIsCurrent() throws {
        let box = try Sandbox()
        let (_, _, fungal) = try box.makeExportScenario()
        let r = try box.realm(["hook", "post-merge", "0"], in: fungal)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(try box.run("git", ["notes", "--ref=realm", "list"], in: fungal).stdout.isEmpty)
    }
}
