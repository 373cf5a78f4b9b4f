import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// An export's value and own schema, as extracted (ValueExtractor), with the id of their
/// serialized form: what the drift cache keys on.
public struct Extracted: Sendable {
    public var value: JSONValue?
    public var schema: JSONValue?
    /// The blob id of the serialized value and schema (nil when not serialized: no cache).
    var id: OID?
    /// A cached entry not decoded yet (`extract(_:cache:decoding: false)`); `decoded` reads it.
    var payload: [UInt8]?
    /// The size of the serialized value and schema (nil when not serialized).
    var size: Int?
}

extension ValueExtractor {
    /// The export's value and own schema, from the cache when an entry for exactly these inputs
    /// exists (docs/cache.md), else extracted and stored. The key: the extraction as declared
    /// (kind, spec, source globs, schema file) and the blob id of every file it reads: the value
    /// file for `file`, every source file for `detect` and `command` (a command's value is taken
    /// to depend on its declared sources, as the pre-push hook's fast path takes it), the
    /// schema file. A file whose id cannot be named (missing, a symbolic link, too large) means
    /// no caching; errors are never cached. With `decoding: false`, a cached entry is left
    /// undecoded (`payload`) until `decoded(_:_:)` is asked for it: a caller whose comparison
    /// is cached too needs no value at all.
    public func extract(_ export: Binding.Export, cache: RealmCache?, decoding: Bool = true) throws -> Extracted {
        guard let cache, let key = try cacheKey(export) else {
            return Extracted(value: try value(of: export), schema: try ownSchema(export))
        }
        if let (payload, id) = cache.lookupWithID(.value, key: key) {
            let hit = Extracted(id: id, payload: payload, size: payload.count)
            return decoding ? try decoded(hit, export) : hit
        }
        var result = Extracted(value: try value(of: export), schema: try ownSchema(export))
        // Only what reads back as the same value is stored (JSON cannot spell NaN; 1.0 prints as 1).
        if Self.roundTrips(result.value), Self.roundTrips(result.schema) {
            let payload = Array(JSONSerializer.string(["value": .array(result.value.map { [$0] } ?? []),
                                                       "schema": .array(result.schema.map { [$0] } ?? [])]).utf8)
            result.id = cache.store(.value, key: key, payload: payload)
            result.size = payload.count
        }
        return result
    }

    /// `extracted` with its value and schema decoded from its cached entry (extracted again,
    /// uncached, in the unlikely case that a checked entry does not decode).
    public func decoded(_ extracted: Extracted, _ export: Binding.Export) throws -> Extracted {
        guard let payload = extracted.payload else { return extracted }
        guard let (value, schema) = Self.decodePayload(payload) else {
            return Extracted(value: try value(of: export), schema: try ownSchema(export))
        }
        return Extracted(value: value, schema: schema, id: extracted.id, size: extracted.size)
    }

    func ownSchema(_ export: Binding.Export) throws -> JSONValue? {
        try export.schemaFile.map { try DocumentLoader.parse(try read($0), origin: $0) }
    }

    /// The cache key of an extraction, or nil when one of its inputs cannot be named by a blob id.
    func cacheKey(_ export: Binding.Export) throws -> String? {
        guard let extraction = export.extraction else { return nil }
        var inputs: [String]
        let spec: (String, String)
        switch extraction {
        case .file(let s):
            spec = ("file", s)
            inputs = [Binding.Extraction.fileParts(s).path]
        case .command(let s):
            spec = ("command", s)
            inputs = try sourceFiles(export)
        case .detect(let s):
            spec = ("detect", s)
            inputs = try sourceFiles(export)
        }
        if let schema = export.schemaFile { inputs.append(schema) }
        guard let confined = try? inputs.map({ try RepoPath.confined($0, what: "file") }) else { return nil }
        let ids = try blobIDs(confined)
        guard ids.allSatisfy({ $0 != nil }) else { return nil }
        var parts: [JSONValue] = ["value 1", .string(spec.0), .string(spec.1),
                                  .array(export.sourceFiles.map { .string($0) }), .string(export.schemaFile ?? "")]
        for (path, id) in zip(confined, ids) { parts.append(.string("\(id!.hex) \(path)")) }
        return JSONSerializer.string(.array(parts))
    }

    /// Blob ids of files of this repository: from `commit`'s tree, or the working tree's (git's
    /// own index stat data, or the bytes hashed).
    func blobIDs(_ paths: [String]) throws -> [OID?] {
        guard let commit else { return try repository.workingTreeBlobIDs(paths, limit: Limits.documentBytes) }
        return try paths.map { path in
            guard let entry = try repository.entry(at: path, in: commit), entry.kind == .blob, entry.mode != 0o120000 else { return nil }
            return entry.oid
        }
    }

    static func decodePayload(_ payload: [UInt8]) -> (value: JSONValue?, schema: JSONValue?)? {
        guard let parsed = try? JSONParser.parse(bytes: payload, maxDepth: Limits.documentDepth + 2),
              case .object(let o) = parsed, case .array(let value)? = o["value"], case .array(let schema)? = o["schema"],
              value.count <= 1, schema.count <= 1 else { return nil }
        // Each is [] for none, [x] for x (a value may be null).
        return (value.first, schema.first)
    }

    /// Whether `value` serializes to JSON that parses back to the same cases and numbers.
    static func roundTrips(_ value: JSONValue?) -> Bool {
        guard let value else { return true }
        switch value {
        case .number(let d): return d.isFinite && !(d.rounded() == d && abs(d) < 1e15)
        case .array(let items): return items.allSatisfy { roundTrips($0) }
        case .object(let o): return o.values.allSatisfy { roundTrips($0) }
        default: return true
        }
    }
}
