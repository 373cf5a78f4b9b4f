import RealmContracts
import RealmJSON
import RealmGit
import RealmModel
import RealmYAML
import RealmSupport

/// `git realm check --mode=contract`: reads every file of a realm and reports every problem at
/// once, each as a `Finding` (`path:line:col: message`):
///
/// - `realm.yaml`, `repos/*.yaml`, `domains/*/domain.yaml` (and `governance.yaml`), contracts
///   and bindings decode (all findings of a file, unknown fields as warnings);
/// - a contract's schema is a valid JSON Schema, its value validates against it, its version
///   is SemVer and bumped enough since the base revision (`VersionBump.verify`), its evolution
///   entries increase and end at its version, its owner is a registered repo, its name is
///   its file's and unique in the realm;
/// - a binding's repo is registered, its exports and imports name contracts of its domain, its
///   import ranges parse.
public struct RealmCheck {
    /// How the version bump since the base went.
    public enum BumpStatus: String, Sendable {
        /// Checked and sufficient (or nothing changed).
        case verified
        /// Checked and too small (an error finding says why).
        case insufficient
        /// The contract did not exist at the base.
        case new
        /// There is no base to compare with.
        case noBase = "no-base"
        /// Not checked: the contract (here or at the base) has errors.
        case notChecked = "not-checked"
    }

    public struct ContractResult: Sendable {
        public var domain: String
        public var name: String
        public var file: String
        public var version: String?
        public var errors: Int
        public var bump: BumpStatus
        /// `VersionBump.check`'s explanation, when the bump was checked.
        public var bumpMessage: String?
        /// Whether the contract is the same as at the base.
        public var unchanged: Bool
    }

    public struct Report: Sendable {
        public var findings: [Finding]
        public var contracts: [ContractResult]
        public var filesChecked: Int
        public var errorCount: Int { findings.count(where: { $0.severity == .error }) }
        public var warningCount: Int { findings.count(where: { $0.severity == .warning }) }
        public var ok: Bool { errorCount == 0 }
    }

    public var source: any RealmSource
    /// The realm at the base revision, for version bumps.
    public var base: (any RealmSource)?
    /// Check only this contract (its domain's files, and the realm's top-level files).
    public var contract: String?
    /// How schema changes are judged for bumps: lenient, as `sync` publishes them.
    public var mode: CompatibilityMode = .lenient
    /// At most this many value errors per contract.
    public var maxValueErrors = 20

    public init(source: any RealmSource, base: (any RealmSource)? = nil, contract: String? = nil) {
        self.source = source
        self.base = base
        self.contract = contract
    }

    // MARK: Running

    public func run() throws -> Report {
        var state = State(source: source)
        try checkTopLevel(&state)

        let domains = try source.list("domains").filter { !$0.hasPrefix(".") }.sorted()
        var contractsIn: [String: [String]] = [:]
        var domainsOf: [String: [String]] = [:]
        for domain in domains {
            let names = try yamlStems(in: Contract.directory(domain))
            contractsIn[domain] = names
            for name in names { domainsOf[name, default: []].append(domain) }
        }
        if let only = contract, domainsOf[only] == nil {
            throw RealmError(.usage, "no contract '\(only)' in the realm",
                             hint: domainsOf.isEmpty ? nil : "contracts: \(domainsOf.keys.sorted().joined(separator: ", "))")
        }

        var results: [ContractResult] = []
        for domain in domains {
            let names = contractsIn[domain] ?? []
            if let only = contract, !names.contains(only) { continue }
            let members = try checkDomain(domain, &state)
            // Owners only: a domain's contracts (values and all) are not kept while it is checked.
            var owners: [String: String] = [:]
            for name in names where contract == nil || name == contract {
                let (result, value) = try checkContract(domain: domain, name: name, members: members,
                                                        domainsOf: domainsOf, &state)
                results.append(result)
                if let value { owners[name] = value.owner }
            }
            for repo in try yamlStems(in: Binding.directory(domain)) {
                try checkBinding(domain: domain, repo: repo, members: members, contracts: Set(names),
                                 owners: owners, domainsOf: domainsOf, &state)
            }
        }
        return Report(findings: state.sortedFindings(), contracts: results, filesChecked: state.files.count)
    }

    /// Whether two realms differ in any file the check reads (a clone's working tree against
    /// its HEAD, to choose the default base).
    public static func differ(_ a: any RealmSource, _ b: any RealmSource) throws -> Bool {
        let left = try realmFiles(a), right = try realmFiles(b)
        if left != right { return true }
        for path in left where (try? a.read(path)) != (try? b.read(path)) { return true }
        return false
    }

    /// Every file of the realm layout that exists in `source`, sorted.
    public static func realmFiles(_ source: any RealmSource) throws -> [String] {
        func yaml(_ directory: String) throws -> [String] {
            try source.list(directory).filter { $0.hasSuffix(".yaml") }.map { "\(directory)/\($0)" }
        }
        var files: [String] = []
        if try source.list("").contains(RealmConfig.path) { files.append(RealmConfig.path) }
        files += try yaml("repos")
        for domain in try source.list("domains") {
            let present = Set(try source.list("domains/\(domain)"))
            for file in [Domain.path(domain), DomainGovernance.path(domain)]
            where present.contains(String(file.split(separator: "/").last ?? "")) {
                files.append(file)
            }
            files += try yaml(Contract.directory(domain))
            files += try yaml(Binding.directory(domain))
        }
        return files.sorted()
    }

    // MARK: State

    struct State {
        let source: any RealmSource
        var findings: [Finding] = []
        var files: [String: Int] = [:]
        var registered: Set<String> = []

        init(source: any RealmSource) { self.source = source }

        mutating func touch(_ file: String) {
            if files[file] == nil { files[file] = files.count }
        }

        mutating func error(_ file: String, _ mark: Mark?, _ message: String) {
            touch(file)
            findings.append(Finding(.error, file: file, mark: mark, message))
        }

        mutating func warning(_ file: String, _ mark: Mark?, _ message: String) {
            touch(file)
            findings.append(Finding(.warning, file: file, mark: mark, message))
        }

        /// Reads and decodes a file, keeping all its findings. nil when the file is absent
        /// (`missing` says so) or has errors.
        mutating func decode<T: RealmDocument>(_ type: T.Type, _ path: String,
                                               missing: String? = nil) throws -> (value: T, map: SourceMap)? {
            let read: [UInt8]?
            do { read = try source.read(path) } catch let failure where RealmError.wrap(failure).kind == .usage {
                let failure = RealmError.wrap(failure)
                // Too large to read: a finding like any malformed file, not the end of the check.
                let message = failure.message.hasPrefix(path + ": ") ? String(failure.message.dropFirst(path.count + 2)) : failure.message
                error(path, nil, message)
                return nil
            }
            guard let bytes = read else {
                if let missing { error(path, nil, missing) }
                return nil
            }
            touch(path)
            do {
                let decoded = try RealmFiles.decode(type, bytes: bytes, path: path)
                for warning in decoded.warnings { findings.append(warning) }
                return (decoded.value, SourceMap(bytes: bytes))
            } catch {
                findings += error.diagnostics
                return nil
            }
        }

        /// Findings ordered by file (as first met), then position, errors before warnings.
        func sortedFindings() -> [Finding] {
            findings.enumerated().sorted { x, y in
                let a = x.element, b = y.element
                let fa = a.file.flatMap { files[$0] } ?? Int.max, fb = b.file.flatMap { files[$0] } ?? Int.max
                if fa != fb { return fa < fb }
                if a.position != b.position { return a.position < b.position }
                return x.offset < y.offset
            }.map(\.element)
        }
    }

    private func yamlStems(in directory: String) throws -> [String] {
        try source.list(directory).compactMap { $0.hasSuffix(".yaml") ? String($0.dropLast(5)) : nil }.sorted()
    }

    private static func pointer(_ tokens: String...) -> JSONPointer { JSONPointer(tokens: tokens) }

    // MARK: realm.yaml and repos

    private func checkTopLevel(_ state: inout State) throws {
        _ = try state.decode(RealmConfig.self, RealmConfig.path,
                             missing: "missing: this is not a realm (no realm.yaml at the top)")
        for stem in try yamlStems(in: "repos") {
            state.registered.insert(stem)
            let path = RepoEntry.path(stem)
            guard let decoded = try state.decode(RepoEntry.self, path) else { continue }
            let (repo, map) = decoded
            if repo.name != stem {
                state.error(path, map.mark(Self.pointer("name")), "name '\(repo.name)' does not match the file name (\(stem).yaml)")
            }
        }
    }

    // MARK: Domains

    /// Checks domain.yaml (and governance.yaml); returns the members when it decoded.
    private func checkDomain(_ domain: String, _ state: inout State) throws -> Set<String>? {
        let path = Domain.path(domain)
        _ = try state.decode(DomainGovernance.self, DomainGovernance.path(domain))
        guard let decoded = try state.decode(Domain.self, path, missing: "missing: domain '\(domain)' has no domain.yaml") else {
            return nil
        }
        let (value, map) = decoded
        if value.name != domain {
            state.error(path, map.mark(Self.pointer("name")), "name '\(value.name)' does not match the domain's directory (domains/\(domain))")
        }
        for (i, member) in value.members.enumerated() where !state.registered.contains(member) && Names.isValid(member) {
            state.error(path, map.mark(Self.pointer("members", String(i))), "member '\(member)' is not a registered repo (no \(RepoEntry.path(member)))")
        }
        return Set(value.members)
    }

    // MARK: Contracts

    private func checkContract(domain: String, name: String, members: Set<String>?, domainsOf: [String: [String]],
                               _ state: inout State) throws -> (ContractResult, Contract?) {
        let path = Contract.path(domain: domain, name: name)
        let errorsBefore = state.findings.count(where: { $0.severity == .error && $0.file == path })
        var result = ContractResult(domain: domain, name: name, file: path, version: nil, errors: 0,
                                    bump: .notChecked, bumpMessage: nil, unchanged: false)
        func finish(_ contract: Contract?) -> (ContractResult, Contract?) {
            result.errors = state.findings.count(where: { $0.severity == .error && $0.file == path }) - errorsBefore
            return (result, contract)
        }
        guard let decoded = try state.decode(Contract.self, path) else { return finish(nil) }
        let (contract, map) = decoded
        result.version = contract.version
        let p = Self.pointer

        if contract.name != name {
            state.error(path, map.mark(p("name")), "name '\(contract.name)' does not match the file name (\(name).yaml)")
        }
        if let others = domainsOf[name], others.count > 1, others.first != domain {
            state.error(path, map.mark(p("name")), "contract '\(name)' is also defined in domain '\(others[0])'; contract names are unique in a realm")
        }

        // Version.
        var version: Version?
        do {
            version = try Version.parse(contract.version)
        } catch {
            state.error(path, contract.versionMark ?? map.mark(p("version")), "version: \(error.description)")
        }

        // Owner.
        if !state.registered.contains(contract.owner) {
            state.error(path, map.mark(p("owner")), "owner '\(contract.owner)' is not a registered repo (no \(RepoEntry.path(contract.owner)))")
        } else if let members, !members.contains(contract.owner) {
            state.warning(path, map.mark(p("owner")), "owner '\(contract.owner)' is not a member of domain '\(domain)'")
        }

        // Schema and value.
        var schemaValid = false
        do {
            let validator = try JSONSchemaValidator(schema: contract.schema)
            do {
                try SchemaCompatibility.validate(contract.schema)
                schemaValid = true
            } catch {
                state.error(path, map.mark(JSONPointer(tokens: ["schema"] + error.location.tokens)),
                            "schema cannot be compared between versions: \(error.message)")
            }
            let errors = validator.validate(contract.value)
            for e in errors.prefix(maxValueErrors) {
                let at = e.instanceLocation.tokens.isEmpty ? "" : " at \(e.instanceLocation)"
                let schemaAt = e.schemaLocation.tokens.isEmpty ? "#" : "#\(e.schemaLocation)"
                state.error(path, map.mark(JSONPointer(tokens: ["value"] + e.instanceLocation.tokens)),
                            "value does not match the schema\(at): \(e.message) (schema \(schemaAt))")
            }
            if errors.count > maxValueErrors {
                state.error(path, map.mark(p("value")), "value: \(errors.count - maxValueErrors) more errors not shown")
            }
        } catch {
            let inDocument = error.document.map { " (in \($0))" } ?? ""
            state.error(path, map.mark(JSONPointer(tokens: ["schema"] + error.location.tokens)),
                        "schema is not a valid JSON Schema\(inDocument): \(error.message)")
        }

        // Evolution.
        checkEvolution(contract, version: version, path: path, map: map, &state)

        // Version bump since the base (needs a version and a schema the engine can compare).
        let clean = version != nil && schemaValid
        if let base {
            if let oldBytes = try base.read(path) {
                if clean, let old = try? RealmFiles.decode(Contract.self, bytes: oldBytes, path: path).value {
                    result.unchanged = old == contract
                    do {
                        let verdict = try VersionBump.verify(old: old.json, new: contract.json, mode: mode)
                        result.bumpMessage = verdict.message
                        if verdict.ok {
                            result.bump = .verified
                        } else {
                            result.bump = .insufficient
                            let reasons = verdict.analysis.reasons.prefix(3).joined(separator: "; ")
                            let more = verdict.analysis.reasons.count > 3 ? "; ..." : ""
                            state.error(path, contract.versionMark ?? map.mark(p("version")),
                                        "version bump too small: \(verdict.message) (\(reasons)\(more))")
                        }
                    } catch {
                        // The base's own problems are not this revision's: say the bump went unchecked.
                        state.warning(path, contract.versionMark, "version bump not checked: the contract at the base is not comparable (\(error))")
                    }
                }
            } else {
                result.bump = .new
            }
        } else {
            result.bump = .noBase
        }
        return finish(contract)
    }

    private func checkEvolution(_ contract: Contract, version: Version?, path: String, map: SourceMap, _ state: inout State) {
        guard !contract.evolution.isEmpty else {
            state.warning(path, map.mark(JSONPointer(tokens: ["evolution"])),
                          "evolution is empty: add an entry for version \(contract.version)")
            return
        }
        var previous: Version?
        var lastParsed: Version?
        for (i, entry) in contract.evolution.enumerated() {
            // Positions only for findings: the map parses the whole file as a node tree.
            func at() -> Mark? { map.mark(JSONPointer(tokens: ["evolution", String(i), "version"])) }
            guard let v = try? Version.parse(entry.version) else {
                state.error(path, at(), "evolution[\(i)].version '\(entry.version)' is not a SemVer version")
                lastParsed = nil
                continue
            }
            if let previous, !(previous < v) {
                state.error(path, at(), "evolution versions must increase: \(entry.version) follows \(previous)")
            }
            previous = v
            lastParsed = v
        }
        let last = contract.evolution.count - 1
        if let version, let lastParsed, !lastParsed.isIdentical(to: version) {
            state.error(path, map.mark(JSONPointer(tokens: ["evolution", String(last), "version"])),
                        "the last evolution entry is \(contract.evolution[last].version) but the contract is at \(contract.version): add an entry for \(contract.version)")
        }
    }

    // MARK: Bindings

    private func checkBinding(domain: String, repo: String, members: Set<String>?, contracts: Set<String>,
                              owners: [String: String], domainsOf: [String: [String]], _ state: inout State) throws {
        let path = Binding.path(domain: domain, repo: repo)
        guard let file = try state.decode(Binding.self, path) else { return }
        let (binding, map) = file
        let p = Self.pointer
        if binding.repo != repo {
            state.error(path, map.mark(p("repo")), "repo '\(binding.repo)' does not match the file name (\(repo).yaml)")
        }
        if !state.registered.contains(binding.repo) {
            state.error(path, map.mark(p("repo")), "repo '\(binding.repo)' is not a registered repo (no \(RepoEntry.path(binding.repo)))")
        } else if let members, !members.contains(binding.repo) {
            state.warning(path, map.mark(p("repo")), "repo '\(binding.repo)' is not a member of domain '\(domain)'")
        }

        func missing(_ verb: String, _ name: String) -> String {
            var text = "\(verb) contract '\(name)', which domain '\(domain)' does not have (no \(Contract.path(domain: domain, name: name)))"
            if let elsewhere = domainsOf[name]?.first { text += "; it is in domain '\(elsewhere)'" }
            return text
        }

        for (i, export) in binding.exports.enumerated() where contract == nil || export.contract == contract {
            let at = map.mark(p("exports", String(i), "contract"))
            if !contracts.contains(export.contract) {
                state.error(path, at, missing("exports", export.contract))
            } else if let owner = owners[export.contract], owner != binding.repo {
                state.warning(path, at, "exports contract '\(export.contract)', which is owned by '\(owner)'")
            }
        }
        for (i, entry) in binding.imports.enumerated() where contract == nil || entry.contract == contract {
            if !contracts.contains(entry.contract) {
                state.error(path, map.mark(p("imports", String(i), "contract")), missing("imports", entry.contract))
            }
            var range: VersionRange?
            do {
                range = try VersionRange.parse(entry.version)
            } catch {
                state.error(path, map.mark(p("imports", String(i), "version")), "imports '\(entry.contract)': \(error.description)")
            }
            if let text = entry.resolvedVersion {
                let at = map.mark(p("imports", String(i), "resolved_version"))
                do {
                    let resolved = try Version.parse(text)
                    if let range, !range.satisfies(resolved) {
                        state.warning(path, at, "resolved_version \(text) does not satisfy the import's range \"\(entry.version)\"")
                    }
                } catch {
                    state.error(path, at, "resolved_version: \(error.description)")
                }
            }
        }
    }
}

extension SourceMap {
    func mark(_ pointer: JSONPointer) -> Mark? {
        root.flatMap { Self.position(of: pointer, in: $0) }
    }
}

extension RealmCheck {
    /// `check --mode=contract` at `location`: the realm as it is there, version bumps judged
    /// against `base` (a revision), else the default base (the previous commit, or HEAD when a
    /// clone's working tree changed the realm). Returns the report and the base commit's id.
    public static func run(at location: RealmLocation, base: String?, contract: String?) throws -> (report: Report, base: String?) {
        let source = try location.source()
        let baseOID: OID?
        if let base {
            baseOID = try location.resolve(base)
        } else {
            var changed = false
            if case .clone(let repository, _) = location, let head = try repository.headCommit() {
                changed = try RealmCheck.differ(source, GitRealmSource(repository: repository, commit: head))
            }
            baseOID = try location.defaultBase(workingTreeChanged: changed)
        }
        let check = RealmCheck(source: source,
                               base: baseOID.map { GitRealmSource(repository: location.repository, commit: $0) },
                               contract: contract)
        return (try check.run(), baseOID.map(\.description))
    }
}
