#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// Reads realm files straight from a commit in a participant's object store: no realm
/// checkout on disk.
public struct GitRealmSource: RealmSource, @unchecked Sendable {
    public let repository: Repository
    public let commit: OID
    /// Where this repository keeps its BindingIndex for the realm (nil: none).
    public let indexRef: String?

    public init(repository: Repository, commit: OID, indexRef: String? = nil) {
        self.repository = repository
        self.commit = commit
        self.indexRef = indexRef
    }

    public func domains(withBindingFor repo: String) throws -> [String]? {
        guard let indexRef else { return nil }
        return try BindingIndex(repository: repository, ref: indexRef).domains(of: repo, at: commit) {
            try RealmSnapshot(source: GitRealmSource(repository: repository, commit: commit)).scanDomains(of: repo)
        }
    }

    public func read(_ path: String) throws -> [UInt8]? {
        do {
            return try repository.blob(at: path, in: commit)
        } catch {
            guard error.isInvalid else { throw error }
            throw RealmError(.usage, "\(path): \(error.message) (realm commit \(commit.hex.prefix(12)))")
        }
    }

    public func list(_ directory: String) throws -> [String] {
        try repository.listTree(at: directory, in: commit).map(\.name)
    }

    public func exists(_ path: String) throws -> Bool {
        try repository.entry(at: path, in: commit).map { $0.kind == .blob } ?? false
    }
}

/// The realm as a directory of files (tests, and `check` run inside a realm checkout). A realm
/// clone's files came from other teams: a symbolic link is refused (never followed), only
/// regular files are read, and no file larger than `Limits.documentBytes`.
public struct DirectoryRealmSource: RealmSource {
    public let root: String

    public init(root: String) { self.root = root }

    public func read(_ path: String) throws -> [UInt8]? {
        guard let kind = try kind(of: path) else { return nil }
        guard kind == S_IFREG else {
            throw RealmError(.usage, "\(path): not a regular file\(kind == S_IFLNK ? " (a symbolic link: never followed)" : "")")
        }
        return try readFile(root + "/" + path, limit: Limits.documentBytes)
    }

    public func list(_ directory: String) throws -> [String] {
        if !directory.isEmpty {
            guard let kind = try kind(of: directory) else { return [] }
            guard kind == S_IFDIR else {
                if kind == S_IFLNK { throw RealmError(.usage, "\(directory): a symbolic link: never followed") }
                return []
            }
        }
        return listDirectory(directory.isEmpty ? root : root + "/" + directory)
    }

    /// The file type of `path` (S_IFREG, S_IFDIR, S_IFLNK ...) without following links, after
    /// checking that no directory on the way is a symbolic link; nil when absent.
    private func kind(of path: String) throws -> mode_t? {
        var prefix = root
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() {
            if part == ".." { throw RealmError(.usage, "\(path): leaves the realm") }
            prefix += "/" + part
            var info = stat()
            guard lstat(prefix, &info) == 0 else { return nil }
            let kind = info.st_mode & S_IFMT
            if i < parts.count - 1 && kind != S_IFDIR {
                if kind == S_IFLNK { throw RealmError(.usage, "\(path): lies under a symbolic link: never followed") }
                return nil
            }
            if i == parts.count - 1 { return kind }
        }
        return S_IFDIR
    }
}
