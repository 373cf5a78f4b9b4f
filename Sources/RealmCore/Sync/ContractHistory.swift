import RealmContracts
import RealmGit
import RealmModel
import RealmSupport

/// Every published version of a contract, read from the realm's git history of its file:
/// what import ranges resolve against and what transitive compatibility checks compare with.
public struct ContractHistory: Sendable {
    public struct Entry: Sendable {
        public var version: Version
        /// The realm commit that published this version (notifications are notes on it).
        public var commit: OID
        /// Who owned it as published.
        public var owner: String
        /// Its own evolution entry (what notifications say), read from the published file when asked.
        public var evolution: Contract.Evolution? {
            let contract = file.contract
            return contract.evolution.first { $0.version == contract.version }
        }
        /// The contract as published, read again from its blob when asked for: a history of
        /// many versions of a large contract keeps no value in memory but those used.
        public var contract: Contract { file.contract }
        let file: ContractFile
    }

    /// One published contract file, decoded on first use and kept.
    final class ContractFile: @unchecked Sendable {
        let repository: Repository
        let blob: OID
        let path: String
        private var decoded: Contract?

        init(repository: Repository, blob: OID, path: String, decoded: Contract?) {
            self.repository = repository
            self.blob = blob
            self.path = path
            self.decoded = decoded
        }

        var contract: Contract {
            if let decoded { return decoded }
            // It decoded when the history was read; a failure now (the blob gone) is an empty contract.
            let value = (try? RealmFiles.decode(Contract.self, bytes: repository.blob(blob), path: path).value)
                ?? Contract(name: "", version: "0.0.0", owner: "", schema: .bool(true), value: .null)
            decoded = value
            return value
        }
    }

    /// Lowest version first, one entry per version (the first commit that published it). From
    /// `load(for:)` and `load(acknowledgedBy:)`, possibly only the highest (see there).
    public var entries: [Entry]

    /// The history as of `realmTip`. Which versions the file has had is kept in an index under
    /// git's directory (`HistoryIndex`), keyed by the realm commit it was computed at: a later
    /// tip walks only the commits since, so a command's cost does not grow with the history.
    public static func load(repository: Repository, realmTip: OID, domain: String, contract name: String) throws -> ContractHistory {
        let path = Contract.path(domain: domain, name: name)
        let index = try HistoryIndex.updated(repository: repository, path: path, tip: realmTip)
        var entries: [Entry] = []
        var seen = Set<Version>()
        for row in index.rows where seen.insert(row.version).inserted {   // oldest first: a version's first publication
            entries.append(Entry(version: row.version, commit: row.commit, owner: row.owner,
                                 file: ContractFile(repository: repository, blob: row.blob, path: path, decoded: nil)))
        }
        return ContractHistory(entries: entries.sorted { $0.version < $1.version })
    }

    /// What an importer's classification and notifications need of the history of `entry`'s
    /// contract. When the importer acknowledged the highest version ever published and its range
    /// still accepts it, that version alone, read from the head of the index (constant cost,
    /// whatever the history's length): the range resolves to it, and nothing newer can be
    /// pending. Otherwise the whole history.
    public static func load(for entry: Binding.Import, repository: Repository, realmTip: OID,
                            domain: String) throws -> ContractHistory {
        if let acknowledged = entry.resolvedVersion.flatMap({ try? Version.parse($0) }),
           let range = try? VersionRange.parse(entry.version), range.satisfies(acknowledged),
           let newest = try newest(repository: repository, realmTip: realmTip, domain: domain, contract: entry.contract),
           newest.version == acknowledged {
            return ContractHistory(entries: [newest])
        }
        return try load(repository: repository, realmTip: realmTip, domain: domain, contract: entry.contract)
    }

    /// What an exporter's acknowledgement report (`Notifications.outgoing`) needs: when every
    /// importer (`resolved`: what each acknowledged) is at the highest version ever published,
    /// that version alone, from the head of the index; otherwise the whole history.
    public static func load(acknowledgedBy resolved: [String?], repository: Repository, realmTip: OID,
                            domain: String, contract name: String) throws -> ContractHistory {
        let versions = resolved.map { $0.flatMap { try? Version.parse($0) } }
        if let first = versions.first ?? nil, versions.allSatisfy({ $0 == first }),
           let newest = try newest(repository: repository, realmTip: realmTip, domain: domain, contract: name),
           newest.version == first {
            return ContractHistory(entries: [newest])
        }
        return try load(repository: repository, realmTip: realmTip, domain: domain, contract: name)
    }

    /// The highest version the contract has had (at its first publication), from the head of
    /// the index alone; nil when none was published.
    public static func newest(repository: Repository, realmTip: OID, domain: String, contract name: String) throws -> Entry? {
        let path = Contract.path(domain: domain, name: name)
        return try HistoryIndex.head(repository: repository, path: path, tip: realmTip)?.newest.map { row in
            Entry(version: row.version, commit: row.commit, owner: row.owner,
                  file: ContractFile(repository: repository, blob: row.blob, path: path, decoded: nil))
        }
    }

    /// The contract's name, owner and version (as written) at `realmTip`, from the head of its
    /// index when that is already at `realmTip` and says (the file decoded whole there); nil
    /// otherwise: read the file (`RealmSnapshot.contractSummary`), which also gives its error.
    /// Nothing is walked or written.
    public static func summary(repository: Repository, realmTip: OID, domain: String,
                               contract name: String) -> (name: String, owner: String, version: String)? {
        guard let head = try? HistoryIndex.head(repository: repository, path: Contract.path(domain: domain, name: name),
                                                tip: realmTip, refreshing: false),
              let current = head.current else { return nil }
        return (current.name, current.owner, current.version)
    }

    public var versions: [Version] { entries.map(\.version) }

    public func entry(for version: Version) -> Entry? { entries.first { $0.version == version } }

    /// The highest published version the range accepts.
    public func resolve(_ range: VersionRange) -> Entry? {
        guard let best = range.maxSatisfying(versions) else { return nil }
        return entry(for: best)
    }
}
