import RealmLimits
import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

extension Repository {
    // MARK: reading objects

    public func commit(_ oid: OID) throws(GitError) -> CommitInfo {
        try locked { () throws(GitError) -> CommitInfo in
            let commit = try lookupCommit(oid)
            defer { withExtendedLifetime(commit) {} }
            let c = commit.pointer
            var parents: [OID] = []
            for i in 0..<git_commit_parentcount(c) {
                if let p = git_commit_parent_id(c, i) { parents.append(OID(p)) }
            }
            guard let tree = git_commit_tree_id(c) else { throw GitError.notFound("commit \(oid) has no tree") }
            let author = git_commit_author(c)
            return CommitInfo(oid: oid, tree: OID(tree), parents: parents,
                              message: decodeCString(git_commit_message(c)),
                              authorName: decodeCString(author?.pointee.name),
                              authorEmail: decodeCString(author?.pointee.email),
                              time: git_commit_time(c))
        }
    }

    func lookupCommit(_ oid: OID) throws(GitError) -> Handle {
        var id = oid.raw
        var out: OpaquePointer?
        try check(git_commit_lookup(&out, raw, &id), "read commit \(oid)")
        return try Handle.own(out, free: git_commit_free, "read commit \(oid)")
    }

    public func blob(_ oid: OID) throws(GitError) -> [UInt8] {
        try locked { () throws(GitError) -> [UInt8] in try blobUnlocked(oid) }
    }

    /// The blob's bytes; a blob larger than `limit` (git-realm's bound on anything it reads,
    /// `Limits.blobBytes`) is refused from its header, before it is inflated into memory.
    func blobUnlocked(_ oid: OID, limit: Int = Limits.blobBytes) throws(GitError) -> [UInt8] {
        var id = oid.raw
        let stored = try objectSizeUnlocked(oid)
        if stored > limit {
            throw GitError.invalid("object \(oid.hex.prefix(12)) is \(stored) bytes, larger than the limit of \(limit)")
        }
        var out: OpaquePointer?
        try check(git_blob_lookup(&out, raw, &id), "read blob \(oid)")
        let blob = try Handle.own(out, free: git_blob_free, "read blob \(oid)")
        defer { withExtendedLifetime(blob) {} }
        let size = Int(git_blob_rawsize(blob.pointer))
        guard size > 0, let content = git_blob_rawcontent(blob.pointer) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// An object's size from its header, without inflating it (bound hostile objects before
    /// reading them).
    public func objectSize(_ oid: OID) throws(GitError) -> Int {
        try locked { () throws(GitError) -> Int in try objectSizeUnlocked(oid) }
    }

    /// git's empty tree (SHA-1), which every session commit carries (docs/awareness.md).
    public static let emptyTree = OID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!

    /// An object's size from its header, without inflating it.
    func objectSizeUnlocked(_ oid: OID) throws(GitError) -> Int {
        var odbOut: OpaquePointer?
        try check(git_repository_odb(&odbOut, raw), "open object database")
        let odb = try Handle.own(odbOut, free: git_odb_free, "open object database")
        defer { withExtendedLifetime(odb) {} }
        var id = oid.raw
        var size = 0
        var type = GIT_OBJECT_ANY
        try check(git_odb_read_header(&size, &type, odb.pointer, &id), "read object \(oid)")
        return size
    }

    /// The tree of a commit, or the tree itself (tags are peeled).
    func lookupTree(_ root: OID) throws(GitError) -> Handle {
        var id = root.raw
        var out: OpaquePointer?
        try check(git_object_lookup(&out, raw, &id, GIT_OBJECT_ANY), "read object \(root)")
        let object = try Handle.own(out, free: git_object_free, "read object \(root)")
        defer { withExtendedLifetime(object) {} }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object.pointer, GIT_OBJECT_TREE), "\(root) is not a commit or tree")
        return try Handle.own(peeled, free: git_object_free, "peel \(root) to a tree")
    }

    static func entryInfo(_ entry: OpaquePointer) -> TreeEntry {
        TreeEntry(name: decodeCString(git_tree_entry_name(entry)),
                  oid: git_tree_entry_id(entry).map { OID($0) } ?? .zero,
                  kind: ObjectKind(git_tree_entry_type(entry)),
                  mode: git_tree_entry_filemode(entry).rawValue)
    }

    /// Entry at `path` in an already looked-up tree; "" is the tree itself.
    func entryUnlocked(_ path: String, in tree: Handle) throws(GitError) -> TreeEntry? {
        defer { withExtendedLifetime(tree) {} }
        if path.isEmpty {
            return TreeEntry(name: "", oid: OID(git_tree_id(tree.pointer)), kind: .tree, mode: GIT_FILEMODE_TREE.rawValue)
        }
        if path.utf8.contains(0) { return nil }
        var out: OpaquePointer?
        guard try checkFound(git_tree_entry_bypath(&out, tree.pointer, path), "look up \(path)") else { return nil }
        let entry = try Handle.own(out, free: git_tree_entry_free, "look up \(path)")
        defer { withExtendedLifetime(entry) {} }
        return Repository.entryInfo(entry.pointer)
    }

    /// The entry at a slash-separated path in the tree of commit/tree `root`
    /// ("" is the root tree itself); nil when absent.
    public func entry(at path: String, in root: OID) throws(GitError) -> TreeEntry? {
        try locked { () throws(GitError) -> TreeEntry? in
            try entryUnlocked(path, in: try lookupTree(root))
        }
    }

    /// The blob at `path` in the tree of commit/tree `root`; nil if absent or not a blob.
    public func blob(at path: String, in root: OID) throws(GitError) -> [UInt8]? {
        try locked { () throws(GitError) -> [UInt8]? in
            guard let entry = try entryUnlocked(path, in: try lookupTree(root)), entry.kind == .blob else { return nil }
            return try blobUnlocked(entry.oid)
        }
    }

    /// The entries of the tree at `path` (in git's tree order); [] when the path
    /// is absent or not a tree.
    public func listTree(at path: String, in root: OID) throws(GitError) -> [TreeEntry] {
        try locked { () throws(GitError) -> [TreeEntry] in
            let rootTree = try lookupTree(root)
            let tree: Handle
            if path.isEmpty {
                tree = rootTree
            } else {
                guard let entry = try entryUnlocked(path, in: rootTree), entry.kind == .tree else { return [] }
                tree = try lookupTree(entry.oid)
            }
            defer { withExtendedLifetime(tree) {} }
            var entries: [TreeEntry] = []
            let count = git_tree_entrycount(tree.pointer)
            entries.reserveCapacity(count)
            for i in 0..<count {
                // Borrowed from the tree: not freed.
                if let e = git_tree_entry_byindex(tree.pointer, i) { entries.append(Repository.entryInfo(e)) }
            }
            return entries
        }
    }

    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> OID {
        try locked { () throws(GitError) -> OID in try writeBlobUnlocked(bytes) }
    }

    func writeBlobUnlocked(_ bytes: [UInt8]) throws(GitError) -> OID {
        var oid = git_oid()
        let rc = bytes.withUnsafeBytes { buffer -> Int32 in
            var empty: UInt8 = 0
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return git_blob_create_from_buffer(&oid, raw, &empty, 0)
            }
            return git_blob_create_from_buffer(&oid, raw, base, buffer.count)
        }
        try check(rc, "write blob")
        return OID(oid)
    }

    // MARK: history

    /// Like `git merge-base --is-ancestor`: true when `ancestor` is reachable from
    /// `descendant`, including when they are the same commit.
    public func isAncestor(_ ancestor: OID, of descendant: OID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        return try locked { () throws(GitError) -> Bool in
            var a = ancestor.raw
            var d = descendant.raw
            let rc = git_graph_descendant_of(raw, &d, &a)
            try check(rc, "check whether \(ancestor) is an ancestor of \(descendant)")
            return rc == 1
        }
    }

    /// Like `git merge-base <commit> <others...>`: the best common ancestor of
    /// `commit` and any of `others` (one walk, whatever their number); nil when
    /// there is none or `others` is empty.
    public func mergeBase(_ commit: OID, withAnyOf others: [OID]) throws(GitError) -> OID? {
        guard !others.isEmpty else { return nil }
        return try locked { () throws(GitError) -> OID? in
            var ids = ([commit] + others).map { $0.raw }
            var out = git_oid()
            let rc = ids.withUnsafeMutableBufferPointer { buffer in
                git_merge_base_many(&out, raw, buffer.count, buffer.baseAddress)
            }
            guard try check(rc, "find the merge base of \(commit)", tolerating: GIT_ENOTFOUND) else { return nil }
            return OID(out)
        }
    }

    /// Files that differ between two commits/trees (`old == nil`: the empty
    /// tree), sorted, optionally limited by pathspecs. Pathspecs follow git's
    /// default pathspec rules as implemented by libgit2: a directory name matches
    /// everything below it, and `*`, `?`, `[..]` are fnmatch wildcards where `*`
    /// also matches `/` ("domains/*/contracts/*.yaml"); `!pattern` excludes.
    /// No rename detection: a rename shows both paths.
    public func changedPaths(from old: OID?, to new: OID, pathspecs: [String] = []) throws(GitError) -> [String] {
        try locked { () throws(GitError) -> [String] in
            let oldTree = try old.map { (oid: OID) throws(GitError) -> Handle in try lookupTree(oid) }
            let newTree = try lookupTree(new)
            let specs = CStringArray(pathspecs)
            defer { withExtendedLifetime((oldTree, newTree, specs)) {} }

            var options = git_diff_options()
            try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "init diff options")
            options.pathspec = specs.strarray
            var out: OpaquePointer?
            try check(git_diff_tree_to_tree(&out, raw, oldTree?.pointer, newTree.pointer, &options), "diff \(old?.hex ?? "empty tree")..\(new)")
            let diff = try Handle.own(out, free: git_diff_free, "diff")
            defer { withExtendedLifetime(diff) {} }

            var paths: [String] = []
            for i in 0..<git_diff_num_deltas(diff.pointer) {
                guard let delta = git_diff_get_delta(diff.pointer, i)?.pointee else { continue }
                let path = delta.status == GIT_DELTA_DELETED ? delta.old_file.path : delta.new_file.path
                paths.append(decodeCString(path))
                if delta.status == GIT_DELTA_RENAMED || delta.status == GIT_DELTA_COPIED {
                    paths.append(decodeCString(delta.old_file.path))
                }
            }
            var seen = Set<String>()
            return paths.filter { seen.insert($0).inserted }.sorted()
        }
    }

    /// The commits reachable from `start` (newest first by committer time) in
    /// which the blob at `path` changed, with the blob's content (nil when the
    /// commit removed it or replaced it with a non-blob). History is simplified
    /// like `git log -- path`: a merge that took the path unchanged from one
    /// parent is skipped and only that parent is followed, so contents
    /// discarded by merges do not appear. At most `limit` entries.
    public func pathHistory(_ path: String, from start: OID, limit: Int = 1000) throws(GitError) -> [(commit: CommitInfo, blob: [UInt8]?)] {
        var result: [(commit: CommitInfo, blob: [UInt8]?)] = []
        for (commit, blob) in try pathHistoryObjects(path, from: start, limit: limit) {
            result.append((commit, try blob.map { oid throws(GitError) in try self.blob(oid) }))
        }
        return result
    }

    /// `pathHistory` giving each version's blob id instead of its bytes: a long history of a
    /// large file is walked without holding every version in memory.
    public func pathHistoryObjects(_ path: String, from start: OID, limit: Int = 1000) throws(GitError) -> [(commit: CommitInfo, blob: OID?)] {
        try locked { () throws(GitError) -> [(commit: CommitInfo, blob: OID?)] in
            var result: [(commit: CommitInfo, blob: OID?)] = []
            guard limit > 0 else { return result }

            struct State { var info: CommitInfo; var entry: TreeEntry? }
            var cache: [OID: State] = [:]
            func state(_ oid: OID) throws(GitError) -> State {
                if let s = cache[oid] { return s }
                let info = try commit(oid)
                let entry = try entryUnlocked(path, in: try lookupTree(info.tree))
                let s = State(info: info, entry: entry)
                cache[oid] = s
                return s
            }
            func same(_ a: TreeEntry?, _ b: TreeEntry?) -> Bool {
                a?.oid == b?.oid && a?.mode == b?.mode
            }

            // Frontier ordered by committer time, newest last (popped first).
            var frontier: [(time: Int64, order: Int, oid: OID)] = []
            var queued = Set<OID>()
            var order = 0
            func enqueue(_ oid: OID) throws(GitError) {
                guard queued.insert(oid).inserted else { return }
                let s = try state(oid)
                order += 1
                let item = (time: s.info.time, order: order, oid: oid)
                // Ties: first enqueued pops first.
                let index = frontier.firstIndex { ($0.time, -$0.order) > (item.time, -item.order) } ?? frontier.endIndex
                frontier.insert(item, at: index)
            }

            try enqueue(start)
            while let next = frontier.popLast(), result.count < limit {
                let current = try state(next.oid)
                let parents = current.info.parents
                if parents.isEmpty {
                    if current.entry != nil { result.append((current.info, blobOf(current.entry))) }
                    continue
                }
                var treesame: OID?
                for p in parents where same(try state(p).entry, current.entry) { treesame = p; break }
                if let treesame {
                    try enqueue(treesame)
                } else {
                    result.append((current.info, blobOf(current.entry)))
                    for p in parents { try enqueue(p) }
                }
            }
            return result
        }
    }

    private func blobOf(_ entry: TreeEntry?) -> OID? {
        guard let entry, entry.kind == .blob else { return nil }
        return entry.oid
    }
}

extension Repository {
    /// The commits reachable from `tip` and not from any of `excluding`, parents before
    /// children (`git rev-list --topo-order --reverse excluding..tip`): the first `limit` of
    /// them, and whether there are more.
    public func commits(from tip: OID, excluding: [OID], limit: Int) throws(GitError) -> (commits: [OID], more: Bool) {
        try locked { () throws(GitError) -> (commits: [OID], more: Bool) in
            var out: OpaquePointer?
            try check(git_revwalk_new(&out, raw), "start a revision walk")
            let walk = try Handle.own(out, free: git_revwalk_free, "start a revision walk")
            defer { withExtendedLifetime(walk) {} }
            try check(git_revwalk_sorting(walk.pointer, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue), "sort the walk")
            var start = tip.raw
            try check(git_revwalk_push(walk.pointer, &start), "walk from \(tip)")
            for hidden in excluding {
                var id = hidden.raw
                try check(git_revwalk_hide(walk.pointer, &id), "hide \(hidden)")
            }
            var result: [OID] = []
            var next = git_oid()
            while git_revwalk_next(&next, walk.pointer) == 0 {
                if result.count == limit { return (result, true) }
                result.append(OID(next))
            }
            return (result, false)
        }
    }
}

extension Repository {
    /// The commits on `tip`'s first-parent chain that change `path` (its blob or mode differs
    /// from the first parent's), newest first, with the blob each leaves there (nil: removed),
    /// walking back until `stop` (not included) or the root. A realm's verified history is
    /// linear, so this is its whole history of the file; one tree lookup a commit.
    public func firstParentPathChanges(_ path: String, from tip: OID, stoppingAt stop: OID?) throws(GitError) -> [(commit: OID, blob: OID?)] {
        try locked { () throws(GitError) -> [(commit: OID, blob: OID?)] in
            var result: [(commit: OID, blob: OID?)] = []
            var current: OID? = tip
            var entry = try entryUnlocked(path, in: try lookupTree(commit(tip).tree))
            while let oid = current, oid != stop {
                let parent = try commit(oid).parents.first
                let parentEntry = try parent.map { p throws(GitError) in try entryUnlocked(path, in: try lookupTree(commit(p).tree)) } ?? nil
                if entry?.oid != parentEntry?.oid || entry?.mode != parentEntry?.mode {
                    if entry != nil || parentEntry != nil { result.append((oid, blobOf(entry))) }
                }
                current = parent
                entry = parentEntry
            }
            return result
        }
    }
}
