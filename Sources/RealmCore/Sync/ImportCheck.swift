import RealmContracts
import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// How one of this repo's imports stands against the realm: current (the newest version its
/// range accepts is the one it resolved), stale (a newer version satisfies the range), or broken
/// (nothing satisfies it, or the contract is gone).
public struct ImportState: Sendable {
    public enum Status: String, Sendable { case current, stale, broken }

    public var domain: String
    public var entry: Binding.Import
    public var status: Status
    public var reason: String?
    /// The newest published version the range accepts.
    public var newest: ContractHistory.Entry?
    /// The version this repo acknowledged (from the binding).
    public var resolved: ContractHistory.Entry?
    /// Value diff from the resolved version to the newest.
    public var changes: [String] = []

    public var contract: String { entry.contract }

    public var json: JSONValue {
        var o: JSONObject = ["domain": .string(domain), "contract": .string(entry.contract),
                             "version": .string(entry.version), "status": .string(status.rawValue)]
        o["resolved_version"] = entry.resolvedVersion.map { .string($0) } ?? .null
        o["newest_version"] = newest.map { .string($0.version.description) } ?? .null
        o["reason"] = reason.map { .string($0) } ?? .null
        o["changes"] = .array(changes.map { .string($0) })
        return .object(o)
    }
}

public enum ImportCheck {
    public static func compute(participant: Participant, snapshot: RealmSnapshot, tip: OID) throws -> [ImportState] {
        var states: [ImportState] = []
        for domain in try snapshot.domains(of: participant.name) {
            guard let binding = try snapshot.binding(domain: domain, repo: participant.name) else { continue }
            for entry in binding.imports {
                states.append(try classify(entry, domain: domain, repository: participant.repository,
                                           snapshot: snapshot, tip: tip, cache: participant.cache))
            }
        }
        return states
    }

    public static func classify(_ entry: Binding.Import, domain: String, repository: Repository,
                                snapshot: RealmSnapshot, tip: OID, history: ContractHistory? = nil,
                                cache: RealmCache? = nil, contractRead: Bool = false) throws -> ImportState {
        var state = ImportState(domain: domain, entry: entry, status: .current)
        let range: VersionRange
        do { range = try VersionRange.parse(entry.version) } catch {
            state.status = .broken
            state.reason = "invalid version range '\(entry.version)': \(error.description)"
            return state
        }
        // Whether it is there and readable (parse errors and limits are errors here), without
        // keeping its value (its history is read below); `contractRead`: the caller read it so.
        // The head of its history index says so without a read when it decoded at this tip;
        // else by blob id from the cache (docs/cache.md).
        guard try contractRead || ContractHistory.summary(repository: repository, realmTip: tip, domain: domain, contract: entry.contract) != nil
                || ContractReads.summary(snapshot, domain: domain, name: entry.contract, cache: cache) != nil else {
            state.status = .broken
            state.reason = "contract '\(entry.contract)' no longer exists in domain \(domain)"
            return state
        }
        let history = try history ?? ContractHistory.load(for: entry, repository: repository, realmTip: tip, domain: domain)
        guard let newest = history.resolve(range) else {
            state.status = .broken
            let published = history.versions.map(\.description).joined(separator: ", ")
            state.reason = "no published version satisfies \(entry.version) (published: \(published))"
            return state
        }
        state.newest = newest
        state.resolved = entry.resolvedVersion.flatMap { try? Version.parse($0) }.flatMap { history.entry(for: $0) }
        if let resolved = state.resolved, resolved.version >= newest.version {
            state.status = .current
        } else {
            state.status = .stale
            state.reason = "\(newest.version) satisfies \(entry.version); resolved \(entry.resolvedVersion ?? "nothing")"
            state.changes = ValueDiff.lines(from: state.resolved?.contract.value ?? .null, to: newest.contract.value)
        }
        return state
    }
}
