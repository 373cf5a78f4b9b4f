import Foundation
import Testing

/// A repo in more than one realm (docs/architecture.md "More than one realm"): aperture is in
/// letemcook (with fungal-image-analysis) and in platform (with billing), two real realms on
/// bare remotes.
@Suite struct MultiRealmTests {
    private func twoRealms() throws -> (box: Sandbox, letemcook: String, platform: String, aperture: String, billing: String) {
        let box = try Sandbox()
        let (letemcook, aperture, _) = try box.makeScenario()
        let platform = try box.makeRealm(name: "platform")
        let billing = try box.makeRepo("billing")
        #expect(try box.realm(["admin", "join", platform], in: billing).status == 0)
        let before = try box.read("aperture/.gitrealm")
        let join = try box.realm(["admin", "join", platform], in: aperture)
        #expect(join.status == 0, "\(join)")
        // The first realm's section stays as it was; the second is added after it.
        let after = try box.read("aperture/.gitrealm")
        #expect(after.hasPrefix(before) && after.dropFirst(before.count).contains("[realm \"platform\"]"), "\(after)")
        #expect(!before.contains("[realm \""), "a single realm's file is unchanged: \(before)")
        return (box, letemcook, platform, aperture, billing)
    }

    @Test func statusShowsEachRealmAndRealmSelectsOne() throws {
        let (box, _, _, aperture, _) = try twoRealms()
        let status = try box.realm(["status"], in: aperture)
        #expect(status.status == 0, "\(status)")
        let first = status.stdout.range(of: "(in realm: letemcook)"), second = status.stdout.range(of: "(in realm: platform)")
        #expect(first != nil && second != nil && first!.lowerBound < second!.lowerBound, "\(status)")

        let json = try box.json(try box.realm(["status", "--json"], in: aperture))
        #expect((json["realm"] as? [String: Any])?["name"] as? String == "letemcook")
        let others = json["other_realms"] as? [[String: Any]] ?? []
        #expect(others.count == 1 && (others.first?["realm"] as? [String: Any])?["name"] as? String == "platform", "\(json)")

        for args in [["--realm", "platform", "status"], ["status", "--realm", "platform"], ["status", "--realm=platform"]] {
            let one = try box.realm(args, in: aperture)
            #expect(one.status == 0 && one.stdout.contains("(in realm: platform)") && !one.stdout.contains("letemcook"), "\(args): \(one)")
        }
        let domains = try box.json(try box.realm(["--realm", "letemcook", "status", "--json"], in: aperture))
        #expect((domains["domains"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["s3-access"])
        #expect((domains["other_realms"] as? [Any])?.isEmpty == true)

        let unknown = try box.realm(["--realm", "nope", "status"], in: aperture)
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.stderr.contains("not in realm 'nope' (its realms: letemcook, platform)"), "\(unknown)")
        let missing = try box.realm(["status", "--realm"], in: aperture)
        #expect(missing.status == 2 && missing.stderr.contains("--realm needs a realm name"), "\(missing)")
        // A repo in one realm: naming another is the same error.
        let fungal = try box.realm(["--realm", "platform", "sync", "--dry-run"], in: box.path("fungal-image-analysis"))
        #expect(fungal.status == 2 && fungal.stderr.contains("not in realm 'platform' (its realms: letemcook)"), "\(fungal)")
    }

    /// aperture exports c in its second realm: the pre-push hook checks that realm too, and says
    /// which realm and how to sync it.
    @Test func prePushChecksEveryRealm() throws {
        let (box, _, platform, aperture, _) = try twoRealms()
        try box.write("aperture/value.json", "{\"a\": 1}\n")
        try box.git(["add", "value.json"], in: aperture)
        try box.git(["commit", "--quiet", "-m", "value"], in: aperture)
        try box.write("schema.yaml", "{}\n")
        try box.write("value.yaml", "a: 1\n")
        let domain = try box.realm(["--realm", "platform", "admin", "domain", "create", "payments", "--repos", "aperture,billing",
                                    "--contract", "c", "--schema", box.path("schema.yaml"), "--value", box.path("value.yaml"),
                                    "--contract-version", "1.0.0"], in: aperture)
        #expect(domain.status == 0, "\(domain)")
        #expect(try box.git(["--git-dir", platform, "ls-tree", "-r", "--name-only", "main"]).contains("domains/payments/contracts/c.yaml"))
        let export = try box.realm(["--realm", "platform", "export", "c", "--source", "value.json", "--from-file", "value.json"], in: aperture)
        #expect(export.status == 0, "\(export)")
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "export c"], in: aperture)
        try box.git(["init", "--quiet", "--bare", box.path("aperture-origin.git")])
        try box.git(["remote", "add", "origin", box.path("aperture-origin.git")], in: aperture)
        let clean = try box.run("git", ["push", "--quiet", "-u", "origin", "main"], in: aperture)
        #expect(clean.status == 0, "\(clean)")

        try box.write("aperture/value.json", "{\"a\": 2}\n")
        try box.git(["commit", "--quiet", "-am", "a is 2"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(push.status != 0, "\(push)")
        #expect(push.stderr.contains("export 'c'") && push.stderr.contains("in realm 'platform'"), "\(push)")
        #expect(push.stderr.contains("'git realm --realm platform sync'"), "\(push)")

        // Published in that realm, the push goes through.
        let sync = try box.realm(["--realm", "platform", "sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        let again = try box.run("git", ["push", "origin", "main"], in: aperture)
        #expect(again.status == 0, "\(again)")
    }

    /// aperture imports billing's contract in its second realm: after a merge, post-merge
    /// reports the stale import there, naming the realm; sync in the first realm is untouched.
    @Test func postMergeReportsEveryRealm() throws {
        let (box, _, platform, aperture, billing) = try twoRealms()
        try box.write("schema.yaml", "{}\n")
        try box.write("value.yaml", "a: 1\n")
        let domain = try box.realm(["admin", "domain", "create", "payments", "--repos", "billing,aperture", "--contract", "invoices",
                                    "--schema", box.path("schema.yaml"), "--value", box.path("value.yaml"),
                                    "--contract-version", "1.0.0"], in: billing)
        #expect(domain.status == 0, "\(domain)")
        #expect(try box.realm(["--realm", "platform", "status", "--fetch"], in: aperture).status == 0)
        try box.editRealmByHand(platform, message: "invoices 1.1.0") { clone in
            try box.write(clone + "/domains/payments/contracts/invoices.yaml", """
            name: invoices
            version: "1.1.0"
            owner: billing
            schema: {}
            value:
              a: 1
              b: 2
            evolution:
              - version: "1.1.0"
                changes: ["+ b"]

            """)
        }
        let merge = try box.realm(["hook", "post-merge", "0"], in: aperture)
        #expect(merge.status == 0, "\(merge)")
        #expect(merge.stdout.contains("realm 'platform'") && merge.stdout.contains("Stale import: invoices 1.1.0 available"), "\(merge)")
        #expect(!merge.stdout.contains("realm 'letemcook'"), "nothing to say about the first realm: \(merge)")
        let sync = try box.realm(["sync", "--dry-run"], in: aperture)
        #expect(sync.status == 0 && !sync.output.contains("invoices"), "\(sync)")
    }

    /// Leaving one realm keeps the other: its section, its refs and the hooks.
    @Test func leavingOneRealmKeepsTheOther() throws {
        let (box, _, _, aperture, _) = try twoRealms()
        let leave = try box.realm(["--realm", "platform", "admin", "leave"], in: aperture)
        #expect(leave.status == 0, "\(leave)")
        let file = try box.read("aperture/.gitrealm")
        #expect(file.contains("name = letemcook") && !file.contains("platform"), "\(file)")
        #expect(box.exists("aperture/.git/hooks/pre-push"), "the hooks stay for letemcook")
        let status = try box.realm(["status"], in: aperture)
        #expect(status.status == 0 && status.stdout.contains("(in realm: letemcook)") && !status.stdout.contains("platform"), "\(status)")
        let refs = try box.git(["for-each-ref", "--format=%(refname)", "refs/realm/"], in: aperture)
        #expect(!refs.contains("refs/realm/platform/") && refs.contains("refs/realm/letemcook/"), "\(refs)")
        // Joining it again adds it back.
        let join = try box.realm(["admin", "join", box.path("platform.git")], in: aperture)
        #expect(join.status == 0, "\(join)")
        #expect(try box.read("aperture/.gitrealm").contains("[realm \"platform\"]"))
    }
}
