import RealmYAML

/// `domains/<domain>/bindings/<repo>.yaml`: what one repo exports and imports in a domain.
public struct Binding: RealmDocument, Equatable {
    public static func directory(_ domain: String) -> String { "domains/\(domain)/bindings" }
    public static func path(domain: String, repo: String) -> String { "domains/\(domain)/bindings/\(repo).yaml" }
    public static let roles = ["provider", "consumer"]
    public static let statuses = ["current", "stale", "broken"]

    public struct Export: Sendable, Equatable {
        public var contract: String
        public var sourceFiles: [String]
        /// How the exported value is obtained (see `Extraction`); nil until `git realm export`.
        public var extraction: Extraction?
        /// The exporter's own copy of the contract's JSON Schema, when it keeps one.
        public var schemaFile: String?
        public var extra: [YAMLPair] = []
        public init(contract: String, sourceFiles: [String], extraction: Extraction? = nil, schemaFile: String? = nil) {
            self.contract = contract
            self.sourceFiles = sourceFiles
            self.extraction = extraction
            self.schemaFile = schemaFile
        }
        public static func == (a: Self, b: Self) -> Bool {
            a.contract == b.contract && a.sourceFiles == b.sourceFiles && a.extraction == b.extraction && a.schemaFile == b.schemaFile
        }
    }

    /// One way to compute an export's value from the exporter's tree.
    public enum Extraction: Sendable, Equatable {
        /// A YAML or JSON file in the repo, optionally at a JSON pointer (`config/s3.yaml#/paths`).
        case file(String)
        /// A command run in the repo that prints the value as YAML or JSON.
        case command(String)
        /// A built-in detector (`s3-paths`).
        case detect(String)

        /// A `file` spec's path and JSON pointer: `config/s3.yaml#/paths` -> (`config/s3.yaml`, `/paths`).
        public static func fileParts(_ spec: String) -> (path: String, pointer: String?) {
            guard let hash = spec.firstIndex(of: "#") else { return (spec, nil) }
            return (String(spec[..<hash]), String(spec[spec.index(after: hash)...]))
        }

        /// The file the value is read from, for `file` extractions.
        public var filePath: String? {
            if case .file(let spec) = self { return Self.fileParts(spec).path }
            return nil
        }
    }

    public struct Import: Sendable, Equatable {
        public var contract: String
        public var from: String?
        public var version: String
        public var binding: String?
        public var status: String = "current"
        public var resolvedVersion: String?
        public var resolvedAt: String?
        public var extra: [YAMLPair] = []
        public init(contract: String, from: String? = nil, version: String, binding: String? = nil,
                    status: String = "current", resolvedVersion: String? = nil, resolvedAt: String? = nil) {
            self.contract = contract
            self.from = from
            self.version = version
            self.binding = binding
            self.status = status
            self.resolvedVersion = resolvedVersion
            self.resolvedAt = resolvedAt
        }
        public static func == (a: Self, b: Self) -> Bool {
            a.contract == b.contract && a.from == b.from && a.version == b.version && a.binding == b.binding
                && a.status == b.status && a.resolvedVersion == b.resolvedVersion && a.resolvedAt == b.resolvedAt
        }
    }

    public var repo: String
    public var role: String
    public var exports: [Export] = []
    public var imports: [Import] = []
    public var extra: [YAMLPair] = []

    public init(repo: String, role: String, exports: [Export] = [], imports: [Import] = []) {
        self.repo = repo
        self.role = role
        self.exports = exports
        self.imports = imports
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        repo = r.name("repo", required: true) ?? ""
        role = r.oneOf("role", Self.roles, required: true) ?? "consumer"
        for item in r.list("exports") ?? [] {
            guard var e = FieldReader(item, context: ref.context, prefix: "exports[].") else { continue }
            var export = Export(contract: e.name("contract", required: true) ?? "",
                                sourceFiles: e.stringList("source_files") ?? [])
            let file = e.string("from_file"), command = e.string("command"), detect = e.string("detect")
            let ways = [file.map(Extraction.file), command.map(Extraction.command), detect.map(Extraction.detect)].compactMap { $0 }
            if ways.count > 1 {
                ref.context.error(item.mark, "an export takes one of 'from_file', 'command' or 'detect', not several")
            }
            export.extraction = ways.first
            export.schemaFile = e.string("schema_file")
            export.extra = e.unknownFields()
            exports.append(export)
        }
        for item in r.list("imports") ?? [] {
            guard var i = FieldReader(item, context: ref.context, prefix: "imports[].") else { continue }
            var entry = Import(contract: i.name("contract", required: true) ?? "",
                               from: i.name("from"),
                               version: i.string("version", required: true) ?? "")
            entry.binding = i.string("binding")
            entry.status = i.oneOf("status", Self.statuses) ?? "current"
            entry.resolvedVersion = i.string("resolved_version")
            entry.resolvedAt = i.string("resolved_at")
            entry.extra = i.unknownFields()
            imports.append(entry)
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("repo", repo)
        b.add("role", role)
        if !exports.isEmpty {
            b.add("exports", YAMLNode.seq(exports.map { e in
                var m = MappingBuilder()
                m.add("contract", e.contract)
                m.add("source_files", strings: e.sourceFiles)
                switch e.extraction {
                case .file(let f)?: m.add("from_file", f)
                case .command(let c)?: m.add("command", c)
                case .detect(let d)?: m.add("detect", d)
                case nil: break
                }
                m.add("schema_file", e.schemaFile)
                m.append(e.extra)
                return m.node
            }))
        }
        if !imports.isEmpty {
            b.add("imports", YAMLNode.seq(imports.map { i in
                var m = MappingBuilder()
                m.add("contract", i.contract)
                m.add("from", i.from)
                m.add("version", i.version, quoted: true)
                m.add("binding", i.binding)
                m.add("status", i.status)
                m.add("resolved_version", i.resolvedVersion, quoted: true)
                m.add("resolved_at", i.resolvedAt)
                m.append(i.extra)
                return m.node
            }))
        }
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.repo == b.repo && a.role == b.role && a.exports == b.exports && a.imports == b.imports
    }
}
