import Foundation
import Synchronization
import Testing

/// `git realm admin init|join|domain create|leave` against real repositories.
@Suite struct AdminTests {
    /// GIT_CONFIG_GLOBAL may name a file that does not exist yet: git creates it on first write,
    /// and so does join when it records where the clone is.
    @Test func joinCreatesTheGlobalConfigFileGitNames() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        let fresh = box.path("fresh-gitconfig")
        #expect(!box.exists("fresh-gitconfig"))
        let join = try box.realm(["admin", "join", url], in: aperture, environment: ["GIT_CONFIG_GLOBAL": fresh])
        #expect(join.status == 0, "\(join)")
        #expect(try box.git(["config", "--file", fresh, "--get-all", "realm.letemcook.checkout"]).contains(aperture))
    }

    @Test func scenarioInitJoinDomainStatusGraph() throws {
        let box = try Sandbox()
        let url = try box.makeRealm(governed: true)
        let realmYAML = try #require(try box.realmFile(url, "realm.yaml"))
        #expect(realmYAML.contains("name: letemcook"))
        #expect(realmYAML.contains("admission: approval"))
        #expect(realmYAML.contains("require_approval: true"))
        #expect(realmYAML.contains("grace_period_days: 14"))
        let relaxed = try box.realmFile(try box.makeRealm(name: "relaxed"), "realm.yaml") ?? ""
        #expect(relaxed.contains("require_approval: false") && relaxed.contains("grace_period_days: 0"), "\(relaxed)")
        #expect(realmYAML.contains("- test@example.com"))

        let aperture = try box.makeRepo("aperture")
        let join = try box.realm(["admin", "join", url], in: aperture)
        #expect(join.status == 0, "\(join)")
        #expect(join.stdout.contains("Created repos/aperture.yaml in realm 'letemcook'"))
        #expect(try box.realmFile(url, "repos/aperture.yaml")?.contains("name: aperture") == true)
        let membership = try box.git(["config", "-f", ".gitrealm", "--list"], in: aperture)
        #expect(membership.contains("realm.name=letemcook"))
        #expect(membership.contains("realm.repo=aperture"))
        #expect(membership.contains("realm.url=\(url)"))
        #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture).count == 41)
        #expect(box.exists("aperture/.git/hooks/pre-push"))
        #expect(box.exists("aperture/.git/hooks/post-merge"))
        #expect(try box.git(["config", "--global", "--get-all", "realm.letemcook.checkout"]).contains(aperture))

        let fungal = try box.makeRepo("fungal-image-analysis")
        #expect(try box.realm(["admin", "join", url], in: fungal).status == 0)

        let domain = try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                                    "--contract", "s3-permissions"], in: aperture)
        #expect(domain.status == 0, "\(domain)")
        #expect(domain.stdout.contains("Created domains/s3-access/domain.yaml"))
        #expect(domain.stdout.contains("Created domains/s3-access/contracts/s3-permissions.yaml"))
        #expect(domain.stdout.contains("Created domains/s3-access/bindings/aperture.yaml (provider)"))
        #expect(domain.stdout.contains("Created domains/s3-access/bindings/fungal-image-analysis.yaml (consumer)"))
        let contract = try #require(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml"))
        #expect(contract.contains("version: \"1.0.0\""))
        #expect(contract.contains("owner: aperture"))
        let consumer = try #require(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml"))
        #expect(consumer.contains("role: consumer"))
        #expect(consumer.contains("version: \">=1.0.0, <2.0.0\""))

        // aperture wrote the domain, so its fetched realm is already current; fungal fetches.
        let status = try box.realm(["status"], in: aperture)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("aperture (in realm: letemcook)"))
        #expect(status.stdout.contains("s3-access (provider)"))
        #expect(status.stdout.contains("Contract: s3-permissions v1.0.0"))
        #expect(status.stdout.contains("Imported by: fungal-image-analysis"))

        let stale = try box.realm(["status"], in: fungal)
        #expect(stale.status == 0)
        #expect(!stale.stdout.contains("s3-access"), "without --fetch, status reads only local refs")
        let fresh = try box.realm(["status", "--fetch", "--json"], in: fungal)
        #expect(fresh.status == 0, "\(fresh)")
        let json = try box.json(fresh)
        #expect(json["repo"] as? String == "fungal-image-analysis")
        let domains = try #require(json["domains"] as? [[String: Any]])
        #expect(domains.count == 1)
        #expect(domains.first?["role"] as? String == "consumer")
        let imports = try #require(domains.first?["imports"] as? [[String: Any]])
        #expect(imports.first?["contract"] as? String == "s3-permissions")
        #expect(imports.first?["version"] as? String == ">=1.0.0, <2.0.0")
        #expect(imports.first?["resolved_version"] as? String == "1.0.0")
        #expect(imports.first?["status"] as? String == "current")

        let graph = try box.realm(["graph"], in: aperture)
        #expect(graph.stdout.contains("aperture -> (s3-access) -> fungal-image-analysis"))
        let mermaid = try box.realm(["graph", "--format", "mermaid"], in: aperture)
        #expect(mermaid.stdout.hasPrefix("graph LR"))
        #expect(mermaid.stdout.contains("aperture -->|s3-access| fungal_image_analysis"))
        let dot = try box.realm(["graph", "--format", "dot"], in: aperture)
        #expect(dot.stdout.contains("\"aperture\" -> \"fungal-image-analysis\" [label=\"s3-access\"];"))
    }

    @Test func initRefusesNonEmptyRealmWithoutForce() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let again = try box.realm(["admin", "init", url, "--name", "other"])
        #expect(again.status == 5, "\(again)")
        #expect(again.stderr.contains("is not empty"))
        #expect(try box.realmFile(url, "realm.yaml")?.contains("name: letemcook") == true)
        let forced = try box.realm(["admin", "init", url, "--name", "other", "--force"])
        #expect(forced.status == 0, "\(forced)")
        #expect(try box.realmFile(url, "realm.yaml")?.contains("name: other") == true)
        // --force writes on top: history is kept.
        #expect(try box.git(["--git-dir", url, "rev-list", "--count", "main"]).trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test func badInputToInitAndJoin() throws {
        let box = try Sandbox()
        let url = try box.makeBareRealm()
        #expect(try box.realm(["admin", "init", url, "--name", "Bad/Name"]).status == 2)
        #expect(try box.realm(["admin", "init", url, "--name", "a..b"]).status == 2)
        let unreachable = try box.realm(["admin", "init", box.path("nowhere.git"), "--name", "x"])
        #expect(unreachable.status == 4, "\(unreachable)")
        #expect(unreachable.stderr.hasPrefix("error: cannot reach realm at"))

        // Joining a repository that is not a realm yet.
        let repo = try box.makeRepo("aperture")
        let notRealm = try box.realm(["admin", "join", url], in: repo)
        #expect(notRealm.status == 2, "\(notRealm)")
        #expect(notRealm.stderr.contains("is not a realm"))

        let realmURL = try box.makeRealm(name: "letemcook")
        _ = realmURL
        // Not a git repository.
        try FileManager.default.createDirectory(atPath: box.path("plain"), withIntermediateDirectories: true)
        let plain = try box.realm(["admin", "join", box.path("realm.git")], in: box.path("plain"))
        #expect(plain.status == 3, "\(plain)")
        #expect(plain.stderr.contains("not a git repository"))
        // A directory name that is not a valid repo name, and a bad --as.
        let odd = try box.makeRepo("Odd_Repo")
        let oddJoin = try box.realm(["admin", "join", box.path("realm.git")], in: odd)
        #expect(oddJoin.status == 2)
        #expect(oddJoin.stderr.contains("--as odd-repo"))
        #expect(try box.realm(["admin", "join", box.path("realm.git"), "--as", "../x"], in: odd).status == 2)
        #expect(try box.realmFile(box.path("realm.git"), "repos/odd-repo.yaml") == nil)
        // An unreachable realm.
        let gone = try box.realm(["admin", "join", box.path("gone.git")], in: repo)
        #expect(gone.status == 4, "\(gone)")
        #expect(!box.exists("aperture/.gitrealm"))
    }

    @Test func commandsOutsideARealm() throws {
        let box = try Sandbox()
        let repo = try box.makeRepo("lonely")
        let status = try box.realm(["status"], in: repo)
        #expect(status.status == 3)
        #expect(status.stderr.contains("has not joined a realm"))
        #expect(status.stderr.contains("hint: run 'git realm admin join <realm-url>' first"))
        try FileManager.default.createDirectory(atPath: box.path("plain"), withIntermediateDirectories: true)
        #expect(try box.realm(["graph"], in: box.path("plain")).status == 3)
    }

    @Test func domainCreateRefusesBadInputAndCycles() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        let before = try box.git(["--git-dir", url, "rev-parse", "main"])

        let unknown = try box.realm(["admin", "domain", "create", "x", "--repos", "aperture,nobody", "--contract", "c"], in: aperture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown repo 'nobody'"))
        #expect(try box.realm(["admin", "domain", "create", "a/b", "--repos", "aperture,fungal-image-analysis", "--contract", "c"], in: aperture).status == 2)
        #expect(try box.realm(["admin", "domain", "create", "ok", "--repos", "aperture,fungal-image-analysis", "--contract", ".."], in: aperture).status == 2)
        let exists = try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis", "--contract", "c"], in: aperture)
        #expect(exists.status == 5)

        let cycle = try box.realm(["admin", "domain", "create", "feedback-loop", "--repos", "fungal-image-analysis,aperture",
                                   "--contract", "feedback"], in: fungal)
        #expect(cycle.status == 5, "\(cycle)")
        #expect(cycle.stderr.contains("adding this domain creates a cycle: aperture -> (s3-access) -> fungal-image-analysis -> (feedback-loop) -> aperture")
                || cycle.stderr.contains("fungal-image-analysis -> (feedback-loop) -> aperture -> (s3-access) -> fungal-image-analysis"))
        #expect(cycle.stderr.contains("Merging domains into a single coordination context"))
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == before, "a refused command changes nothing")
    }

    @Test func leaveRefusesWhileImported() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        let refused = try box.realm(["admin", "leave"], in: aperture)
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("fungal-image-analysis imports s3-permissions"))
        #expect(try box.realmFile(url, "repos/aperture.yaml") != nil)

        // The consumer may leave: nobody imports from it.
        let left = try box.realm(["admin", "leave"], in: fungal)
        #expect(left.status == 0, "\(left)")
        #expect(try box.realmFile(url, "repos/fungal-image-analysis.yaml") == nil)
        #expect(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml") == nil)
        #expect(!box.exists("fungal-image-analysis/.gitrealm"))
        #expect(!box.exists("fungal-image-analysis/.git/hooks/pre-push"))
        #expect(try box.realm(["status"], in: fungal).status == 3)

        // Now aperture can go too, and its contract goes with it.
        let apertureLeaves = try box.realm(["admin", "leave"], in: aperture)
        #expect(apertureLeaves.status == 0, "\(apertureLeaves)")
        #expect(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml") == nil)
    }

    @Test func leaveWithForceBreaksImports() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeScenario()
        let forced = try box.realm(["admin", "leave", "--force"], in: aperture)
        #expect(forced.status == 0, "\(forced)")
        #expect(forced.stderr.contains("now broken: fungal-image-analysis imports s3-permissions"))
        #expect(try box.realmFile(url, "repos/aperture.yaml") == nil)
    }

    @Test func twoReposJoinAtTheSameMoment() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let names = ["alpha", "beta", "gamma", "delta"]
        let dirs = try names.map { try box.makeRepo($0) }
        let results = Mutex<[Int: Sandbox.Result]>([:])
        DispatchQueue.concurrentPerform(iterations: dirs.count) { i in
            let result = (try? box.realm(["admin", "join", url], in: dirs[i])) ?? Sandbox.Result(status: -1, stdout: "", stderr: "spawn failed")
            results.withLock { $0[i] = result }
        }
        for (i, result) in results.withLock({ $0 }) {
            #expect(result.status == 0, "\(names[i]): \(result)")
        }
        let listed = try box.git(["--git-dir", url, "ls-tree", "--name-only", "main", "repos/"])
        for name in names { #expect(listed.contains("repos/\(name).yaml"), "\(name) landed") }
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)
    }

    @Test func rejoiningIsHarmlessButNamesAreUnique() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        #expect(try box.realm(["admin", "join", url], in: aperture).status == 0)
        let again = try box.realm(["admin", "join", url], in: aperture)
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("Already registered"))
        let impostor = try box.makeRepo("other/aperture")
        let clash = try box.realm(["admin", "join", url], in: impostor)
        #expect(clash.status == 5, "\(clash)")
        #expect(clash.stderr.contains("already has a repo named 'aperture'"))
    }

    @Test func malformedRealmFilesAreReportedWithPosition() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeScenario()
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/domains/s3-access/bindings/aperture.yaml", "repo: aperture\nrole: provider\nexports:\n  - contract: [oops\n")
        }
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.status == 2, "\(status)")
        #expect(status.stderr.hasPrefix("error: domains/s3-access/bindings/aperture.yaml:"), "\(status.stderr)")

        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/domains/s3-access/bindings/aperture.yaml", "repo: aperture\nrole: supplier\n")
        }
        let badRole = try box.realm(["status", "--fetch"], in: aperture)
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("domains/s3-access/bindings/aperture.yaml:2:7: field 'role' must be one of provider, consumer, not 'supplier'"), "\(badRole.stderr)")
    }
}
