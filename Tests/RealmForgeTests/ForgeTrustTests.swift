import Foundation
import RealmForge
import RealmGit
import RealmJSON
import RealmSupport
import Testing
import TestSupport

/// A realm names where a repo's forge is (`forge.api`), and a realm writer is not the user: a
/// token goes only to a host of the user's own remotes, `api.github.com` for a github.com
/// remote, or a host the user listed in `realm.forge.trustedHost`.
struct ForgeTrustTests {
    @Test("the hosts a clone trusts come from its remotes and its config")
    func trustedHosts() {
        #expect(ForgeTrust.host(ofRemoteURL: "git@codeberg.org:team/aperture.git") == "codeberg.org")
        #expect(ForgeTrust.host(ofRemoteURL: "ssh://git@Forge.Example:2222/team/aperture.git") == "forge.example")
        #expect(ForgeTrust.host(ofRemoteURL: "https://user:secret@forge.example/team/aperture.git") == "forge.example")
        #expect(ForgeTrust.host(ofRemoteURL: "/srv/git/aperture.git") == nil)
        #expect(ForgeTrust.host(ofRemoteURL: "file:///srv/git/aperture.git") == nil)
        let hosts = ForgeTrust.trustedHosts(remoteURLs: ["https://github.com/team/aperture.git", "/local/mirror"],
                                            configured: ["Forge.Internal:8443", "[::1]"])
        #expect(hosts == ["github.com", "api.github.com", "forge.internal", "::1"])
        #expect(throws: Never.self) { try ForgeTrust.check(api: "https://api.github.com", trustedHosts: hosts) }
        #expect(throws: Never.self) { try ForgeTrust.check(api: "https://forge.internal/api/v1", trustedHosts: hosts) }
    }

    @Test("an API host the user did not choose is refused, saying how to trust it")
    func untrustedHost() {
        let hosts = ForgeTrust.trustedHosts(remoteURLs: ["git@codeberg.org:team/aperture.git"], configured: [])
        do {
            try ForgeTrust.check(api: "https://collector.example/api/v1", trustedHosts: hosts)
            Issue.record("an untrusted host passed")
        } catch {
            guard case .unauthorized(let message) = error else { Issue.record("expected unauthorized, got \(error)"); return }
            #expect(message.contains("git config --global --add realm.forge.trustedHost collector.example"))
        }
        // A look-alike is not the host.
        #expect(throws: ForgeError.self) { try ForgeTrust.check(api: "https://codeberg.org.collector.example/api/v1", trustedHosts: hosts) }
    }

    @Test("forge API URLs: https, no credentials, no query; http only for loopback")
    func apiURLs() throws {
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "http://forge.example/api/v1") }
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "https://user:pw@forge.example/api/v1") }
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "https://forge.example/api/v1?x=1") }
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "https://forge.example/api/../v1") }
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "file:///etc/passwd") }
        #expect(throws: ForgeError.self) { _ = try ForgeURL(parsing: "https://forge.example/a\"\nurl = \"https://evil") }
        #expect(try ForgeURL(parsing: "http://127.0.0.1:8080/api/v1/").description == "http://127.0.0.1:8080/api/v1")
        #expect(try ForgeURL(parsing: "http://[::1]:8080").authority == "[::1]:8080")
        #expect(ForgeURL.segment("../x/y") == "..%2Fx%2Fy")
        #expect(ForgeURL.segment("..") == "%2E%2E")
    }

    @Test("a clone's trusted hosts are read from its git config")
    func fromRepository() throws {
        let dir = HermeticEnvironment.processRoot + "/trust-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try ProcessRunner.run("git", ["init", "-q", dir])
        _ = try ProcessRunner.run("git", ["-C", dir, "remote", "add", "origin", "git@forge.example:team/aperture.git"])
        _ = try ProcessRunner.run("git", ["-C", dir, "config", "--add", "realm.forge.trustedHost", "forge-api.example"])
        Git.initialize()
        let repo = try Repository.open(at: dir)
        #expect(ForgeTrust.trustedHosts(repository: repo) == ["forge.example", "forge-api.example"])
        // A clone that `worktree --clone-missing` made from the realm's URL: its remote was the
        // realm's choice, so only the user's own list counts.
        _ = try ProcessRunner.run("git", ["-C", dir, "config", "realm.forge.remotesFromRealm", "true"])
        #expect(ForgeTrust.trustedHosts(repository: try Repository.open(at: dir)) == ["forge-api.example"])
    }

    @Test("a realm pointing forge.api elsewhere gets no token: the server sees no Authorization",
          .enabled(if: StandInServer.documentsPresent, Comment(rawValue: StandInServer.missing)))
    func noTokenToUntrustedHost() throws {
        let server = try StandInServer(.forgejo)
        try server.branch("team/aperture", "main", sha("1"))
        // The user's clone pushes to forge.example; the realm says the API is at the stand-in.
        let trusted = ForgeTrust.trustedHosts(remoteURLs: ["git@forge.example:team/aperture.git"], configured: [])
        let policy = CredentialPolicy(trustedHosts: trusted, useGitCredential: false,
                                      environment: { $0 == "FORGEJO_TOKEN" ? StandInServer.aliceToken : nil })
        let location = ForgeLocation(kind: .forgejo, api: server.api, repo: "team/aperture")
        do {
            _ = try ForgeFactory.make(location, credentials: policy).pullRequest(number: 1)
            Issue.record("a token went to a host the user never chose")
        } catch {
            guard case .unauthorized(let message) = error else { Issue.record("expected unauthorized, got \(error)"); return }
            #expect(message.contains("realm.forge.trustedHost 127.0.0.1"))
            #expect(!message.contains(StandInServer.aliceToken))
        }
        #expect(try server.requests.allSatisfy { $0["authorization"] == false })
        // Once the user trusts it, the same location works.
        var trusting = policy
        trusting.trustedHosts = ForgeTrust.trustedHosts(remoteURLs: ["git@forge.example:team/aperture.git"], configured: ["127.0.0.1"])
        #expect(throws: ForgeError.self) { _ = try ForgeFactory.make(location, credentials: trusting).pullRequest(number: 1) }   // 404: no PR 1
        #expect(try server.requests.last?["authorization"] == true)
    }
}

/// The stand-in itself must be able to fail a test: it refuses what its document does not
/// describe and records it.
@Suite(.enabled(if: StandInServer.documentsPresent, Comment(rawValue: StandInServer.missing)))
struct StandInSelfTests {
    @Test("an undescribed route, an unknown body field, an unknown query parameter and a missing token are refused and recorded",
          arguments: StandInServer.Kind.allCases)
    func refusesWhatTheDocumentDoesNotDescribe(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/x", sha("a"))
        let base = kind == .forgejo ? "/api/v1" : ""
        var headers: [(name: String, value: String)] = [("Authorization", (kind == .forgejo ? "token " : "Bearer ") + StandInServer.aliceToken),
                                                        ("Content-Type", "application/json")]
        if kind == .github { headers.append(("X-GitHub-Api-Version", "2022-11-28")) }
        func send(_ method: String, _ path: String, _ body: String? = nil, auth: Bool = true) throws -> Int {
            try HTTPClient().send(HTTPRequest(method: method, url: server.control, path: base + path,
                                              headers: auth ? headers : headers.filter { $0.name != "Authorization" }, body: body.map { Array($0.utf8) })).status
        }
        #expect(try send("POST", "/repos/team/aperture/pulls/1/rebase/everything", "{}") == 404)
        #expect(try send("DELETE", "/repos/team/aperture/pulls") == 405)
        #expect(try send("POST", "/repos/team/aperture/pulls", #"{"title":"x","head":"feat/x","base":"main","auto_merge":true}"#) == 422)
        #expect(try send("GET", "/repos/team/aperture/pulls?colour=blue") == 200)
        #expect(try send("GET", "/repos/team/aperture/pulls/1", auth: false) == 401)
        let violations = try server.violations
        #expect(violations.count == 4)
        #expect(violations.contains { $0.contains("rebase/everything") && $0.contains("describes no such operation") })
        #expect(violations.contains { $0.contains("auto_merge") })
        #expect(violations.contains { $0.contains("'colour'") })
        #expect(try server.pulls("team/aperture").isEmpty)
    }
}
