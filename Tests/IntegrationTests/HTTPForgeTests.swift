import Foundation
import Testing
import TestSupport

/// `git realm pr` on Forgejo and GitHub: the three-repo chain against the stand-in of each
/// forge (Tests/ForgeStandIn, which serves only what the forge's published API description
/// allows and keeps its branches in the chain's own bare remotes). Skipped, naming the path,
/// when ../shared/forges is missing.
@Suite(.enabled(if: ForgeDocuments.present, Comment(rawValue: ForgeDocuments.missing)))
struct HTTPForgeTests {
    typealias Kind = ForgeDocuments.Kind
    static let token = "tok-alice-5e6f7a8b"

    /// A running stand-in whose repos `team/<name>` are the chain's bare remotes.
    final class StandIn {
        let process = Process()
        let port: Int
        let kind: Kind
        convenience init(_ kind: Kind, _ c: ChangeTests.Chain) throws {
            try self.init(kind, extra: ChangeTests.repos.flatMap { ["--git-remote", "team/\($0)=\(c.remote($0))"] })
        }

        init(_ kind: Kind, extra: [String]) throws {
            self.kind = kind
            let binary = URL(fileURLWithPath: Sandbox.binary).deletingLastPathComponent().appendingPathComponent("forge-standin").path
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--kind", kind.rawValue, "--document", ForgeDocuments.document(kind),
                                 "--user", "alice:\(HTTPForgeTests.token)", "--user", "bob:tok-bob"]
                + extra
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            port = Int(text.split(separator: ":").last ?? "") ?? 0
        }
        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var api: String { kind == .forgejo ? "http://127.0.0.1:\(port)/api/v1" : "http://127.0.0.1:\(port)" }

        @discardableResult
        func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> [String: Any] {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = ["curl", "-s", "-X", method, "http://127.0.0.1:\(port)\(path)"]
            if let body { arguments += ["--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)] }
            curl.arguments = arguments
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        }
        func pulls(_ repo: String) throws -> [[String: Any]] {
            try call("GET", "/_standin/pulls?repo=team/\(repo)")["pulls"] as? [[String: Any]] ?? []
        }
        var violations: [String] { get throws { try call("GET", "/_standin/violations")["violations"] as? [String] ?? [] } }
    }

    var tokenVariable: (Kind) -> [String: String] = { [$0 == .forgejo ? "FORGEJO_TOKEN" : "GITHUB_TOKEN": HTTPForgeTests.token] }

    /// The chain joined to the stand-in's forge, worktrees committed and pushed.
    func pushedChange(_ kind: Kind) throws -> (ChangeTests.Chain, StandIn) {
        let c = try ChangeTests.makeChain()
        let server = try StandIn(kind, c)
        for name in ChangeTests.repos {
            let joined = try c.box.realm(["admin", "join", c.url, "--forge", kind.rawValue, "--forge-api", server.api,
                                          "--forge-repo", "team/\(name)"], in: c.repo(name))
            #expect(joined.status == 0, "\(joined)")
        }
        // The remotes are local paths: the user trusts the stand-in's host themselves.
        try c.box.git(["config", "--global", "realm.forge.trustedHost", "127.0.0.1"])
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["worktree", "--rfc", ChangeTests.change], in: fungal).status == 0)
        for name in ChangeTests.repos { try c.box.write(c.worktree(name) + "/README.md", "v2 of \(name)\n") }
        #expect(try c.box.realm(["commit", "-am", "feat: training metrics v2"], in: fungal).status == 0)
        let pushed = try c.box.realm(["push"], in: fungal)
        #expect(pushed.status == 0, "\(pushed)")
        return (c, server)
    }

    @Test("PRs in merge order with links, found not duplicated, merged in order", arguments: Kind.allCases)
    func chain(kind: Kind) throws {
        let (c, server) = try pushedChange(kind)
        let fungal = c.repo("fungal-image-analysis")
        let opened = try c.box.realm(["pr", "--title", "feat: training metrics v2", "--reviewer", "bob"], in: fungal, environment: tokenVariable(kind))
        #expect(opened.status == 0, "\(opened)")
        #expect(opened.stdout.contains("✓ aperture PR #1 created (merge first - exports)"), "\(opened)")
        #expect(opened.stdout.contains("Merge order: aperture#1 → fungal-image-analysis#1 → annotation-viewer#1"), "\(opened)")
        #expect(!opened.output.contains(Self.token))
        for name in ChangeTests.repos {
            let pulls = try server.pulls(name)
            #expect(pulls.count == 1, "one PR in \(name): \(pulls)")
            #expect((pulls.first?["body"] as? String ?? "").contains("Merge order: aperture#1 → fungal-image-analysis#1 → annotation-viewer#1"))
            #expect(pulls.first?["requested"] as? [String] == ["bob"])
            #expect(pulls.first?["head"] as? String == "feat/\(ChangeTests.change)")
        }
        if kind == .forgejo {
            #expect(try server.pulls("fungal-image-analysis").first?["dependencies"] as? [String] == ["team/aperture#1"])
        }
        let again = try c.box.realm(["pr", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(again.status == 0, "\(again)")
        for name in ChangeTests.repos { #expect(try server.pulls(name).count == 1, "still one PR in \(name)") }

        // Approved by bob on each head; then a new commit in annotation-viewer: its approval is
        // of an older head, so the merge stops there.
        for name in ChangeTests.repos {
            try server.call("POST", "/_standin/review", ["repo": "team/\(name)", "number": 1, "user": "bob", "state": "APPROVED"])
        }
        try c.box.write(c.worktree("annotation-viewer") + "/README.md", "v2, after review\n")
        #expect(try c.box.realm(["commit", "-am", "after review"], in: fungal).status == 0)
        #expect(try c.box.realm(["push"], in: fungal).status == 0)
        let partial = try c.box.realm(["pr", "merge", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(partial.status == 1, "\(partial)")
        #expect(try PullRequestTests.states(c, partial) == ["aperture=merged", "fungal-image-analysis=merged", "annotation-viewer=failed"], "\(partial)")
        #expect(try server.pulls("annotation-viewer").first?["merged"] as? Bool == false)
        // Approved again on the new head: the re-run merges what is left.
        try server.call("POST", "/_standin/review", ["repo": "team/annotation-viewer", "number": 1, "user": "bob", "state": "APPROVED"])
        let merged = try c.box.realm(["pr", "merge", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(merged.status == 0, "\(merged)")
        for name in ChangeTests.repos { #expect(try server.pulls(name).first?["merged"] as? Bool == true, "\(name) merged: \(merged)") }
        #expect(!merged.output.contains(Self.token))
        #expect(try server.violations == [])
    }

    @Test("merging out of order is refused: by pr merge, and by the forge itself", arguments: Kind.allCases)
    func outOfOrder(kind: Kind) throws {
        let (c, server) = try pushedChange(kind)
        let fungal = c.repo("fungal-image-analysis")
        #expect(try c.box.realm(["pr", "--title", "v2"], in: fungal, environment: tokenVariable(kind)).status == 0)
        // Changes requested on aperture's PR: pr merge stops there and merges nothing after it.
        // (each forge's own word for it in its reviews)
        try server.call("POST", "/_standin/review", ["repo": "team/aperture", "number": 1, "user": "bob",
                                                     "state": kind == .forgejo ? "REQUEST_CHANGES" : "CHANGES_REQUESTED"])
        let merge = try c.box.realm(["pr", "merge", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(merge.status == 1, "\(merge)")
        #expect(try PullRequestTests.states(c, merge) == ["aperture=failed", "fungal-image-analysis=skipped", "annotation-viewer=skipped"], "\(merge)")
        for name in ChangeTests.repos { #expect(try server.pulls(name).first?["merged"] as? Bool == false, "\(name) not merged") }

        // Someone merges fungal-image-analysis's PR on the forge itself, past git-realm: the
        // forge refuses while aperture's is open (Forgejo: the issue dependency; GitHub: the
        // realm/merge-order status a branch protection rule requires).
        let head = try c.box.git(["--git-dir", c.remote("fungal-image-analysis"), "rev-parse", "feat/\(ChangeTests.change)"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let path = kind == .forgejo ? "/api/v1/repos/team/fungal-image-analysis/pulls/1/merge" : "/repos/team/fungal-image-analysis/pulls/1/merge"
        let body = kind == .forgejo ? "{\"Do\":\"merge\",\"head_commit_id\":\"\(head)\"}" : "{\"sha\":\"\(head)\"}"
        let auth = kind == .forgejo ? "Authorization: token tok-bob" : "Authorization: Bearer tok-bob"
        var headers = ["-H", auth, "-H", "Content-Type: application/json"]
        if kind == .github { headers += ["-H", "X-GitHub-Api-Version: 2022-11-28", "-H", "Accept: application/vnd.github+json"] }
        let direct = try c.box.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", kind == .forgejo ? "POST" : "PUT"]
                                   + headers + ["--data-binary", body, "http://127.0.0.1:\(server.port)\(path)"])
        #expect(["405", "409"].contains(direct.stdout), "the forge refuses the out-of-order merge: \(direct)")
        #expect(try server.pulls("fungal-image-analysis").first?["merged"] as? Bool == false)
        #expect(try c.box.git(["--git-dir", c.remote("fungal-image-analysis"), "rev-parse", "main"])
                != (head + "\n"), "fungal's main did not move")
        #expect(try server.violations == [])
    }

    @Test("a 500 on the second repo, then a re-run that creates only the missing PRs", arguments: Kind.allCases)
    func serverErrorThenRerun(kind: Kind) throws {
        let (c, server) = try pushedChange(kind)
        let fungal = c.repo("fungal-image-analysis")
        try server.call("POST", "/_standin/fail", ["method": "POST", "route": "/repos/{owner}/{repo}/pulls", "repo": "team/fungal-image-analysis"])
        let failed = try c.box.realm(["pr", "--title", "v2", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(failed.status != 0, "\(failed)")
        #expect(try server.pulls("aperture").count == 1)
        #expect(try server.pulls("fungal-image-analysis").isEmpty && server.pulls("annotation-viewer").isEmpty, "\(failed)")
        let rerun = try c.box.realm(["pr", "--title", "v2", "--json"], in: fungal, environment: tokenVariable(kind))
        #expect(rerun.status == 0, "\(rerun)")
        for name in ChangeTests.repos { #expect(try server.pulls(name).count == 1, "exactly one PR in \(name)") }
        #expect(try server.violations == [])
    }

    @Test("admin init --forge creates the realm's repository on Forgejo and records it in realm.yaml")
    func adminInitOnForgejo() throws {
        let box = try Sandbox()
        try FileManager.default.createDirectory(atPath: box.path("forge"), withIntermediateDirectories: true)
        let server = try StandIn(.forgejo, extra: ["--git-root", box.path("forge")])
        let made = try box.realm(["admin", "init", "--forge", "forgejo", "--forge-api", server.api, "--name", "letemcook",
                                  "--forge-owner", "letemcook"], environment: tokenVariable(.forgejo))
        #expect(made.status == 0, "\(made)")
        #expect(made.stdout.contains("✓ Created repository letemcook/letemcook on the forge"), "\(made)")
        #expect(made.stdout.contains("Created realm 'letemcook' at http://127.0.0.1:\(server.port)/letemcook/letemcook.git"), "\(made)")
        #expect(!made.output.contains(Self.token))
        let realmYAML = try box.git(["--git-dir", box.path("forge/letemcook/letemcook.git"), "show", "main:realm.yaml"])
        #expect(realmYAML.contains("forge:\n  kind: forgejo\n  api: \"\(server.api)\"\n  repo: \"letemcook/letemcook\""), "\(realmYAML)")
        // The same name again: refused by the forge, nothing written.
        let again = try box.realm(["admin", "init", "--forge", "forgejo", "--forge-api", server.api, "--name", "letemcook",
                                   "--forge-owner", "letemcook"], environment: tokenVariable(.forgejo))
        #expect(again.status != 0, "\(again)")
        // Without a token the forge refuses, saying where one goes.
        let anonymous = try box.realm(["admin", "init", "--forge", "forgejo", "--forge-api", server.api, "--name", "other"])
        #expect(anonymous.status != 0 && anonymous.stderr.contains("GIT_REALM_TOKEN"), "\(anonymous)")
        #expect(try server.violations == [])
        // An existing realm repository: --forge only records where it lives.
        let url = try box.makeBareRealm()
        let recorded = try box.realm(["admin", "init", url, "--name", "recorded", "--forge", "forgejo", "--forge-api", "https://codeberg.org/api/v1",
                                      "--forge-repo", "letemcook/realm"])
        #expect(recorded.status == 0, "\(recorded)")
        #expect(try box.git(["--git-dir", url, "show", "main:realm.yaml"]).contains("repo: \"letemcook/realm\""))
        let incomplete = try box.realm(["admin", "init", url, "--force", "--name", "recorded", "--forge", "forgejo"])
        #expect(incomplete.status == 2 && incomplete.stderr.contains("--forge-api"), "\(incomplete)")
    }

    @Test("a sync that goes to a sync branch opens a PR on the realm's forge; proposals shows it")
    func syncProposalPR() throws {
        let w = try TrustTests.makeWorld()
        let server = try StandIn(.forgejo, extra: ["--git-remote", "team/realm=\(w.url)"])
        // realm.yaml names the realm's forge (a signed realm commit by alice, an approver).
        let clone = w.box.path("forge-edit")
        try w.box.git(["clone", "--quiet", w.url, clone])
        let realmYAML = try w.box.read(clone + "/realm.yaml")
        try w.box.write(clone + "/realm.yaml", realmYAML + "forge:\n  kind: forgejo\n  api: \"\(server.api)\"\n  repo: \"team/realm\"\n")
        #expect(try w.commitInRealm(clone, as: "alice", key: "alice", message: "the realm's forge").status == 0)
        #expect(try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone).status == 0)
        try w.box.git(["config", "--global", "realm.forge.trustedHost", "127.0.0.1"])
        // aperture exports, fungal-image-analysis imports; then a breaking change waits as a proposal.
        try w.box.write("aperture/schema.yaml", SyncTests.schema)
        try w.box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        try w.box.git(["add", "."], in: w.aperture)
        try w.box.git(["commit", "-qm", "s3"], in: w.aperture)
        #expect(try w.box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml",
                                 "--schema", "schema.yaml"], in: w.aperture).status == 0)
        let first = try w.box.realm(["sync"], in: w.aperture, environment: tokenVariable(.forgejo))
        #expect(first.status == 0 && !first.output.contains("PR #"), "no sync branch, no PR: \(first)")
        #expect(try w.box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=0.1.0", "--binding", "README.md"], in: w.fungal).status == 0)
        #expect(try w.box.realm(["sync"], in: w.fungal).status == 0)
        // Forges know users by name: fungal-image-analysis's maintainer says who they are there.
        let named = try w.box.realm(["admin", "join", w.url, "--forge-user", "bob"], in: w.fungal)
        #expect(named.status == 0, "\(named)")
        #expect(try w.box.realmFile(w.url, "repos/fungal-image-analysis.yaml")?.contains("forge_users:\n  - bob") == true)
        #expect(try w.box.realm(["admin", "join", w.url, "--forge-user", "-x"], in: w.fungal).status == 2)
        try w.box.write("aperture/schema.yaml", SyncTests.schema.replacingOccurrences(of: "required: [read]\n", with: ""))
        try w.box.git(["commit", "-qam", "read is optional"], in: w.aperture)
        let sync = try w.box.realm(["sync"], in: w.aperture, environment: tokenVariable(.forgejo))
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.stdout.contains("✓ PR #1 opened on the realm's forge"), "\(sync)")
        #expect(sync.stdout.contains("Reviewers: bob"), "\(sync)")
        #expect(!sync.stderr.contains("did not ask") && !sync.stderr.contains("no reviewer"), "\(sync)")
        #expect(!sync.output.contains(Self.token))
        let pulls = try server.pulls("realm")
        #expect(pulls.count == 1, "\(pulls)")
        #expect((pulls.first?["head"] as? String ?? "").hasPrefix("sync/aperture/"), "\(pulls)")
        #expect((pulls.first?["title"] as? String ?? "").hasPrefix("aperture: s3-permissions "), "\(pulls)")
        #expect(pulls.first?["requested"] as? [String] == ["bob"], "\(pulls)")
        let proposals = try w.box.realm(["proposals", "--fetch"], in: w.fungal, environment: tokenVariable(.forgejo))
        #expect(proposals.stdout.contains("PR #1"), "\(proposals)")
        #expect(try server.violations == [])
    }

    @Test("without a trusted host the token is not sent", arguments: Kind.allCases)
    func untrusted(kind: Kind) throws {
        let (c, server) = try pushedChange(kind)
        try c.box.git(["config", "--global", "--unset-all", "realm.forge.trustedHost"])
        let refused = try c.box.realm(["pr", "--title", "v2"], in: c.repo("fungal-image-analysis"), environment: tokenVariable(kind))
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.output.contains("realm.forge.trustedHost 127.0.0.1"), "\(refused)")
        #expect(!refused.output.contains(Self.token))
        let requests = try server.call("GET", "/_standin/requests")["requests"] as? [[String: Any]] ?? []
        #expect(requests.allSatisfy { $0["authorization"] as? Bool == false }, "\(requests)")
    }
}

/// The forges' API descriptions in ../shared/forges (docs/forges.md, "The stand-in").
enum ForgeDocuments {
    enum Kind: String, CaseIterable, Sendable { case forgejo, github }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func document(_ kind: Kind) -> String {
        URL(fileURLWithPath: root + "/../shared/forges/" + (kind == .forgejo ? "forgejo/swagger.v1.json" : "github/api.github.com.pulls-subset.json")).standardized.path
    }
    static var present: Bool { Kind.allCases.allSatisfy { FileManager.default.fileExists(atPath: document($0)) } }
    static let missing = "the forges' API descriptions are not at ../shared/forges/ (\(document(.forgejo)))"
}
