import Testing
@testable import RealmGit
@testable import RealmSupport

@Suite struct RefLayoutTests {
    @Test func names() {
        #expect(RefLayout.fetchedMain(realm: "prod") == "refs/realm/prod/main")
        #expect(RefLayout.fetchedNotes(realm: "prod") == "refs/realm/prod/notes/realm")
        #expect(RefLayout.fetchedSyncBranches(realm: "prod") == "refs/realm/prod/sync/*")
        #expect(RefLayout.fetchedSyncBranch(realm: "prod", repo: "svc", stamp: "20240101T000000Z") ==
                "refs/realm/prod/sync/svc/20240101T000000Z")
        #expect(RefLayout.realmSyncBranch(repo: "svc", stamp: "s1") == "refs/heads/sync/svc/s1")
        #expect(RefLayout.fetchRefspecs(realm: "prod") == [
            "+refs/heads/main:refs/realm/prod/incoming",
            "+refs/notes/*:refs/realm/prod/notes/*",
            "+refs/heads/sync/*:refs/realm/prod/sync/*",
            "+refs/realm/sessions/*:refs/realm/prod/sessions/*",
        ])
    }

    @Test func sessions() {
        #expect(RefLayout.realmSession(repo: "svc", user: "a@example.com") == "refs/realm/sessions/svc/a@example.com")
        #expect(RefLayout.parseRealmSession("refs/realm/sessions/svc/a@example.com")! == ("svc", "a@example.com"))
        #expect(RefLayout.parseRealmSession("refs/realm/sessions/svc") == nil)
        #expect(RefLayout.parseRealmSession("refs/realm/sessions/svc/a/b") == nil)
        #expect(RefLayout.parseRealmSession("refs/realm/sessions/svc/a..b") == nil)
        #expect(RefLayout.parseRealmSession("refs/heads/sessions/svc/a") == nil)
        #expect(RefLayout.fetchedSession(realm: "prod", repo: "svc", user: "u") == "refs/realm/prod/sessions/svc/u")
        #expect(RefLayout.parseFetchedSession("refs/realm/prod/sessions/svc/u", realm: "prod")! == ("svc", "u"))
        #expect(RefLayout.parseFetchedSession("refs/realm/other/sessions/svc/u", realm: "prod") == nil)
        #expect(RefLayout.fetchedSessions(realm: "prod") == "refs/realm/prod/sessions/*")
    }

    @Test func componentValidityAgreesWithGit() throws {
        _ = GitSandbox()  // test environment
        let candidates = ["prod", "my-realm", "a.b", "v1.2_x", "x@y", "ünïcode", "", ".hidden", "trailing.", "a..b",
                          "x.lock", "sp ace", "ti~lde", "ca^ret", "co:lon", "q?", "st*r", "br[acket", "back\\slash",
                          "a/b", "@", "a@{b", "tab\t", "del\u{7f}", "lock.locked"]
        for c in candidates {
            let result = try ProcessRunner.run("git", ["check-ref-format", "refs/x/\(c)/y"])
            let gitValid = result.status == 0 && !c.isEmpty && !c.contains("/") && c != "@"
                && !c.hasSuffix(".")  // git allows these mid-name; we refuse them for a component
            #expect(RefLayout.isValidComponent(c) == gitValid, "component \(c.debugDescription)")
        }
    }
}
