import RealmContracts
import RealmJSON
import Testing

private func json(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        Issue.record("bad JSON in test: \(error)")
        return .null
    }
}

private func schemaError(_ schema: String, documents: [String: JSONValue] = [:],
                         defaultDraft: JSONSchemaDraft = .draft2020_12) -> SchemaError?
{
    do {
        _ = try JSONSchemaValidator(schema: json(schema), documents: documents, defaultDraft: defaultDraft)
        return nil
    } catch {
        return error
    }
}

private func validator(_ schema: String, documents: [String: JSONValue] = [:],
                       defaultDraft: JSONSchemaDraft = .draft2020_12) throws -> JSONSchemaValidator
{
    try JSONSchemaValidator(schema: json(schema), documents: documents, defaultDraft: defaultDraft)
}

@Suite("JSON Schema validator")
struct JSONSchemaTests {
    // MARK: Schemas that are not schemas

    @Test("keywords with values of the wrong type are schema errors, located at the keyword", arguments: [
        (##"{"type": 5}"##, "/type"),
        (##"{"type": "strin"}"##, "/type"),
        (##"{"type": ["string", "string"]}"##, "/type/1"),
        (##"{"required": "x"}"##, "/required"),
        (##"{"required": ["a", 1]}"##, "/required/1"),
        (##"{"minLength": -1}"##, "/minLength"),
        (##"{"maxItems": 1.5}"##, "/maxItems"),
        (##"{"multipleOf": 0}"##, "/multipleOf"),
        (##"{"maximum": "10"}"##, "/maximum"),
        (##"{"enum": "a"}"##, "/enum"),
        (##"{"uniqueItems": 1}"##, "/uniqueItems"),
        (##"{"allOf": []}"##, "/allOf"),
        (##"{"anyOf": {}}"##, "/anyOf"),
        (##"{"not": 3}"##, "/not"),
        (##"{"properties": {"read": {"maxItems": "3"}}}"##, "/properties/read/maxItems"),
        (##"{"properties": []}"##, "/properties"),
        (##"{"additionalProperties": "no"}"##, "/additionalProperties"),
        (##"{"dependentRequired": {"a": "b"}}"##, "/dependentRequired/a"),
        (##"{"$defs": {"x": {"minimum": null}}}"##, "/$defs/x/minimum"),
        (##"{"items": [{"type": "string"}]}"##, "/items"),
        (##"{"$ref": 1}"##, "/$ref"),
        (##"{"$anchor": "1bad"}"##, "/$anchor"),
        (##"{"$id": "http://example.com/a#frag"}"##, "/$id"),
    ])
    func badKeywordValues(schema: String, location: String) throws {
        let error = try #require(schemaError(schema))
        #expect(error.location.description == location, "\(error)")
        #expect(error.document == nil)
    }

    @Test("a schema that is neither an object nor a boolean is refused")
    func notASchema() throws {
        let error = try #require(schemaError("5"))
        #expect(error.location == .root)
        #expect(error.message.contains("object or a boolean"))
    }

    @Test("an invalid regular expression is a schema error")
    func invalidRegex() throws {
        let error = try #require(schemaError(##"{"pattern": "(unclosed"}"##))
        #expect(error.location.description == "/pattern")
        #expect(error.message.contains("regular expression"))
        let property = try #require(schemaError(##"{"patternProperties": {"[a-": {}}}"##))
        #expect(property.location.description == "/patternProperties/[a-")
        let lookbehind = try #require(schemaError(##"{"pattern": "(?<=a)b"}"##))
        #expect(lookbehind.message.contains("lookbehind"))
    }

    @Test("a $ref that leads nowhere is a schema error", arguments: [
        ##"{"$ref": "#/$defs/missing"}"##,
        ##"{"$ref": "#nowhere"}"##,
        ##"{"$ref": "other.json"}"##,
        ##"{"$ref": "https://example.com/unregistered.json#/a"}"##,
        ##"{"properties": {"a": {"$ref": "#/properties/b"}}}"##,
    ])
    func unknownReference(schema: String) throws {
        let error = try #require(schemaError(schema))
        #expect(error.location.tokens.last == "$ref", "\(error)")
        #expect(error.message.contains("cannot resolve reference"), "\(error)")
    }

    @Test("an unknown $schema is refused; draft-07 and 2020-12 URIs are known")
    func unknownDialect() throws {
        let error = try #require(schemaError(##"{"$schema": "https://example.com/my-schema"}"##))
        #expect(error.location.description == "/$schema")
        #expect(schemaError(##"{"$schema": "http://json-schema.org/draft-07/schema#"}"##) == nil)
        #expect(schemaError(##"{"$schema": "https://json-schema.org/draft/2020-12/schema"}"##) == nil)
    }

    @Test("a $ref cycle that never consumes instance data is refused, never run", arguments: [
        (##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##, JSONSchemaDraft.draft2020_12),
        (##"{"$ref": "#"}"##, .draft2020_12),
        (##"{"$ref": "#"}"##, .draft7),
        (##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##, .draft2020_12),
        (##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##, .draft7),
        (##"{"$defs": {"a": {"allOf": [{"not": {"$ref": "#/$defs/a"}}]}}}"##, .draft2020_12),
        (##"{"$defs": {"a": {"if": true, "then": {"$ref": "#/$defs/a"}}}}"##, .draft2020_12),
        (##"{"dependentSchemas": {"x": {"$ref": "#"}}}"##, .draft2020_12),
        (##"{"definitions": {"a": {"$ref": "#/definitions/a"}}, "$ref": "#/definitions/a"}"##, .draft7),
        (##"{"$defs": {"a": {"$dynamicAnchor": "a", "$dynamicRef": "#a"}}}"##, .draft2020_12),
    ])
    func referenceCycle(schema: String, draft: JSONSchemaDraft) throws {
        let error = try #require(schemaError(schema, defaultDraft: draft))
        #expect(error.message.contains("cycle"), "\(error)")
    }

    @Test("the cyclic $ref error names the cycle")
    func referenceCycleMessage() throws {
        let error = try #require(schemaError(
            ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##))
        #expect(error.description.contains("#/$defs/a -> #/$defs/b -> #/$defs/a"), "\(error)")
    }

    @Test("a problem in a registered document names the document")
    func errorInDocument() throws {
        let documents = ["https://example.com/paths.json": json(##"{"$defs": {"glob": {"type": 1}}}"##)]
        let error = try #require(schemaError(##"{"$ref": "https://example.com/paths.json#/$defs/glob"}"##,
                                             documents: documents))
        #expect(error.document == "https://example.com/paths.json")
        #expect(error.location.description == "/$defs/glob/type")
    }

    // MARK: Recursion that consumes data

    @Test("recursive schemas over trees work, at any depth the parser allows")
    func recursiveTree() throws {
        let tree = try validator(##"""
            {
              "$defs": {
                "node": {
                  "type": "object",
                  "required": ["name"],
                  "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
                  },
                  "additionalProperties": false
                }
              },
              "$ref": "#/$defs/node"
            }
            """##)
        #expect(tree.isValid(json(##"{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}"##)))
        let errors = tree.validate(json(##"{"name": "a", "children": [{"name": "b", "children": [{"nam": "c"}]}]}"##))
        #expect(errors.map(\.instanceLocation.description).sorted() == ["/children/0/children/0", "/children/0/children/0/nam"])

        // Nesting as deep as JSONParser permits.
        let nested = try validator(##"{"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"}"##)
        let depth = JSONParser.defaultMaxDepth - 1
        let deep = json(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(nested.isValid(deep))
        #expect(nested.validate(deep).isEmpty)
    }

    @Test("schemas nested as deep as the parser allows compile and validate")
    func deepSchemas() throws {
        let depth = JSONParser.defaultMaxDepth - 2
        let nots = try validator(String(repeating: ##"{"not": "##, count: depth) + "{}" + String(repeating: "}", count: depth))
        #expect(nots.isValid(1) == depth.isMultiple(of: 2))
        let items = try validator(String(repeating: ##"{"items": "##, count: depth) + ##"{"type": "string"}"##
            + String(repeating: "}", count: depth))
        let instance = json(String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth))
        #expect(!items.isValid(instance))
        #expect(items.validate(instance).first?.instanceLocation.tokens.count == depth)
    }

    @Test("instances nested beyond the evaluation limit are reported, not a crash")
    func evaluationDepthLimit() throws {
        let nested = try validator(##"{"items": {"$ref": "#"}}"##)
        var value: JSONValue = []
        for _ in 0..<3_000 { value = .array([value]) }
        #expect(!nested.isValid(value))
        let errors = nested.validate(value)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("too deep") == true)
    }

    // MARK: Error locations

    static let contract = ##"""
        {
          "type": "object",
          "required": ["read"],
          "properties": {
            "read": {"type": "array", "items": {"type": "string"}},
            "write": {"type": "array", "items": {"type": "string"}, "default": []},
            "delete": {"type": "array", "items": {"type": "string"}, "default": []}
          }
        }
        """##

    @Test("a realm contract schema: object with required read, arrays of strings")
    func realmContract() throws {
        let schema = try validator(Self.contract)
        let value = json(##"""
            {
              "read": ["jobs/*/masks/*", "jobs/*/*/config.json", "training-runs/*"],
              "write": ["jobs/*/*/manifest.json"],
              "delete": []
            }
            """##)
        #expect(schema.isValid(value))
        #expect(schema.validate(value) == [])

        let missing = schema.validate(json(##"{"write": []}"##))
        #expect(missing == [SchemaValidationError(instanceLocation: .root, schemaLocation: JSONPointer("/required")!,
                                                  message: "missing required property 'read'")])
        #expect(missing.first?.description == "(root): missing required property 'read' (schema: /required)")

        let wrong = schema.validate(json(##"{"read": ["a", 3], "delete": "x"}"##))
        #expect(wrong.count == 2)
        #expect(wrong.contains { $0.instanceLocation.description == "/read/1"
            && $0.schemaLocation.description == "/properties/read/items/type"
            && $0.message == "expected string, got integer" })
        #expect(wrong.contains { $0.instanceLocation.description == "/delete"
            && $0.schemaLocation.description == "/properties/delete/type" })
        #expect(!schema.isValid(json(##"["read"]"##)))
    }

    @Test("schema locations follow the evaluation path through $ref")
    func locationsThroughReferences() throws {
        let schema = try validator(##"""
            {
              "$defs": {"paths": {"type": "array", "items": {"type": "string", "minLength": 1}}},
              "properties": {"read": {"$ref": "#/$defs/paths"}},
              "additionalProperties": false
            }
            """##)
        let errors = schema.validate(json(##"{"read": ["ok", ""], "other": 1}"##))
        #expect(errors.count == 2)
        #expect(errors.contains { $0.instanceLocation.description == "/read/1"
            && $0.schemaLocation.description == "/properties/read/$ref/items/minLength" })
        #expect(errors.contains { $0.instanceLocation.description == "/other"
            && $0.schemaLocation.description == "/additionalProperties"
            && $0.message.contains("'other' is not allowed") })
    }

    // MARK: Drafts

    @Test("draft-07 and 2020-12 differ: $ref siblings, tuples, $schema chooses")
    func draftDifferences() throws {
        // Draft-07: `$ref` overrides its siblings; 2020-12: they apply alongside.
        let schema = ##"{"definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s", "maxLength": 2}"##
        let modern = try validator(schema)
        let draft7 = try validator(schema, defaultDraft: .draft7)
        #expect(modern.draft == .draft2020_12)
        #expect(draft7.draft == .draft7)
        #expect(!modern.isValid("abc"))
        #expect(draft7.isValid("abc"))
        #expect(!draft7.isValid(3))

        // `$schema` picks the draft regardless of the default.
        let declared = try validator(##"{"$schema": "http://json-schema.org/draft-07/schema#", "##
            + schema.dropFirst())
        #expect(declared.draft == .draft7)
        #expect(declared.isValid("abc"))

        // Tuples: `items` array + `additionalItems` (draft-07) vs `prefixItems` + `items` (2020-12).
        let tuple7 = try validator(##"{"items": [{"type": "string"}], "additionalItems": false}"##, defaultDraft: .draft7)
        #expect(tuple7.isValid(["a"]))
        #expect(!tuple7.isValid(["a", "b"]))
        let tuple2020 = try validator(##"{"prefixItems": [{"type": "string"}], "items": false}"##)
        #expect(tuple2020.isValid(["a"]))
        #expect(!tuple2020.isValid(["a", "b"]))
        // Draft-07 knows no prefixItems; 2020-12 no additionalItems.
        #expect(try validator(##"{"prefixItems": [{"type": "string"}]}"##, defaultDraft: .draft7).isValid([1]))
        #expect(try validator(##"{"additionalItems": false}"##).isValid([1, 2]))
    }

    @Test("draft 2019-09: array-form items with additionalItems")
    func draft2019() throws {
        let schema = try validator(##"""
            {"$schema": "https://json-schema.org/draft/2019-09/schema",
             "items": [{"type": "string"}], "additionalItems": false, "prefixItems": [{"type": "integer"}]}
            """##)
        #expect(schema.draft == .draft2019_09)
        #expect(schema.isValid(["a"]))
        #expect(!schema.isValid(["a", "b"]))
    }

    @Test("unevaluatedProperties sees through allOf, $ref and if/then")
    func unevaluated() throws {
        let schema = try validator(##"""
            {
              "$defs": {"base": {"properties": {"name": {"type": "string"}}}},
              "allOf": [{"$ref": "#/$defs/base"}],
              "if": {"properties": {"kind": {"const": "s3"}}},
              "then": {"properties": {"bucket": {"type": "string"}}},
              "unevaluatedProperties": false
            }
            """##)
        #expect(schema.isValid(json(##"{"name": "x", "kind": "s3", "bucket": "b"}"##)))
        #expect(!schema.isValid(json(##"{"name": "x", "kind": "gcs", "bucket": "b"}"##)))
        let errors = schema.validate(json(##"{"name": "x", "extra": 1}"##))
        #expect(errors.map(\.instanceLocation.description) == ["/extra"])
    }

    // MARK: Values

    @Test("strings count code points; patterns follow ECMA-262")
    func stringsAndPatterns() throws {
        #expect(try validator(##"{"maxLength": 1}"##).isValid("💩"))
        #expect(try validator(##"{"minLength": 2}"##).isValid("e\u{301}"))
        #expect(!(try validator(##"{"minLength": 2}"##).isValid("é")))
        let digits = try validator(##"{"pattern": "^\\d+$"}"##)
        #expect(digits.isValid("123"))
        #expect(!digits.isValid("١٢٣"))  // Arabic-Indic digits are not ECMA \d
        #expect(!digits.isValid("123\n"))
        let word = try validator(##"{"pattern": "^\\w+$"}"##)
        #expect(word.isValid("a_1"))
        #expect(!word.isValid("é"))
        #expect(try validator(##"{"pattern": "^\\u00e9$"}"##).isValid("é"))
        #expect(try validator(##"{"pattern": "^\\p{L}+$"}"##).isValid("ação"))
        #expect(try validator(##"{"pattern": "[[]"}"##).isValid("a[b"))
        #expect(try validator(##"{"pattern": "jobs/"}"##).isValid("s3://jobs/1"))
        #expect(!(try validator(##"{"pattern": "^jobs/"}"##).isValid("s3://jobs/1")))
        #expect(try validator(##"{"pattern": "\\.json$"}"##).isValid("a.json"))
        #expect(!(try validator(##"{"pattern": "\\.json$"}"##).isValid("a.jsonx")))
    }

    @Test("numbers: integers and doubles compare by value")
    func numbers() throws {
        #expect(try validator(##"{"type": "integer"}"##).isValid(1.0))
        #expect(!(try validator(##"{"type": "integer"}"##).isValid(1.5)))
        #expect(try validator(##"{"multipleOf": 0.01}"##).isValid(0.07))
        #expect(!(try validator(##"{"multipleOf": 0.01}"##).isValid(0.075)))
        #expect(try validator(##"{"maximum": 3}"##).isValid(3.0))
        #expect(!(try validator(##"{"exclusiveMaximum": 3}"##).isValid(3)))
        #expect(try validator(##"{"const": 2}"##).isValid(2.0))
        #expect(!(try validator(##"{"enum": [0]}"##).isValid(false)))
    }

    @Test("uniqueItems: JSON equality, for small and large arrays")
    func uniqueItems() throws {
        let unique = try validator(##"{"uniqueItems": true}"##)
        #expect(!unique.isValid([1, 1.0]))
        #expect(!unique.isValid(json(##"[{"a": 1, "b": 2}, {"b": 2, "a": 1}]"##)))
        var many = (0..<1_000).map { JSONValue.integer($0) }
        #expect(unique.isValid(.array(many)))
        many.append(.number(500))
        #expect(!unique.isValid(.array(many)))
        #expect(unique.validate(.array(many)).first?.message == "items 500 and 1000 are equal; items must be unique")
    }

    @Test("format is an annotation, never an assertion")
    func formatIsAnnotation() throws {
        #expect(try validator(##"{"format": "email"}"##).isValid("not an email"))
    }

    @Test("boolean schemas")
    func booleanSchemas() throws {
        #expect(try JSONSchemaValidator(schema: true).isValid(json(##"{"a": [1]}"##)))
        let never = try JSONSchemaValidator(schema: false)
        #expect(!never.isValid(.null))
        #expect(never.validate(.null).count == 1)
    }

    // MARK: Documents

    @Test("references to registered documents, by URI, relative URI and $id")
    func registeredDocuments() throws {
        let documents = [
            "https://realm.example/schemas/paths.json": json(##"""
                {"$defs": {"glob": {"type": "string", "pattern": "^[^/]"}, "globs": {"type": "array", "items": {"$ref": "#/$defs/glob"}}}}
                """##),
            "https://realm.example/other.json": json(##"{"$id": "urn:realm:bucket", "type": "string", "minLength": 3}"##),
        ]
        let schema = try validator(##"""
            {
              "$id": "https://realm.example/schemas/contract.json",
              "properties": {
                "read": {"$ref": "paths.json#/$defs/globs"},
                "bucket": {"$ref": "urn:realm:bucket"}
              }
            }
            """##, documents: documents)
        #expect(schema.isValid(json(##"{"read": ["jobs/*"], "bucket": "abc"}"##)))
        #expect(!schema.isValid(json(##"{"read": ["/jobs/*"]}"##)))
        #expect(!schema.isValid(json(##"{"bucket": "ab"}"##)))
    }

    @Test("$ref to the built-in metaschemas validates schemas")
    func metaschemas() throws {
        let meta2020 = try validator(##"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"##)
        #expect(meta2020.isValid(json(Self.contract)))
        #expect(!meta2020.isValid(json(##"{"type": 5}"##)))
        #expect(!meta2020.isValid(json(##"{"properties": {"a": {"minLength": -1}}}"##)))
        let meta7 = try validator(##"{"$ref": "http://json-schema.org/draft-07/schema#"}"##)
        #expect(meta7.isValid(json(Self.contract)))
        #expect(!meta7.isValid(json(##"{"required": "read"}"##)))
    }

    @Test("$dynamicRef follows the dynamic scope")
    func dynamicReference() throws {
        let documents = ["https://example.com/tree": json(##"""
            {
              "$id": "https://example.com/tree",
              "$dynamicAnchor": "node",
              "type": "object",
              "properties": {"data": true, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}
            }
            """##)]
        let strict = try validator(##"""
            {
              "$id": "https://example.com/strict-tree",
              "$dynamicAnchor": "node",
              "$ref": "tree",
              "unevaluatedProperties": false
            }
            """##, documents: documents)
        #expect(strict.isValid(json(##"{"children": [{"data": 1}]}"##)))
        #expect(!strict.isValid(json(##"{"children": [{"daat": 1}]}"##)))
    }

    @Test("a validator is shared safely between tasks")
    func concurrentUse() async throws {
        let schema = try validator(Self.contract)
        let good = json(##"{"read": ["a"]}"##)
        let bad = json(##"{"read": [1]}"##)
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<32 {
                group.addTask { schema.isValid(n.isMultiple(of: 2) ? good : bad) == n.isMultiple(of: 2) }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 32 && results.allSatisfy { $0 })
    }
}
