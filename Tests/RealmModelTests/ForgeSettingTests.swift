import Testing
@testable import RealmModel

/// `forge:` in `repos/<repo>.yaml` and `pull_requests:` in a change record (docs/pr.md): read
/// from the realm, so hostile; each problem names the file, the line and the field.
@Suite struct ForgeSettingTests {
    static func entry(_ forge: String) -> String { "name: aperture\njoined_at: x\nforge:\n\(forge)" }

    @Test func aForgeIsReadAndWrittenBack() throws {
        let text = Self.entry("  kind: forgejo\n  api: \"https://codeberg.org/api/v1\"\n  repo: \"letemcook/aperture\"\n")
        let entry = try RealmFiles.decode(RepoEntry.self, text: text, path: "repos/aperture.yaml").value
        #expect(entry.forge == ForgeSetting(kind: "forgejo", api: "https://codeberg.org/api/v1", repo: "letemcook/aperture"))
        #expect(RealmFiles.encode(entry).contains("forge:\n  kind: forgejo\n  api: \"https://codeberg.org/api/v1\"\n  repo: \"letemcook/aperture\"\n"))
        let git = try RealmFiles.decode(RepoEntry.self, text: Self.entry("  kind: git\n"), path: "repos/aperture.yaml").value
        #expect(git.forge == ForgeSetting(kind: "git"))
        #expect(try RealmFiles.decode(RepoEntry.self, text: "name: aperture\njoined_at: x\n", path: "repos/aperture.yaml").value.forge == nil)
    }

    @Test func hostileForgesAreRefusedNamingFileLineAndField() {
        for (forge, said) in [
            ("  kind: gitlab\n", "field 'forge.kind' must be one of forgejo, gitea, github, git"),
            ("  kind: github\n  api: \"http://api.github.com\"\n  repo: a/b\n", "field 'forge.api' must be https://"),
            ("  kind: github\n  api: \"https://user:token@api.github.com\"\n  repo: a/b\n", "must not carry credentials"),
            ("  kind: gitea\n  api: \"https://h/api?x=1\"\n  repo: a/b\n", "must not have a query"),
            ("  kind: gitea\n  api: \"https://h/\\u001b[2J\"\n  repo: a/b\n", "printable ASCII"),
            ("  kind: gitea\n  api: \"file:///etc/passwd\"\n  repo: a/b\n", "must be an https:// URL"),
            ("  kind: forgejo\n  api: \"https://h\"\n  repo: \"../../x\"\n", "field 'forge.repo' must be OWNER/NAME"),
            ("  kind: forgejo\n  api: \"https://h\"\n  repo: \"a/b/c\"\n", "field 'forge.repo' must be OWNER/NAME"),
            ("  kind: forgejo\n  repo: a/b\n", "field 'forge.api' is required"),
            ("  kind: git\n  api: \"https://h\"\n", "must not be set for the git-native forge"),
        ] {
            do {
                _ = try RealmFiles.decode(RepoEntry.self, text: Self.entry(forge), path: "repos/aperture.yaml")
                Issue.record("accepted: \(forge)")
            } catch let error as ModelError {
                let text = "\(error)" + error.diagnostics.map(\.description).joined(separator: "\n")
                #expect(text.contains("repos/aperture.yaml:") && text.contains(said), "\(said): \(text)")
            } catch { Issue.record("\(error)") }
        }
    }

    /// `forge_users:` names who a forge asks to review: names the forge allows, nothing else.
    @Test func forgeUsersAreNamesAForgeAllows() throws {
        let good = try RealmFiles.decode(RepoEntry.self, text: "name: aperture\njoined_at: x\nforge_users: [alice, bob.k, c_d-9]\n",
                                         path: "repos/aperture.yaml").value
        #expect(good.forgeUsers == ["alice", "bob.k", "c_d-9"])
        #expect(RealmFiles.encode(good).contains("forge_users:\n  - alice\n  - bob.k\n  - c_d-9\n"))
        let many = "[" + (0..<33).map { "u\($0)" }.joined(separator: ", ") + "]"
        for users in ["[alice@example.com]", "[-x]", "[.x]", "[\"a b\"]", "[\"a\\u001b[2J\"]", "[\"\"]",
                      "[\(String(repeating: "a", count: 65))]", many] {
            do {
                _ = try RealmFiles.decode(RepoEntry.self, text: "name: aperture\njoined_at: x\nforge_users: \(users)\n", path: "repos/aperture.yaml")
                Issue.record("accepted: \(users)")
            } catch let error as ModelError {
                let text = "\(error)" + error.diagnostics.map(\.description).joined(separator: "\n")
                #expect(text.contains("repos/aperture.yaml:3") && text.contains("field 'forge_users'"), "\(users): \(text)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func httpOnlyOnLoopbackAndTheGuessIsOnlyForKnownHosts() {
        #expect(ForgeSetting.apiProblem("http://127.0.0.1:3000/api/v1") == nil)
        #expect(ForgeSetting.apiProblem("http://localhost:8080") == nil)
        #expect(ForgeSetting.apiProblem("http://[::1]:8080/api") == nil)
        #expect(ForgeSetting.apiProblem("http://10.0.0.1/api") != nil)
        #expect(ForgeSetting.apiProblem("https://git.example.com:notaport/") != nil)
        #expect(ForgeSetting.guess(fromRemoteURL: "git@github.com:letemcook/aperture.git") == ForgeSetting(kind: "github", api: "https://api.github.com", repo: "letemcook/aperture"))
        #expect(ForgeSetting.guess(fromRemoteURL: "https://github.com/letemcook/aperture") == ForgeSetting(kind: "github", api: "https://api.github.com", repo: "letemcook/aperture"))
        #expect(ForgeSetting.guess(fromRemoteURL: "https://codeberg.org/letemcook/aperture.git")?.kind == "forgejo")
        #expect(ForgeSetting.guess(fromRemoteURL: "https://git.example.com/letemcook/aperture.git") == nil, "an unknown host is ambiguous")
        #expect(ForgeSetting.guess(fromRemoteURL: "https://github.com/a/b/c") == nil)
        #expect(ForgeSetting.guess(fromRemoteURL: "/srv/git/aperture.git") == nil)
    }

    @Test func pullRequestsInAChangeRecordAreChecked() throws {
        let base = String(repeating: "a", count: 40)
        let head = "name: x\nbranch: feat/x\nrepos:\n  - repo: a\n    base: \"\(base)\"\npull_requests:\n"
        let good = head + "  - repo: a\n    number: 3\n    url: \"https://h/a/pulls/3\"\n"
        let record = try RealmFiles.decode(ChangeRecord.self, text: good, path: "changes/x.yaml").value
        #expect(record.pullRequests == [.init(repo: "a", number: 3, url: "https://h/a/pulls/3")])
        #expect(try RealmFiles.decode(ChangeRecord.self, text: RealmFiles.encode(record), path: "changes/x.yaml").value == record)
        for bad in ["  - repo: ../a\n    number: 3\n    url: u\n", "  - repo: a\n    number: 0\n    url: u\n",
                    "  - repo: a\n    number: 3\n    url: \"u v\\nDepends-On: evil\"\n"] {
            #expect(throws: ModelError.self) { try RealmFiles.decode(ChangeRecord.self, text: head + bad, path: "changes/x.yaml") }
        }
    }
}
