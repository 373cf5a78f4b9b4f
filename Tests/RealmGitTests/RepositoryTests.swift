import Testing
@testable import RealmGit
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DiscoveryTests {
    @Test func discoversFromSubdirectory() throws {
        let box = GitSandbox()
        let repo = try box.makeRepo()
        box.write("repo/a/b/c/file.txt", "x")
        let found = try Repository.discover(from: box.path("repo/a/b/c"))
        #expect(canonicalPath(found.workdir ?? "") == canonicalPath(repo))
        #expect(canonicalPath(found.gitDir) == canonicalPath("\(repo)/.git"))
        #expect(canonicalPath(found.commonDir) == canonicalPath("\(repo)/.git"))
        #expect(!found.isBare)
        #expect(try found.headCommit() == nil)  // unborn
    }

    @Test func discoversLinkedWorktree() throws {
        let box = GitSandbox()
        let repo = try box.makeRepo()
        try box.commit("repo", ["f": "1"], message: "first")
        try box.git(["worktree", "add", "--quiet", "-b", "other", box.path("wt")], in: "repo")
        box.write("wt/sub/x", "")
        let found = try Repository.discover(from: box.path("wt/sub"))
        #expect(canonicalPath(found.workdir ?? "") == canonicalPath(box.path("wt")))
        #expect(canonicalPath(found.commonDir) == canonicalPath("\(repo)/.git"))
        #expect(canonicalPath(found.gitDir) == canonicalPath("\(repo)/.git/worktrees/wt"))
        #expect(try found.headCommit() == OID(hex: try box.git(["rev-parse", "HEAD"], in: "wt")))
        #expect(try found.resolve(ref: "HEAD") == found.resolve(ref: "refs/heads/other"))
    }

    @Test func discoversBareRepository() throws {
        let box = GitSandbox()
        let bare = try box.makeRepo("remote.git", bare: true)
        let found = try Repository.discover(from: bare)
        #expect(found.isBare)
        #expect(found.workdir == nil)
        #expect(canonicalPath(found.gitDir) == canonicalPath(bare))
        #expect(canonicalPath(found.commonDir) == canonicalPath(bare))
        let fromInside = try Repository.discover(from: "\(bare)/refs")
        #expect(canonicalPath(fromInside.gitDir) == canonicalPath(bare))
        #expect(try found.isTracked("anything") == false)
        #expect(try found.trackedFiles(matching: []) == [])
    }

    @Test func notARepository() throws {
        let box = GitSandbox()
        box.write("plain/file", "")
        let error = #expect(throws: GitError.self) { try Repository.discover(from: box.path("plain")) }
        #expect(error?.isNotFound == true)
        #expect(throws: GitError.self) { try Repository.open(at: box.path("plain")) }
    }

    @Test func initializesRepositories() throws {
        let box = GitSandbox()
        let repo = try Repository.initialize(at: box.path("made"), bare: false)
        #expect(!repo.isBare)
        #expect(try box.git(["rev-parse", "--is-inside-work-tree"], in: "made") == "true")
        let bare = try Repository.initialize(at: box.path("made.git"), bare: true)
        #expect(bare.isBare)
        #expect(try box.git(["rev-parse", "--is-bare-repository"], in: "made.git") == "true")
        let reopened = try Repository.open(at: box.path("made"))
        #expect(canonicalPath(reopened.gitDir) == canonicalPath(box.path("made/.git")))
    }
}

@Suite struct RefTests {
    @Test func compareAndSwap() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let first = try box.commit("repo", ["f": "1"], message: "one")
        let second = try box.commit("repo", ["f": "2"], message: "two")
        let repo = try Repository.open(at: box.path("repo"))
        let ref = "refs/realm/test/main"

        #expect(try repo.resolve(ref: ref) == nil)
        try repo.updateRef(ref, to: first, expected: nil, message: "create")
        #expect(try repo.resolve(ref: ref) == first)
        #expect(try box.git(["rev-parse", ref], in: "repo") == first.hex)

        // Must-not-exist fails now.
        let exists = #expect(throws: GitError.self) { try repo.updateRef(ref, to: second, expected: nil, message: "again") }
        #expect(exists?.isConflict == true)

        // Wrong expectation.
        let stale = #expect(throws: GitError.self) { try repo.updateRef(ref, to: first, expected: second, message: "stale") }
        #expect(stale?.isConflict == true)
        #expect(stale?.message.contains(first.hex) == true)
        #expect(try repo.resolve(ref: ref) == first)

        // Right expectation.
        try repo.updateRef(ref, to: second, expected: first, message: "advance")
        #expect(try repo.resolve(ref: ref) == second)

        // Expecting a value for an absent ref is a conflict too.
        let absent = #expect(throws: GitError.self) {
            try repo.updateRef("refs/realm/test/none", to: first, expected: second, message: "x")
        }
        #expect(absent?.isConflict == true)

        // Someone else (the git program) moves the ref: our CAS notices.
        try box.git(["update-ref", ref, first.hex], in: "repo")
        let moved = #expect(throws: GitError.self) { try repo.updateRef(ref, to: second, expected: second, message: "x") }
        #expect(moved?.isConflict == true)

        // Delete with CAS.
        let badDelete = #expect(throws: GitError.self) { try repo.deleteRef(ref, expected: second) }
        #expect(badDelete?.isConflict == true)
        try repo.deleteRef(ref, expected: first)
        #expect(try repo.resolve(ref: ref) == nil)
        try repo.deleteRef(ref, expected: nil)  // absent: fine
        let goneDelete = #expect(throws: GitError.self) { try repo.deleteRef(ref, expected: first) }
        #expect(goneDelete?.isConflict == true)

        try repo.setRef(ref, to: second, message: "force")
        try repo.setRef(ref, to: first, message: "force")
        #expect(try repo.resolve(ref: ref) == first)
        // Reflog message recorded by libgit2 is visible to git.
        #expect(try box.git(["reflog", "show", "--format=%gs", "refs/heads/main"], in: "repo").contains("two"))

        let invalid = #expect(throws: GitError.self) { try repo.updateRef("refs/bad..name", to: first, expected: nil, message: "x") }
        #expect(invalid?.isInvalid == true)
    }

    @Test func globListing() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let c = try box.commit("repo", ["f": "1"], message: "one")
        let repo = try Repository.open(at: box.path("repo"))
        for name in ["refs/realm/r/sync/b/2", "refs/realm/r/sync/a/1", "refs/realm/r/main", "refs/realm/other/sync/x/1"] {
            try repo.setRef(name, to: c, message: "t")
        }
        try box.git(["pack-refs", "--all"], in: "repo")  // packed refs are listed too
        try repo.setRef("refs/realm/r/sync/a/0", to: c, message: "loose")
        let listed = try repo.references(glob: RefLayout.fetchedSyncBranches(realm: "r")).map(\.name)
        #expect(listed == ["refs/realm/r/sync/a/0", "refs/realm/r/sync/a/1", "refs/realm/r/sync/b/2"])
        #expect(try repo.references(glob: "refs/realm/*/main").map(\.oid) == [c])
        #expect(try repo.references(glob: "refs/nothing/*").isEmpty)
        // Symbolic refs are resolved.
        try box.git(["symbolic-ref", "refs/realm/r/sym", "refs/realm/r/main"], in: "repo")
        #expect(try repo.references(glob: "refs/realm/r/sym").first?.oid == c)
        #expect(try repo.resolve(ref: "refs/realm/r/sym") == c)
    }

    @Test func revparse() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let one = try box.commit("repo", ["f": "1"], message: "one")
        let two = try box.commit("repo", ["f": "2"], message: "two")
        try box.git(["tag", "-a", "-m", "annotated", "v1", one.hex], in: "repo")
        let repo = try Repository.open(at: box.path("repo"))
        #expect(try repo.revparse("HEAD") == two)
        #expect(try repo.revparse("main~1") == one)
        #expect(try repo.revparse("v1") == one)  // peeled
        #expect(try repo.revparse(two.hex) == two)
        #expect(try repo.revparse("HEAD^{tree}") == repo.commit(two).tree)
        #expect(throws: GitError.self) { try repo.revparse("no-such-thing") }
        #expect(try repo.headCommit() == two)
    }
}

@Suite struct ObjectTests {
    @Test func readsCommitsTreesAndBlobs() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let c = try box.commit("repo", ["domains/s3/contracts/x.yaml": "kind: x\n", "README": "hi"], message: "Add x\n\nBody.")
        let repo = try Repository.open(at: box.path("repo"))
        let info = try repo.commit(c)
        #expect(info.message == "Add x\n\nBody.\n")
        #expect(info.authorName == "Test Author")
        #expect(info.authorEmail == "author@example.com")
        #expect(info.parents.isEmpty)
        #expect(String(info.time) == (try box.git(["log", "-1", "--format=%ct"], in: "repo")))

        #expect(text(try repo.blob(at: "domains/s3/contracts/x.yaml", in: c)) == "kind: x\n")
        #expect(text(try repo.blob(at: "domains/s3/contracts/x.yaml", in: info.tree)) == "kind: x\n")
        #expect(try repo.blob(at: "domains/s3", in: c) == nil)  // a tree
        #expect(try repo.blob(at: "domains/missing.yaml", in: c) == nil)
        #expect(try repo.entry(at: "", in: c)?.oid == info.tree)
        let dir = try repo.entry(at: "domains/s3", in: c)
        #expect(dir?.kind == .tree)
        #expect(dir?.mode == 0o040000)
        #expect(try repo.entry(at: "README", in: c)?.mode == 0o100644)
        #expect(try repo.listTree(at: "", in: c).map(\.name) == ["README", "domains"])
        #expect(try repo.listTree(at: "domains/s3/contracts", in: c).map(\.name) == ["x.yaml"])
        #expect(try repo.listTree(at: "nope", in: c).isEmpty)
        #expect(try repo.listTree(at: "README", in: c).isEmpty)

        let blob = try repo.writeBlob(bytes("hello\n"))
        #expect(try box.git(["cat-file", "-p", blob.hex], in: "repo") == "hello")
        #expect(try box.git(["hash-object", "--stdin"], in: "repo", stdin: "hello\n") == blob.hex)
        #expect(try repo.blob(blob) == bytes("hello\n"))
        let empty = try repo.writeBlob([])
        #expect(empty.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        #expect(try repo.blob(empty) == [])
        let missing = #expect(throws: GitError.self) { try repo.blob(OID(hex: String(repeating: "ab", count: 20))!) }
        #expect(missing?.isNotFound == true)
    }

    @Test func buildsTrees() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let base = try box.commit("repo", ["a/keep.txt": "keep", "a/b/old.txt": "old", "a/b/gone.txt": "gone",
                                          "lonely/only.txt": "x"], message: "base")
        try box.git(["update-index", "--chmod=+x", "a/keep.txt"], in: "repo")
        let exec = try box.commit("repo", [:], message: "exec")
        let repo = try Repository.open(at: box.path("repo"))

        let tree = try repo.buildTree(base: exec, changes: [
            "a/b/old.txt": .blob(bytes("new")),               // modify
            "a/b/gone.txt": .delete,                           // delete
            "x/y/z/deep.txt": .blob(bytes("deep")),            // nested add
            "lonely/only.txt": .delete,                        // empties a tree -> removed
            "a/keep.txt": .blob(bytes("kept, still executable")),
            "not/there.txt": .delete,                          // absent: no-op
        ])
        let listing = try box.git(["ls-tree", "-r", tree.hex], in: "repo")
        let lines = listing.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: "\t")
            return "\(parts[0].split(separator: " ")[0]) \(parts[1])"
        }
        #expect(lines == ["100644 a/b/old.txt", "100755 a/keep.txt", "100644 x/y/z/deep.txt"])
        #expect(try box.git(["cat-file", "-p", "\(tree.hex):a/b/old.txt"], in: "repo") == "new")
        #expect(try box.git(["ls-tree", tree.hex], in: "repo").contains("lonely") == false)
        _ = base

        // From nothing; and back to nothing.
        let fresh = try repo.buildTree(base: nil, changes: ["one/two.txt": .blob(bytes("2"))])
        #expect(text(try repo.blob(at: "one/two.txt", in: fresh)) == "2")
        let emptied = try repo.buildTree(base: fresh, changes: ["one/two.txt": .delete])
        #expect(emptied.hex == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
        #expect(try repo.buildTree(base: nil, changes: [:]) == emptied)

        // A tree replaced by a file, and a deleted directory.
        let replaced = try repo.buildTree(base: exec, changes: ["a/b": .blob(bytes("file now")), "lonely": .delete])
        #expect(try repo.entry(at: "a/b", in: replaced)?.kind == .blob)
        #expect(try repo.entry(at: "lonely", in: replaced) == nil)
    }

    @Test func buildTreeValidatesPaths() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let repo = try Repository.open(at: box.path("repo"))
        for bad in ["", ".", "..", "a/../b", "a/./b", ".git", "a/.git/x", ".GIT/config", "a//b", "/a", "a/", "a\u{0}b"] {
            let error = #expect(throws: GitError.self, "path \(bad.debugDescription)") {
                try repo.buildTree(base: nil, changes: [bad: .blob(bytes("x"))])
            }
            #expect(error?.isInvalid == true)
        }
        #expect(throws: GitError.self) {
            try repo.buildTree(base: nil, changes: ["a": .blob(bytes("x")), "a/b": .blob(bytes("y"))])
        }
        #expect(throws: GitError.self) {
            try repo.buildTree(base: nil, changes: ["a/b": .delete, "a": .delete])
        }
        // Dots inside names are fine.
        _ = try repo.buildTree(base: nil, changes: [".gitrealm": .blob(bytes("x")), "a/..b/.c": .blob(bytes("y"))])
    }

    @Test func createsCommits() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let parent = try box.commit("repo", ["f": "1"], message: "parent")
        let repo = try Repository.open(at: box.path("repo"))
        let tree = try repo.buildTree(base: parent, changes: ["g": .blob(bytes("2"))])

        let explicit = try repo.createCommit(tree: tree, parents: [parent], message: "Explicit\n",
                                             author: Signature(name: "Ann Author", email: "ann@example.com"))
        #expect(try box.git(["cat-file", "-t", explicit.hex], in: "repo") == "commit")
        #expect(try box.git(["log", "-1", "--format=%an <%ae>|%cn <%ce>|%s|%P|%T", explicit.hex], in: "repo")
                == "Ann Author <ann@example.com>|Ann Author <ann@example.com>|Explicit|\(parent.hex)|\(tree.hex)")
        #expect(try box.git(["rev-list", "--count", explicit.hex], in: "repo") == "2")
        #expect(try repo.headCommit() == parent)  // no ref moved

        // No identity anywhere: the fallback.
        let anonymous = try repo.createCommit(tree: tree, parents: [], message: "root")
        #expect(try box.git(["log", "-1", "--format=%an <%ae>", anonymous.hex], in: "repo") == "git-realm <git-realm@localhost>")
        #expect(try repo.commit(anonymous).parents.isEmpty)

        // Identity from config.
        try box.git(["config", "user.name", "Config User"], in: "repo")
        try box.git(["config", "user.email", "config@example.com"], in: "repo")
        let configured = try repo.createCommit(tree: tree, parents: [parent, explicit], message: "merge")
        #expect(try box.git(["log", "-1", "--format=%an <%ae>|%P", configured.hex], in: "repo")
                == "Config User <config@example.com>|\(parent.hex) \(explicit.hex)")
        let now = Int64(time(nil))
        #expect(abs(try repo.commit(configured).time - now) < 60)
        #expect(try repo.isAncestor(parent, of: configured))
        #expect(try repo.isAncestor(configured, of: configured))
        #expect(try !repo.isAncestor(configured, of: parent))
        #expect(try !repo.isAncestor(anonymous, of: configured))
        try box.git(["fsck", "--strict", "--no-dangling"], in: "repo")

        #expect(throws: GitError.self) { try repo.createCommit(tree: parent, parents: [], message: "commit is not a tree") }
    }

    @Test func parsesGitDates() {
        #expect(GitDate.parse("1234567890 +0100")! == (1234567890, 60))
        #expect(GitDate.parse("@1234567890 -0230")! == (1234567890, -150))
        #expect(GitDate.parse("@0")! == (0, 0))
        #expect(GitDate.parse("2005-04-07T22:13:13Z")! == (1112911993, 0))
        #expect(GitDate.parse("2005-04-07T22:13:13+02:00")! == (1112904793, 120))
        #expect(GitDate.parse("2005-04-07 22:13:13 +0200")! == (1112904793, 120))
        #expect(GitDate.parse("Thu, 07 Apr 2005 22:13:13 +0200")! == (1112904793, 120))
        #expect(GitDate.parse("yesterday") == nil)
        #expect(GitDate.parse("12") == nil)
    }
}

@Suite struct HistoryTests {
    @Test func changedPathsWithPathspecs() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let one = try box.commit("repo", ["domains/s3/contracts/a.yaml": "1", "domains/s3/notes.md": "n",
                                         "other/x.yaml": "x"], message: "one")
        let two = try box.commit("repo", ["domains/s3/contracts/a.yaml": "2", "domains/s3/contracts/b.yaml": "b",
                                         "domains/s3/notes.md": "m", "other/x.yaml": nil, "top.yaml": "t"], message: "two")
        let repo = try Repository.open(at: box.path("repo"))
        #expect(try repo.changedPaths(from: one, to: two) ==
                ["domains/s3/contracts/a.yaml", "domains/s3/contracts/b.yaml", "domains/s3/notes.md", "other/x.yaml", "top.yaml"])
        #expect(try repo.changedPaths(from: one, to: two, pathspecs: ["domains/*/contracts/*.yaml"]) ==
                ["domains/s3/contracts/a.yaml", "domains/s3/contracts/b.yaml"])
        #expect(try repo.changedPaths(from: one, to: two, pathspecs: ["domains"]) ==
                ["domains/s3/contracts/a.yaml", "domains/s3/contracts/b.yaml", "domains/s3/notes.md"])
        #expect(try repo.changedPaths(from: one, to: two, pathspecs: ["*.yaml"]) ==
                ["domains/s3/contracts/a.yaml", "domains/s3/contracts/b.yaml", "other/x.yaml", "top.yaml"])
        #expect(try repo.changedPaths(from: nil, to: one) == ["domains/s3/contracts/a.yaml", "domains/s3/notes.md", "other/x.yaml"])
        #expect(try repo.changedPaths(from: two, to: two).isEmpty)
        // Trees work as well as commits, and git agrees.
        let gitSays = try box.git(["diff", "--name-only", one.hex, two.hex, "--", "domains/*/contracts/*.yaml"], in: "repo")
        #expect(try repo.changedPaths(from: repo.commit(one).tree, to: repo.commit(two).tree,
                                      pathspecs: ["domains/*/contracts/*.yaml"]).joined(separator: "\n") == gitSays)
    }

    @Test func pathHistoryOverThreeChanges() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let path = "domains/s3/contracts/x.yaml"
        let v1 = try box.commit("repo", [path: "v1"], message: "add")
        try box.commit("repo", ["unrelated": "u"], message: "unrelated")
        let v2 = try box.commit("repo", [path: "v2"], message: "modify")
        let gone = try box.commit("repo", [path: nil], message: "delete")
        let tip = try box.commit("repo", ["unrelated": "u2"], message: "later")
        let repo = try Repository.open(at: box.path("repo"))

        let history = try repo.pathHistory(path, from: tip)
        #expect(history.map(\.commit.oid) == [gone, v2, v1])
        #expect(history.map { text($0.blob) } == [nil, "v2", "v1"])
        #expect(history.map(\.commit.message) == ["delete\n", "modify\n", "add\n"])
        let gitSays = try box.git(["log", "--format=%H", tip.hex, "--", path], in: "repo")
        #expect(history.map(\.commit.oid.hex).joined(separator: "\n") == gitSays)
        #expect(try repo.pathHistory(path, from: tip, limit: 2).count == 2)
        #expect(try repo.pathHistory("never/there", from: tip).isEmpty)
    }

    @Test func pathHistoryFollowsGitLogThroughMerges() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let path = "c.yaml"
        try box.commit("repo", [path: "1"], message: "base")
        try box.git(["checkout", "--quiet", "-b", "side"], in: "repo")
        try box.commit("repo", [path: "side"], message: "side change")
        try box.git(["checkout", "--quiet", "main"], in: "repo")
        try box.commit("repo", ["other": "o"], message: "main change")
        try box.git(["merge", "--quiet", "--no-edit", "side"], in: "repo")
        try box.commit("repo", [path: "after"], message: "after merge")
        let repo = try Repository.open(at: box.path("repo"))
        let tip = try repo.headCommit()!
        let history = try repo.pathHistory(path, from: tip)
        let gitSays = try box.git(["log", "--format=%H", "HEAD", "--", path], in: "repo")
        #expect(history.map(\.commit.oid.hex).joined(separator: "\n") == gitSays)
        #expect(history.map { text($0.blob) } == ["after", "side", "1"])
    }
}

@Suite struct NotesTests {
    @Test func notesCommitsReadableByGit() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let a = try box.commit("repo", ["f": "1"], message: "a")
        let b = try box.commit("repo", ["f": "2"], message: "b")
        let repo = try Repository.open(at: box.path("repo"))

        #expect(try repo.note(ref: RefLayout.localNotes, on: a) == nil)  // no notes ref yet
        let first = try repo.createNotesCommit(parent: nil, target: a, text: "status: ok\n")
        #expect(try repo.resolve(ref: RefLayout.localNotes) == nil)  // not published
        try repo.updateRef(RefLayout.localNotes, to: first, expected: nil, message: "notes")
        #expect(try box.git(["notes", "--ref=realm", "show", a.hex], in: "repo") == "status: ok")

        let second = try repo.createNotesCommit(parent: first, target: b, text: "status: pending\n",
                                                author: Signature(name: "Hook", email: "hook@example.com"))
        try repo.updateRef(RefLayout.localNotes, to: second, expected: first, message: "notes")
        #expect(try box.git(["notes", "--ref=realm", "show", b.hex], in: "repo") == "status: pending")
        #expect(try box.git(["notes", "--ref=realm", "show", a.hex], in: "repo") == "status: ok")
        #expect(try box.git(["log", "-1", "--format=%an", RefLayout.localNotes], in: "repo") == "Hook")

        #expect(try repo.note(ref: RefLayout.localNotes, on: b) == "status: pending\n")
        #expect(try repo.note(notesCommit: first, on: b) == nil)
        #expect(try repo.note(notesCommit: second, on: a) == "status: ok\n")

        // Overwrite, and notes written by git are readable.
        let third = try repo.createNotesCommit(parent: second, target: a, text: "status: replaced\n")
        #expect(try repo.note(notesCommit: third, on: a) == "status: replaced\n")
        try box.git(["notes", "--ref=realm", "add", "-f", "-m", "from git", a.hex], in: "repo")
        #expect(try repo.note(ref: "refs/notes/realm", on: a) == "from git\n")
    }
}

extension NotesTests {
    /// The retry loop from docs/git-layer.md; returns the number of lost races.
    static func addNote(_ repo: Repository, on commit: OID, text: String) throws(GitError) -> Int {
        var retries = 0
        while true {
            let tip = try repo.resolve(ref: RefLayout.localNotes)
            let next = try repo.createNotesCommit(parent: tip, target: commit, text: text)
            do throws(GitError) {
                try repo.updateRef(RefLayout.localNotes, to: next, expected: tip, message: "git-realm: note")
                break
            } catch where error.isConflict || error.isLocked {
                retries += 1
                continue
            }
        }
        return retries
    }

    /// Two writers (separate Repository instances, as two hook processes would
    /// have) add notes to the same notes ref with the CAS retry loop from
    /// docs/git-layer.md; no note is lost.
    @Test func concurrentWritersWithCASRetry() async throws {
        let box = GitSandbox()
        try box.makeRepo()
        var targets: [OID] = []
        for i in 0..<16 { targets.append(try box.commit("repo", ["f": "\(i)"], message: "c\(i)")) }
        let path = box.path("repo")
        let halves = [Array(targets[..<8]), Array(targets[8...])]
        try await withThrowingTaskGroup(of: Int.self) { group in
            for half in halves {
                group.addTask {
                    let repo = try Repository.open(at: path)
                    var retries = 0
                    for commit in half {
                        retries += try NotesTests.addNote(repo, on: commit, text: "note \(commit.hex)\n")
                    }
                    return retries
                }
            }
            for try await _ in group {}
        }
        let repo = try Repository.open(at: path)
        for commit in targets {
            #expect(try repo.note(ref: RefLayout.localNotes, on: commit) == "note \(commit.hex)\n")
        }
        #expect(try box.git(["notes", "--ref=realm", "list"], in: "repo").split(separator: "\n").count == 16)
    }
}

@Suite struct IndexTests {
    @Test func trackedFiles() throws {
        let box = GitSandbox()
        try box.makeRepo()
        try box.commit("repo", ["domains/s3/contracts/a.yaml": "1", "domains/s3/contracts/b.json": "2", "README.md": "r"],
                       message: "files")
        box.write("repo/untracked.yaml", "u")
        box.write("repo/staged.yaml", "s")
        try box.git(["add", "staged.yaml"], in: "repo")
        let repo = try Repository.discover(from: box.path("repo/domains"))
        #expect(try repo.isTracked("README.md"))
        #expect(try repo.isTracked("staged.yaml"))  // in the index, not yet committed
        #expect(try !repo.isTracked("untracked.yaml"))
        #expect(try !repo.isTracked("domains"))
        #expect(try repo.trackedFiles(matching: ["*.yaml"]) == ["domains/s3/contracts/a.yaml", "staged.yaml"])
        #expect(try repo.trackedFiles(matching: ["domains/*/contracts/*"]) == ["domains/s3/contracts/a.yaml", "domains/s3/contracts/b.json"])
        #expect(try repo.trackedFiles(matching: ["domains"]).count == 2)
        #expect(try repo.trackedFiles(matching: []).count == 4)
        #expect(try repo.trackedFiles(matching: ["nothing/*"]).isEmpty)
        // The index is re-read when git changes it.
        try box.git(["rm", "--quiet", "--cached", "README.md"], in: "repo")
        #expect(try !repo.isTracked("README.md"))
    }
}

@Suite struct OnePackTests {
    /// `git count-objects -v` as numbers: loose objects, objects in packs, packs.
    func counts(_ box: GitSandbox) throws -> (loose: Int, inPack: Int, packs: Int) {
        var fields: [String: Int] = [:]
        for line in try box.git(["count-objects", "-v"], in: "repo").split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2 { fields[String(parts[0])] = Int(parts[1].filter { $0 != " " }) }
        }
        return (fields["count"] ?? -1, fields["in-pack"] ?? -1, fields["packs"] ?? -1)
    }

    @Test func newObjectsLandInOnePackReadableByGit() throws {
        let box = GitSandbox()
        try box.makeRepo()
        let base = try box.commit("repo", ["a/b/c/old.txt": "old", "other/x.txt": "x"], message: "base")
        try box.git(["gc", "--quiet"], in: "repo")
        let before = try counts(box)
        #expect(before.loose == 0 && before.packs == 1)
        let repo = try Repository.open(at: box.path("repo"))

        let (commit, notes) = try repo.writingObjectsAsOnePack { objects in
            let tree = try objects.buildTree(base: base, changes: ["a/b/c/new.txt": .blob(bytes("new"))])
            // Written objects are readable through the handle before they reach the disk.
            #expect(text(try objects.blob(at: "a/b/c/new.txt", in: tree)) == "new")
            let commit = try objects.createCommit(tree: tree, parents: [base], message: "batched")
            let notes = try objects.createNotesCommit(parent: nil, target: commit, text: "a note\n")
            #expect(try objects.note(notesCommit: notes, on: commit) == "a note\n")
            return (commit, notes)
        }
        // A blob, the four trees above it and a commit; a note blob, its tree and notes commit.
        let after = try counts(box)
        #expect(after.loose == 0)
        #expect(after.packs == 2)
        #expect(after.inPack - before.inPack == 9)
        // Refs can point at them through the handle that did not write them.
        try repo.setRef("refs/heads/batched", to: commit, message: "test")
        try repo.setRef("refs/notes/test", to: notes, message: "test")
        #expect(try box.git(["cat-file", "-p", "batched:a/b/c/new.txt"], in: "repo") == "new")
        #expect(try box.git(["notes", "--ref=test", "show", "batched"], in: "repo") == "a note")
        try box.git(["fsck", "--strict", "--no-dangling"], in: "repo")
    }

    @Test func nothingIsWrittenWhenTheBodyThrowsOrWritesNothing() throws {
        struct Refused: Error {}
        let box = GitSandbox()
        try box.makeRepo()
        let base = try box.commit("repo", ["f": "1"], message: "base")
        try box.git(["gc", "--quiet"], in: "repo")
        let before = try counts(box)
        let repo = try Repository.open(at: box.path("repo"))

        var written: OID?
        #expect(throws: Refused.self) {
            try repo.writingObjectsAsOnePack { objects in
                written = try objects.writeBlob(bytes("never stored"))
                throw Refused()
            }
        }
        let unchanged = try counts(box)
        #expect(unchanged.loose == before.loose && unchanged.inPack == before.inPack && unchanged.packs == before.packs)
        #expect(throws: GitError.self) { try repo.blob(written!) }

        // Writing only what exists already stores nothing either.
        try repo.writingObjectsAsOnePack { objects in
            _ = try objects.writeBlob(bytes("1"))
            _ = try objects.buildTree(base: base, changes: [:])
        }
        let still = try counts(box)
        #expect(still.inPack == before.inPack && still.packs == before.packs && still.loose == before.loose)
    }
}
