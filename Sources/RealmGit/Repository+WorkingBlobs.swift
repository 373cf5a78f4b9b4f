import CGit2
#if canImport(Glibc)
import Glibc
#endif
import RealmSupport

extension Repository {
    /// The blob id each working-tree file would have (`git hash-object`), the way `git status`
    /// finds it: the index's id when the file's stat data (size, mtime, inode) matches its
    /// index entry and the entry is not racy (the file changed no later than the index was
    /// written), else the id of the file's bytes, read and hashed. nil for a path that is not a
    /// regular file, is larger than `limit`, or cannot be read: its content cannot be named.
    /// Paths are relative to the working tree root; nothing here follows a symbolic link.
    public func workingTreeBlobIDs(_ paths: [String], limit: Int) throws(GitError) -> [OID?] {
        guard let workdir else { return paths.map { _ in nil } }
        return try locked { () throws(GitError) -> [OID?] in
            let index = try index()
            defer { withExtendedLifetime(index) {} }
            var indexStat = stat()
            let indexStamp: (Int, Int)? = index.flatMap { handle in
                guard let path = git_index_path(handle.pointer), lstat(path, &indexStat) == 0 else { return nil }
                return (indexStat.st_mtim.tv_sec, indexStat.st_mtim.tv_nsec)
            }
            return paths.map { path -> OID? in
                guard !path.utf8.contains(0) else { return nil }
                let full = workdir + "/" + path
                var info = stat()
                guard lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else { return nil }
                if let index, let stamp = indexStamp, let entry = git_index_get_bypath(index.pointer, path, 0) {
                    let e = entry.pointee
                    let fileStamp = (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
                    let sameStat = Int(e.mtime.seconds) == fileStamp.0
                        && (e.mtime.nanoseconds == 0 || Int(e.mtime.nanoseconds) == fileStamp.1)
                        && e.file_size == UInt32(truncatingIfNeeded: info.st_size)
                        && (e.ino == 0 || e.ino == UInt32(truncatingIfNeeded: info.st_ino))
                    let racy = fileStamp.0 > stamp.0 || (fileStamp.0 == stamp.0 && fileStamp.1 >= stamp.1)
                    if sameStat && !racy { return OID(e.id) }
                }
                guard let bytes = try? readFile(full, limit: limit) else { return nil }
                return OID.ofBlob(bytes)
            }
        }
    }
}
