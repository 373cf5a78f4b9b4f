import RealmContracts
import RealmGit
import RealmModel

/// Every published version of a contract, read from the realm's git history of its file:
/// what import ranges resolve against and what transitive compatibility checks compare with.
public struct ContractHistory: Sendable {
    public struct Entry: Sendable {
        public var version: Version
        public var contract: Contract
        /// The realm commit that published this version (notifications are notes on it).
        public var commit: OID
    }

    /// Oldest first, one entry per version (the first commit that published it).
    public var entries: [Entry]

    public static func load(repository: Repository, realmTip: OID, domain: String, contract name: String) throws -> ContractHistory {
        let path = Contract.path(domain: domain, name: name)
        var byVersion: [Version: Entry] = [:]
        for (commit, blob) in try repository.pathHistory(path, from: realmTip) {
            guard let blob, let contract = try? RealmFiles.decode(Contract.self, bytes: blob, path: path).value,
                  let version = try? Version.parse(contract.version) else { continue }
            // pathHistory is newest first: the last one seen for a version is its first publication.
            byVersion[version] = Entry(version: version, contract: contract, commit: commit.oid)
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
