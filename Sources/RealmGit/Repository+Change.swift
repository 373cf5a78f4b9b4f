import CGit2
import RealmSupport

/// The git work of a coordinated change (docs/change.md): linked worktrees on a branch, their
/// status, commits with trailers, the local exclude file and clones. Everything runs the `git`
/// program, as a user's own git would (hooks, filters, the index's stat cache, `worktree`).
extension Repository {
    /// One entry of `git worktree list --porcelain`.
    public struct LinkedWorktree: Sendable, Equatable {
        public var path: String
        public var head: OID?
        /// The full ref checked out ("refs/heads/feat/x"), nil when detached.
        public var branch: String?
        public var prunable: Bool
    }

    /// Every worktree of this repository, the main one first.
    public func linkedWorktrees() throws(GitError) -> [LinkedWorktree] {
        let out = try Repository.runGit(["-C", workdir ?? gitDir, "worktree", "list", "--porcelain"])
        var result: [LinkedWorktree] = []
        for block in out.split(separator: "\n\n", omittingEmptySubsequences: true) {
            var entry = LinkedWorktree(path: "", head: nil, branch: nil, prunable: false)
            for line in block.split(separator: "\n") {
                if line.hasPrefix("worktree ") { entry.path = String(line.dropFirst("worktree ".count)) }
                if line.hasPrefix("HEAD ") { entry.head = OID(hex: String(line.dropFirst(5))) }
                if line.hasPrefix("branch ") { entry.branch = String(line.dropFirst("branch ".count)) }
                if line.hasPrefix("prunable") { entry.prunable = true }
            }
            if !entry.path.isEmpty { result.append(entry) }
        }
        return result
    }

    /// `git worktree add <path> <branch>` when `branch` (a short name) exists, else
    /// `git worktree add -b <branch> <path> <base>`.
    public func addWorktree(at path: String, branch: String, base: OID, branchExists: Bool) throws(GitError) {
        let arguments = branchExists
            ? ["worktree", "add", "--quiet", path, branch]
            : ["worktree", "add", "--quiet", "-b", branch, path, base.hex]
        _ = try Repository.runGit(["-C", workdir ?? gitDir] + arguments)
    }

    /// `git worktree remove [--force] <path>`: fails (git's message) on uncommitted work unless forced.
    public func removeLinkedWorktree(at path: String, force: Bool) throws(GitError) {
        _ = try Repository.runGit(["-C", workdir ?? gitDir, "worktree", "remove"] + (force ? ["--force", "--force"] : []) + [path])
    }

    /// Adds `pattern` as a line of `$GIT_COMMON_DIR/info/exclude` unless it is there.
    public func excludeLocally(_ pattern: String) throws(GitError) {
        let directory = commonDir.hasSuffix("/") ? String(commonDir.dropLast()) : commonDir
        let path = directory + "/info/exclude"
        try GitError.bridging { () throws(SystemError) in
            let existing = fileExists(path) ? String(decoding: try readFile(path), as: UTF8.self) : ""
            if existing.split(separator: "\n").contains(where: { $0.trimmingWhitespace() == pattern }) { return }
            try makeDirectories(directory + "/info")
            let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
            try writeFile(path, Array((existing + separator + pattern + "\n").utf8))
        }
    }

    /// What a working tree holds that is not committed (`git status --porcelain`).
    public struct WorkingTreeState: Sendable, Equatable {
        public var staged = 0
        public var unstaged = 0
        public var untracked = 0
        public var isClean: Bool { staged == 0 && unstaged == 0 && untracked == 0 }
    }

    /// The state of the working tree at `path` (any worktree).
    public static func workingTreeState(at path: String) throws(GitError) -> WorkingTreeState {
        let out = try runGit(["-C", path, "status", "--porcelain", "-z", "--ignore-submodules=dirty"])
        var state = WorkingTreeState()
        var skipNext = false
        for record in out.split(separator: "\0") {
            if skipNext { skipNext = false; continue }
            let chars = Array(record.utf8)
            guard chars.count >= 3 else { continue }
            let x = chars[0], y = chars[1]
            if x == UInt8(ascii: "?") { state.untracked += 1; continue }
            if x != UInt8(ascii: " ") { state.staged += 1 }
            if y != UInt8(ascii: " ") { state.unstaged += 1 }
            // A rename or copy is followed by its source path.
            if x == UInt8(ascii: "R") || x == UInt8(ascii: "C") { skipNext = true }
        }
        return state
    }

    /// `git -C <path> commit --quiet [-a] -m <message> --trailer <t>...`; the new commit.
    /// The user's commit hooks run, as for their own commit.
    public static func commit(at path: String, message: String, all: Bool, trailers: [String]) throws(GitError) -> OID {
        var arguments = ["-C", path, "commit", "--quiet", "--no-edit", "-m", message]
        if all { arguments.append("--all") }
        for trailer in trailers { arguments += ["--trailer", trailer] }
        _ = try runGit(arguments)
        let head = try runGit(["-C", path, "rev-parse", "--verify", "HEAD"]).trimmingWhitespace()
        guard let oid = OID(hex: head) else { throw GitError(code: GIT_ERROR.rawValue, message: "git rev-parse HEAD said '\(head)'") }
        return oid
    }

    /// Runs a local git (no network); throws git's first error line when it fails.
    static func runGit(_ arguments: [String]) throws(GitError) -> String {
        let result = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run("git", arguments, removingEnvironment: GitRemote.repositoryEnvironment)
        }
        guard result.succeeded else {
            throw GitError(code: GIT_ERROR.rawValue, message: GitRemote.firstErrorLine(result.stderrText + "\n" + result.stdoutText))
        }
        return result.stdoutText
    }
}

extension GitRemote {
    /// Whether a clone of `url` may go ahead: `ext::` and other remote helpers (`<transport>::`)
    /// never (they run commands); local paths and `file://` only when `allowLocal` (the user
    /// said so: a realm cannot point a clone at this machine's files). nil when allowed, else why not.
    public static func cloneRefusal(_ url: String, allowLocal: Bool) -> String? {
        if url.isEmpty { return "is empty" }
        if url.hasPrefix("-") { return "starts with '-'" }
        if url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        if url.firstRange(of: "::") != nil { return "names a git remote helper ('<transport>::'), which runs commands" }
        if let colon = url.firstRange(of: "://") {
            let scheme = url[..<colon.lowerBound].lowercased()
            if scheme == "file" { return allowLocal ? nil : "is a file:// URL (pass --allow-local to clone from this machine)" }
            return ["https", "http", "ssh", "git", "git+ssh", "ssh+git"].contains(scheme) ? nil
                : "has scheme '\(scheme)', not one of https, http, ssh, git"
        }
        if GitURL.isLocal(url) { return allowLocal ? nil : "is a local path (pass --allow-local to clone from this machine)" }
        return nil   // scp-like user@host:path
    }

    /// `git clone --quiet -- <url> <path>` under `policy`, with the `ext` transport off, and the
    /// `file` transport off unless `allowLocal`.
    public static func clone(url: String, into path: String, allowLocal: Bool, policy: NetworkPolicy = .defaults) throws(Failure) {
        var arguments = ["-c", "\(ConfigKey.protocolAllow("ext"))=never"]
        if !allowLocal { arguments += ["-c", "\(ConfigKey.protocolAllow("file"))=never"] }
        _ = try git(arguments + ["clone", "--quiet", "--", url, path], policy: policy)
    }
}

extension Repository {
    /// The branch checked out in the working tree at `path` ("refs/heads/..."), nil when detached.
    public static func currentBranch(at path: String) -> String? {
        guard let out = try? runGit(["-C", path, "symbolic-ref", "-q", "HEAD"]) else { return nil }
        let name = out.trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    /// The commit `revision` names in this repository (`git rev-parse --verify <rev>^{commit}`).
    public func commitNamed(_ revision: String) throws(GitError) -> OID {
        let out = try Repository.runGit(["-C", workdir ?? gitDir, "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"])
        guard let oid = OID(hex: out.trimmingWhitespace()) else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "no commit named '\(revision)'")
        }
        return oid
    }

    /// Whether a remote of this name is configured.
    public func hasRemote(_ name: String) -> Bool {
        ((try? configString(ConfigKey.remoteURL(name))) ?? nil) != nil
    }
}
