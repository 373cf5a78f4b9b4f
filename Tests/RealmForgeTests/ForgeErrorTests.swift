import Foundation
import RealmForge
import RealmSupport
import Testing
import TestSupport

/// What goes wrong talking to a forge, as a user meets it: a refused token (and git credential
/// told to forget it), a 500 (unavailable; a re-run finishes), an answer too large, a token
/// that never shows in an error or on curl's command line.
@Suite(.enabled(if: StandInServer.documentsPresent, Comment(rawValue: StandInServer.missing)))
struct ForgeErrorTests {
    @Test("a refused token is unauthorized, names its source, never shows it", arguments: StandInServer.Kind.allCases)
    func badToken(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        let forge = try server.forge("team/aperture", token: "wrong-token-9d8c7b")
        do {
            _ = try forge.pullRequest(number: 1)
            Issue.record("a bad token was accepted")
        } catch {
            guard case .unauthorized(let message) = error else { Issue.record("expected unauthorized, got \(error)"); return }
            #expect(message.contains("401"))
            #expect(message.contains(kind == .forgejo ? "FORGEJO_TOKEN" : "GITHUB_TOKEN"))
            #expect(!message.contains("wrong-token-9d8c7b"))
        }
        // No token at all: the error says where one goes.
        let anonymous = try server.forge("team/aperture", token: nil)
        #expect(throws: ForgeError.self) { _ = try anonymous.pullRequest(number: 1) }
        do { _ = try anonymous.pullRequest(number: 1) } catch {
            #expect("\(error)".contains("GIT_REALM_TOKEN"))
        }
        #expect(try server.violations == [])
    }

    @Test("git credential gives the token; a 401 makes it forget it", arguments: StandInServer.Kind.allCases)
    func gitCredential(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/x", sha("a"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/credentials"
        try git(["init", "-q", dir + "/clone"])
        try git(["-C", dir + "/clone", "config", "credential.helper", "store --file=\(store)"])
        let location = ForgeLocation(kind: server.forgeKind, api: server.api, repo: "team/aperture")
        func forge() throws -> any Forge {
            try ForgeFactory.make(location, credentials: CredentialPolicy(trustedHosts: ["127.0.0.1"], gitDirectory: dir + "/clone",
                                                                            environment: { _ in nil }))
        }
        // The right token from the helper works.
        try "http://x-token:\(StandInServer.aliceToken)@127.0.0.1:\(server.port)\n".write(toFile: store, atomically: true, encoding: .utf8)
        let pr = try forge().createPullRequest(NewPullRequest(title: "x", body: "", head: "feat/x", base: "main", draft: false))
        #expect(pr.author == "alice")
        #expect(try String(contentsOfFile: store, encoding: .utf8).contains(StandInServer.aliceToken))
        // A wrong one is refused and the helper forgets it.
        try "http://x-token:stale-token-0042@127.0.0.1:\(server.port)\n".write(toFile: store, atomically: true, encoding: .utf8)
        do {
            _ = try forge().pullRequest(number: pr.number)
            Issue.record("a stale token was accepted")
        } catch let error as ForgeError {
            guard case .unauthorized(let message) = error else { Issue.record("expected unauthorized, got \(error)"); return }
            #expect(message.contains("git credential"))
            #expect(!message.contains("stale-token-0042"))
        }
        #expect(!(try String(contentsOfFile: store, encoding: .utf8)).contains("stale-token-0042"))
        #expect(try server.violations == [])
    }

    @Test("a 500 is unavailable; the re-run creates the PR once", arguments: StandInServer.Kind.allCases)
    func serverError(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/fungal", "main", sha("1"))
        try server.branch("team/fungal", "feat/x", sha("b"))
        let forge = try server.forge("team/fungal")
        try server.call("POST", "/_standin/fail", ["method": "POST", "route": "/repos/{owner}/{repo}/pulls"])
        let request = NewPullRequest(title: "x", body: "", head: "feat/x", base: "main", draft: false)
        do {
            _ = try forge.createPullRequest(request)
            Issue.record("the injected 500 did not surface")
        } catch {
            guard case .unavailable(let message) = error else { Issue.record("expected unavailable, got \(error)"); return }
            #expect(message.contains("500"))
        }
        #expect(try server.pulls("team/fungal").isEmpty)
        // The re-run: find first (none), create.
        #expect(try forge.findPullRequest(head: "feat/x", base: "main") == nil)
        _ = try forge.createPullRequest(request)
        #expect(try server.pulls("team/fungal").count == 1)
        #expect(try server.violations == [])
    }

    @Test("an answer larger than the bound is refused", arguments: StandInServer.Kind.allCases)
    func boundedAnswer(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/x", sha("a"))
        _ = try server.forge("team/aperture").createPullRequest(NewPullRequest(title: "x", body: String(repeating: "y", count: 5000),
                                                                             head: "feat/x", base: "main", draft: false))
        let small = try server.forge("team/aperture", client: HTTPClient(maxResponseBytes: 1000))
        #expect(throws: ForgeError.self) { _ = try small.pullRequest(number: 1) }
        do { _ = try small.pullRequest(number: 1) } catch {
            guard case .malformed(let message) = error else { Issue.record("expected malformed, got \(error)"); return }
            #expect(message.contains("larger than 1000 bytes"))
        }
    }

    @Test("the token is never on curl's command line or in its environment")
    func tokenNotInArgv() throws {
        let server = try StandInServer(.forgejo)
        try server.branch("team/aperture", "main", sha("1"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A curl that records what /proc would show of it, then runs the real one.
        let real = try #require(["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let wrapper = dir + "/curl"
        try "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '\(dir)/argv'\nenv > '\(dir)/env'\nexec \(real) \"$@\"\n"
            .write(toFile: wrapper, atomically: true, encoding: .utf8)
        _ = try ProcessRunner.run("chmod", ["+x", wrapper])
        let forge = try server.forge("team/aperture", client: HTTPClient(curl: wrapper))
        #expect(throws: ForgeError.self) { _ = try forge.pullRequest(number: 7) }
        let argv = try String(contentsOfFile: dir + "/argv", encoding: .utf8)
        let env = try String(contentsOfFile: dir + "/env", encoding: .utf8)
        #expect(argv == "\(wrapper)\n-q\n--config\n-\n")
        #expect(!env.contains(StandInServer.aliceToken))
        // The stand-in did get it, in the header.
        #expect(try server.requests.last?["authorization"] == true)
    }

    func temporaryDirectory() throws -> String {
        let path = HermeticEnvironment.processRoot + "/forge-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func git(_ arguments: [String]) throws {
        let result = try ProcessRunner.run("git", arguments)
        guard result.succeeded else { throw StandInFailed(description: "git \(arguments): \(result.stderrText)") }
    }
}
