import ArgumentParser
import RealmContracts
import RealmCore
import RealmJSON

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Plumbing: validate instances and compare JSON Schemas.",
        subcommands: [SchemaValidateCommand.self])
}

struct SchemaValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate an instance against a JSON Schema (draft 2020-12 or draft-07).",
        discussion: """
        Both files may be YAML or JSON ("-" reads standard input). The draft is
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

    @Option(name: .customLong("ref"), help: "Another schema document that $ref may name, by its $id or file URI (repeatable).")
    var references: [String] = []

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let validator = try SchemaTools.validator(schemaPath: schema, references: references)
            let value = try DocumentLoader.load(instance)
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

enum SchemaTools {
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
