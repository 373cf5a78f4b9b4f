import ArgumentParser
import RealmCore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Declare where this repo's value for a contract comes from.",
        discussion: """
        Declares in this repo's .gitrealm (commit it) the source files of an export and how its
        value is obtained: --from-file PATH[#json-pointer] (a YAML or JSON file in the repo),
        --command "CMD" (run in the repo, prints YAML or JSON) or --detect s3-paths (S3 paths
        found in string literals of the source files, as {read: [...], write: [...]}). With
        --schema, the contract's JSON Schema is kept in this repo too and 'git realm sync'
        publishes its changes. The realm's binding mirrors the declaration for other members;
        sync and the hooks only ever use this repo's own .gitrealm, so nothing a realm says
        runs here. Every path must lie inside the repository. Only the contract's owner exports
        it; the value must match the schema.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The contract this repo provides.")
    var contract: String

    @Option(name: .customLong("source"), parsing: .upToNextOption, help: "Source files or globs the value comes from (tracked files).")
    var sources: [String] = []

    @Option(name: .customLong("from-file"), help: "A YAML or JSON file holding the value, optionally PATH#/json/pointer.")
    var fromFile: String?

    @Option(name: .customLong("command"), help: "A command that prints the value as YAML or JSON.")
    var command: String?

    @Option(name: .customLong("detect"), help: "A built-in detector: s3-paths.")
    var detect: String?

    @Option(help: "This repo's copy of the contract's JSON Schema.")
    var schema: String?

    @OptionGroup var output: JSONOption

    func validate() throws {
        let ways = [fromFile, command, detect].compactMap { $0 }
        if ways.count != 1 { throw ValidationError("give exactly one of --from-file, --command or --detect") }
        if sources.isEmpty { throw ValidationError("give at least one --source") }
    }

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let extraction: Binding.Extraction = fromFile.map { .file($0) } ?? command.map { .command($0) } ?? .detect(detect ?? "")
            let result = try DeclareExport(contract: contract, sources: sources, extraction: extraction, schemaFile: schema).run(in: participant)
            if output.json {
                Output.json(["contract": .string(contract), "domain": .string(result.domain), "changed": .bool(result.changed),
                             "source_files": .array(result.sourceFiles.map { .string($0) }), "value": result.value ?? .null,
                             "declaration_changed": .bool(result.declarationChanged)])
                return
            }
            Output.line("\(Output.check) \(contract) (domain \(result.domain)) is exported from \(result.sourceFiles.joined(separator: ", "))")
            if let value = result.value { Output.line("  value: \(JSONSerializer.string(value))") }
            Output.line(result.changed ? "\(Output.check) Binding updated in realm '\(participant.realm)'" : "Binding unchanged")
            if result.declarationChanged {
                Output.line("\(Output.check) Declared in .gitrealm: commit it so sync and the hooks use it (git add .gitrealm)")
            }
            Output.line("Run 'git realm sync' to publish the value.")
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Declare that this repo imports a contract.",
        discussion: """
        Records in this repo's binding that it imports CONTRACT from REPO within a semver range
        (--range: npm ">=1.0.0 <2.0.0" or Cargo ">=1.0.0, <2.0.0"), and the file in this repo
        that implements it (--binding, a path inside the repository). Resolves the highest
        published version the range accepts. (--version, the old spelling of --range, still
        works.)

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The contract to import.")
    var contract: String

    @Option(help: "The repo that exports it.")
    var from: String

    @Option(help: ArgumentHelp("The semver range of versions this repo accepts (npm or Cargo syntax).", valueName: "range"))
    var range: String?

    /// The spelling before `--range`; it shadowed git-realm's own `--version`. Still accepted.
    @Option(name: .customLong("version"), help: .hidden)
    var legacyRange: String?

    func validate() throws {
        if range != nil && legacyRange != nil { throw ValidationError("give the range once, with --range") }
        if range == nil && legacyRange == nil { throw ValidationError("missing --range RANGE (the versions this repo accepts)") }
    }

    @Option(help: "The file in this repo that implements the contract.")
    var binding: String

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            if legacyRange != nil { Output.warning("import --version is now --range; --version still works") }
            let version = range ?? legacyRange ?? ""
            let result = try DeclareImport(contract: contract, from: from, range: version, binding: binding).run(in: participant)
            for warning in result.warnings { Output.warning(warning) }
            if output.json {
                Output.json(["contract": .string(contract), "domain": .string(result.domain), "from": .string(from),
                             "version": .string(version), "resolved_version": .string(result.resolved)])
                return
            }
            Output.line("\(Output.check) \(participant.name) imports \(contract) \(version) from \(from) (domain \(result.domain)), resolved \(result.resolved)")
        }
    }
}
