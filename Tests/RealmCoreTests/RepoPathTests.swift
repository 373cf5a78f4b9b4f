import Testing
import RealmGit
@testable import RealmCore

/// Every path git-realm reads or runs in a participant stays inside the repository.
@Suite struct RepoPathTests {
    @Test(arguments: [
        ("config/./s3.yaml", "config/s3.yaml"), ("a//b/", "a/b"), ("./scripts/check.sh", "scripts/check.sh"),
        ("docs/.gitignore", "docs/.gitignore"), ("dir.git/x", "dir.git/x"),
    ])
    func pathsInsideAreNormalised(_ path: String, _ normalised: String) throws {
        #expect(try RepoPath.confined(path, what: "validate") == normalised)
    }

    @Test(arguments: [
        ("../secrets", "leaves the repository ('..')"), ("config/../../x", "leaves the repository ('..')"),
        ("/etc/passwd", "is absolute"), (".git/config", "names git's own directory"),
        ("sub/.GIT/hooks/pre-push", "names git's own directory"), ("", "is empty"), ("./.", "names no file"),
        ("a\\..\\b", "contains a backslash"), ("a\u{1B}[31mb", "contains a control character"),
    ])
    func pathsLeavingTheRepositoryAreRefused(_ path: String, _ problem: String) {
        let error = realmError { _ = try RepoPath.confined(path, what: ".gitrealm: export.c.validate") }
        #expect(error?.kind == .usage)
        #expect(error?.message == ".gitrealm: export.c.validate '\(path)' \(problem); only paths inside the repository are allowed")
    }

    /// In a working tree checked out by git: a symbolic link inside the repository is followed,
    /// one leading out of it (relative or absolute) is refused, a missing file is named as asked.
    @Test func symbolicLinksOutOfTheWorkingTreeAreRefused() throws {
        let repos = CoreRepos()
        try repos.write("outside/secret", "password\n")
        let repo = try repos.makeRepo("app", files: ["config/s3.yaml": "paths: []\n"])
        let workdir = try #require(repo.workdir)
        try ProcessRunner.run("ln", ["-s", "config", workdir + "/inner"])
        try ProcessRunner.run("ln", ["-s", "../outside", workdir + "/out"])
        try ProcessRunner.run("ln", ["-s", repos.path("outside/secret"), workdir + "/config/absolute"])
        try repos.git(["add", "inner", "out", "config/absolute"], in: "app")
        try repos.git(["commit", "--quiet", "-m", "links"], in: "app")

        #expect(try RepoPath.resolve("inner/s3.yaml", in: workdir, what: "file") == workdir + "/inner/s3.yaml")
        #expect(try RepoPath.resolve("./config//s3.yaml", in: workdir, what: "file") == workdir + "/config/s3.yaml")
        #expect(try RepoPath.resolve("config/missing.yaml", in: workdir, what: "file") == workdir + "/config/missing.yaml")
        for path in ["out/secret", "out", "config/absolute", "inner/absolute"] {
            let error = realmError { _ = try RepoPath.resolve(path, in: workdir, what: "file") }
            #expect(error?.kind == .refused, "\(path)")
            #expect(error?.message.hasPrefix("file '\(path)' is a symbolic link (or lies under one) leading out of the repository") == true)
        }
    }
}
