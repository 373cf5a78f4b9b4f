/// Where a realm's files are read from: a commit in a participant's object store (through
/// libgit2), or a directory in tests. Paths are realm-relative (`domains/s3-access/domain.yaml`).
public protocol RealmSource: Sendable {
    /// The bytes of a file, or nil when there is none.
    func read(_ path: String) throws -> [UInt8]?
    /// The names of the entries of a directory ([] when absent).
    func list(_ directory: String) throws -> [String]
    /// Whether a file is there, without reading it (a file too large to read still exists).
    func exists(_ path: String) throws -> Bool
    /// The domains in which `repo` has a binding, when the source can answer without reading
    /// every domain (an index); nil to have the snapshot look through them.
    func domains(withBindingFor repo: String) throws -> [String]?
}

extension RealmSource {
    public func domains(withBindingFor repo: String) throws -> [String]? { nil }
    public func exists(_ path: String) throws -> Bool { try read(path) != nil }
}

/// A read-only view of the realm at one commit. Files are read on demand, so a command that
/// concerns one repo reads only that repo's part of a large realm.
public struct RealmSnapshot: Sendable {
    public let source: any RealmSource

    public init(source: any RealmSource) { self.source = source }

    public func exists(_ path: String) throws -> Bool { try source.exists(path) }

    func load<T: RealmDocument>(_ type: T.Type, _ path: String, skippingJSON: Bool = false) throws -> T? {
        guard let bytes = try source.read(path) else { return nil }
        return try RealmFiles.decode(type, bytes: bytes, path: path, skippingJSON: skippingJSON).value
    }

    private func names(in directory: String, suffix: String = ".yaml") throws -> [String] {
        try source.list(directory).compactMap { $0.hasSuffix(suffix) ? String($0.dropLast(suffix.count)) : nil }.sorted()
    }

    public func config() throws -> RealmConfig {
        guard let config = try load(RealmConfig.self, RealmConfig.path) else {
            throw ModelError(file: RealmConfig.path, mark: nil, "missing: this is not a realm (no realm.yaml at the top)")
        }
        return config
    }

    public func repoNames() throws -> [String] { try names(in: "repos") }
    public func repo(_ name: String) throws -> RepoEntry? { try load(RepoEntry.self, RepoEntry.path(name)) }
    public func retiredRepo(_ name: String) throws -> RepoEntry? { try load(RepoEntry.self, RepoEntry.retiredPath(name)) }
    public func retiredRepoNames() throws -> [String] { try names(in: RepoEntry.retiredDirectory) }

    public func domainNames() throws -> [String] { try source.list("domains").sorted() }
    public func domain(_ name: String) throws -> Domain? { try load(Domain.self, Domain.path(name)) }
    public func governance(_ domain: String) throws -> DomainGovernance? {
        try load(DomainGovernance.self, DomainGovernance.path(domain))
    }

    public func contractNames(in domain: String) throws -> [String] { try names(in: Contract.directory(domain)) }
    public func contract(domain: String, name: String) throws -> Contract? {
        try load(Contract.self, Contract.path(domain: domain, name: name))
    }

    /// A contract without its schema, value and evolution (all empty): its name, version,
    /// owner, compatibility and validation, for a reader that needs no more. The file is parsed
    /// whole all the same (its limits, syntax and duplicate keys are checked), but the schema,
    /// value and evolution are not kept (the evolution list grows with every version).
    public func contractSummary(domain: String, name: String) throws -> Contract? {
        try load(Contract.self, Contract.path(domain: domain, name: name), skippingJSON: true)
    }

    public func bindingRepos(in domain: String) throws -> [String] { try names(in: Binding.directory(domain)) }
    public func binding(domain: String, repo: String) throws -> Binding? {
        try load(Binding.self, Binding.path(domain: domain, repo: repo))
    }

    /// The domains in which `repo` has a binding.
    public func domains(of repo: String) throws -> [String] {
        if let indexed = try source.domains(withBindingFor: repo) { return indexed }
        return try scanDomains(of: repo)
    }

    /// `domains(of:)` the long way: every domain's bindings directory.
    public func scanDomains(of repo: String) throws -> [String] {
        var result: [String] = []
        for domain in try domainNames() where try source.read(Binding.path(domain: domain, repo: repo)) != nil {
            result.append(domain)
        }
        return result
    }

    /// Finds a contract by name across domains: (domain, contract) pairs.
    public func findContract(_ name: String) throws -> [(domain: String, contract: Contract)] {
        var found: [(String, Contract)] = []
        for domain in try domainNames() {
            if let contract = try self.contract(domain: domain, name: name) { found.append((domain, contract)) }
        }
        return found
    }
}
