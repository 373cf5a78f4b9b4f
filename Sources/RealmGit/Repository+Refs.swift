import CGit2
import RealmSupport

extension Repository {
    /// The object a ref points to, following symbolic refs; nil if the ref (or
    /// the end of its symbolic chain) does not exist. `name` is a full ref name
    /// ("refs/heads/main", "HEAD").
    public func resolve(ref name: String) throws(GitError) -> OID? {
        try locked { () throws(GitError) -> OID? in try resolveUnlocked(name) }
    }

    func resolveUnlocked(_ name: String) throws(GitError) -> OID? {
        var oid = git_oid()
        guard try checkFound(git_reference_name_to_id(&oid, raw, name), "resolve ref \(name)") else { return nil }
        return OID(oid)
    }

    /// Any revision expression git understands (`main~2`, `v1.0`, hex, `HEAD^{tree}`).
    /// Tags are peeled to the commit they name; trees and blobs are returned as is.
    public func revparse(_ spec: String) throws(GitError) -> OID {
        try locked { () throws(GitError) -> OID in
            var out: OpaquePointer?
            try check(git_revparse_single(&out, raw, spec), "resolve revision '\(spec)'")
            let object = try Handle.own(out, free: git_object_free, "revparse")
            defer { withExtendedLifetime(object) {} }
            guard git_object_type(object.pointer) == GIT_OBJECT_TAG else {
                return OID(git_object_id(object.pointer))
            }
            var peeled: OpaquePointer?
            if try check(git_object_peel(&peeled, object.pointer, GIT_OBJECT_COMMIT), "peel \(spec) to a commit",
                         tolerating: GIT_EPEEL, GIT_EINVALIDSPEC, GIT_ENOTFOUND) {
                let commit = try Handle.own(peeled, free: git_object_free, "peel")
                defer { withExtendedLifetime(commit) {} }
                return OID(git_object_id(commit.pointer))
            }
            // A tag of a tree or blob: peel through all tags.
            try check(git_object_peel(&peeled, object.pointer, GIT_OBJECT_ANY), "peel tag \(spec)")
            let target = try Handle.own(peeled, free: git_object_free, "peel")
            defer { withExtendedLifetime(target) {} }
            return OID(git_object_id(target.pointer))
        }
    }

    /// Refs matching a glob (libgit2's reference glob iterator; `*` also matches
    /// `/`, so "refs/realm/x/sync/*" lists every ref below that prefix). Symbolic
    /// refs are resolved; dangling ones are skipped. Sorted by name (bytewise).
    public func references(glob: String) throws(GitError) -> [(name: String, oid: OID)] {
        try locked { () throws(GitError) -> [(name: String, oid: OID)] in
            var it: OpaquePointer?
            try check(git_reference_iterator_glob_new(&it, raw, glob), "list refs matching \(glob)")
            let iterator = try Handle.own(it, free: git_reference_iterator_free, "ref iterator")
            defer { withExtendedLifetime(iterator) {} }
            var result: [(name: String, nameBytes: [UInt8], oid: OID)] = []
            while true {
                var out: OpaquePointer?
                guard try check(git_reference_next(&out, iterator.pointer), "list refs matching \(glob)",
                                tolerating: GIT_ITEROVER) else { break }
                let ref = try Handle.own(out, free: git_reference_free, "ref")
                defer { withExtendedLifetime(ref) {} }
                guard let oid = try Repository.target(of: ref) else { continue }
                let cname = git_reference_name(ref.pointer)
                result.append((decodeCString(cname), cStringBytes(cname), oid))
            }
            result.sort { $0.nameBytes.lexicographicallyPrecedes($1.nameBytes) }
            return result.map { ($0.name, $0.oid) }
        }
    }

    /// The direct target of a ref, resolving symbolic refs; nil when dangling.
    private static func target(of ref: Handle) throws(GitError) -> OID? {
        defer { withExtendedLifetime(ref) {} }
        if git_reference_type(ref.pointer) == GIT_REFERENCE_DIRECT {
            guard let target = git_reference_target(ref.pointer) else { return nil }
            return OID(target)
        }
        var out: OpaquePointer?
        guard try checkFound(git_reference_resolve(&out, ref.pointer), "resolve symbolic ref") else { return nil }
        let resolved = try Handle.own(out, free: git_reference_free, "resolve symbolic ref")
        defer { withExtendedLifetime(resolved) {} }
        guard let target = git_reference_target(resolved.pointer) else { return nil }
        return OID(target)
    }

    /// The commit HEAD points to; nil on an unborn branch.
    public func headCommit() throws(GitError) -> OID? {
        try resolve(ref: "HEAD")
    }

    /// Compare-and-swap update of `name` (not following symbolic refs).
    /// `expected == nil` (or `.zero`): the ref must not exist. Otherwise it must
    /// currently point at `expected`. The check and the write happen under the
    /// ref's lock file, so concurrent writers (other processes included) cannot
    /// interleave. On mismatch throws a GitError with `isConflict == true`
    /// (code GIT_EMODIFIED); if another writer holds the lock, `isLocked`.
    public func updateRef(_ name: String, to new: OID, expected: OID?, message: String) throws(GitError) {
        try locked { () throws(GitError) in
            try requireNoNUL(message, "reflog message")
            var newRaw = new.raw
            var out: OpaquePointer?
            let rc: Int32
            if let expected, !expected.isZero {
                var expectedRaw = expected.raw
                rc = git_reference_create_matching(&out, raw, name, &newRaw, 1, &expectedRaw, message)
            } else {
                rc = git_reference_create(&out, raw, name, &newRaw, 0, message)
            }
            if let out { _ = Handle(out, free: git_reference_free) }
            do throws(GitError) {
                try check(rc, "update ref \(name)")
            } catch {
                guard error.code == GIT_EMODIFIED.rawValue || error.code == GIT_EEXISTS.rawValue
                        || error.code == GIT_ENOTFOUND.rawValue else { throw error }
                try throwConflict(name, expected: expected, underlying: error)
            }
        }
    }

    /// Rewrites a CAS failure as a conflict naming both values, unless the ref
    /// does hold the expected value (then the original error stands).
    private func throwConflict(_ name: String, expected: OID?, underlying: GitError) throws(GitError) -> Never {
        let current: OID??
        do throws(GitError) { current = .some(try directValue(name)) } catch { current = .none }
        let expectedValue = (expected?.isZero ?? true) ? nil : expected
        if let current, current == expectedValue { throw underlying }
        let want = expectedValue.map { $0.hex } ?? "absent"
        let have: String
        switch current {
        case .none: have = "unreadable"
        case .some(.none): have = "absent"
        case .some(.some(let oid)): have = oid.hex
        }
        throw GitError.conflict("ref \(name) changed concurrently: expected \(want), found \(have)")
    }

    /// The ref's own value (not following symbolic refs; a symbolic ref reads as zero).
    private func directValue(_ name: String) throws(GitError) -> OID? {
        var out: OpaquePointer?
        guard try checkFound(git_reference_lookup(&out, raw, name), "look up \(name)") else { return nil }
        let ref = try Handle.own(out, free: git_reference_free, "look up \(name)")
        defer { withExtendedLifetime(ref) {} }
        guard let target = git_reference_target(ref.pointer) else { return .zero }
        return OID(target)
    }

    /// Unconditional update (creates or overwrites).
    public func setRef(_ name: String, to new: OID, message: String) throws(GitError) {
        try locked { () throws(GitError) in
            try requireNoNUL(message, "reflog message")
            var newRaw = new.raw
            var out: OpaquePointer?
            let rc = git_reference_create(&out, raw, name, &newRaw, 1, message)
            if let out { _ = Handle(out, free: git_reference_free) }
            try check(rc, "set ref \(name)")
        }
    }

    /// Deletes a ref. `expected == nil`: unconditional (absent is fine).
    /// Otherwise the ref must currently point at `expected` (conflict error if not,
    /// including when it is already gone).
    public func deleteRef(_ name: String, expected: OID?) throws(GitError) {
        try locked { () throws(GitError) in
            guard let expected else {
                _ = try checkFound(git_reference_remove(raw, name), "delete ref \(name)")
                return
            }
            var out: OpaquePointer?
            guard try checkFound(git_reference_lookup(&out, raw, name), "look up \(name)") else {
                throw GitError.conflict("ref \(name) changed concurrently: expected \(expected.hex), found absent")
            }
            let ref = try Handle.own(out, free: git_reference_free, "look up \(name)")
            defer { withExtendedLifetime(ref) {} }
            let current = git_reference_target(ref.pointer).map { OID($0) } ?? .zero
            guard current == expected else {
                throw GitError.conflict("ref \(name) changed concurrently: expected \(expected.hex), found \(current.hex)")
            }
            // git_reference_delete re-checks the value under the lock.
            do throws(GitError) {
                try check(git_reference_delete(ref.pointer), "delete ref \(name)")
            } catch {
                guard error.code == GIT_EMODIFIED.rawValue || error.code == GIT_ENOTFOUND.rawValue else { throw error }
                try throwConflict(name, expected: expected, underlying: error)
            }
        }
    }
}
