import RealmContracts
import RealmJSON
import RealmModel
import RealmSupport

/// `git realm admin domain create`: domain.yaml, a contract skeleton owned by one repo, and
/// bindings (the owner provides, the others consume). Refuses a domain that closes a cycle.
public struct CreateDomain {
    public var name: String
    public var repos: [String]
    public var contract: String
    public var owner: String?
    public var description: String?
    /// The contract's initial schema, value and version (default: `{type: object}`, `{}`, 1.0.0).
    public var schema: JSONValue = ["type": "object"]
    public var value: JSONValue = .object([:])
    public var version = "1.0.0"

    public init(name: String, repos: [String], contract: String, owner: String? = nil, description: String? = nil) {
        self.name = name
        self.repos = repos
        self.contract = contract
        self.owner = owner
        self.description = description
    }

    public struct Result: Sendable {
        public var files: [String]
        public var owner: String
        public var consumers: [String]
    }

    public static let cycleAdvice = """
    Consider:
      - Merging domains into a single coordination context
      - Restructuring the dependency direction
      - Using a hub-and-spoke pattern
    """

    public func run(in participant: Participant) throws -> Result {
        for (what, value) in [("domain", name), ("contract", contract)] + repos.map({ ("repo", $0) }) {
            if let problem = Names.problem(with: value) {
                throw RealmError(.usage, "\(what) name '\(value)' \(problem)")
            }
        }
        guard repos.count >= 2 else { throw RealmError(.usage, "a domain needs at least two repos (--repos a,b)") }
        if Set(repos).count != repos.count { throw RealmError(.usage, "--repos names a repo twice") }
        let owner = self.owner ?? repos[0]
        guard repos.contains(owner) else {
            throw RealmError(.usage, "owner '\(owner)' is not one of --repos \(repos.joined(separator: ","))")
        }
        let consumers = repos.filter { $0 != owner }
        let initial: Version
        do { initial = try Version.parse(version) } catch { throw RealmError(.usage, "invalid --version '\(version)': \(error)") }
        do {
            let errors = try JSONSchemaValidator(schema: schema).validate(value)
            if !errors.isEmpty {
                throw RealmError(.checkFailed, "the initial value does not match the schema", details: errors.map(\.description))
            }
        } catch let error as SchemaError {
            throw RealmError(.usage, "the initial schema is not valid: \(error)")
        }
        let range = ">=\(initial.major).0.0, <\(initial.major + 1).0.0"
        var files: [String] = []
        try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            if try realm.exists(Domain.path(name)) || !(try realm.source.list(Domain.directory(name))).isEmpty {
                throw RealmError(.refused, "domain '\(name)' already exists")
            }
            let registered = Set(try realm.repoNames())
            for repo in repos where !registered.contains(repo) {
                throw RealmError(.usage, "unknown repo '\(repo)': it is not registered in realm '\(participant.realm)'",
                                 hint: "run 'git realm admin join' in that repository first")
            }
            if let existing = try realm.findContract(contract).first {
                throw RealmError(.refused, "contract '\(contract)' already exists in domain '\(existing.domain)'",
                                 hint: "contract names are unique in a realm; choose another")
            }
            var graph = try DependencyGraph.build(from: realm)
            for consumer in consumers { graph.add(.init(from: owner, to: consumer, domain: name)) }
            if let cycle = graph.cycle() {
                throw RealmError(.refused, "adding this domain creates a cycle: \(DependencyGraph.describe(cycle))",
                                 details: Self.cycleAdvice.split(separator: "\n").map(String.init))
            }
            let now = Timestamp.now()
            var change = RealmChange(message: "Create domain \(name) (\(contract): \(owner) -> \(consumers.joined(separator: ", ")))")
            let domain = Domain(name: name,
                                description: description ?? "Coordinates \(contract) between \(repos.joined(separator: " and "))",
                                createdAt: now, members: repos)
            change.write(Domain.path(name), domain)
            let skeleton = Contract(name: contract, version: initial.description, owner: owner, schema: schema, value: value,
                                    evolution: [.init(version: initial.description, changes: ["Initial contract"], compatible: true)])
            change.write(Contract.path(domain: name, name: contract), skeleton)
            change.write(Binding.path(domain: name, repo: owner),
                         Binding(repo: owner, role: "provider", exports: [.init(contract: contract, sourceFiles: [])]))
            for consumer in consumers {
                change.write(Binding.path(domain: name, repo: consumer),
                             Binding(repo: consumer, role: "consumer",
                                     imports: [.init(contract: contract, from: owner, version: range,
                                                     status: "current", resolvedVersion: initial.description, resolvedAt: now)]))
            }
            files = change.files.keys.sorted { a, b in
                func rank(_ p: String) -> Int { p.hasSuffix("domain.yaml") ? 0 : p.contains("/contracts/") ? 1 : 2 }
                return (rank(a), a) < (rank(b), b)
            }
            return change
        }
        return Result(files: files, owner: owner, consumers: consumers)
    }
}
