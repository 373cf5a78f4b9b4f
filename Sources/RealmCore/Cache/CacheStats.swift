#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmJSON
import RealmSupport

/// What `git realm admin cache stats` reports.
public struct CacheStats: Sendable {
    public struct KindStats: Sendable {
        public var kind: String
        public var entries: Int
        public var bytes: Int
        public var hits: Int
        public var misses: Int
    }

    public var directory: String
    public var kinds: [KindStats]
    public var maxBytes: Int
    public var maxEntries: Int
    /// The contract-history index beside the cache (`git-realm/history`), which `clear` removes too.
    public var historyDirectory: String
    public var historyFiles: Int
    public var historyBytes: Int

    public var entries: Int { kinds.reduce(0) { $0 + $1.entries } }
    public var bytes: Int { kinds.reduce(0) { $0 + $1.bytes } }
    public var hits: Int { kinds.reduce(0) { $0 + $1.hits } }
    public var misses: Int { kinds.reduce(0) { $0 + $1.misses } }

    public static func read(repository: Repository) -> CacheStats {
        let cache = RealmCache(repository: repository)
        let entries = CacheEviction.entries(cache)
        let counts = CacheCounters.read(directory: cache.directory)
        let kinds = RealmCache.Kind.allCases.map { kind in
            let mine = entries.filter { $0.kind == kind }
            return KindStats(kind: kind.rawValue, entries: mine.count, bytes: mine.reduce(0) { $0 + $1.bytes },
                             hits: counts[kind]?.hits ?? 0, misses: counts[kind]?.misses ?? 0)
        }
        let history = RealmCache.historyDirectory(of: repository)
        let (files, bytes) = treeSize(history)
        let bounds = cache.bounds
        return CacheStats(directory: cache.directory, kinds: kinds, maxBytes: bounds.bytes,
                          maxEntries: bounds.entries, historyDirectory: history,
                          historyFiles: files, historyBytes: bytes)
    }

    /// Regular files under `path` and their total size (symbolic links not followed).
    static func treeSize(_ path: String) -> (files: Int, bytes: Int) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (0, 0) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return (1, Int(info.st_size))
        case S_IFDIR:
            return listDirectory(path).reduce((0, 0)) { sum, name in
                let sub = treeSize(path + "/" + name)
                return (sum.0 + sub.files, sum.1 + sub.bytes)
            }
        default: return (0, 0)
        }
    }

    public var json: JSONValue {
        var byKind: JSONObject = [:]
        for k in kinds {
            byKind[k.kind] = ["entries": .integer(k.entries), "bytes": .integer(k.bytes),
                              "hits": .integer(k.hits), "misses": .integer(k.misses)]
        }
        return ["directory": .string(directory), "entries": .integer(entries), "bytes": .integer(bytes),
                "hits": .integer(hits), "misses": .integer(misses), "kinds": .object(byKind),
                "max_bytes": .integer(maxBytes), "max_entries": .integer(maxEntries),
                "history": ["directory": .string(historyDirectory), "files": .integer(historyFiles),
                            "bytes": .integer(historyBytes)]]
    }
}

/// `git realm admin cache stats|clear` for the repository around the current directory.
public enum CacheAdmin {
    public static func stats() throws -> CacheStats {
        CacheStats.read(repository: try Participant.openRepository())
    }

    /// Clears the cache and the contract-history index; returns what was there.
    @discardableResult
    public static func clear() throws -> CacheStats {
        let repository = try Participant.openRepository()
        let before = CacheStats.read(repository: repository)
        RealmCache(repository: repository).clear(repository: repository)
        return before
    }
}
