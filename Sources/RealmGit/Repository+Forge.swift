import RealmSupport

/// What the git-native forge and `git realm pr` need from git beyond refs and objects
/// (docs/pr.md).
extension Repository {
    /// The branch `refs/remotes/<remote>/HEAD` points at ("main"), nil when this clone does not
    /// know the remote's default branch.
    public func remoteDefaultBranch(remote: String) -> String? {
        guard let out = try? Repository.runGit(["-C", workdir ?? gitDir, "symbolic-ref", "-q", "--end-of-options",
                                                 RefLayout.remoteHead(remote: remote)]) else { return nil }
        return RefLayout.parseRemoteBranch(out.trimmingWhitespace(), remote: remote)
    }

    /// The URL configured for `remote` (`remote.<remote>.url`), nil when none.
    public func remoteURL(_ remote: String) -> String? {
        ((try? configString(ConfigKey.remoteURL(remote))) ?? nil).flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension Repository {
    /// The blob at `path` in commit/tree `root`, refused from its header when larger than
    /// `limit` bytes (before it is inflated); nil if absent or not a blob.
    public func blob(at path: String, in root: OID, limit: Int) throws(GitError) -> [UInt8]? {
        try locked { () throws(GitError) -> [UInt8]? in
            guard let entry = try entryUnlocked(path, in: try lookupTree(root)), entry.kind == .blob else { return nil }
            return try blobUnlocked(entry.oid, limit: limit)
        }
    }
}
