import RealmContracts
import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// How this repo's exports compare with the realm's contracts: the value (and schema, when the
/// exporter keeps its own copy) extracted from the working tree or a commit, against what the
/// realm records.
public struct ExportState: Sendable {
    public var domain: String
    public var export: Binding.Export
    /// The realm's contract; nil when the binding names a contract that does not exist. When
    /// the comparison came from the cache, only its name, version, owner and validation
    /// (`ContractReads.summary`): the drift lines and violations are the cached ones.
    public var contract: Contract?
    /// The extracted value; nil when the export has no extraction or extraction failed, or
    /// when the caller asked for no values and the comparison came from the cache.
    public var value: JSONValue?
    /// The exporter's own schema, when it keeps one (nil as `value` is).
    public var schema: JSONValue?
    /// Why the value could not be computed or checked.
    public var problem: String?
    /// Schema violations of the extracted value.
    public var violations: [String] = []
    /// Value diff lines against the realm (`+ training-metrics/experiments/*`).
    public var changes: [String] = []
    public var schemaChanged = false

    public var drifted: Bool { !changes.isEmpty || schemaChanged }
    public var contractName: String { export.contract }

    public var json: JSONValue {
        var o: JSONObject = ["domain": .string(domain), "contract": .string(export.contract),
                             "drifted": .bool(drifted), "changes": .array(changes.map { .string($0) }),
                             "schema_changed": .bool(schemaChanged)]
        o["realm_version"] = contract.map { .string($0.version) } ?? .null
        o["problem"] = problem.map { .string($0) } ?? .null
        o["violations"] = .array(violations.map { .string($0) })
        return .object(o)
    }
}

public enum ExportDrift {
    /// Every export of `participant` in the realm `snapshot`, computed as this repository's own
    /// `.gitrealm` declares (never as the realm's binding says: see RepoDeclarations), at
    /// `commit` (nil: the working tree). `onlyTouching` limits the work to exports whose source
    /// files are among those paths (the pre-push hook's fast path). `values: false`: a caller
    /// that shows only the comparison; when it comes from the cache, `value` and `schema` stay
    /// nil (a large value is then not even decoded).
    public static func compute(participant: Participant, snapshot: RealmSnapshot, commit: OID? = nil,
                               declarations: RepoDeclarations? = nil,
                               onlyTouching paths: [String]? = nil, values: Bool = true) throws -> [ExportState] {
        let declared = try declarations ?? RepoDeclarations.load(in: participant.repository, at: commit)
        let extractor = ValueExtractor(repository: participant.repository, commit: commit)
        let cache = participant.cache
        var states: [ExportState] = []
        var mirrored = Set<String>()
        for domain in try snapshot.domains(of: participant.name) {
            guard let binding = try snapshot.binding(domain: domain, repo: participant.name) else { continue }
            for listed in binding.exports {
                mirrored.insert(listed.contract)
                let local = declared.export(listed.contract)
                if let paths, !(local.map { touches($0.binding, paths) } ?? false) { continue }
                var state = ExportState(domain: domain, export: local?.binding ?? Binding.Export(contract: listed.contract, sourceFiles: []))
                // With the cache, a contract is decoded in full only when its comparison with
                // this value is not cached (docs/cache.md).
                let contractPath = Contract.path(domain: domain, name: listed.contract)
                let contractBlob = cache == nil ? nil : try ContractReads.blobID(snapshot, contractPath)
                let contractSize = try contractBlob.map { try participant.repository.objectSize($0) } ?? 0
                if contractBlob == nil { state.contract = try snapshot.contract(domain: domain, name: listed.contract) }
                guard contractBlob != nil || state.contract != nil else {
                    state.problem = "binding names contract '\(listed.contract)', which does not exist in domain \(domain)"
                    states.append(state)
                    continue
                }
                guard local?.extraction != nil else {
                    if contractBlob != nil { state.contract = try snapshot.contract(domain: domain, name: listed.contract) }
                    state.problem = "not declared in this repository's \(Membership.fileName) (run 'git realm export \(listed.contract) --source ... --from-file|--command|--detect' and commit \(Membership.fileName))"
                    states.append(state)
                    continue
                }
                var extracted: Extracted
                do {
                    extracted = try extractor.extract(state.export, cache: cache, decoding: false)
                    if let cache, let contractBlob, let id = extracted.id,
                       DriftCache.worthCaching(contractSize: contractSize, extracted: extracted),
                       let hit = DriftCache.lookup(cache, contract: contractBlob, extracted: id),
                       let summary = try ContractReads.summary(snapshot, domain: domain, name: listed.contract, cache: cache) {
                        if values { extracted = try extractor.decoded(extracted, state.export) }
                        state.value = extracted.value
                        state.schema = extracted.schema
                        state.contract = summary
                        (state.changes, state.violations, state.schemaChanged) = hit
                        states.append(state)
                        continue
                    }
                    extracted = try extractor.decoded(extracted, state.export)
                    state.value = extracted.value
                    state.schema = extracted.schema
                } catch {
                    if contractBlob != nil { state.contract = try snapshot.contract(domain: domain, name: listed.contract) }
                    state.problem = RealmError.wrap(error).message
                    states.append(state)
                    continue
                }
                if contractBlob != nil { state.contract = try snapshot.contract(domain: domain, name: listed.contract) }
                guard let contract = state.contract else { continue }
                let schema = state.schema ?? contract.schema
                if let value = state.value {
                    do {
                        let validator = try JSONSchemaValidator(schema: schema)
                        state.violations = validator.validate(value).map { "\($0.instanceLocation.description.isEmpty ? "(value)" : $0.instanceLocation.description): \($0.message)" }
                    } catch {
                        state.problem = "the contract's schema is not valid: \(error.description)"
                    }
                    state.changes = ValueDiff.lines(from: contract.value, to: value)
                }
                state.schemaChanged = state.schema.map { $0 != contract.schema } ?? false
                if let cache, let contractBlob, let id = extracted.id, state.problem == nil, state.value != nil,
                   DriftCache.worthCaching(contractSize: contractSize, extracted: extracted) {
                    DriftCache.store(cache, contract: contractBlob, extracted: id, state: state)
                }
                states.append(state)
            }
        }
        // Declared here, unknown to the realm: nothing to compare with until `git realm export`.
        for local in declared.exports where !mirrored.contains(local.contract) {
            if let paths, !touches(local.binding, paths) { continue }
            var state = ExportState(domain: "", export: local.binding)
            state.problem = "declared in \(Membership.fileName) but not exported in realm '\(participant.realm)' (run 'git realm export \(local.contract) ...')"
            states.append(state)
        }
        return states
    }

    /// Whether any of `paths` is one of the export's sources (git pathspec-like globs: `*`
    /// spans `/`, a directory covers what is under it), or its value or schema file.
    public static func touches(_ export: Binding.Export, _ paths: [String]) -> Bool {
        var patterns = export.sourceFiles
        if let file = export.extraction?.filePath { patterns.append(file) }
        if let schema = export.schemaFile { patterns.append(schema) }
        return paths.contains { path in patterns.contains { Glob.matches($0, path) } }
    }
}

/// Glob matching as git pathspecs do by default: `*` and `?` match across `/`; a pattern that
/// names a directory matches everything under it.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        if pattern == path || path.hasPrefix(pattern.hasSuffix("/") ? pattern : pattern + "/") { return true }
        return match(Array(pattern.utf8), 0, Array(path.utf8), 0)
    }

    private static func match(_ p: [UInt8], _ i: Int, _ s: [UInt8], _ j: Int) -> Bool {
        var i = i, j = j
        var starI = -1, starJ = -1
        while j < s.count {
            if i < p.count && (p[i] == UInt8(ascii: "?") || p[i] == s[j]) && p[i] != UInt8(ascii: "*") {
                i += 1; j += 1
            } else if i < p.count && p[i] == UInt8(ascii: "*") {
                starI = i; starJ = j; i += 1
            } else if starI >= 0 {
                i = starI + 1; starJ += 1; j = starJ
            } else {
                return false
            }
        }
        while i < p.count && p[i] == UInt8(ascii: "*") { i += 1 }
        return i == p.count
    }
}
