import Testing
@testable import RealmGit
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ConfigTests {
    @Test func getAndSetRepositoryConfig() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let repo = try Repository.open(at: box.path("repo"))
        #expect(try repo.configString("realm.name") == nil)

        try repo.setConfig("realm.name", "prod")
        #expect(try repo.configString("realm.name") == "prod")
        #expect(try box.git(["config", "--local", "realm.name"], in: "repo") == "prod")

        try box.git(["config", "realm.enabled", "yes"], in: "repo")
        try box.git(["config", "realm.size", "2k"], in: "repo")
        try box.git(["config", "realm.notbool", "maybe"], in: "repo")
        #expect(try repo.configBool("realm.enabled") == true)
        #expect(try repo.configInt("realm.size") == 2048)
        #expect(try repo.configBool("realm.missing") == nil)
        #expect(throws: GitError.self) { try repo.configBool("realm.notbool") }

        try box.git(["config", "--add", "realm.url", "one"], in: "repo")
        try box.git(["config", "--add", "realm.url", "two"], in: "repo")
        #expect(try repo.configMultivar("realm.url") == ["one", "two"])
        #expect(try repo.configMultivar("realm.none") == [])

        try box.git(["config", "remote.Upstream.url", "file:///x"], in: "repo")
        let entries = try repo.configEntries(matching: "^remote\\.")
        #expect(entries.map(\.key) == ["remote.Upstream.url"])
        #expect(entries.map(\.value) == ["file:///x"])
        #expect(try repo.configString("REMOTE.Upstream.URL") == "file:///x")

        try repo.unsetConfig("realm.url")
        #expect(try repo.configMultivar("realm.url") == [])
        try repo.unsetConfig("realm.url")  // absent: fine
        #expect(throws: CommandFailed.self) { try box.git(["config", "--local", "realm.url"], in: "repo") }
    }

    @Test func globalLevelAndPrecedence() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let repo = try Repository.open(at: box.path("repo"))
        let key = "realmtest.precedence\(UInt32.random(in: 0..<UInt32.max))"
        try repo.setConfig(key, "global", level: .global)
        #expect(try box.git(["config", "--global", key]) == "global")
        #expect(try repo.configString(key) == "global")
        try repo.setConfig(key, "local")
        #expect(try repo.configString(key) == "local")
        #expect(try repo.configEntries(matching: "^" + key.replacingDots + "$").map(\.value) == ["global", "local"])
        try repo.unsetConfig(key, level: .global)
        #expect(throws: CommandFailed.self) { try box.git(["config", "--global", key]) }
        #expect(try repo.configString(key) == "local")
    }

    @Test func environmentOverridesParse() {
        let parsed = Repository.parseConfigParameters("'user.name'='A '\\''quoted'\\'' name' 'Core.Bare' 'old.style=v=1' 'remote.Origin.URL'=")
        #expect(parsed.map(\.key) == ["user.name", "core.bare", "old.style", "remote.Origin.url"])
        #expect(parsed.map(\.value) == ["A 'quoted' name", nil, "v=1", ""])
        #expect(Repository.canonicalConfigKey("Branch.Main.Remote") == "branch.Main.remote")
        #expect(Repository.canonicalConfigKey("nodot") == nil)
    }

    @Test func configFileRoundTrip() throws {
        let box = GitSandbox()
        let file = box.path(".gitrealm")
        #expect((try? ConfigFile.read(path: file)) == nil)
        let missing = #expect(throws: GitError.self) { try ConfigFile.read(path: file) }
        #expect(missing?.isNotFound == true)

        try ConfigFile.set(path: file, key: "realm.name", value: "prod")
        try ConfigFile.set(path: file, key: "member.Service-A.path", value: "services/a")
        try ConfigFile.set(path: file, key: "realm.url", value: "git@example.com:org/realm.git # not a comment")
        #expect(try box.git(["config", "-f", file, "realm.name"]) == "prod")
        #expect(try box.git(["config", "-f", file, "member.Service-A.path"]) == "services/a")
        #expect(try box.git(["config", "-f", file, "realm.url"]) == "git@example.com:org/realm.git # not a comment")

        try box.git(["config", "-f", file, "--add", "Realm.Member", "x"])
        try box.git(["config", "-f", file, "--add", "realm.member", "y"])
        try box.git(["config", "-f", file, "include.path", box.path("secret")])  // listed, not followed
        box.write("secret", "[user]\n\ttoken = s3cret\n")
        let entries = try ConfigFile.read(path: file)
        #expect(entries.map(\.key) == ["realm.name", "realm.url", "realm.member", "realm.member",
                                       "member.Service-A.path", "include.path"])
        #expect(entries.first { $0.key == "realm.url" }?.value == "git@example.com:org/realm.git # not a comment")
        #expect(entries.filter { $0.key == "realm.member" }.map(\.value) == ["x", "y"])
        #expect(!entries.contains { $0.value == "s3cret" })

        try ConfigFile.unset(path: file, key: "realm.member")
        #expect(try ConfigFile.read(path: file).contains { $0.key == "realm.member" } == false)
    }
}

@Suite struct ConfigFileParserTests {
    /// Our reader and `git config -f --list -z` agree on a file full of corner cases.
    @Test func agreesWithGit() throws {
        let box = GitSandbox()
        let tricky = """
        \u{FEFF}# comment
        sectionless = 1
        ; another
        [realm]
        \tname = prod   # trailing comment
        \tquoted = "  spaced ; not a comment "  after
        \tescapes = tab\\there\\nnewline \\"q\\" back\\\\slash
        \tcontinued = one \\
        two
        \tbare
        \tEmpty =
        \tinner =   a  \t b
        [Member "Service \\"A\\" \\\\ x"]
        \tpath = services/a
        [Old.Style] key = v1
        [include]
        \tpath = /etc/passwd
        [realm]
        \tname = second\r
        """
        box.write("tricky", tricky)
        let ours = try ConfigFile.read(path: box.path("tricky"))
        let listing = try ProcessRunner.run("git", ["config", "-f", box.path("tricky"), "--list", "-z"])
        #expect(listing.status == 0, "\(listing.stderrText)")
        var theirs: [(String, String)] = []
        for record in listing.stdout.split(separator: 0, omittingEmptySubsequences: true) {
            if let nl = record.firstIndex(of: 10) {
                theirs.append((String(decoding: record[..<nl], as: UTF8.self), String(decoding: record[(nl + 1)...], as: UTF8.self)))
            } else {
                theirs.append((String(decoding: record, as: UTF8.self), ""))
            }
        }
        #expect(ours.map(\.key) == theirs.map(\.0))
        #expect(ours.map(\.value) == theirs.map(\.1))
        #expect(ours.count == 12)
    }

    @Test func syntaxErrors() throws {
        let box = GitSandbox()
        for bad in ["[unterminated", "[s \"sub]", "[s]\n bad_name = 1", "[s]\n k = \"open", "[s]\n k = bad\\q"] {
            box.write("bad", bad)
            let error = #expect(throws: GitError.self, "\(bad.debugDescription)") { try ConfigFile.read(path: box.path("bad")) }
            #expect(error?.isInvalid == true)
            #expect(try ProcessRunner.run("git", ["config", "-f", box.path("bad"), "--list"]).status != 0)
        }
    }
}

extension String {

    var replacingDots: String { split(separator: ".", omittingEmptySubsequences: false).joined(separator: "\\.") }
}
