#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmLimits
import RealmSupport

/// A cache of what git-realm computes from content, under git's own directory
/// (`<git-common-dir>/git-realm/cache/<kind>/<key id>`), never in the working tree or the
/// realm (docs/cache.md). A key names exactly what was read (git object ids, the extraction's
/// spelling, the format and the binary): an entry can only be reused for the same input.
///
/// An entry holds its key in full and a checksum of its payload. It is written to a temporary
/// file and renamed into place, so a reader sees a whole entry or none; one that does not read
/// back whole (truncated, another key, a checksum mismatch, a foreign file) is a miss, never an
/// error. The cache is bounded (`maxBytes`, `maxEntries`): the first store of a command evicts the
/// entries used least recently (a hit touches its entry) until it is three quarters full.
public struct RealmCache: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// An export's extracted value and its own schema (docs/cache.md).
        case value
        /// A contract's name, version and owner, by contract blob.
        case contract
        /// An export compared with its contract: drift lines, schema violations.
        case drift
    }

    public let directory: String
    let repository: Repository
    public static let formatVersion = 1
    /// The default bounds; `realm.cacheMaxBytes` and `realm.cacheMaxEntries` change them.
    public static let maxBytes = 64 << 20
    public static let maxEntries = 4096
    /// Contract reads and comparisons are cached only when the contract file or the value is at
    /// least this large: below it, decoding costs less than creating an entry (a new file, about
    /// a millisecond on the development machine; docs/benchmarks.md, "The cache"). Extracted
    /// values are always cached: a warm cache extracts nothing.
    public static let worthBytes = 16 << 10
    static let header = "git-realm cache \(formatVersion)"

    public init(repository: Repository) {
        directory = repository.commonDir + "/git-realm/cache"
        self.repository = repository
    }

    /// The bounds in force: git config, else the defaults (a value below 1 is ignored).
    public var bounds: (bytes: Int, entries: Int) {
        func setting(_ key: String, _ fallback: Int) -> Int {
            guard let value = try? repository.configInt(key), value > 0 else { return fallback }
            return value
        }
        return (setting(ConfigKey.cacheMaxBytes, Self.maxBytes), setting(ConfigKey.cacheMaxEntries, Self.maxEntries))
    }

    /// Where `history` (the contract-history index, HistoryIndex) lives beside the cache.
    public static func historyDirectory(of repository: Repository) -> String {
        repository.commonDir + "/git-realm/history"
    }

    /// The binary's identity, part of every key: a rebuilt or upgraded git-realm (whose
    /// extractor or validator may differ) never reads its predecessor's entries. Only ever
    /// adds misses; the key's object ids are what make an entry right.
    static let toolIdentity: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return "unknown" }
        return "\(info.st_size).\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec).\(info.st_ino)"
    }()

    static func keyID(_ kind: Kind, _ key: String) -> String {
        OID.ofBlob(Array("\(header)\n\(kind.rawValue)\n\(toolIdentity)\n\(key)".utf8)).hex
    }

    func path(_ kind: Kind, _ id: String) -> String { "\(directory)/\(kind.rawValue)/\(id)" }

    /// The payload stored under `key`, or nil (counted as a miss) when there is none or it does
    /// not read back whole.
    public func lookup(_ kind: Kind, key: String) -> [UInt8]? { lookupWithID(kind, key: key)?.payload }

    /// `lookup`, with the payload's blob id (its checksum, verified).
    public func lookupWithID(_ kind: Kind, key: String) -> (payload: [UInt8], id: OID)? {
        let id = Self.keyID(kind, key)
        let file = path(kind, id)
        guard let bytes = try? readFile(file, limit: Limits.documentBytes + (64 << 10)),
              let payload = Self.decode(bytes, kind: kind, key: key) else {
            CacheCounters.count(kind, hit: false, directory: directory)
            Trace.event("cache miss: \(kind.rawValue) \(id.prefix(12))")
            return nil
        }
        // Least recently used goes first: a hit marks its entry as used now.
        _ = utimensat(AT_FDCWD, file, nil, 0)
        CacheCounters.count(kind, hit: true, directory: directory)
        Trace.event("cache hit: \(kind.rawValue) \(id.prefix(12))")
        return payload
    }

    /// Stores `payload` under `key`: atomically (temporary file, rename), silently skipped
    /// when it cannot be written or is larger than `Limits.documentBytes`. A cache that cannot
    /// be written costs the next command the work, nothing else.
    /// Returns the payload's blob id (its checksum).
    @discardableResult
    public func store(_ kind: Kind, key: String, payload: [UInt8]) -> OID {
        let sum = OID.ofBlob(payload)
        guard payload.count <= Limits.documentBytes else { return sum }
        let id = Self.keyID(kind, key)
        let folder = "\(directory)/\(kind.rawValue)"
        if !isDirectory(folder) { try? makeDirectories(folder) }
        var bytes = Array("\(Self.header)\n\(kind.rawValue)\n\(id)\n\(key.utf8.count)\n\(payload.count) \(sum.hex)\n".utf8)
        bytes += Array(key.utf8)
        bytes += payload
        // Atomic (rename) but not synced: a reader checks every entry it reads anyway.
        guard (try? writeFile(path(kind, id), bytes, mode: 0o644, atomic: true, durable: false)) != nil else { return sum }
        Trace.event("cache store: \(kind.rawValue) \(id.prefix(12)) (\(payload.count) bytes)")
        CacheEviction.afterStore(self)
        return sum
    }

    /// The payload of an entry read back and its blob id, when it is whole and is `key`'s.
    static func decode(_ bytes: [UInt8], kind: Kind, key: String) -> (payload: [UInt8], id: OID)? {
        var lines: [Substring] = []
        var offset = 0
        // Five header lines, then the key's bytes and the payload's.
        while lines.count < 5 {
            guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")), newline - offset < 200 else { return nil }
            lines.append(Substring(String(decoding: bytes[offset..<newline], as: UTF8.self)))
            offset = newline + 1
        }
        let sizes = lines[4].split(separator: " ")
        guard lines[0] == header, lines[1] == kind.rawValue, lines[2] == keyID(kind, key),
              let keyLength = Int(lines[3]), keyLength == key.utf8.count,
              sizes.count == 2, let payloadLength = Int(sizes[0]),
              bytes.count - offset == keyLength + payloadLength,
              bytes[offset..<offset + keyLength].elementsEqual(key.utf8) else { return nil }
        let payload = Array(bytes[(offset + keyLength)...])
        let sum = OID.ofBlob(payload)
        guard sum.hex == sizes[1] else { return nil }
        return (payload, sum)
    }

    /// Removes every entry and the counters, and the contract-history index
    /// (`historyDirectory`). Each directory is renamed away first, then removed: a command
    /// running meanwhile sees the old cache or none, never part of one.
    public func clear(repository: Repository) {
        for target in [directory, Self.historyDirectory(of: repository)] where fileExists(target) {
            let aside = "\(target).removing-\(getpid())"
            if rename(target, aside) == 0 { removeTree(aside) } else { removeTree(target) }
        }
    }
}
