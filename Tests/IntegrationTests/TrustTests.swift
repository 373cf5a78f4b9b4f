import Foundation
import Testing

/// Who wrote each realm change, proven by history (docs/trust.md): real ssh-keygen keys, a
/// realm that requires signed commits, writes signed by git-realm, forgeries pushed with plain
/// git, judged by the pre-receive hook and by `check --mode=realm`.
@Suite struct TrustTests {
    /// alice maintains aperture and approves the realm; bob maintains fungal-image-analysis;
    /// mallory has a key nobody registered.
    struct World {
        var box: Sandbox
        var url: String
        var aperture: String
        var fungal: String
        func key(_ who: String) -> String { box.path("keys/\(who)") }
        /// `git commit` in a realm clone as `who`, signed with `key` (nil: unsigned).
        func commitInRealm(_ clone: String, as who: String, key: String?, message: String) throws -> Sandbox.Result {
            var args = ["-c", "user.name=\(who)", "-c", "user.email=\(who)@example.com"]
            if let key { args += ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(self.key(key))", "commit", "-S"] } else { args += ["commit"] }
            try box.git(["add", "-A"], in: clone)
            return try box.run("git", args + ["--quiet", "-m", message], in: clone)
        }
    }

    static func makeWorld(admission: String = "approval") throws -> World {
        let box = try Sandbox()
        try FileManager.default.createDirectory(atPath: box.path("keys"), withIntermediateDirectories: true)
        for who in ["alice", "bob", "mallory"] {
            let r = try box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", who, "-f", box.path("keys/\(who)")])
            #expect(r.status == 0, "\(r)")
        }
        // alice signs by default (global); bob in his own clone.
        for (key, value) in [("user.email", "alice@example.com"), ("gpg.format", "ssh"), ("user.signingkey", box.path("keys/alice"))] {
            try box.git(["config", "--global", key, value])
        }
        let url = try box.makeBareRealm()
        let created = try box.realm(["admin", "init", url, "--name", "letemcook", "--require-signed-commits", "--admission", admission])
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout.contains("signed commits required"), "\(created)")
        let aperture = try box.makeRepo("aperture")
        let fungal = try box.makeRepo("fungal-image-analysis")
        try box.git(["config", "user.email", "bob@example.com"], in: fungal)
        try box.git(["config", "user.signingkey", box.path("keys/bob")], in: fungal)
        let join = try box.realm(["admin", "join", url], in: aperture)
        #expect(join.status == 0, "\(join)")
        if admission == "invite-only" {
            // alice invites bob's repo with bob's key; bob's join registers it directly.
            let bobKey = try String(contentsOfFile: box.path("keys/bob.pub"), encoding: .utf8)
            let invite = try box.realm(["admin", "invite", "fungal-image-analysis", "--maintainer", "bob@example.com", "--key", bobKey], in: aperture)
            #expect(invite.status == 0 && invite.stdout.contains("Invited fungal-image-analysis"), "\(invite)")
            let joined = try box.realm(["admin", "join", url], in: fungal)
            #expect(joined.status == 0, "\(joined)")
            #expect(try box.realmFile(url, "repos/fungal-image-analysis.yaml") != nil, "registered directly")
            #expect(try box.realmFile(url, "invitations/fungal-image-analysis.yaml") == nil, "the invitation is consumed")
        } else {
            let joined = try box.realm(["admin", "join", url], in: fungal)
            #expect(joined.status == 0, "\(joined)")
        }
        if admission == "approval" {
            // bob is no approver: his registration waits until alice admits it.
            #expect(try box.realmFile(url, "repos/fungal-image-analysis.yaml") == nil)
            #expect(try box.git(["--git-dir", url, "branch", "--list", "join/*"]).contains("join/fungal-image-analysis"))
            let admit = try box.realm(["admin", "admit", "fungal-image-analysis"], in: aperture)
            #expect(admit.status == 0 && admit.stdout.contains("Admitted fungal-image-analysis"), "\(admit)")
            #expect(try box.git(["--git-dir", url, "branch", "--list", "join/*"]).isEmpty, "the proposal is removed")
        }
        let domain = try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                                    "--contract", "s3-permissions"], in: aperture)
        #expect(domain.status == 0, "\(domain)")
        let protect = try box.realm(["admin", "protect", url])
        #expect(protect.status == 0, "\(protect)")
        return World(box: box, url: url, aperture: aperture, fungal: fungal)
    }

    @Test func gitRealmSignsEveryWriteAndHistoryVerifies() throws {
        let w = try Self.makeWorld()
        let repo = try #require(try w.box.realmFile(w.url, "repos/fungal-image-analysis.yaml"))
        let bobKey = try String(contentsOfFile: w.key("bob") + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        #expect(repo.contains("principal: bob@example.com") && repo.contains(bobKey), "join records the signing key: \(repo)")
        let log = try w.box.git(["--git-dir", w.url, "rev-list", "main"])
        for commit in log.split(separator: "\n") {
            let raw = try w.box.git(["--git-dir", w.url, "cat-file", "commit", String(commit)])
            #expect(raw.contains("gpgsig -----BEGIN SSH SIGNATURE-----"), "every realm commit is signed: \(raw)")
        }
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.contains("realm commit(s) verified"), "\(check)")
    }

    /// (author, signing key, path edited, the rule the refusal names): refused by the server's
    /// hook and by every member's fetch.
    static let forgeries: [(String, String?, String, String)] = [
        ("alice", nil, "domains/s3-access/contracts/s3-permissions.yaml", "is not signed"),     // unsigned where required
        ("alice", "mallory", "domains/s3-access/contracts/s3-permissions.yaml", "signed by no key registered for alice@example.com"),   // forged author
        ("mallory", "mallory", "domains/s3-access/contracts/s3-permissions.yaml", "signed by no key registered"),   // unregistered key
        ("bob", "bob", "domains/s3-access/contracts/s3-permissions.yaml", "belongs to aperture"),   // non-owner contract edit
        ("bob", "bob", "domains/s3-access/bindings/aperture.yaml", "only the maintainers of aperture"),  // another repo's binding
        ("bob", "bob", "repos/aperture.yaml", "only the maintainers of aperture"), // another repo's keys
        ("bob", "bob", "realm.yaml", "only the realm's approvers"),                 // governance by a non-approver
        ("bob", "bob", "notes.txt", "outside the realm's layout: only the realm's approvers"),  // default deny
    ]

    /// Where no hook runs, each forgery reaches the realm, and every member's fetch refuses it,
    /// naming the commit, the path and the rule, and keeps its usable realm where it was.
    @Test func everyForgeryIsRefusedByAMembersFetchToo() throws {
        let w = try Self.makeWorld()
        try FileManager.default.removeItem(atPath: w.url + "/hooks/pre-receive")
        #expect(try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal).status == 0)
        let good = try w.box.git(["--git-dir", w.url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        for (n, (who, key, path, rule)) in Self.forgeries.enumerated() {
            let clone = w.box.path("reader-forgery-\(n)")
            try w.box.git(["clone", "--quiet", w.url, clone])
            if path == "notes.txt" { try w.box.write(clone + "/notes.txt", "x\n") } else {
                try w.box.write(clone + "/" + path, try w.box.read(clone + "/" + path) + "# edited\n")
            }
            #expect(try w.commitInRealm(clone, as: who, key: key, message: "forgery \(n)").status == 0)
            let pushed = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
            #expect(pushed.status == 0, "no hook: \(pushed)")
            let forged = try w.box.git(["--git-dir", w.url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let member = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
            #expect(member.status != 0 && member.output.contains("realm commit \(forged.prefix(12))") && member.output.contains(rule)
                    && (member.output.contains(path) || rule.contains("signed")), "\(who)/\(key ?? "unsigned") \(path): \(member)")
            #expect(try w.box.git(["rev-parse", "refs/realm/letemcook/main"], in: w.fungal).trimmingCharacters(in: .whitespacesAndNewlines) == good)
            try w.box.git(["--git-dir", w.url, "update-ref", "refs/heads/main", good])
        }
    }

    @Test func forgeriesAreRefusedByTheServerAndByEveryReader() throws {
        let w = try Self.makeWorld()
        let contract = "domains/s3-access/contracts/s3-permissions.yaml"
        let before = try w.box.git(["--git-dir", w.url, "rev-parse", "main"])
        var n = 0
        /// Makes a change in a fresh clone, commits it as `who` with `key`, pushes; returns the push.
        func attempt(_ who: String, key: String?, _ edit: (String) throws -> Void) throws -> (Sandbox.Result, String) {
            n += 1
            let clone = w.box.path("forgery-\(n)")
            try w.box.git(["clone", "--quiet", w.url, clone])
            try edit(clone)
            let commit = try w.commitInRealm(clone, as: who, key: key, message: "forgery \(n)")
            #expect(commit.status == 0, "\(commit)")
            return (try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone), clone)
        }
        func appendTo(_ path: String) -> (String) throws -> Void {
            { clone in try w.box.write(clone + "/" + path, try w.box.read(clone + "/" + path) + "# edited\n") }
        }
        for (who, key, path, rule) in Self.forgeries {
            let (push, _) = try attempt(who, key: key) { clone in
                if path == "notes.txt" { try w.box.write(clone + "/notes.txt", "x\n") } else { try appendTo(path)(clone) }
            }
            #expect(push.status != 0, "\(who)/\(key ?? "unsigned") \(path): \(push)")
            #expect(push.stderr.contains(rule), "\(who)/\(key ?? "unsigned") \(path): \(push)")
            if path != "notes.txt" { #expect(push.stderr.contains(path) || rule.contains("signed"), "names the path: \(push)") }
        }
        #expect(try w.box.git(["--git-dir", w.url, "rev-parse", "main"]) == before, "nothing landed")

        // Accepted: the owner's signed change, bob's own binding.
        let (owner, _) = try attempt("alice", key: "alice", appendTo(contract))
        #expect(owner.status == 0, "\(owner)")
        let (own, _) = try attempt("bob", key: "bob", appendTo("domains/s3-access/bindings/fungal-image-analysis.yaml"))
        #expect(own.status == 0, "\(own)")

        // Rewinding or deleting main.
        let (_, clone) = try attempt("alice", key: "alice", appendTo(contract))
        let rewind = try w.box.run("git", ["push", "--force", "origin", "HEAD~3:main"], in: clone)
        #expect(rewind.status != 0 && rewind.stderr.contains("rewinding refs/heads/main"), "\(rewind)")
        let delete = try w.box.run("git", ["push", "origin", ":main"], in: clone)
        #expect(delete.status != 0, "\(delete)")

        // A reader judges the same history: a forgery that reached the realm (no hook) is found.
        try FileManager.default.removeItem(atPath: w.url + "/hooks/pre-receive")
        let (landed, _) = try attempt("bob", key: "bob", appendTo(contract))
        #expect(landed.status == 0, "without the hook the host accepts anything: \(landed)")
        // Every member's fetch refuses to use it, and keeps the realm where it was verified.
        let before2 = try w.box.git(["rev-parse", "refs/realm/letemcook/main"], in: w.aperture)
        let sync = try w.box.realm(["sync"], in: w.aperture)
        #expect(sync.status == 5, "\(sync)")
        #expect(sync.stderr.contains("changes \(contract), which belongs to aperture"), "\(sync)")
        #expect(try w.box.git(["rev-parse", "refs/realm/letemcook/main"], in: w.aperture) == before2, "the usable realm did not move")
        let status = try w.box.realm(["status", "--fetch"], in: w.aperture)
        #expect(status.status == 0 && status.output.contains("which belongs to aperture"), "status falls back and says why: \(status)")
        // In a clone of the realm (its CI), the check names the commit, the path and the rule.
        let ci = w.box.path("ci")
        try w.box.git(["clone", "--quiet", w.url, ci])
        let check = try w.box.realm(["check", "--mode=realm"], in: ci)
        #expect(check.status == 1, "\(check)")
        #expect(check.stdout.contains("changes \(contract), which belongs to aperture"), "\(check)")
    }

    @Test func unsignedWritesAreRefusedLocallyWhenTheRealmRequiresSignatures() throws {
        let w = try Self.makeWorld()
        try w.box.git(["config", "--unset", "user.signingkey"], in: w.fungal)
        try w.box.git(["config", "gpg.format", "openpgp"], in: w.fungal)
        let before = try w.box.git(["--git-dir", w.url, "rev-parse", "main"])
        let r = try w.box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=1.0.0", "--binding", "README.md"], in: w.fungal)
        #expect(r.status == 5, "\(r)")
        #expect(r.stderr.contains("requires signed commits"), "\(r)")
        #expect(try w.box.git(["--git-dir", w.url, "rev-parse", "main"]) == before)
    }
}

extension TrustTests {
    /// Rotation: add the new key while signing with the old, switch, remove the old; history
    /// verifies throughout, and the old key no longer vouches afterwards.
    @Test func keyRotationIsJudgedByTheOldKeys() throws {
        let w = try Self.makeWorld()
        try w.box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bob2", "-f", w.key("bob2")])
        let newKey = try String(contentsOfFile: w.key("bob2") + ".pub", encoding: .utf8)
        let oldKey = try String(contentsOfFile: w.key("bob") + ".pub", encoding: .utf8)
        let garbage = try w.box.realm(["admin", "key", "add", "--key", "not a key"], in: w.fungal)
        #expect(garbage.status == 2 && garbage.stderr.contains("is not an SSH public key line"), "\(garbage)")
        let unknown = try w.box.realm(["admin", "key", "remove", "AAAAC3NzaC1lZDI1NTE5AAAAIUnknownUnknown"], in: w.fungal)
        #expect(unknown.status == 2 && unknown.stderr.contains("no key of fungal-image-analysis matches"), "\(unknown)")
        let add = try w.box.realm(["admin", "key", "add", "--key", newKey], in: w.fungal)
        #expect(add.status == 0, "\(add)")
        try w.box.git(["config", "user.signingkey", w.key("bob2")], in: w.fungal)
        let base64 = String(oldKey.split(separator: " ")[1])
        let remove = try w.box.realm(["admin", "key", "remove", base64], in: w.fungal)
        #expect(remove.status == 0, "\(remove)")
        let list = try w.box.realm(["admin", "key", "list", "--json"], in: w.fungal)
        #expect(list.stdout.contains(String(newKey.split(separator: " ")[1])) && !list.stdout.contains(base64), "\(list)")
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.aperture)
        #expect(check.status == 0, "\(check)")
        // The removed key no longer signs for bob.
        let clone = w.box.path("after-rotation")
        try w.box.git(["clone", "--quiet", w.url, clone])
        let binding = clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml"
        try w.box.write(binding, try w.box.read(binding) + "# old key\n")
        #expect(try w.commitInRealm(clone, as: "bob", key: "bob", message: "old key").status == 0)
        let push = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        #expect(push.status != 0 && push.stderr.contains("signed by no key registered for bob@example.com"), "\(push)")
        // Adding a key while signing with the new, unregistered key is refused by the server.
        try w.box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bob3", "-f", w.key("bob3")])
        try w.box.git(["config", "user.signingkey", w.key("bob3")], in: w.fungal)
        let selfSigned = try w.box.realm(["admin", "key", "add"], in: w.fungal)
        #expect(selfSigned.status != 0, "\(selfSigned)")
    }
}

extension TrustTests {
    /// A merge lets its author pick the parent it is judged by (a root of their own, an old
    /// policy): realm history must be linear from its one root.
    @Test func mergesAndNewRootsAreRefused() throws {
        let w = try Self.makeWorld()
        let clone = w.box.path("merge-attack")
        try w.box.git(["clone", "--quiet", w.url, clone])
        let contract = clone + "/domains/s3-access/contracts/s3-permissions.yaml"
        try w.box.write(contract, try w.box.read(contract) + "# EVIL\n")
        try w.box.git(["add", "-A"], in: clone)
        let tree = try w.box.git(["write-tree"], in: clone).trimmingCharacters(in: .whitespacesAndNewlines)
        let root = try w.box.run("git", ["commit-tree", tree, "-m", "anchor"], in: clone).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let merge = try w.box.run("git", ["commit-tree", tree, "-p", root, "-p", "origin/main", "-m", "merge"], in: clone)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let push = try w.box.run("git", ["push", "origin", "\(merge):refs/heads/main"], in: clone)
        #expect(push.status != 0 && push.stderr.contains("is a second root commit"), "\(push)")
        try w.box.git(["update-ref", "refs/heads/main", merge], in: clone)
        try w.box.git(["checkout", "--quiet", "main"], in: clone)
        let check = try w.box.realm(["check", "--mode=realm", "--base", "origin/main"], in: clone)
        #expect(check.status == 1, "\(check)")
        // The whole history, verified from scratch: the first root anchors, the second is refused.
        let second = try w.box.realm(["check", "--mode=realm"], in: clone)
        #expect(second.status == 1 && second.stdout.contains("is a second root commit"), "\(second)")
        // A merge whose parents are both in history is refused as such.
        let linear = try w.box.run("git", ["commit-tree", tree, "-p", "origin/main", "-p", "origin/main~1", "-m", "merge"], in: clone)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let merged = try w.box.run("git", ["push", "origin", "\(linear):refs/heads/main"], in: clone)
        #expect(merged.status != 0 && merged.stderr.contains("realm history must be linear"), "\(merged)")
    }

    /// Registering a repo whose key claims the approver's email proves nothing: approvers prove
    /// themselves with realm.yaml's approver_keys, and a name listed as approver cannot be squatted.
    @Test func aSelfRegisteredKeyCannotClaimTheApprover() throws {
        let w = try Self.makeWorld(admission: "open")
        try w.box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "m", "-f", w.key("mallory")])
        let malloryKey = try String(contentsOfFile: w.key("mallory") + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        #expect(try w.box.realmFile(w.url, "realm.yaml")?.contains("approver_keys:") == true)
        let clone = w.box.path("squat")
        try w.box.git(["clone", "--quiet", w.url, clone])
        try w.box.write(clone + "/repos/mallory.yaml", """
        name: mallory
        maintainers: [alice@example.com]
        keys:
          - principal: alice@example.com
            key: \(malloryKey)
        joined_at: 2026-01-01T00:00:00Z

        """)
        // Signed by mallory's key, author alice: registering a new repo of its own is allowed...
        #expect(try w.commitInRealm(clone, as: "alice", key: "mallory", message: "register").status == 0)
        let registered = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        #expect(registered.status == 0, "\(registered)")
        // ...but it does not make mallory the approver alice, nor aperture's maintainer.
        for path in ["realm.yaml", "repos/aperture.yaml", "domains/s3-access/contracts/s3-permissions.yaml"] {
            try w.box.write(clone + "/" + path, try w.box.read(clone + "/" + path) + "# takeover\n")
            #expect(try w.commitInRealm(clone, as: "alice", key: "mallory", message: "takeover").status == 0)
            let push = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
            #expect(push.status != 0, "\(path): \(push)")
            try w.box.git(["reset", "--quiet", "--hard", "origin/main"], in: clone)
        }
    }
}

extension TrustTests {
    /// A member remembers what it verified: a realm whose main was rewound (force push, lost
    /// acknowledgement) is refused, and the member keeps the verified state.
    @Test func aRewoundRealmIsNoticedByEveryMember() throws {
        let w = try Self.makeWorld()
        #expect(try w.box.realm(["status", "--fetch"], in: w.fungal).status == 0)
        let verified = try w.box.git(["rev-parse", "refs/realm/letemcook/verified"], in: w.fungal)
        try FileManager.default.removeItem(atPath: w.url + "/hooks/pre-receive")
        try w.box.git(["--git-dir", w.url, "update-ref", "refs/heads/main", "main~2"])
        let status = try w.box.realm(["status", "--fetch"], in: w.fungal)
        #expect(status.status == 0 && status.output.contains("no longer contains"), "\(status)")
        let sync = try w.box.realm(["sync"], in: w.fungal)
        #expect(sync.status == 5 && sync.stderr.contains("was rewound or force-pushed"), "\(sync)")
        #expect(try w.box.git(["rev-parse", "refs/realm/letemcook/main"], in: w.fungal) == verified)
    }
}

extension TrustTests {
    /// Outside an open realm only approvers register repos: a join by anyone else waits for
    /// `admin admit`, and a registration pushed by hand is refused.
    @Test func admissionIsEnforced() throws {
        let w = try Self.makeWorld()
        let clone = w.box.path("self-register")
        try w.box.git(["clone", "--quiet", w.url, clone])
        try w.box.write(clone + "/repos/bobs-other.yaml", "name: bobs-other\nmaintainers: [bob@example.com]\njoined_at: 2026-01-01T00:00:00Z\n")
        #expect(try w.commitInRealm(clone, as: "bob", key: "bob", message: "register").status == 0)
        let push = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        #expect(push.status != 0 && push.stderr.contains("admission is approval: an approver admits it"), "\(push)")
        let none = try w.box.realm(["admin", "admit", "nobody-asked"], in: w.aperture)
        #expect(none.status == 2 && none.stderr.contains("has no pending join"), "\(none)")
    }

    @Test func protectRefusesWhatItShouldNotTouch() throws {
        let box = try Sandbox()
        let work = try box.makeRepo("work")
        let notBare = try box.realm(["admin", "protect", work])
        #expect(notBare.status == 2 && notBare.stderr.contains("not a bare repository"), "\(notBare)")
        let url = try box.makeBareRealm()
        try box.write(url + "/hooks/pre-receive", "#!/bin/sh\nexit 0\n")
        let foreign = try box.realm(["admin", "protect", url])
        #expect(foreign.status == 5 && foreign.stderr.contains("is not git-realm's"), "\(foreign)")
        let forced = try box.realm(["admin", "protect", url, "--force", "--json"])
        #expect(forced.status == 0 && forced.stdout.replacingOccurrences(of: " ", with: "").contains("\"replaced\":true"), "\(forced)")
        #expect(try box.read(url + "/hooks/pre-receive").contains("git realm hook pre-receive"))
    }
}

extension TrustTests {
    /// What a second attack review found, each refused: a binding where the repo is no member,
    /// deleting a domain to write others' "first" bindings, handing a contract to a repo that did
    /// not take it, a file no reader can read, a proposal in another repo's name, and a
    /// notification line whose words are not the owner's.
    @Test func secondReviewForgeriesAreRefused() throws {
        let w = try Self.makeWorld()
        var n = 0
        func push(_ who: String, _ edit: (String) throws -> Void, to ref: String = "main") throws -> Sandbox.Result {
            n += 1
            let clone = w.box.path("r2-\(n)")
            try w.box.git(["clone", "--quiet", w.url, clone])
            try edit(clone)
            #expect(try w.commitInRealm(clone, as: who, key: who, message: "r2 \(n)").status == 0)
            return try w.box.run("git", ["push", "origin", "HEAD:\(ref)"], in: clone)
        }
        let d = "domains/s3-access"
        // bob's binding in a domain of his own creation is fine; in a domain he is no member of, not.
        try w.box.realm(["admin", "domain", "create", "other", "--repos", "aperture,fungal-image-analysis", "--contract", "other-c"], in: w.aperture)
        let outsider = try push("bob") { c in
            try w.box.write(c + "/domains/other/domain.yaml", try w.box.read(c + "/domains/other/domain.yaml")
                .replacingOccurrences(of: "  - fungal-image-analysis\n", with: ""))
            let binding = c + "/domains/other/bindings/fungal-image-analysis.yaml"
            try w.box.write(binding, try w.box.read(binding) + "# edited\n")
        }
        #expect(outsider.status != 0 && outsider.stderr.contains("does not list fungal-image-analysis as a member"), "\(outsider)")
        let deleted = try push("bob") { c in try FileManager.default.removeItem(atPath: c + "/\(d)/domain.yaml") }
        #expect(deleted.status != 0 && deleted.stderr.contains("deletes the domain"), "\(deleted)")
        let unreadable = try push("bob") { c in try w.box.write(c + "/\(d)/bindings/fungal-image-analysis.yaml", "repo: [bogus\n") }
        #expect(unreadable.status != 0 && unreadable.stderr.contains("is not a readable realm file"), "\(unreadable)")

        // bob makes a contract of his own, then tries to hand it to aperture, which never took it.
        let own = try push("bob") { c in
            try w.box.write(c + "/domains/bobs/domain.yaml", "name: bobs\ndescription: x\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [fungal-image-analysis]\n")
            try w.box.write(c + "/domains/bobs/contracts/bobs-c.yaml", "name: bobs-c\nversion: \"1.0.0\"\nowner: fungal-image-analysis\nschema: {}\nvalue: {}\n")
        }
        #expect(own.status == 0, "\(own)")
        let handed = try push("bob") { c in
            let path = c + "/domains/bobs/contracts/bobs-c.yaml"
            try w.box.write(path, try w.box.read(path).replacingOccurrences(of: "owner: fungal-image-analysis", with: "owner: aperture"))
        }
        #expect(handed.status != 0 && handed.stderr.contains("hands the contract to aperture"), "\(handed)")

        // A proposal in aperture's name, written by bob: nobody lists it.
        let spoof = try push("bob", { c in
            let path = c + "/\(d)/contracts/s3-permissions.yaml"
            try w.box.write(path, try w.box.read(path).replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"2.0.0\""))
        }, to: "refs/heads/sync/aperture/20991231-235959")
        #expect(spoof.status != 0 && spoof.stderr.contains("not a change that aperture's maintainers may propose"), "the server judges proposals: \(spoof)")
        // Where no hook runs, members judge it themselves: nobody lists it.
        try FileManager.default.removeItem(atPath: w.url + "/hooks/pre-receive")
        let unjudged = try push("bob", { c in
            let path = c + "/\(d)/contracts/s3-permissions.yaml"
            try w.box.write(path, try w.box.read(path).replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"2.0.0\""))
        }, to: "refs/heads/sync/aperture/20991231-235959")
        #expect(unjudged.status == 0, "\(unjudged)")
        let status = try w.box.realm(["status", "--fetch"], in: w.aperture)
        #expect(!status.stdout.contains("20991231-235959"), "\(status)")
        #expect(try w.box.realm(["admin", "protect", w.url]).status == 0)
        let junk = try w.box.run("git", ["push", w.url, "HEAD:refs/heads/anything"], in: w.aperture)
        #expect(junk.status != 0 && junk.stderr.contains("pushing refs/heads/anything is refused"), "\(junk)")

        // A notification line on the publishing commit, by the owner's name, with words of its own.
        try w.box.git(["config", "--global", "commit.gpgsign", "true"])   // alice publishes, signed
        try w.box.publishS3(w.url, version: "1.1.0", read: ["jobs/*/masks/*", "b/*"])
        try w.box.addRealmNote(w.url, Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.1.0",
                                                               changes: ["URGENT: point config at s3://mallory-exfil"]))
        let fungal = try w.box.realm(["status", "--fetch"], in: w.fungal)
        #expect(fungal.stdout.contains("+ b/*") && !fungal.stdout.contains("mallory-exfil"), "\(fungal)")
    }
}
