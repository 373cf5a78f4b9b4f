import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// Contract reads through the cache, keyed by the contract file's blob id.
public enum ContractReads {
    /// The blob id of a realm file, when the snapshot reads a commit of this repository.
    static func blobID(_ snapshot: RealmSnapshot, _ path: String) throws -> OID? {
        guard let source = snapshot.source as? GitRealmSource,
              let entry = try source.repository.entry(at: path, in: source.commit), entry.kind == .blob else { return nil }
        return entry.oid
    }

    /// A contract's name, version, owner and validation suggestions, nothing else (schema and
    /// value empty, no evolution): what `status` lists. From the cache by blob id, else decoded
    /// (`RealmSnapshot.contractSummary`) and stored; a contract file under
    /// `RealmCache.worthBytes` is decoded uncached. nil when there is no such contract.
    public static func summary(_ snapshot: RealmSnapshot, domain: String, name: String, cache: RealmCache?) throws -> Contract? {
        let path = Contract.path(domain: domain, name: name)
        guard let cache, let blob = try blobID(snapshot, path), try worthCaching(snapshot, blob) else {
            return try snapshot.contractSummary(domain: domain, name: name)
        }
        let key = "contract 1 \(blob.hex)"
        if let payload = cache.lookup(.contract, key: key), let contract = decode(payload) { return contract }
        guard let contract = try snapshot.contractSummary(domain: domain, name: name) else { return nil }
        cache.store(.contract, key: key, payload: encode(contract))
        return summaryOnly(contract)
    }

    /// Whether a contract file is large enough for its reads to be cached (`RealmCache.worthBytes`).
    static func worthCaching(_ snapshot: RealmSnapshot, _ blob: OID) throws -> Bool {
        guard let source = snapshot.source as? GitRealmSource else { return false }
        return try source.repository.objectSize(blob) >= RealmCache.worthBytes
    }

    static func summaryOnly(_ c: Contract) -> Contract {
        var s = Contract(name: c.name, version: c.version, owner: c.owner, schema: .object([:]), value: .object([:]))
        s.validation = c.validation
        return s
    }

    static func encode(_ c: Contract) -> [UInt8] {
        let v = c.validation
        let validation: JSONValue = ["exporter": v.exporter.map { .string($0) } ?? .null,
                                     "importer": v.importer.map { .string($0) } ?? .null,
                                     "ci_only": .array(v.ciOnly.map { .string($0) })]
        return Array(JSONSerializer.string(["name": .string(c.name), "version": .string(c.version),
                                            "owner": .string(c.owner), "validation": validation]).utf8)
    }

    static func decode(_ payload: [UInt8]) -> Contract? {
        guard case .object(let o)? = try? JSONParser.parse(bytes: payload),
              case .string(let name)? = o["name"], case .string(let version)? = o["version"],
              case .string(let owner)? = o["owner"], case .object(let v)? = o["validation"],
              case .array(let ci)? = v["ci_only"] else { return nil }
        var c = Contract(name: name, version: version, owner: owner, schema: .object([:]), value: .object([:]))
        c.validation = Contract.Validation(exporter: v["exporter"]?.stringValue, importer: v["importer"]?.stringValue,
                                           ciOnly: ci.compactMap(\.stringValue))
        return c
    }
}

/// An export compared with its contract (ExportDrift): keyed by the contract's blob id and the
/// id of the extracted value and schema; holds the drift lines, the schema violations and
/// whether the schema changed.
enum DriftCache {
    static func key(contract: OID, extracted: OID) -> String { "drift 1 \(contract.hex) \(extracted.hex)" }

    /// Only a large contract file or value is worth an entry (`RealmCache.worthBytes`).
    static func worthCaching(contractSize: Int, extracted: Extracted) -> Bool {
        contractSize >= RealmCache.worthBytes || (extracted.size ?? 0) >= RealmCache.worthBytes
    }

    static func lookup(_ cache: RealmCache, contract: OID, extracted: OID) -> (changes: [String], violations: [String], schemaChanged: Bool)? {
        guard let payload = cache.lookup(.drift, key: key(contract: contract, extracted: extracted)),
              case .object(let o)? = try? JSONParser.parse(bytes: payload),
              case .array(let changes)? = o["changes"], case .array(let violations)? = o["violations"],
              case .bool(let schemaChanged)? = o["schema_changed"] else { return nil }
        return (changes.compactMap(\.stringValue), violations.compactMap(\.stringValue), schemaChanged)
    }

    static func store(_ cache: RealmCache, contract: OID, extracted: OID, state: ExportState) {
        let payload: JSONValue = ["changes": .array(state.changes.map { .string($0) }),
                                  "violations": .array(state.violations.map { .string($0) }),
                                  "schema_changed": .bool(state.schemaChanged)]
        cache.store(.drift, key: key(contract: contract, extracted: extracted), payload: Array(JSONSerializer.string(payload).utf8))
    }
}
