import Foundation
import Testing

/// Secrets never leave the machine: a password or token in a URL is stored nowhere git-realm
/// writes (the realm, `.gitrealm`, git config, notes) and printed nowhere; a local path is
/// never published.
@Suite struct SecretsTests {
    static let secret = "S3cret"

    /// Every object in a repository, as text: commits, trees, blobs and notes alike.
    func allObjects(_ box: Sandbox, gitDir: String) throws -> String {
        try box.run("git", ["--git-dir", gitDir, "cat-file", "--batch-all-objects", "--batch"]).stdout
    }

    func expectNoSecret(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains(Self.secret), "\(what) carries the secret:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test func originWithPasswordIsPublishedWithout() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        try box.git(["remote", "add", "origin", "http://alice:\(Self.secret)@127.0.0.1:1/x.git"], in: aperture)
        let join = try box.realm(["admin", "join", url], in: aperture)
        #expect(join.status == 0, "\(join)")
        expectNoSecret(join.output, "join's output")

        let entry = try #require(try box.realmFile(url, "repos/aperture.yaml"))
        #expect(entry.contains("url: http://127.0.0.1:1/x.git"), "\(entry)")
        #expect(!entry.contains("alice"), "\(entry)")
        expectNoSecret(try box.read("aperture/.gitrealm"), ".gitrealm")
        expectNoSecret(try box.git(["config", "--global", "--get-regexp", "realm"]), "global config")
        expectNoSecret(try allObjects(box, gitDir: url), "the realm's objects")

        for command in [["status"], ["status", "--fetch"], ["status", "--json"], ["sync"], ["sync", "--json"], ["graph"]] {
            let r = try box.realm(command, in: aperture)
            expectNoSecret(r.output, "git realm \(command.joined(separator: " "))")
        }
        // The hooks: a pull runs post-merge (the pull itself fails: origin is unreachable).
        let hook = try box.realm(["hook", "post-merge", "0"], in: aperture)
        expectNoSecret(hook.output, "post-merge")
        expectNoSecret(try box.run("git", ["log", "--notes=realm"], in: aperture).stdout, "local notes")
    }

    /// The realm reached through a URL with a password: `url.<base>.insteadOf` stands in for
    /// an authenticating server (the credentialed URL) and for a credential helper (the bare
    /// one, which later fetches use).
    @Test func realmURLWithPasswordIsUsedOnceAndStoredWithout() throws {
        let box = try Sandbox()
        let realmPath = try box.makeRealm()
        let secretURL = "https://alice:\(Self.secret)@realm.example/letemcook.git"
        let bareURL = "https://realm.example/letemcook.git"
        try box.git(["config", "--global", "--add", "url.\(realmPath).insteadOf", secretURL])
        try box.git(["config", "--global", "--add", "url.\(realmPath).insteadOf", bareURL])

        let aperture = try box.makeRepo("aperture")
        let join = try box.realm(["admin", "join", secretURL], in: aperture)
        #expect(join.status == 0, "\(join)")
        expectNoSecret(join.output, "join's output")
        #expect(join.stderr.contains("warning: the realm URL's credentials were used for this join and stored nowhere: .gitrealm and git config say \(bareURL)"), "\(join)")
        #expect(join.stderr.contains("hint: later fetches and pushes get credentials from a git credential helper"), "\(join)")
        #expect(try box.realmURL(aperture) == bareURL)
        #expect(try box.git(["config", "--global", "realm.letemcook.url"]).trimmingCharacters(in: .whitespacesAndNewlines) == bareURL)
        expectNoSecret(try box.git(["config", "--global", "--get-regexp", "^realm\\."]), "global config")
        expectNoSecret(try allObjects(box, gitDir: realmPath), "the realm's objects")
        expectNoSecret(try allObjects(box, gitDir: aperture + "/.git"), "the participant's objects")

        let json = try box.realm(["admin", "join", secretURL, "--json"], in: aperture)
        #expect(json.status == 0, "\(json)")
        expectNoSecret(json.output, "join --json")
        #expect(try box.json(json)["url"] as? String == bareURL)

        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("realm \(bareURL) at "), "\(status)")
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        expectNoSecret(status.output + sync.output, "status and sync")
    }

    /// What git says when the realm cannot be reached quotes the URL; so do git-realm's
    /// errors and its performance trace. None of them shows the secret.
    @Test func errorsAndTracesDoNotShowTheSecret() throws {
        let box = try Sandbox()
        let aperture = try box.makeRepo("aperture")
        let unreachable = "http://alice:\(Self.secret)@127.0.0.1:1/realm.git"
        let join = try box.realm(["admin", "join", unreachable], in: aperture,
                                 environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(join.status == 4, "\(join)")
        #expect(join.stderr.contains("error: cannot fetch realm from http://127.0.0.1:1/realm.git"), "\(join)")
        expectNoSecret(join.output, "a failed join")

        let initRealm = try box.realm(["admin", "init", unreachable, "--name", "letemcook"],
                                      environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(initRealm.status == 4, "\(initRealm)")
        expectNoSecret(initRealm.output, "a failed init")

        // A membership file written by hand (or by an older git-realm) with the password in it.
        let url = try box.makeRealm()
        #expect(try box.realm(["admin", "join", url], in: aperture).status == 0)
        try box.git(["config", "-f", ".gitrealm", "realm.url", unreachable], in: aperture)
        for command in [["status", "--fetch"], ["status", "--fetch", "--json"], ["sync"], ["admin", "leave"]] {
            let r = try box.realm(command, in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
            expectNoSecret(r.output, "git realm \(command.joined(separator: " "))")
        }
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.stdout.contains("realm http://127.0.0.1:1/realm.git at "), "\(status)")
        let hook = try box.realm(["hook", "post-merge", "0"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        expectNoSecret(hook.output, "post-merge")
        expectNoSecret(try box.run("git", ["log", "--notes=realm"], in: aperture).stdout, "local notes")
    }

    @Test func aRepoWithoutAShareableRemotePublishesNoLocation() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let noRemote = try box.makeRepo("aperture")
        let localRemote = try box.makeRepo("fungal")
        try box.git(["remote", "add", "origin", box.path("elsewhere/fungal.git")], in: localRemote)
        let fileRemote = try box.makeRepo("wiki")
        try box.git(["remote", "add", "origin", "file://" + box.path("elsewhere/wiki.git")], in: fileRemote)
        for (dir, name) in [(noRemote, "aperture"), (localRemote, "fungal"), (fileRemote, "wiki")] {
            let join = try box.realm(["admin", "join", url], in: dir)
            #expect(join.status == 0, "\(join)")
            let entry = try #require(try box.realmFile(url, "repos/\(name).yaml"))
            #expect(!entry.contains("path:"), "\(entry)")
            #expect(!entry.contains("url:"), "\(entry)")
            #expect(!entry.contains(box.root), "\(entry)")
            // Joining again from the same repository is still harmless.
            let again = try box.realm(["admin", "join", url], in: dir)
            #expect(again.status == 0 && again.stdout.contains("Already registered"), "\(again)")
        }
        // An entry from before paths stopped being published still recognises its repository.
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/repos/aperture.yaml", "name: aperture\npath: \(noRemote)\njoined_at: 2026-01-01T00:00:00Z\n")
        }
        try FileManager.default.removeItem(atPath: noRemote + "/.gitrealm")
        let legacy = try box.realm(["admin", "join", url], in: noRemote)
        #expect(legacy.status == 0 && legacy.stdout.contains("Already registered"), "\(legacy)")
        // Another repository under a taken name is still refused.
        let impostor = try box.makeRepo("other/aperture")
        let clash = try box.realm(["admin", "join", url], in: impostor)
        #expect(clash.status == 5, "\(clash)")
        #expect(clash.stderr.contains("already has a repo named 'aperture'"), "\(clash)")
        #expect(!clash.stderr.contains(box.root), "\(clash)")
    }

    /// The post-merge note records why the fetch failed, next to its findings: without the
    /// secret of the URL it failed on.
    @Test func postMergeNoteOfAFailedFetchCarriesNoSecret() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "x/*"])
        #expect(try box.realm(["status", "--fetch"], in: fungal).status == 0)
        try box.git(["config", "-f", ".gitrealm", "realm.url", "http://alice:\(Self.secret)@127.0.0.1:1/realm.git"], in: fungal)
        let hook = try box.realm(["hook", "post-merge", "0"], in: fungal)
        #expect(hook.status == 0, "\(hook)")
        #expect(hook.output.contains("cannot fetch realm 'letemcook' from http://127.0.0.1:1/realm.git"), "\(hook)")
        expectNoSecret(hook.output, "post-merge")
        let note = try box.git(["notes", "--ref=realm", "show", "HEAD"], in: fungal)
        #expect(note.contains("Stale import: s3-permissions 1.5.0 available"), "\(note)")
        #expect(note.contains("cannot fetch realm 'letemcook' from http://127.0.0.1:1/realm.git"), "\(note)")
        expectNoSecret(note, "the post-merge note")
    }
}
