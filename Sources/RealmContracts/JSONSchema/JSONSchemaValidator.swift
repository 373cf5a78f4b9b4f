import RealmJSON

/// The JSON Schema dialects the validator understands. `$schema` chooses one per schema resource;
/// a schema without `$schema` uses the validator's default (2020-12 unless told otherwise).
public enum JSONSchemaDraft: String, Sendable, CaseIterable {
    /// Draft-07 (also used for draft-06 and draft-04 `$schema` URIs, which it nearly covers).
    case draft7 = "draft-07"
    /// Draft 2019-09: like 2020-12, but `items` may be an array and `additionalItems` applies.
    case draft2019_09 = "2019-09"
    case draft2020_12 = "2020-12"
}

/// One way in which an instance fails its schema.
public struct SchemaValidationError: Sendable, Equatable, CustomStringConvertible {
    /// Where in the instance: `/read/0`; empty for the whole instance.
    public let instanceLocation: JSONPointer
    /// The keyword that failed, as the path evaluation took from the root schema (through `$ref`s):
    /// `/properties/read/items/type`.
    public let schemaLocation: JSONPointer
    public let message: String

    public init(instanceLocation: JSONPointer, schemaLocation: JSONPointer, message: String) {
        self.instanceLocation = instanceLocation
        self.schemaLocation = schemaLocation
        self.message = message
    }

    /// `/read/0: expected string, got integer (schema: /properties/read/items/type)`
    public var description: String {
        let instance = instanceLocation.tokens.isEmpty ? "(root)" : instanceLocation.description
        let schema = schemaLocation.tokens.isEmpty ? "(root)" : schemaLocation.description
        return "\(instance): \(message) (schema: \(schema))"
    }
}

/// The schema itself is not a valid schema: a keyword with a value of the wrong type, a `$ref`
/// that leads nowhere, a pattern that is not a regular expression, a reference cycle.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the schema document (`document`) the problem is.
    public let location: JSONPointer
    public let message: String
    /// The URI of the document holding the problem, when it is not the schema given to the
    /// validator (a registered or built-in document); nil for that schema.
    public let document: String?

    public init(location: JSONPointer, message: String, document: String? = nil) {
        self.location = location
        self.message = message
        self.document = document
    }

    /// `schema /properties/read/minItems: must be a non-negative integer, got -1`
    public var description: String {
        let place = location.tokens.isEmpty ? "(root)" : location.description
        if let document { return "schema \(document)#\(place): \(message)" }
        return "schema \(place): \(message)"
    }
}

/// A JSON Schema (draft 2020-12, 2019-09 or draft-07), compiled once and then applied to any
/// number of instances. Immutable and safe to share between threads.
///
/// ```swift
/// let validator = try JSONSchemaValidator(schema: schema)
/// for error in validator.validate(value) { print(error) }
/// ```
public final class JSONSchemaValidator: Sendable {
    let program: SchemaProgram

    /// The URI given to the schema when it has no `$id` of its own.
    public static let defaultBaseURI = "realm:///schema.json"

    /// Compiles `schema`, checking it thoroughly: any problem throws instead of surfacing later.
    ///
    /// - Parameters:
    ///   - documents: other schema documents that `$ref` may name, keyed by their absolute URI
    ///     (`https://example.com/s3-paths.json`); an `$id` inside them is honoured as well.
    ///     The draft 2020-12, 2019-09 and draft-07 metaschemas are built in.
    ///   - baseURI: the schema's retrieval URI, against which a relative `$id` or `$ref` resolves.
    ///   - defaultDraft: the dialect of a schema without `$schema`.
    public init(schema: JSONValue, documents: [String: JSONValue] = [:],
                baseURI: String = JSONSchemaValidator.defaultBaseURI,
                defaultDraft: JSONSchemaDraft = .draft2020_12) throws(SchemaError)
    {
        var compiler = SchemaCompiler(defaultDraft: defaultDraft)
        program = try compiler.compile(root: schema, baseURI: baseURI, documents: documents)
    }

    /// Every way in which `instance` fails the schema; empty when it is valid.
    /// Inside `anyOf`, `oneOf`, `not` and `if`, only the applicator's own failure is reported.
    public func validate(_ instance: JSONValue) -> [SchemaValidationError] {
        var evaluator = SchemaEvaluator(program: program, report: true)
        _ = evaluator.run(instance)
        return evaluator.errors
    }

    /// Whether `instance` is valid; faster than `validate` as it stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(program: program, report: false)
        return evaluator.run(instance)
    }

    /// `validate` with other work bounds than `Limits.schemaSteps`/`Limits.patternSteps` (tests).
    func validate(_ instance: JSONValue, stepLimit: Int, patternSteps: Int) -> [SchemaValidationError] {
        var evaluator = SchemaEvaluator(program: program, report: true, stepLimit: stepLimit, patternSteps: patternSteps)
        _ = evaluator.run(instance)
        return evaluator.errors
    }

    /// `isValid` with other work bounds, and optionally without the memo (tests).
    func isValid(_ instance: JSONValue, stepLimit: Int, patternSteps: Int, memoise: Bool = true) -> Bool {
        var evaluator = SchemaEvaluator(program: program, report: false, stepLimit: stepLimit, patternSteps: patternSteps,
                                        memoise: memoise)
        return evaluator.run(instance)
    }

    /// The dialect of the root schema.
    public var draft: JSONSchemaDraft { program.rootDraft }
}
