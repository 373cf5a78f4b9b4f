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

    /// Oldest first, one entry per version (the first commit that published it).
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

    public var versions: [Version] { entries.map(\.version) }

    public func entry(for version: Version) -> Entry? { entries.first { $0.version == version } }

    /// The highest published version the range accepts.
    public func resolve(_ range: VersionRange) -> Entry? {
        guard let best = range.maxSatisfying(versions) else { return nil }
        return entry(for: best)
    }
}
