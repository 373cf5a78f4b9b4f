import Testing
@testable import RealmGit
@testable import RealmSupport

@Suite struct GitRemoteTests {
    /// A bare "realm" remote plus two clones, a and b, both at the same main.
    func setUp() throws -> (box: GitSandbox, remote: String, base: OID) {
        let box = GitSandbox()
        let remote = try box.makeRepo("realm.git", bare: true)
        try box.makeRepo("a")
        let base = try box.commit("a", ["realm.yaml": "v0"], message: "base")
        try GitRemote.push(repoDir: box.path("a"), url: remote, refspecs: ["refs/heads/main:refs/heads/main"])
        try box.git(["clone", "--quiet", remote, box.path("b")])
        return (box, remote, base)
    }

    @Test func pushAndFetch() throws {
        let (box, remote, base) = try setUp()
        #expect(try box.git(["rev-parse", "main"], in: "realm.git") == base.hex)
        let remoteRefs = try GitRemote.lsRemote(url: remote)
        #expect(remoteRefs.contains { $0.name == "refs/heads/main" && $0.oid == base })
        #expect(try GitRemote.lsRemote(url: remote, patterns: ["refs/heads/nothing*"]).isEmpty)

        // Push an OID (not a local branch) plus a sync branch.
        let a = try Repository.open(at: box.path("a"))
        let tree = try a.buildTree(base: base, changes: ["realm.yaml": .blob(bytes("v1"))])
        let next = try a.createCommit(tree: tree, parents: [base], message: "v1")
        try GitRemote.push(repoDir: box.path("a"), url: remote,
                           refspecs: ["\(next.hex):refs/heads/main", "\(next.hex):\(RefLayout.realmSyncBranch(repo: "svc", stamp: "1"))"],
                           leases: [(ref: "refs/heads/main", expected: base)])
        #expect(try box.git(["rev-parse", "main"], in: "realm.git") == next.hex)

        // An exact source ref that the remote lacks fails the fetch, unless asked to ignore it.
        let exact = ["+refs/heads/main:refs/realm/prod/main", "+refs/notes/realm:refs/realm/prod/notes/realm"]
        let missing = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.fetch(repoDir: box.path("b"), url: remote, refspecs: exact)
        }
        #expect(missing?.isMissingRemoteRef == true)
        #expect(missing?.isRejected == false)
        try GitRemote.fetch(repoDir: box.path("b"), url: remote, refspecs: exact, ignoreMissing: true)
        // The realm layout fetches notes with a glob, so a realm without notes fetches cleanly.
        let specs = RefLayout.fetchRefspecs(realm: "prod")
        try GitRemote.fetch(repoDir: box.path("b"), url: remote, refspecs: specs)
        let b = try Repository.open(at: box.path("b"))
        #expect(try b.resolve(ref: RefLayout.fetchedMain(realm: "prod")) == next)
        #expect(try b.resolve(ref: RefLayout.fetchedNotes(realm: "prod")) == nil)
        #expect(try b.references(glob: RefLayout.fetchedSyncBranches(realm: "prod")).map(\.name) ==
                [RefLayout.fetchedSyncBranch(realm: "prod", repo: "svc", stamp: "1")])
        #expect(try b.commit(next).message == "v1")
        #expect(try box.git(["rev-parse", "HEAD"], in: "b") == base.hex)  // checkout untouched

        // Prune: the sync branch disappears after it is deleted on the remote.
        try box.git(["update-ref", "-d", "refs/heads/sync/svc/1"], in: "realm.git")
        try GitRemote.fetch(repoDir: box.path("b"), url: remote, refspecs: [specs[0], specs[2]], prune: true)
        #expect(try b.references(glob: RefLayout.fetchedSyncBranches(realm: "prod")).isEmpty)
        #expect(try b.resolve(ref: RefLayout.fetchedMain(realm: "prod")) == next)

        let bad = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.fetch(repoDir: box.path("b"), url: box.path("no-such-remote.git"), refspecs: specs)
        }
        #expect(bad?.status != 0)
        #expect(bad?.command.first == "git")
        #expect(bad?.isRejected == false)
    }

    @Test func concurrentNonFastForwardIsRejected() throws {
        let (box, remote, base) = try setUp()
        try box.commit("a", ["realm.yaml": "from a"], message: "a")
        try box.commit("b", ["realm.yaml": "from b"], message: "b")
        try GitRemote.push(repoDir: box.path("a"), url: remote, refspecs: ["refs/heads/main:refs/heads/main"])
        let failure = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.push(repoDir: box.path("b"), url: remote, refspecs: ["refs/heads/main:refs/heads/main"])
        }
        #expect(failure?.isRejected == true)
        #expect(failure?.stdout.contains("!") == true)

        // A stale lease on a forced push is rejected too.
        let b = try Repository.open(at: box.path("b"))
        let mine = try b.headCommit()!
        let stale = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.push(repoDir: box.path("b"), url: remote, refspecs: ["+\(mine.hex):refs/heads/main"],
                               leases: [(ref: "refs/heads/main", expected: base)])
        }
        #expect(stale?.isRejected == true)
        // "Must not exist" lease on an existing ref.
        let exists = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.push(repoDir: box.path("b"), url: remote, refspecs: ["+\(mine.hex):refs/heads/main"],
                               leases: [(ref: "refs/heads/main", expected: nil)])
        }
        #expect(exists?.isRejected == true)
    }

    @Test func atomicPushOfMainAndNotes() throws {
        let (box, remote, base) = try setUp()
        let a = try Repository.open(at: box.path("a"))
        let tree = try a.buildTree(base: base, changes: ["domains/s3/contract.yaml": .blob(bytes("c"))])
        let main = try a.createCommit(tree: tree, parents: [base], message: "contract")
        let notes = try a.createNotesCommit(parent: nil, target: main, text: "verified\n")

        try GitRemote.push(repoDir: box.path("a"), url: remote,
                           refspecs: ["\(main.hex):\(RefLayout.realmMainBranch)", "\(notes.hex):\(RefLayout.realmNotes)"],
                           leases: [(ref: RefLayout.realmMainBranch, expected: base), (ref: RefLayout.realmNotes, expected: nil)])
        let realm = try Repository.open(at: remote)
        #expect(try realm.resolve(ref: RefLayout.realmMainBranch) == main)
        #expect(try realm.note(ref: RefLayout.realmNotes, on: main) == "verified\n")
        #expect(try box.git(["notes", "--ref=realm", "show", main.hex], in: "realm.git") == "verified")

        // All or nothing: notes would be fine, main's lease is stale -> neither moves.
        let main2 = try a.createCommit(tree: tree, parents: [main], message: "again")
        let notes2 = try a.createNotesCommit(parent: notes, target: main2, text: "again\n")
        let failure = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.push(repoDir: box.path("a"), url: remote,
                               refspecs: ["\(main2.hex):\(RefLayout.realmMainBranch)", "\(notes2.hex):\(RefLayout.realmNotes)"],
                               leases: [(ref: RefLayout.realmMainBranch, expected: base), (ref: RefLayout.realmNotes, expected: notes)])
        }
        #expect(failure?.isRejected == true)
        #expect(try realm.resolve(ref: RefLayout.realmMainBranch) == main)
        #expect(try realm.resolve(ref: RefLayout.realmNotes) == notes)
    }

    @Test func hookDeclineIsNotARejection() throws {
        let (box, remote, _) = try setUp()
        box.write("realm.git/hooks/pre-receive", "#!/bin/sh\necho no >&2\nexit 1\n")
        _ = try ProcessRunner.run("chmod", ["+x", box.path("realm.git/hooks/pre-receive")])
        try box.commit("a", ["realm.yaml": "x"], message: "x")
        let failure = #expect(throws: GitRemote.Failure.self) {
            try GitRemote.push(repoDir: box.path("a"), url: remote, refspecs: ["refs/heads/main:refs/heads/main"])
        }
        #expect(failure?.isRejected == false)
        #expect(failure?.stderr.contains("no") == true)
    }
}

@Suite struct NetworkPolicyTests {
    @Test func sshOptionsAreAppendedToOpenSSHOnly() {
        let policy = NetworkPolicy(connectTimeout: 7, inactivityTimeout: 30, deadline: 300)
        let options = "-o ConnectTimeout=7 -o ServerAliveInterval=10 -o ServerAliveCountMax=3 -o BatchMode=yes"
        func command(_ env: [String: String], config: String? = nil, variant: String? = nil) -> String? {
            var p = policy
            p.sshCommand = config
            p.sshVariant = variant
            return p.sshCommand(environment: { env[$0] })
        }
        #expect(command([:]) == "ssh " + options)
        // The user's command comes first (ssh keeps the first value of an option: theirs win).
        #expect(command(["GIT_SSH_COMMAND": "ssh -i key -o ConnectTimeout=99"]) == "ssh -i key -o ConnectTimeout=99 " + options)
        #expect(command([:], config: "/usr/bin/ssh -F cfg") == "/usr/bin/ssh -F cfg " + options)
        #expect(command(["GIT_SSH_COMMAND": "ssh -4"], config: "ssh -6") == "ssh -4 " + options, "the environment wins, as in git")
        #expect(command(["GIT_SSH": "/opt/my ssh/ssh"]) == "'/opt/my ssh/ssh' " + options)
        #expect(command(["GIT_SSH_COMMAND": "'/opt/x/ssh.exe' -v"]) == "'/opt/x/ssh.exe' -v " + options)
        // Not OpenSSH, or unknown: left alone.
        #expect(command(["GIT_SSH": "plink"]) == nil)
        #expect(command(["GIT_SSH_COMMAND": "my-wrapper --x"]) == nil)
        #expect(command([:], config: "tortoiseplink") == nil)
        #expect(command(["GIT_SSH_COMMAND": "my-wrapper"], variant: "ssh") == "my-wrapper " + options, "ssh.variant says it is OpenSSH")
        #expect(command(["GIT_SSH_VARIANT": "simple"]) == nil)
    }

    @Test func timeoutsAndPrompts() {
        let policy = NetworkPolicy(connectTimeout: 10, inactivityTimeout: 2.5, deadline: 300)
        #expect(policy.gitConfigArguments == ["-c", "http.lowSpeedLimit=1", "-c", "http.lowSpeedTime=4", "-c", "core.askPass="])
        #expect(policy.limited(to: 5) == NetworkPolicy(connectTimeout: 5, inactivityTimeout: 2.5, deadline: 5))
        let env = GitRemote.environment(policy: policy, lookup: { _ in nil })
        #expect(env["GIT_TERMINAL_PROMPT"] == "0")
        #expect(env["GIT_SSH_COMMAND"]?.hasSuffix("-o BatchMode=yes") == true)
        #expect(NetworkPolicy.parseSeconds("30") == 30)
        #expect(NetworkPolicy.parseSeconds(" 2.5s ") == 2.5)
        for bad in ["0", "-1", "abc", "1e9", "nan", ""] { #expect(NetworkPolicy.parseSeconds(bad) == nil, "\(bad)") }
    }

    @Test func progressIsNotAMessageAndURLsHideTheirPassword() {
        let stderr = "remote: Enumerating objects: 5, done.\nremote: Counting objects:  20% (1/5)\rremote: Counting objects: 100% (5/5), done.\n"
            + "remote: Total 5 (delta 0), reused 0 (delta 0), pack-reused 0\nReceiving objects:  40% (2/5)\rReceiving objects: 100% (5/5), done.\n"
            + "error: cannot lock ref 'refs/realm/x/main': is at 1 but expected 2\nremote: hello from the server\n"
        #expect(GitRemote.withoutProgress(stderr) == "error: cannot lock ref 'refs/realm/x/main': is at 1 but expected 2\nremote: hello from the server\n")
        // The same redaction as everything git-realm stores (GitURL.redacted): http loses its
        // userinfo, query and fragment; ssh keeps its user.
        #expect(GitRemote.displayURL("https://user:secret@host:8080/path?q=1") == "https://host:8080/path")
        #expect(GitRemote.displayURL("https://user@host/path") == "https://host/path")
        #expect(GitRemote.displayURL("ssh://git@host/x:y@z") == "ssh://git@host/x:y@z")
        #expect(GitRemote.displayURL("/srv/realm.git") == "/srv/realm.git")
        #expect(GitRemote.displayURL("git@host:realm.git") == "git@host:realm.git")
        #expect(GitRemote.firstErrorLine("fatal: unable to access 'https://u:pw@h/r.git/': 403\n") == "fatal: unable to access 'https://h/r.git/': 403")
    }
}
