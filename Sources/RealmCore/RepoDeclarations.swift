import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// What this repository declares about itself in its own tracked `.gitrealm`: how it computes
/// each export's value and which validation scripts it runs. The realm may mirror the export
/// part for readers, but git-realm never runs a command or reads a file because the realm says
/// so: only these declarations, read from the commit being checked (or the working tree), decide.
///
///     [export "s3-permissions"]
///         source = models/**/*.py        ; one or more, git pathspec globs of tracked files
///         detect = s3-paths              ; or: file = config/s3.yaml#/paths, or: command = ./print-value
///         schema = schemas/s3.yaml       ; optional: this repo's copy of the contract's schema
///         validate = scripts/check.sh    ; optional, repeatable: run by check and sync
///         ci-validate = scripts/e2e.sh   ; optional, repeatable: run by check only when CI is set
///     [import "s3-permissions"]
///         validate = scripts/policy.sh
public struct RepoDeclarations: Sendable, Equatable {
    public struct Export: Sendable, Equatable {
        public var contract: String
        public var sourceFiles: [String] = []
        public var extraction: Binding.Extraction?
        public var schemaFile: String?
        public var validate: [String] = []
        public var ciValidate: [String] = []

        /// The export as the realm's binding mirrors it.
        public var binding: Binding.Export {
            Binding.Export(contract: contract, sourceFiles: sourceFiles, extraction: extraction, schemaFile: schemaFile)
        }
    }

    public struct Import: Sendable, Equatable {
        public var contract: String
        public var validate: [String] = []
        public var ciValidate: [String] = []
    }

    public var exports: [Export] = []
    public var imports: [Import] = []

    public init(exports: [Export] = [], imports: [Import] = []) {
        self.exports = exports
        self.imports = imports
    }

    public func export(_ contract: String) -> Export? { exports.first { $0.contract == contract } }
    public func `import`(_ contract: String) -> Import? { imports.first { $0.contract == contract } }

    /// The declarations at `commit`, or in the working tree when `commit` is nil (HEAD's when
    /// the repository has none). No `.gitrealm` declares nothing.
    public static func load(in repository: Repository, at commit: OID? = nil) throws -> RepoDeclarations {
        let bytes: [UInt8]?
        let origin: String
        if let commit {
            origin = "\(commit.hex.prefix(12)):\(Membership.fileName)"
            bytes = try repository.blob(at: Membership.fileName, in: commit)
        } else if let workdir = repository.workdir {
            origin = Membership.fileName
            let path = workdir + "/" + Membership.fileName
            bytes = fileExists(path) ? try readFile(path, limit: Limits.documentBytes) : nil
        } else if let head = try repository.headCommit() {
            origin = "HEAD:\(Membership.fileName)"
            bytes = try repository.blob(at: Membership.fileName, in: head)
        } else {
            return RepoDeclarations()
        }
        guard let bytes else { return RepoDeclarations() }
        if bytes.count > Limits.documentBytes {
            throw RealmError(.usage, "\(origin): \(bytes.count) bytes, larger than the limit of \(Limits.documentBytes)")
        }
        return try parse(try ConfigFile.parse(bytes, source: origin), origin: origin)
    }

    /// Declarations from `.gitrealm` entries (canonical keys: `export.<contract>.source`).
    public static func parse(_ entries: [(key: String, value: String)], origin: String) throws -> RepoDeclarations {
        var result = RepoDeclarations()
        for (key, value) in entries {
            let section: ConfigKey.Membership.Section, contract: String, field: String
            switch ConfigKey.Membership.parse(key) {
            case nil: continue
            case .malformed(let s)?:
                throw RealmError(.usage, "\(origin): \(key): expected [\(s.rawValue) \"<contract>\"] with a field")
            case .declaration(let s, let c, let f)?: (section, contract, field) = (s, c, f)
            }
            if let problem = Names.problem(with: contract) {
                throw RealmError(.usage, "\(origin): [\(section.rawValue) \"\(contract)\"]: contract name \(problem)")
            }
            func path() throws -> String { try RepoPath.confined(value, what: "\(origin): \(key)") }
            if section == .export {
                var export = result.export(contract) ?? Export(contract: contract)
                switch field {
                case "source":
                    _ = try path()   // checked; kept as written (a glob)
                    export.sourceFiles.append(value)
                case "file":
                    let extraction = Binding.Extraction.file(value)
                    _ = try RepoPath.confined(extraction.filePath ?? "", what: "\(origin): \(key)")
                    try setExtraction(&export, extraction, key: key, origin: origin)
                case "command":
                    guard !value.isEmpty else { throw RealmError(.usage, "\(origin): \(key): empty command") }
                    try setExtraction(&export, .command(value), key: key, origin: origin)
                case "detect":
                    guard value == S3PathDetector.name else {
                        throw RealmError(.usage, "\(origin): \(key): unknown detector '\(value)' (known: \(S3PathDetector.name))")
                    }
                    try setExtraction(&export, .detect(value), key: key, origin: origin)
                case "schema": export.schemaFile = try path()
                case "validate": export.validate.append(try path())
                case "ci-validate": export.ciValidate.append(try path())
                default:
                    throw RealmError(.usage, "\(origin): \(key): unknown field '\(field)' (known: source, file, command, detect, schema, validate, ci-validate)")
                }
                result.exports.removeAll { $0.contract == contract }
                result.exports.append(export)
            } else {
                var entry = result.import(contract) ?? Import(contract: contract)
                switch field {
                case "validate": entry.validate.append(try path())
                case "ci-validate": entry.ciValidate.append(try path())
                default:
                    throw RealmError(.usage, "\(origin): \(key): unknown field '\(field)' (known: validate, ci-validate)")
                }
                result.imports.removeAll { $0.contract == contract }
                result.imports.append(entry)
            }
        }
        for export in result.exports where export.sourceFiles.isEmpty && export.extraction != nil {
            throw RealmError(.usage, "\(origin): [export \"\(export.contract)\"] has no source (the files its value comes from)")
        }
        return result
    }

    private static func setExtraction(_ export: inout Export, _ extraction: Binding.Extraction, key: String, origin: String) throws {
        if let existing = export.extraction, existing != extraction {
            throw RealmError(.usage, "\(origin): \(key): [export \"\(export.contract)\"] already has a way to compute its value; give one of file, command or detect")
        }
        export.extraction = extraction
    }

    /// Writes `export` into the working tree's `.gitrealm`, replacing what it declared before
    /// for that contract (its validation scripts are kept).
    public static func write(_ export: Export, to workdir: String) throws {
        let path = workdir + "/" + Membership.fileName
        func key(_ field: String) -> String { ConfigKey.Membership.declaration(.export, contract: export.contract, field: field) }
        for field in ["source", "file", "command", "detect", "schema"] {
            try ConfigFile.unset(path: path, key: key(field))
        }
        for source in export.sourceFiles { try ConfigFile.add(path: path, key: key("source"), value: source) }
        switch export.extraction {
        case .file(let spec)?: try ConfigFile.set(path: path, key: key("file"), value: spec)
        case .command(let command)?: try ConfigFile.set(path: path, key: key("command"), value: command)
        case .detect(let detector)?: try ConfigFile.set(path: path, key: key("detect"), value: detector)
        case nil: break
        }
        if let schema = export.schemaFile { try ConfigFile.set(path: path, key: key("schema"), value: schema) }
    }
}
