import CGit2
import RealmSupport

extension Repository {
    /// The repository's index, re-read from disk if it changed. nil for bare repos.
    func index() throws(GitError) -> Handle? {
        if isBare { return nil }
        var out: OpaquePointer?
        try check(git_repository_index(&out, raw), "open index")
        let index = try Handle.own(out, free: git_index_free, "open index")
        defer { withExtendedLifetime(index) {} }
        try check(git_index_read(index.pointer, 0), "read index")
        return index
    }

    /// Whether `path` (relative to the working tree root, "/"-separated) is in
    /// the index (any stage). Directories are not index entries. false in bare repos.
    public func isTracked(_ path: String) throws(GitError) -> Bool {
        try locked { () throws(GitError) -> Bool in
            guard let index = try index(), !path.utf8.contains(0) else { return false }
            defer { withExtendedLifetime(index) {} }
            var position = 0
            return try checkFound(git_index_find(&position, index.pointer, path), "look up \(path) in the index")
        }
    }

    /// The file mode git records for `path` in the index (stage 0): 0o100644, 0o100755,
    /// 0o120000 for a symbolic link, 0o160000 for a submodule; nil when untracked or bare.
    public func indexMode(_ path: String) throws(GitError) -> UInt32? {
        try locked { () throws(GitError) -> UInt32? in
            guard let index = try index(), !path.utf8.contains(0) else { return nil }
            defer { withExtendedLifetime(index) {} }
            guard let entry = git_index_get_bypath(index.pointer, path, 0) else { return nil }
            return entry.pointee.mode
        }
    }

    /// Index entries matching git pathspecs (same rules as `changedPaths`);
    /// every entry when `pathspecs` is empty. Sorted, without duplicates.
    /// [] in bare repos.
    public func trackedFiles(matching pathspecs: [String]) throws(GitError) -> [String] {
        try locked { () throws(GitError) -> [String] in
            guard let index = try index() else { return [] }
            defer { withExtendedLifetime(index) {} }
            var paths: [String] = []
            if pathspecs.isEmpty {
                for i in 0..<git_index_entrycount(index.pointer) {
                    if let entry = git_index_get_byindex(index.pointer, i) { paths.append(decodeCString(entry.pointee.path)) }
                }
            } else {
                let specs = CStringArray(pathspecs)
                defer { withExtendedLifetime(specs) {} }
                var strarray = specs.strarray
                var psOut: OpaquePointer?
                try check(git_pathspec_new(&psOut, &strarray), "parse pathspecs \(pathspecs)")
                let pathspec = try Handle.own(psOut, free: git_pathspec_free, "parse pathspecs")
                defer { withExtendedLifetime(pathspec) {} }
                var listOut: OpaquePointer?
                try check(git_pathspec_match_index(&listOut, index.pointer, 0, pathspec.pointer), "match pathspecs \(pathspecs)")
                let list = try Handle.own(listOut, free: git_pathspec_match_list_free, "match pathspecs")
                defer { withExtendedLifetime(list) {} }
                for i in 0..<git_pathspec_match_list_entrycount(list.pointer) {
                    paths.append(decodeCString(git_pathspec_match_list_entry(list.pointer, i)))
                }
            }
            var seen = Set<String>()
            return paths.filter { seen.insert($0).inserted }.sorted()
        }
    }
}
