import RealmContracts
import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// `git realm export`: declares in this repo's own `.gitrealm` which files an export comes from
/// and how its value is obtained (what sync and the hooks use), and mirrors that in the realm's
/// binding for readers. Only the contract's owner exports it (seeds: ownership rule).
public struct DeclareExport {
    public var contract: String
    public var sources: [String]
    public var extraction: Binding.Extraction
    public var schemaFile: String?

    public init(contract: String, sources: [String], extraction: Binding.Extraction, schemaFile: String? = nil) {
        self.contract = contract
        self.sources = sources
        self.extraction = extraction
        self.schemaFile = schemaFile
    }

    public struct Result: Sendable {
        public var domain: String
        public var value: JSONValue?
        public var sourceFiles: [String]
        public var changed: Bool
        /// Whether `.gitrealm` changed (it must be committed for hooks to see it).
        public var declarationChanged: Bool
    }

    public func run(in participant: Participant) throws -> Result {
        guard !sources.isEmpty else { throw RealmError(.usage, "give at least one --source path or glob") }
        guard let workdir = participant.repository.workdir else {
            throw RealmError(.usage, "export needs a working tree: it writes this repo's \(Membership.fileName)")
        }
        for source in sources { _ = try RepoPath.confined(source, what: "--source") }
        if let file = extraction.filePath { _ = try RepoPath.confined(file, what: "--from-file") }
        if case .detect(let detector) = extraction, detector != S3PathDetector.name {
            throw RealmError(.usage, "unknown detector '\(detector)' (known: \(S3PathDetector.name))")
        }
        if let schemaFile { _ = try RepoPath.confined(schemaFile, what: "--schema") }
        let me = participant.name
        var export = Binding.Export(contract: contract, sourceFiles: sources, extraction: extraction, schemaFile: schemaFile)
        let extractor = ValueExtractor(repository: participant.repository)
        let files = try extractor.sourceFiles(export)
        let value = try extractor.value(of: export)
        let ownSchema = try schemaFile.map { try DocumentLoader.parse(try extractor.read($0), origin: $0) }
        var domain = ""
        var changed = false
        try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            guard let found = try realm.findContract(contract).first else {
                throw RealmError(.usage, "unknown contract '\(contract)' in realm '\(participant.realm)'",
                                 hint: "create it with 'git realm admin domain create ... --contract \(contract)'")
            }
            domain = found.domain
            guard found.contract.owner == me else {
                throw RealmError(.refused, "contract '\(contract)' is owned by \(found.contract.owner); only its owner exports it")
            }
            if let value {
                let schema = ownSchema ?? found.contract.schema
                let validator: JSONSchemaValidator
                do { validator = try JSONSchemaValidator(schema: schema) } catch {
                    throw RealmError(.usage, "\(schemaFile ?? Contract.path(domain: domain, name: contract)): not a valid schema: \(error)")
                }
                let errors = validator.validate(value)
                if !errors.isEmpty {
                    throw RealmError(.checkFailed, "the extracted value of \(contract) does not match its schema",
                                     details: errors.map(\.description))
                }
            }
            var binding = try realm.binding(domain: domain, repo: me) ?? Binding(repo: me, role: "provider")
            if let i = binding.exports.firstIndex(where: { $0.contract == contract }) {
                export.extra = binding.exports[i].extra
                binding.exports[i] = export
            } else {
                binding.exports.append(export)
            }
            if binding.imports.isEmpty { binding.role = "provider" }
            let path = Binding.path(domain: domain, repo: me)
            if let old = try realm.binding(domain: domain, repo: me), old == binding { return nil }
            changed = true
            var change = RealmChange(message: "\(me): export \(contract) from \(sources.joined(separator: ", "))")
            change.write(path, binding)
            return change
        }
        let before = try RepoDeclarations.load(in: participant.repository).export(contract)
        var local = before ?? RepoDeclarations.Export(contract: contract)
        local.sourceFiles = sources
        local.extraction = extraction
        local.schemaFile = schemaFile
        if local != before { try RepoDeclarations.write(local, to: workdir) }
        return Result(domain: domain, value: value, sourceFiles: files, changed: changed, declarationChanged: local != before)
    }
}

/// `git realm import`: records that this repo imports a contract from its exporter, within a
/// version range, into a binding file of its own.
public struct DeclareImport {
    public var contract: String
    public var from: String
    public var range: String
    public var binding: String

    public init(contract: String, from: String, range: String, binding: String) {
        self.contract = contract
        self.from = from
        self.range = range
        self.binding = binding
    }

    public struct Result: Sendable {
        public var domain: String
        public var resolved: String
        public var warnings: [String]
    }

    public func run(in participant: Participant) throws -> Result {
        let me = participant.name
        let parsedRange: VersionRange
        do { parsedRange = try VersionRange.parse(range) } catch {
            throw RealmError(.usage, "invalid version range '\(range)': \(error.description)")
        }
        let bindingFile = try RepoPath.confined(binding, what: "--binding")
        var warnings: [String] = []
        if participant.repository.workdir != nil, !(try participant.repository.isTracked(bindingFile)) {
            warnings.append("binding file '\(bindingFile)' is not tracked in this repository yet")
        }
        var domain = "", resolved = ""
        try participant.writer().commit { snapshot in
            guard let realm = snapshot, let tip = (realm.source as? GitRealmSource)?.commit else {
                throw RealmError(.usage, "the realm has no main branch")
            }
            guard try realm.repo(from) != nil else {
                throw RealmError(.usage, "unknown repo '\(from)' in realm '\(participant.realm)'")
            }
            guard let found = try realm.findContract(contract).first else {
                throw RealmError(.usage, "unknown contract '\(contract)' in realm '\(participant.realm)'")
            }
            domain = found.domain
            guard found.contract.owner == from else {
                throw RealmError(.usage, "contract '\(contract)' is exported by \(found.contract.owner), not \(from)")
            }
            guard from != me else { throw RealmError(.usage, "a repo cannot import its own contract") }
            let history = try ContractHistory.load(repository: participant.repository, realmTip: tip, domain: domain, contract: contract)
            guard let best = history.resolve(parsedRange) else {
                throw RealmError(.usage, "no published version of \(contract) satisfies \(range) (published: \(history.versions.map(\.description).joined(separator: ", ")))")
            }
            resolved = best.version.description
            var graph = try DependencyGraph.build(from: realm)
            graph.add(.init(from: from, to: me, domain: domain))
            if let cycle = graph.cycle() {
                throw RealmError(.refused, "importing \(contract) from \(from) creates a cycle: \(DependencyGraph.describe(cycle))",
                                 details: CreateDomain.cycleAdvice.split(separator: "\n").map(String.init))
            }
            var binding = try realm.binding(domain: domain, repo: me) ?? Binding(repo: me, role: "consumer")
            var entry = Binding.Import(contract: contract, from: from, version: range, binding: bindingFile,
                                       status: "current", resolvedVersion: resolved, resolvedAt: Timestamp.now())
            if let i = binding.imports.firstIndex(where: { $0.contract == contract }) {
                // Re-declaring keeps what this repo acknowledged, while the range still accepts it:
                // moving to a newer version is sync's job (it runs validation and acknowledges).
                let old = binding.imports[i]
                if let kept = old.resolvedVersion.flatMap({ try? Version.parse($0) }), parsedRange.satisfies(kept) {
                    entry.resolvedVersion = old.resolvedVersion
                    entry.resolvedAt = old.resolvedAt
                    entry.status = old.status
                    resolved = kept.description
                }
                entry.extra = old.extra
                binding.imports[i] = entry
            } else {
                binding.imports.append(entry)
            }
            if binding.exports.isEmpty { binding.role = "consumer" }
            var change = RealmChange(message: "\(me): import \(contract) \(range) from \(from)")
            change.write(Binding.path(domain: domain, repo: me), binding)
            if var info = try realm.domain(domain), !info.members.contains(me) {
                info.members.append(me)
                change.write(Domain.path(domain), info)
            }
            return change
        }
        return Result(domain: domain, resolved: resolved, warnings: warnings)
    }
}
