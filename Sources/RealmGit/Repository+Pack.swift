import CGit2
import CGit2Pack
import RealmSupport

extension Repository {
    /// Runs `body` with a second handle on this repository whose new objects are held in memory;
    /// when `body` returns they are stored as one pack (a .pack and its .idx) instead of a loose
    /// file each: a command writing a realm commit, its trees and a notes commit creates two
    /// files instead of ten (see object_batch.c for why that matters).
    ///
    /// Reads through the handle see the repository and the objects written so far. When `body`
    /// throws, nothing is written. The objects are in the repository only once this returns:
    /// create refs to them afterwards (through any handle).
    public func writingObjectsAsOnePack<T>(_ body: (Repository) throws -> T) throws -> T {
        let batchRepository = try reopen()
        let odb = try batchRepository.objectDatabase()
        defer { withExtendedLifetime(odb) {} }
        var batch: OpaquePointer?
        try check(git_realm_object_batch_new(&batch, odb.pointer), "hold new objects in memory")
        let result = try body(batchRepository)
        try batchRepository.locked { () throws(GitError) in
            try check(git_realm_object_batch_write(batch, batchRepository.raw, odb.pointer), "write new objects as a pack")
        }
        return result
    }

    private func objectDatabase() throws(GitError) -> Handle {
        var out: OpaquePointer?
        try check(git_repository_odb(&out, raw), "open object database")
        return try Handle.own(out, free: git_odb_free, "open object database")
    }
}
