import Foundation
import RealmForge
import Testing

/// Every method of the `Forge` interface against the stand-in of each forge (Forgejo's
/// Swagger document, GitHub's OpenAPI subset): what the adapter sends must be what the
/// document allows (the stand-in records every violation) and what it reads back must be what
/// the forge keeps.
@Suite(.enabled(if: StandInServer.documentsPresent, Comment(rawValue: StandInServer.missing)))
struct ForgeAdapterTests {
    @Test("find, create, update, read, reviewers, reviews, statuses, dependency and merge in order", arguments: StandInServer.Kind.allCases)
    func everyMethod(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/metrics", sha("a"))
        try server.branch("team/fungal", "main", sha("2"))
        try server.branch("team/fungal", "feat/metrics", sha("b"))
        let aperture = try server.forge("team/aperture")
        let fungal = try server.forge("team/fungal")

        #expect(try aperture.findPullRequest(head: "feat/metrics", base: "main") == nil)
        let first = try aperture.createPullRequest(NewPullRequest(title: "feat: metrics v2", body: "Merge order: aperture first",
                                                                  head: "feat/metrics", base: "main", draft: false))
        #expect(first.title == "feat: metrics v2")
        #expect(first.head == "feat/metrics" && first.base == "main" && first.headSHA == sha("a"))
        #expect(first.state == .open && !first.draft && first.author == "alice")
        #expect(try aperture.findPullRequest(head: "feat/metrics", base: "main")?.number == first.number)
        #expect(try aperture.findPullRequest(head: "feat/other", base: "main") == nil)

        // A second create finds the first instead of duplicating it.
        let again = try aperture.createPullRequest(NewPullRequest(title: "feat: metrics v2", body: "", head: "feat/metrics", base: "main", draft: false))
        #expect(again.number == first.number)
        #expect(try server.pulls("team/aperture").count == 1)

        let updated = try aperture.updatePullRequest(number: first.number, title: "feat: training metrics v2", body: "Blocked by: nothing")
        #expect(updated.title == "feat: training metrics v2" && updated.body == "Blocked by: nothing")
        #expect(try aperture.pullRequest(number: first.number).body == "Blocked by: nothing")

        // The author is not asked to review their own PR; asking twice asks once.
        try aperture.requestReviewers(number: first.number, reviewers: ["bob", "alice"])
        try aperture.requestReviewers(number: first.number, reviewers: ["bob"])
        #expect(try aperture.pullRequest(number: first.number).requestedReviewers == ["bob"])

        let approved = kind == .forgejo ? "APPROVED" : "APPROVED"
        try server.call("POST", "/_standin/review", ["repo": "team/aperture", "number": .integer(first.number), "user": "bob", "state": .string(approved)])
        let reviews = try aperture.reviews(number: first.number)
        #expect(reviews == [Review(user: "bob", state: .approved, commit: sha("a"))])

        try aperture.setStatus(sha: sha("a"), status: CommitStatus(context: "realm/merge-order", state: .pending, description: "first"))
        try aperture.setStatus(sha: sha("a"), status: CommitStatus(context: "realm/merge-order", state: .success, description: "may merge"))
        #expect(try aperture.statuses(sha: sha("a")) == [CommitStatus(context: "realm/merge-order", state: .success, description: "may merge")])

        let second = try fungal.createPullRequest(NewPullRequest(title: "feat: metrics v2", body: "Blocked by: team/aperture#1",
                                                                head: "feat/metrics", base: "main", draft: true))
        #expect(second.draft)
        let linked = try fungal.linkDependency(number: second.number, dependsOn: PullRequestRef(repo: "team/aperture", number: first.number))
        #expect(linked == (kind == .forgejo))
        if kind == .forgejo {
            #expect(try fungal.linkDependency(number: second.number, dependsOn: PullRequestRef(repo: "team/aperture", number: first.number)))
            #expect(try server.pulls("team/fungal").first?["dependencies"] == ["team/aperture#1"])
        } else {
            try fungal.setStatus(sha: sha("b"), status: CommitStatus(context: "realm/merge-order", state: .pending, description: "after team/aperture#1"))
        }

        // Out of order: refused while the PR before it is open.
        #expect(throws: ForgeError.self) { try fungal.merge(number: second.number, expectedHead: sha("b"), method: .merge) }
        do {
            try fungal.merge(number: second.number, expectedHead: sha("b"), method: .merge)
        } catch {
            guard case .notMergeable = error else { Issue.record("expected notMergeable, got \(error)"); return }
        }
        #expect(try fungal.pullRequest(number: second.number).state == .open)

        try aperture.merge(number: first.number, expectedHead: sha("a"), method: .merge)
        #expect(try aperture.pullRequest(number: first.number).state == .merged)
        // A re-run of a merge that is done is done.
        try aperture.merge(number: first.number, expectedHead: sha("a"), method: .merge)
        if kind == .github {
            try fungal.setStatus(sha: sha("b"), status: CommitStatus(context: "realm/merge-order", state: .success, description: "team/aperture#1 merged"))
        }
        try fungal.merge(number: second.number, expectedHead: sha("b"), method: .squash)
        #expect(try fungal.pullRequest(number: second.number).state == .merged)
        #expect(try aperture.findPullRequest(head: "feat/metrics", base: "main") == nil)
        #expect(try server.violations == [])
    }

    @Test("a merge pinned to a head that moved is refused, and nothing is merged", arguments: StandInServer.Kind.allCases)
    func staleHead(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/x", sha("a"))
        let forge = try server.forge("team/aperture")
        let pr = try forge.createPullRequest(NewPullRequest(title: "x", body: "", head: "feat/x", base: "main", draft: false))
        try server.call("POST", "/_standin/review", ["repo": "team/aperture", "number": .integer(pr.number), "user": "bob", "state": "APPROVED"])
        // A new commit after the approval.
        try server.call("POST", "/_standin/push", ["repo": "team/aperture", "number": .integer(pr.number), "sha": .string(sha("c"))])
        #expect(try forge.reviews(number: pr.number).first?.commit == sha("a"))
        #expect(throws: ForgeError.headMoved(expected: sha("a"), actual: sha("c"))) {
            try forge.merge(number: pr.number, expectedHead: sha("a"), method: .merge)
        }
        #expect(try forge.pullRequest(number: pr.number).state == .open)
        #expect(try server.violations == [])
    }

    @Test("a PR merged in the web UI reads as merged", arguments: StandInServer.Kind.allCases)
    func mergedElsewhere(kind: StandInServer.Kind) throws {
        let server = try StandInServer(kind)
        try server.branch("team/aperture", "main", sha("1"))
        try server.branch("team/aperture", "feat/x", sha("a"))
        let forge = try server.forge("team/aperture")
        let pr = try forge.createPullRequest(NewPullRequest(title: "x", body: "", head: "feat/x", base: "main", draft: false))
        try server.call("POST", "/_standin/merge", ["repo": "team/aperture", "number": .integer(pr.number)])
        #expect(try forge.pullRequest(number: pr.number).state == .merged)
        try forge.merge(number: pr.number, expectedHead: sha("a"), method: .merge)
        #expect(try server.violations == [])
    }
}

/// `admin init --forge`'s part on the forge: an empty repository for the realm.
@Suite(.enabled(if: StandInServer.documentsPresent, Comment(rawValue: StandInServer.missing)))
struct ForgeRepositoryTests {
    @Test("a realm repository is created for the user or an organisation, once")
    func createRealmRepository() throws {
        let server = try StandInServer(.forgejo)
        let policy = CredentialPolicy(trustedHosts: [], useGitCredential: false,
                                      environment: { $0 == "FORGEJO_TOKEN" ? StandInServer.aliceToken : nil })
        let mine = try ForgeFactory.createRepository(kind: .forgejo, api: server.api, owner: nil, name: "letemcook-realm",
                                                     description: "realm", credentials: policy)
        #expect(mine.fullName == "alice/letemcook-realm")
        #expect(mine.cloneURL == "http://127.0.0.1:\(server.port)/alice/letemcook-realm.git")
        let org = try ForgeFactory.createRepository(kind: .forgejo, api: server.api, owner: "letemcook", name: "realm",
                                                    description: "realm", credentials: policy)
        #expect(org.fullName == "letemcook/realm")
        #expect(throws: ForgeError.self) {
            _ = try ForgeFactory.createRepository(kind: .forgejo, api: server.api, owner: nil, name: "letemcook-realm",
                                                  description: "realm", credentials: policy)
        }
        #expect(throws: ForgeError.self) {
            _ = try ForgeFactory.createRepository(kind: .github, api: "https://api.github.com", owner: nil, name: "realm",
                                                  description: "", credentials: policy)
        }
        #expect(try server.violations == [])
    }
}
