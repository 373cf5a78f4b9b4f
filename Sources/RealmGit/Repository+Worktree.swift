import CGit2
import RealmSupport

/// What libgit2 does not do as git does (status with git's own rules for submodules and the
/// index's stat cache, linked worktrees), through the `git` program, for the working tree of
/// this repository.
extension Repository {
    /// Whether the working tree has no change to a tracked file: `git status --porcelain
    /// --untracked-files=no --ignore-submodules` succeeds and says nothing.
    public func trackedFilesUnchanged() throws(GitError) -> Bool {
        guard let workdir else { return false }
        let result = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run("git", ["-C", workdir, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules"])
        }
        return result.status == 0 && result.stdout.isEmpty
    }

    /// `git worktree add --detach --quiet <path> <commit>`: `commit`'s tree checked out at `path`
    /// (which must not exist), the index file of a calling hook left aside. Fails with git's
    /// standard error as the message.
    public func addWorktree(at path: String, commit: OID) throws(GitError) {
        let result = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run("git", ["-C", workdir ?? gitDir, "worktree", "add", "--detach", "--quiet", path, commit.hex],
                                  removingEnvironment: ["GIT_INDEX_FILE"])
        }
        guard result.status == 0 else { throw GitError(code: GIT_ERROR.rawValue, message: result.stderrText) }
    }

    /// `git worktree remove --force <path>`; a failure is ignored (the caller removes the files).
    public func removeWorktree(at path: String) {
        _ = try? ProcessRunner.run("git", ["-C", workdir ?? gitDir, "worktree", "remove", "--force", path])
    }

    /// `git worktree prune`: forgets worktrees whose directory is gone.
    public func pruneWorktrees() {
        _ = try? ProcessRunner.run("git", ["-C", workdir ?? gitDir, "worktree", "prune"])
    }
}
