import RealmGit
import RealmModel

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
}

/// The realm as a directory of files (tests, and `check` run inside a realm checkout).
public struct DirectoryRealmSource: RealmSource {
    public let root: String

    public init(root: String) { self.root = root }

    public func read(_ path: String) throws -> [UInt8]? {
        let full = root + "/" + path
        guard fileExists(full), !isDirectory(full) else { return nil }
        return try readFile(full)
    }

    public func list(_ directory: String) throws -> [String] {
        listDirectory(root + "/" + directory)
    }
}
