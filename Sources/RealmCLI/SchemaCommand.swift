import ArgumentParser
import RealmCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Plumbing: validate instances and compare JSON Schemas.",
        subcommands: [SchemaValidateCommand.self, SchemaDiffCommand.self])
}

struct SchemaValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate an instance against a JSON Schema (draft 2020-12 or draft-07).",
        discussion: """
        Both files may be YAML or JSON ("-" reads standard input); a file named
        .json, or an instance given with --instance-format json, is read as JSON
        (all escapes, surrogate pairs included). The draft is
        chosen by the schema's $schema (default 2020-12). Exit 0 when valid, 1 when
        invalid, 2 when the schema is not a schema or a file cannot be read. With
        --json prints
        {"valid": bool, "errors": [{"instance": ptr, "schema": ptr, "message": str}]}.

        \(exitCodeDiscussion)
        """)

    @Option(help: "The JSON Schema (YAML or JSON).")
    var schema: String

    @Option(help: "The instance to validate (YAML or JSON; - for standard input).")
    var instance: String

    @Option(help: "How to read the instance: auto (JSON for a .json file, else JSON when it parses as JSON, else YAML), json or yaml.")
    var instanceFormat: DocumentFormat = .auto

    @Option(name: .customLong("ref"), help: "Another schema document that $ref may name, by its $id or file URI (repeatable).")
    var references: [String] = []

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let validator = try SchemaTools.validator(schemaPath: schema, references: references)
            let value = try DocumentLoader.load(instance, format: instanceFormat)
            let errors = validator.validate(value)
            if output.json {
                Output.json([
                    "valid": .bool(errors.isEmpty),
                    "errors": .array(errors.map {
                        ["instance": .string($0.instanceLocation.description), "schema": .string($0.schemaLocation.description),
                         "message": .string($0.message)]
                    }),
                ])
            } else if errors.isEmpty {
                Output.line("\(Output.check) \(instance) is valid against \(schema)")
            } else {
                Output.line("✗ \(instance): \(errors.count) error\(errors.count == 1 ? "" : "s")")
                for e in errors {
                    let at = e.instanceLocation.description.isEmpty ? "(root)" : e.instanceLocation.description
                    Output.line("  \(at): \(e.message) (schema \(e.schemaLocation.description.isEmpty ? "#" : "#" + e.schemaLocation.description))")
                }
            }
            if !errors.isEmpty { throw ExitCode(1) }
        }
    }
}

struct SchemaDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two JSON Schemas for backward and forward compatibility.",
        discussion: """
        OLD and NEW may be YAML or JSON schema files, or whole contract files (their
        schema is compared); "-" reads standard input. Lists every change with its
        kind and JSON pointer. Backward compatible: readers with NEW accept all data
        written with OLD; forward: readers with OLD accept data written with NEW
        (schema-registry terms; a contract's backwards: true asks for forward
        compatibility, see docs/compatibility.md). Strict set semantics unless
        --lenient. Exit 0 when NEW is backward compatible with OLD, 1 when it is not,
        2 when a file is not a schema as far as comparing needs (keyword types, $ref
        targets; naming file, line and column; 'schema validate' checks regular
        expressions and dialects too). With --json
        prints {"backward": bool, "forward": bool, "full": bool, "changes": [{"kind":
        str, "path": ptr, "backward": bool, "forward": bool, "detail": str}]}.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The old schema or contract file (YAML or JSON).")
    var old: String

    @Argument(help: "The new schema or contract file (YAML or JSON).")
    var new: String

    @Flag(help: "Judge as users expect: optional properties may come and go in open models, defaults fill in, format is an annotation.")
    var lenient = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let oldDocument = try SchemaDocument.load(old), newDocument = try SchemaDocument.load(new)
            try oldDocument.checkShape()
            try newDocument.checkShape()
            let mode: CompatibilityMode = lenient ? .lenient : .strict
            let report = try SchemaTools.compare(oldDocument, newDocument, mode: mode)
            if output.json {
                Output.json([
                    "backward": .bool(report.backward), "forward": .bool(report.forward), "full": .bool(report.full),
                    "mode": .string(mode.rawValue),
                    "changes": .array(report.changes.map { ContractFindings.json($0) }),
                ])
            } else {
                Output.line("Comparing \(oldDocument.displayName) → \(newDocument.displayName) (\(mode.rawValue))")
                for change in report.changes { Output.line("  " + change.description) }
                Output.line("")
                Output.line(SchemaTools.resultLine(report))
            }
            if !report.backward { throw ExitCode(1) }
        }
    }
}

extension DocumentFormat: ExpressibleByArgument {}

enum SchemaTools {
    /// Compares two loaded schemas; a schema the engine cannot compare is bad input naming
    /// the file and place.
    static func compare(_ old: SchemaDocument, _ new: SchemaDocument, mode: CompatibilityMode) throws -> CompatibilityReport {
        do {
            return try SchemaCompatibility.compare(old: old.schema, new: new.schema, mode: mode)
        } catch {
            throw (error.side == .old ? old : new).invalid(at: error.location, error.message)
        }
    }

    static func resultLine(_ report: CompatibilityReport) -> String {
        if report.isUnchanged { return "Result: IDENTICAL (no changes; fully compatible)" }
        switch report.level {
        case .full: return "Result: FULLY compatible (backward and forward)"
        case .backward: return "Result: BACKWARD compatible only (readers of the old schema may reject new data)"
        case .forward: return "Result: FORWARD compatible only (readers of the new schema may reject old data)"
        case .none: return "Result: INCOMPATIBLE in both directions"
        }
    }

    static func validator(schemaPath: String, references: [String]) throws -> JSONSchemaValidator {
        let schema = try DocumentLoader.load(schemaPath)
        var documents: [String: JSONValue] = [:]
        for path in references {
            let document = try DocumentLoader.load(path)
            let key = document["$id"]?.stringValue ?? "file://" + absolute(path)
            documents[key] = document
        }
        do {
            return try JSONSchemaValidator(schema: schema, documents: documents, baseURI: "file://" + absolute(schemaPath))
        } catch {
            let location = error.location.description.isEmpty ? "" : " at #\(error.location.description)"
            throw RealmError(.usage, "\(schemaPath): not a valid schema\(location): \(error.message)")
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory() + "/" + path
    }
}
