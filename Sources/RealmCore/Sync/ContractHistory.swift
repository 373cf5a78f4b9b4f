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
        /// Who owned it, and its own evolution entry: what notifications need, kept small.
        public var owner: String
        public var evolution: Contract.Evolution?
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

    public static func load(repository: Repository, realmTip: OID, domain: String, contract name: String) throws -> ContractHistory {
        let path = Contract.path(domain: domain, name: name)
        var byVersion: [Version: Entry] = [:]
        var seen: [OID: (version: Version, owner: String, evolution: Contract.Evolution?)] = [:]
        for (commit, blob) in try repository.pathHistoryObjects(path, from: realmTip) {
            guard let blob else { continue }
            // A blob seen before is the same version; one decode each, none kept.
            let facts: (version: Version, owner: String, evolution: Contract.Evolution?)
            if let known = seen[blob] { facts = known } else {
                guard let contract = try? RealmFiles.decode(Contract.self, bytes: repository.blob(blob), path: path).value,
                      let parsed = try? Version.parse(contract.version) else { continue }
                facts = (parsed, contract.owner, contract.evolution.first { $0.version == contract.version })
                seen[blob] = facts
            }
            // pathHistory is newest first: the last one seen for a version is its first publication.
            byVersion[facts.version] = Entry(version: facts.version, commit: commit.oid, owner: facts.owner,
                                             evolution: facts.evolution,
                                             file: ContractFile(repository: repository, blob: blob, path: path, decoded: nil))
        }
        return ContractHistory(entries: byVersion.values.sorted { $0.version < $1.version })
    }

    public var versions: [Version] { entries.map(\.version) }

    public func entry(for version: Version) -> Entry? { entries.first { $0.version == version } }

    /// The highest published version the range accepts.
    public func resolve(_ range: VersionRange) -> Entry? {
        guard let best = range.maxSatisfying(versions) else { return nil }
        return entry(for: best)
    }
}
