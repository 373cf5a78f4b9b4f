import Foundation
import Testing

/// Sessions in git (docs/awareness.md), with real git: two members, a bare realm, the
/// pre-receive hook for forged and oversized session refs (docs/trust.md "Sessions").
@Suite struct SessionTests {
    static let me = "test@example.com"

    /// The realm's session refs as advertised: ref -> commit.
    static func advertised(_ box: Sandbox, _ url: String) throws -> [String: String] {
        var refs: [String: String] = [:]
        for line in try box.git(["ls-remote", url]).split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, parts[1].hasPrefix("refs/realm/sessions/") { refs[String(parts[1])] = String(parts[0]) }
        }
        return refs
    }

    /// A session commit made by hand (parentless, empty tree) with `message`, as `author`.
    static func handmade(_ box: Sandbox, in dir: String, message: String, author: String = "mallory@example.com",
                         parent: String? = nil, date: String? = nil) throws -> String {
        let empty = try box.git(["hash-object", "-t", "tree", "/dev/null"], in: dir).trimmingCharacters(in: .whitespacesAndNewlines)
        var env = ["GIT_AUTHOR_EMAIL": author, "GIT_COMMITTER_EMAIL": author]
        if let date { env["GIT_AUTHOR_DATE"] = date; env["GIT_COMMITTER_DATE"] = date }
        let r = try box.run("git", ["commit-tree", empty, "-m", message] + (parent.map { ["-p", $0] } ?? []), in: dir, environment: env)
        #expect(r.status == 0, "\(r)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func record(repo: String, user: String, email: String, change: String = "x", extra: String = "") -> String {
        let now = ISO8601DateFormatter().string(from: Date())
        return "git-realm session: \(repo) \(user)\n\n{\"v\":1,\"repo\":\"\(repo)\",\"user\":\"\(user)\",\"email\":\"\(email)\",\"change\":\"\(change)\",\"domains\":[],\"exports\":[],\"started_at\":\"\(now)\",\"last_activity\":\"\(now)\",\"ttl\":7200,\"state\":\"active\"\(extra)}"
    }

    @Test func twoMembersSeeEachOthersSessionsWithinOneCommand() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try SyncTests.story(box)
        let started = try box.realm(["session", "start", "--rfc", "training-metrics-v2"], in: aperture)
        #expect(started.status == 0, "\(started)")
        #expect(started.stdout.contains("aperture (you) - working on training-metrics-v2"), "\(started)")
        #expect(try Self.advertised(box, url).keys.sorted() == ["refs/realm/sessions/aperture/\(Self.me)"])

        let seen = try box.realm(["status", "--fetch"], in: fungal)
        #expect(seen.status == 0, "\(seen)")
        #expect(seen.stdout.contains("Active sessions:\n  • aperture - working on training-metrics-v2\n"), "\(seen)")

        #expect(try box.realm(["session", "start"], in: fungal).status == 0)
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.stdout.contains("  • aperture (you) - working on training-metrics-v2\n  • fungal-image-analysis - active\n"), "\(status)")
        let json = try box.json(try box.realm(["status", "--json"], in: aperture))
        let sessions = try #require(json["sessions"] as? [[String: Any]])
        #expect(sessions.map { $0["repo"] as? String } == ["aperture", "fungal-image-analysis"])
        #expect(sessions.first?["you"] as? Bool == true && sessions.first?["change"] as? String == "training-metrics-v2")
        #expect(sessions.first?["domains"] as? [String] == ["s3-access"])
        #expect(sessions.first?["exports"] as? [String] == ["s3-permissions"])
        #expect(sessions.last?["user"] as? String == Self.me && sessions.last?["idle"] as? Bool == false)

        let list = try box.json(try box.realm(["session", "list", "--json"], in: fungal))
        #expect((list["sessions"] as? [[String: Any]])?.count == 2)

        // Stopped: nobody shows it; the next realm write anyone makes prunes it.
        #expect(try box.realm(["session", "stop"], in: fungal).stdout.contains("Session stopped"))
        #expect(!(try box.realm(["session", "list"], in: aperture).stdout.contains("fungal-image-analysis")))
        #expect(try box.realm(["session", "start"], in: aperture).status == 0)
        #expect(try Self.advertised(box, url).keys.sorted() == ["refs/realm/sessions/aperture/\(Self.me)"])
    }

    @Test func worktreeRfcStartsTheSessionOnItsChange() throws {
        let c = try ChangeTests.makeChain()
        let fungal = c.repo("fungal-image-analysis")
        let created = try c.box.realm(["worktree", "--rfc", ChangeTests.change], in: fungal)
        #expect(created.status == 0, "\(created)")
        let listed = try c.box.json(try c.box.realm(["session", "list", "--json", "--no-fetch"], in: fungal))
        let session = try #require((listed["sessions"] as? [[String: Any]])?.first, "\(listed)")
        #expect(session["change"] as? String == ChangeTests.change && session["you"] as? Bool == true)
        // A re-run writes no record, and refreshes the session alone.
        let again = try c.box.realm(["worktree", "--rfc", ChangeTests.change], in: fungal)
        #expect(again.status == 0, "\(again)")
        #expect(try Self.advertised(c.box, c.url).keys.sorted() == ["refs/realm/sessions/fungal-image-analysis/\(Self.me)"])
    }

    @Test func aRealmWriteRefreshesTheSessionInTheSamePush() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try SyncTests.story(box)
        let past = "\(Int(Date().timeIntervalSince1970) - 600) +0000"
        let started = try box.realm(["session", "start", "--rfc", "metrics"], in: aperture,
                                    environment: ["GIT_AUTHOR_DATE": past, "GIT_COMMITTER_DATE": past])
        #expect(started.status == 0, "\(started)")
        let before = try Self.advertised(box, url)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        let sync = try box.realm(["sync"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(sync.status == 0, "\(sync)")
        let pushes = sync.stderr.split(separator: "\n").filter { $0.contains(" push ") }
        #expect(pushes.count == 1, "one push carries the realm write and the session: \(sync.stderr)")
        let after = try Self.advertised(box, url)
        let ref = "refs/realm/sessions/aperture/\(Self.me)"
        #expect(after[ref] != nil && after[ref] != before[ref], "the session was refreshed")
        let json = try box.json(try box.realm(["session", "list", "--json", "--no-fetch"], in: aperture))
        let session = try #require((json["sessions"] as? [[String: Any]])?.first)
        #expect(session["change"] as? String == "metrics", "the change is kept")
        #expect((session["last_activity"] as? String ?? "") > (session["started_at"] as? String ?? ""))
    }

    @Test func idleSessionsShowIdleAndArePrunedByTheNextWrite() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try SyncTests.story(box)
        try box.git(["config", "realm.sessionTTL", "60"], in: fungal)
        let old = "\(Int(Date().timeIntervalSince1970) - 7200) +0000"
        let started = try box.realm(["session", "start"], in: fungal, environment: ["GIT_AUTHOR_DATE": old, "GIT_COMMITTER_DATE": old])
        #expect(started.status == 0, "\(started)")
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.stdout.contains("  • fungal-image-analysis - idle\n"), "\(status)")
        #expect(try Self.advertised(box, url).count == 1, "status prunes nothing: it does not push")
        #expect(try box.realm(["session", "start"], in: aperture).status == 0)
        #expect(try Self.advertised(box, url).keys.sorted() == ["refs/realm/sessions/aperture/\(Self.me)"], "pruned in the same push")

        let bad = try box.realm(["session", "start"], in: aperture, environment: ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "realm.sessionTTL", "GIT_CONFIG_VALUE_0": "soon"])
        #expect(bad.status == 2 && bad.stderr.contains("realm.sessionTTL"), "\(bad)")
    }

    @Test func forgedAndOversizedSessionsAreIgnoredByMembersAndRefusedByTheServer() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try SyncTests.story(box)
        let forged = [
            // mallory is no maintainer of aperture
            ("refs/realm/sessions/aperture/mallory@example.com",
             try Self.handmade(box, in: fungal, message: Self.record(repo: "aperture", user: "mallory@example.com", email: "mallory@example.com")),
             "not a maintainer of aperture"),
            // in someone else's name
            ("refs/realm/sessions/aperture/\(Self.me)",
             try Self.handmade(box, in: fungal, message: Self.record(repo: "aperture", user: Self.me, email: Self.me)),
             "is not authored by the email it names"),
            // oversized
            ("refs/realm/sessions/fungal-image-analysis/\(Self.me)",
             try Self.handmade(box, in: fungal, message: Self.record(repo: "fungal-image-analysis", user: Self.me, email: Self.me,
                                                                      extra: ",\"pad\":\"\(String(repeating: "x", count: 10_000))\""),
                               author: Self.me),
             "more than 8192"),
            // escape sequences where a name belongs
            ("refs/realm/sessions/fungal-image-analysis/x",
             try Self.handmade(box, in: fungal, message: Self.record(repo: "fungal-image-analysis", user: Self.me, email: Self.me,
                                                                      change: "\\u001b[2Jowned"), author: Self.me),
             "field 'change' is not a change name"),
        ]
        // Without the server's hook, anyone who can push writes them: members ignore them.
        for (ref, commit, _) in forged {
            let push = try box.run("git", ["push", "--no-verify", url, "\(commit):\(ref)"], in: fungal)
            #expect(push.status == 0, "\(push)")
        }
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.status == 0, "\(status)")
        #expect(!status.stdout.contains("Active sessions"), "\(status)")
        #expect(!status.stdout.contains("\u{1b}"), "nothing from a session reaches the terminal raw")
        #expect(status.stdout.contains("4 session ref(s) ignored"), "\(status)")

        // With `admin protect`, the server refuses each, naming the rule.
        let protected = try box.realm(["admin", "protect", url])
        #expect(protected.status == 0, "\(protected)")
        for (ref, commit, rule) in forged {
            let delete = try box.run("git", ["push", "--no-verify", url, ":\(ref)"], in: fungal)
            #expect(delete.status == 0, "invalid sessions may be deleted by anyone: \(delete)")
            let push = try box.run("git", ["push", "--no-verify", url, "\(commit):\(ref)"], in: fungal)
            #expect(push.status != 0 && push.stderr.contains(rule), "\(ref): \(push)")
        }
        // A session with history, or on a ref that is no session, is refused too.
        let valid = try box.realm(["session", "start"], in: fungal)
        #expect(valid.status == 0, "a maintainer's own session is accepted: \(valid)")
        let mine = try #require(try Self.advertised(box, url)["refs/realm/sessions/fungal-image-analysis/\(Self.me)"])
        let child = try Self.handmade(box, in: fungal, message: try box.git(["log", "-1", "--format=%B", mine], in: fungal),
                                      author: Self.me, parent: mine)
        let history = try box.run("git", ["push", "--no-verify", url, "+\(child):refs/realm/sessions/fungal-image-analysis/\(Self.me)"], in: fungal)
        #expect(history.status != 0 && history.stderr.contains("a session keeps no history"), "\(history)")
        // Deleting an active session is refused, whoever asks (the server cannot tell who).
        let delete = try box.run("git", ["push", "--no-verify", url, ":refs/realm/sessions/fungal-image-analysis/\(Self.me)"], in: aperture)
        #expect(delete.status != 0 && delete.stderr.contains("the session is active"), "\(delete)")
        #expect(try box.realm(["session", "stop"], in: fungal).status == 0)
        let afterStop = try box.run("git", ["push", "--no-verify", url, ":refs/realm/sessions/fungal-image-analysis/\(Self.me)"], in: aperture)
        #expect(afterStop.status == 0, "a stopped session may be deleted by anyone: \(afterStop)")
    }
}
