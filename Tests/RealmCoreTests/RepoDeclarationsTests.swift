import Testing
import RealmGit
import RealmModel
@testable import RealmCore

/// What a repository declares in its own `.gitrealm`, written here with `git config -f` as a
/// user would, and read back by git-realm from a commit or from the working tree.
@Suite struct RepoDeclarationsTests {
    /// `git config -f .gitrealm <key> <value>` (`--add` so repeated fields accumulate).
    static func declare(_ repos: CoreRepos, _ repo: String, _ entries: [(String, String)]) throws {
        for (key, value) in entries { try repos.git(["config", "-f", ".gitrealm", "--add", key, value], in: repo) }
    }

    @Test func declarationsAreReadFromTheCommitOrTheWorkingTree() throws {
        let repos = CoreRepos()
        let repo = try repos.makeRepo("app", files: ["config/s3.yaml": "paths: []\n"])
        try Self.declare(repos, "app", [
            ("export.s3-permissions.source", "config/*.yaml"),
            ("export.s3-permissions.file", "config/s3.yaml#/paths"),
            ("export.s3-permissions.schema", "./schemas//s3.yaml"),
            ("export.s3-permissions.validate", "scripts/check.sh"),
            ("export.s3-permissions.ci-validate", "scripts/e2e.sh"),
            ("import.db-schema.validate", "scripts/policy.sh"),
        ])
        try repos.git(["add", ".gitrealm"], in: "app")
        try repos.git(["commit", "--quiet", "-m", "declare"], in: "app")
        let committed = try #require(try repo.headCommit())
        // An uncommitted edit: a second validation script.
        try Self.declare(repos, "app", [("export.s3-permissions.validate", "scripts/more.sh")])

        let atCommit = try RepoDeclarations.load(in: repo, at: committed)
        let export = try #require(atCommit.export("s3-permissions"))
        #expect(export.sourceFiles == ["config/*.yaml"])
        #expect(export.extraction == .file("config/s3.yaml#/paths"))
        #expect(export.schemaFile == "schemas/s3.yaml", "paths are normalised")
        #expect(export.validate == ["scripts/check.sh"], "the commit's declarations, not the working tree's")
        #expect(export.ciValidate == ["scripts/e2e.sh"])
        #expect(atCommit.imports.map(\.contract) == ["db-schema"])
        #expect(atCommit.import("db-schema")?.validate == ["scripts/policy.sh"])

        let working = try RepoDeclarations.load(in: repo)
        #expect(working.export("s3-permissions")?.validate == ["scripts/check.sh", "scripts/more.sh"])

        // A bare clone has no working tree: HEAD's declarations.
        try repos.git(["clone", "--quiet", "--bare", repos.path("app"), repos.path("bare.git")], in: ".")
        #expect(try RepoDeclarations.load(in: try Repository.open(at: repos.path("bare.git"))) == atCommit)
    }

    @Test func noGitrealmDeclaresNothing() throws {
        let repos = CoreRepos()
        let repo = try repos.makeRepo("app", files: ["README.md": "hello\n"])
        #expect(try RepoDeclarations.load(in: repo) == RepoDeclarations())
        #expect(try RepoDeclarations.load(in: repo, at: try #require(try repo.headCommit())) == RepoDeclarations())
    }

    @Test(arguments: [
        ([("export.c.source", "../other-repo/*.py"), ("export.c.detect", "s3-paths")],
         ".gitrealm: export.c.source '../other-repo/*.py' leaves the repository ('..'); only paths inside the repository are allowed"),
        ([("export.c.source", "a.yaml"), ("export.c.file", "/etc/passwd")],
         ".gitrealm: export.c.file '/etc/passwd' is absolute; only paths inside the repository are allowed"),
        ([("import.c.validate", ".git/hooks/pre-push")],
         ".gitrealm: import.c.validate '.git/hooks/pre-push' names git's own directory; only paths inside the repository are allowed"),
        ([("export.c.source", "a.yaml"), ("export.c.detect", "everything")],
         ".gitrealm: export.c.detect: unknown detector 'everything' (known: s3-paths)"),
        ([("export.c.file", "a.yaml")],
         ".gitrealm: [export \"c\"] has no source (the files its value comes from)"),
        ([("import.c.source", "a.yaml")],
         ".gitrealm: import.c.source: unknown field 'source' (known: validate, ci-validate)"),
    ])
    func badDeclarationsAreUsageErrorsNamingTheKey(_ entries: [(String, String)], _ message: String) throws {
        let repos = CoreRepos()
        let repo = try repos.makeRepo("app", files: ["a.yaml": "a: 1\n"])
        try Self.declare(repos, "app", entries)
        let error = realmError { _ = try RepoDeclarations.load(in: repo) }
        #expect(error?.kind == .usage)
        #expect(error?.message == message)
    }
}
