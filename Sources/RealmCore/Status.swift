import RealmGit
import RealmJSON
import RealmModel

/// What `git realm status` shows: read from the last fetched realm (no network unless asked).
public struct StatusReport: Sendable {
    public struct ContractInfo: Sendable {
        public var name: String
        public var version: String
        public var owner: String
    }
    public struct ImportInfo: Sendable {
        public var contract: String
        public var from: String?
        public var range: String
        public var status: String
        public var resolvedVersion: String?
        public var binding: String?
    }
    public struct ExportInfo: Sendable {
        public var contract: String
        public var sourceFiles: [String]
        public var consumers: [String]
    }
    public struct DomainInfo: Sendable {
        public var name: String
        public var role: String
        public var members: [String]
        public var contracts: [ContractInfo]
        public var exports: [ExportInfo]
        public var imports: [ImportInfo]
    }

    public var realm: String
    public var url: String
    public var repo: String
    public var realmCommit: String
    public var fetchedAt: Int64?
    public var fetchError: String?
    public var domains: [DomainInfo]
    public var warnings: [String]

    public var json: JSONValue {
        var realmObject: JSONObject = ["name": .string(realm), "url": .string(url), "commit": .string(realmCommit)]
        realmObject["fetched_at"] = fetchedAt.map { .string(Timestamp.format($0)) } ?? .null
        if let fetchError { realmObject["fetch_error"] = .string(fetchError) }
        return [
            "realm": .object(realmObject),
            "repo": .string(repo),
            "domains": .array(domains.map { d in
                [
                    "name": .string(d.name),
                    "role": .string(d.role),
                    "members": .array(d.members.map { .string($0) }),
                    "contracts": .array(d.contracts.map { ["name": .string($0.name), "version": .string($0.version), "owner": .string($0.owner)] }),
                    "exports": .array(d.exports.map {
                        ["contract": .string($0.contract), "source_files": .array($0.sourceFiles.map { .string($0) }),
                         "consumers": .array($0.consumers.map { .string($0) })]
                    }),
                    "imports": .array(d.imports.map { i in
                        var o: JSONObject = ["contract": .string(i.contract), "version": .string(i.range), "status": .string(i.status)]
                        o["from"] = i.from.map { .string($0) } ?? .null
                        o["resolved_version"] = i.resolvedVersion.map { .string($0) } ?? .null
                        o["binding"] = i.binding.map { .string($0) } ?? .null
                        return .object(o)
                    }),
                ]
            }),
            "warnings": .array(warnings.map { .string($0) }),
        ]
    }

    /// Reads only what concerns `participant`: its domains, their contracts and bindings.
    public static func build(for participant: Participant, fetch: Bool) throws -> StatusReport {
        var fetchError: String?
        if fetch {
            do { try participant.fetch(timeout: 60) } catch let error as RealmError { fetchError = error.message }
        }
        guard let tip = try participant.fetchedTip() else {
            throw RealmError(.notInRealm, fetchError ?? "realm '\(participant.realm)' has not been fetched here",
                             hint: "run 'git realm status --fetch'")
        }
        let realm = RealmSnapshot(source: GitRealmSource(repository: participant.repository, commit: tip))
        let me = participant.name
        var warnings: [String] = []
        if try realm.repo(me) == nil {
            warnings.append("repo '\(me)' is not registered in the realm (left, or not yet pushed); run 'git realm admin join' again")
        }
        var domains: [DomainInfo] = []
        for domainName in try realm.domains(of: me) {
            guard let binding = try realm.binding(domain: domainName, repo: me) else { continue }
            let domain = try realm.domain(domainName)
            var contracts: [ContractInfo] = []
            for name in try realm.contractNames(in: domainName) {
                if let c = try realm.contract(domain: domainName, name: name) {
                    contracts.append(ContractInfo(name: c.name, version: c.version, owner: c.owner))
                }
            }
            var consumersByContract: [String: [String]] = [:]
            if !binding.exports.isEmpty {
                for repo in try realm.bindingRepos(in: domainName) where repo != me {
                    for entry in try realm.binding(domain: domainName, repo: repo)?.imports ?? [] {
                        consumersByContract[entry.contract, default: []].append(repo)
                    }
                }
            }
            domains.append(DomainInfo(
                name: domainName, role: binding.role, members: domain?.members ?? [], contracts: contracts,
                exports: binding.exports.map { ExportInfo(contract: $0.contract, sourceFiles: $0.sourceFiles,
                                                          consumers: consumersByContract[$0.contract] ?? []) },
                imports: binding.imports.map { ImportInfo(contract: $0.contract, from: $0.from, range: $0.version,
                                                          status: $0.status, resolvedVersion: $0.resolvedVersion,
                                                          binding: $0.binding) }))
        }
        return StatusReport(realm: participant.realm, url: participant.membership.url, repo: me,
                            realmCommit: tip.hex, fetchedAt: try participant.lastFetched(), fetchError: fetchError,
                            domains: domains, warnings: warnings)
    }
}
