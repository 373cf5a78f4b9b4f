import RealmJSON
import RealmYAML

/// `domains/<domain>/contracts/<name>.yaml`: what one repo provides to others.
public struct Contract: RealmDocument, Equatable {
    public static func directory(_ domain: String) -> String { "domains/\(domain)/contracts" }
    public static func path(domain: String, name: String) -> String { "domains/\(domain)/contracts/\(name).yaml" }

    public struct Compatibility: Sendable, Equatable {
        /// New versions stay readable by old importers.
        public var backwards: Bool = true
        /// Old versions stay readable by new importers.
        public var forwards: Bool = false
        public init(backwards: Bool = true, forwards: Bool = false) {
            self.backwards = backwards
            self.forwards = forwards
        }
    }

    public struct Validation: Sendable, Equatable {
        public var exporter: String?
        public var importer: String?
        public var ciOnly: [String] = []
        public init(exporter: String? = nil, importer: String? = nil, ciOnly: [String] = []) {
            self.exporter = exporter
            self.importer = importer
            self.ciOnly = ciOnly
        }
        public var isEmpty: Bool { exporter == nil && importer == nil && ciOnly.isEmpty }
    }

    public struct Evolution: Sendable, Equatable {
        public var version: String
        public var changes: [String]
        public var compatible: Bool
        public init(version: String, changes: [String], compatible: Bool) {
            self.version = version
            self.changes = changes
            self.compatible = compatible
        }
    }

    public var name: String
    public var version: String
    public var owner: String
    public var compatibility = Compatibility()
    public var schema: JSONValue = ["type": "object"]
    public var value: JSONValue = .object([:])
    public var validation = Validation()
    public var evolution: [Evolution] = []
    public var extra: [YAMLPair] = []
    /// Where `version` was read, for findings about it.
    public var versionMark: Mark?

    /// Read as JSON by the parser, without their node trees.
    public static var jsonFields: Set<String> { ["schema", "value"] }
    /// A summary (name, version, owner) does not read the evolution list, which grows by one
    /// entry per published version: its cost stays that of the fields it reads.
    public static var summarySkippedFields: Set<String> { ["evolution"] }

    public init(name: String, version: String, owner: String, schema: JSONValue, value: JSONValue,
                evolution: [Evolution] = []) {
        self.name = name
        self.version = version
        self.owner = owner
        self.schema = schema
        self.value = value
        self.evolution = evolution
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        name = r.name("name", required: true) ?? ""
        version = r.string("version", required: true) ?? ""
        versionMark = r.mark(of: "version")
        owner = r.name("owner", required: true) ?? ""
        if var c = r.mapping("compatibility") {
            compatibility.backwards = c.bool("backwards") ?? true
            compatibility.forwards = c.bool("forwards") ?? false
            _ = c.unknownFields()
        }
        schema = r.json("schema", required: true) ?? .object([:])
        if case .object = schema {} else if case .bool = schema {} else {
            ref.context.error(r.mark(of: "schema"), "field 'schema' must be a JSON Schema (a mapping or a boolean)")
        }
        value = r.json("value") ?? .null
        if var v = r.mapping("validation") {
            validation.exporter = v.string("exporter")
            validation.importer = v.string("importer")
            validation.ciOnly = v.stringList("ci_only") ?? []
            _ = v.unknownFields()
        }
        for item in r.list("evolution") ?? [] {
            guard var e = FieldReader(item, context: ref.context, prefix: "evolution[].") else { continue }
            let entry = Evolution(version: e.string("version", required: true) ?? "",
                                  changes: e.stringList("changes") ?? [],
                                  compatible: e.bool("compatible") ?? true)
            _ = e.unknownFields()
            evolution.append(entry)
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name)
        b.add("version", version, quoted: true)
        b.add("owner", owner)
        var c = MappingBuilder()
        c.add("backwards", compatibility.backwards)
        c.add("forwards", compatibility.forwards)
        b.add("compatibility", c.node)
        b.add("schema", json: schema)
        b.add("value", json: value)
        if !validation.isEmpty {
            var v = MappingBuilder()
            v.add("exporter", validation.exporter)
            v.add("importer", validation.importer)
            if !validation.ciOnly.isEmpty { v.add("ci_only", strings: validation.ciOnly) }
            b.add("validation", v.node)
        }
        b.add("evolution", YAMLNode.seq(evolution.map { e in
            var m = MappingBuilder()
            m.add("version", e.version, quoted: true)
            m.add("changes", strings: e.changes)
            m.add("compatible", e.compatible)
            return m.node
        }))
        b.append(extra)
        return b.node
    }

    /// The whole contract as JSON (for `--json` output and the contract engine).
    public var json: JSONValue {
        var object: JSONObject = [:]
        object["name"] = .string(name)
        object["version"] = .string(version)
        object["owner"] = .string(owner)
        object["compatibility"] = ["backwards": .bool(compatibility.backwards), "forwards": .bool(compatibility.forwards)]
        object["schema"] = schema
        object["value"] = value
        var v: JSONObject = [:]
        if let e = validation.exporter { v["exporter"] = .string(e) }
        if let i = validation.importer { v["importer"] = .string(i) }
        if !validation.ciOnly.isEmpty { v["ci_only"] = .array(validation.ciOnly.map { .string($0) }) }
        object["validation"] = .object(v)
        object["evolution"] = .array(evolution.map {
            ["version": .string($0.version), "changes": .array($0.changes.map { .string($0) }), "compatible": .bool($0.compatible)]
        })
        return .object(object)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.version == b.version && a.owner == b.owner && a.compatibility == b.compatibility
            && a.schema == b.schema && a.value == b.value && a.validation == b.validation && a.evolution == b.evolution
    }
}
