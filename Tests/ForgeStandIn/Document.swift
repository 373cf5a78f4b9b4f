import RealmContracts
import RealmJSON

/// A forge's published API description (Forgejo's Swagger 2.0 document or GitHub's OpenAPI 3
/// subset), read as the stand-in's law: the routes, methods, parameters, request bodies and
/// responses it describes, with every schema turned into a JSON Schema (draft-07) for the
/// project's own validator:
/// - `$ref`s point into one `definitions` table (`#/components/schemas/x` becomes
///   `#/definitions/x`);
/// - `nullable: true` (OpenAPI 3) and `x-nullable: true` (Swagger) become "or null";
/// - an object schema that says nothing about other members gets `additionalProperties: false`
///   (strict: a request with an unknown field is refused, and the stand-in can answer nothing
///   the document does not describe); not inside `allOf`, where it would refuse its siblings;
/// - descriptions, examples, `format` and vendor extensions are dropped (annotations).
final class APIDocument {
    enum Kind: String { case forgejo, github }

    struct Parameter {
        var name: String
        var location: String   // path, query, header, body
        var required: Bool
        var schema: JSONValue?
    }

    struct Operation {
        var method: String
        var template: String
        var segments: [String]
        var id: String
        var parameters: [Parameter]
        var bodySchema: JSONValue?
        var bodyRequired: Bool
        /// Status -> JSON Schema of the body (nil: no body described).
        var responses: [Int: JSONValue?]
    }

    let kind: Kind
    let basePath: String
    let definitions: JSONObject
    private(set) var operations: [Operation] = []
    /// Document-wide responses used for errors every operation can meet (401).
    let unauthorizedSchema: JSONValue?
    private var validators: [String: JSONSchemaValidator] = [:]

    init(document: JSONValue, kind: Kind) throws {
        self.kind = kind
        var defs = JSONObject()
        let rawDefinitions = kind == .forgejo ? document["definitions"]?.objectValue : document["components"]?["schemas"]?.objectValue
        for (name, schema) in rawDefinitions ?? [:] { defs[name] = APIDocument.convert(schema, strict: true) }
        definitions = defs
        basePath = kind == .forgejo ? (document["basePath"]?.stringValue ?? "") : ""
        let responses = kind == .forgejo ? document["responses"] : document["components"]?["responses"]
        let parameters = document["components"]?["parameters"]
        func resolveResponse(_ value: JSONValue) -> JSONValue? {
            if let ref = value["$ref"]?.stringValue, let name = ref.split(separator: "/").last {
                return responses?[String(name)]
            }
            return value
        }
        func responseSchema(_ value: JSONValue) -> JSONValue? {
            guard let response = resolveResponse(value) else { return nil }
            let schema = kind == .forgejo ? response["schema"] : response["content"]?["application/json"]?["schema"]
            return schema.map { APIDocument.convert($0, strict: true) }
        }
        unauthorizedSchema = responses?[kind == .forgejo ? "unauthorized" : "requires_authentication"].flatMap(responseSchema)
        for (template, item) in document["paths"]?.objectValue ?? [:] {
            for (method, op) in item.objectValue ?? [:] where ["get", "post", "put", "patch", "delete"].contains(method) {
                var operation = Operation(method: method.uppercased(), template: template,
                                          segments: template.split(separator: "/").map(String.init),
                                          id: op["operationId"]?.stringValue ?? "\(method) \(template)",
                                          parameters: [], bodySchema: nil, bodyRequired: false, responses: [:])
                for raw in (item["parameters"]?.arrayValue ?? []) + (op["parameters"]?.arrayValue ?? []) {
                    var p = raw
                    if let ref = raw["$ref"]?.stringValue, let name = ref.split(separator: "/").last, let resolved = parameters?[String(name)] {
                        p = resolved
                    }
                    guard let name = p["name"]?.stringValue, let location = p["in"]?.stringValue else { continue }
                    if location == "body" {
                        operation.bodySchema = p["schema"].map { APIDocument.convert($0, strict: true) }
                        operation.bodyRequired = p["required"]?.boolValue ?? false
                        continue
                    }
                    // Swagger puts the type on the parameter, OpenAPI 3 in its schema.
                    let schema = p["schema"] ?? .object(p.objectValue?.filter { ["type", "enum", "items"].contains($0.key) } ?? [:])
                    operation.parameters.append(Parameter(name: name, location: location, required: p["required"]?.boolValue ?? false,
                                                          schema: APIDocument.convert(schema, strict: false)))
                }
                if let body = op["requestBody"] {
                    operation.bodySchema = body["content"]?["application/json"]?["schema"].map { APIDocument.convert($0, strict: true) }
                    operation.bodyRequired = body["required"]?.boolValue ?? false
                }
                for (status, response) in op["responses"]?.objectValue ?? [:] {
                    guard let code = Int(status) else { continue }
                    operation.responses[code] = responseSchema(response)
                }
                operations.append(operation)
            }
        }
    }

    /// The operation a request names, and its path parameters (decoded); nil when the
    /// document describes no such route and method. A literal segment beats a parameter.
    func match(method: String, path: String) -> (Operation, [String: String])? {
        guard path.hasPrefix(basePath) else { return nil }
        let segments = path.dropFirst(basePath.count).split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var best: (Operation, [String: String], Int)?
        for op in operations where op.method == method && op.segments.count == segments.count {
            var values: [String: String] = [:]
            var literals = 0
            var ok = true
            for (t, s) in zip(op.segments, segments) {
                if t.hasPrefix("{") && t.hasSuffix("}") && t.dropFirst().dropLast().allSatisfy({ $0 != "{" && $0 != "}" }) {
                    guard !s.isEmpty, let decoded = percentDecoded(s) else { ok = false; break }
                    values[String(t.dropFirst().dropLast())] = decoded
                } else if t.contains("{") {
                    ok = false; break   // mixed segments ("{index}.{diffType}"): not used here
                } else if t == s {
                    literals += 1
                } else { ok = false; break }
            }
            if ok, literals > (best?.2 ?? -1) { best = (op, values, literals) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// Whether the document has the route with any method (for 405 versus 404).
    func hasRoute(_ path: String) -> Bool {
        ["GET", "POST", "PUT", "PATCH", "DELETE"].contains { match(method: $0, path: path) != nil }
    }

    /// Errors of `value` against `schema` (a converted schema), or the schema's own problem.
    func validate(_ value: JSONValue, against schema: JSONValue, key: String) -> [String] {
        let validator: JSONSchemaValidator
        if let cached = validators[key] { validator = cached } else {
            var root = schema.objectValue ?? ["allOf": .array([schema])]
            if schema.objectValue == nil { root = ["allOf": .array([schema])] }
            root["definitions"] = .object(definitions)
            root["$schema"] = "http://json-schema.org/draft-07/schema#"
            do {
                validator = try JSONSchemaValidator(schema: .object(root), defaultDraft: .draft7)
            } catch {
                return ["the document's schema (\(key)) does not compile: \(error)"]
            }
            validators[key] = validator
        }
        return validator.validate(value).map { $0.description }
    }

    /// A definition by `$ref` ("#/definitions/x").
    func resolve(_ schema: JSONValue) -> JSONValue {
        var current = schema
        var hops = 0
        while let ref = current["$ref"]?.stringValue, hops < 20, let name = ref.split(separator: "/").last, let target = definitions[String(name)] {
            current = target
            hops += 1
        }
        return current
    }

    // MARK: conversion

    static let kept: Set<String> = ["type", "enum", "required", "minimum", "maximum", "minLength", "maxLength", "pattern",
                                    "minItems", "maxItems", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]

    static func convert(_ schema: JSONValue, strict: Bool) -> JSONValue {
        guard let object = schema.objectValue else { return schema }
        var out = JSONObject()
        if let ref = object["$ref"]?.stringValue {
            let name = ref.split(separator: "/").last.map(String.init) ?? ref
            out["$ref"] = .string("#/definitions/\(name)")
        } else {
            for (key, value) in object {
                switch key {
                case _ where kept.contains(key):
                    if key == "type", value.stringValue == "file" { continue }
                    out[key] = value
                case "properties":
                    var props = JSONObject()
                    for (name, sub) in value.objectValue ?? [:] { props[name] = convert(sub, strict: strict) }
                    out[key] = .object(props)
                case "items":
                    out[key] = convert(value, strict: strict)
                case "additionalProperties":
                    out[key] = value.objectValue != nil ? convert(value, strict: strict) : value
                case "allOf":
                    out[key] = .array((value.arrayValue ?? []).map { convert($0, strict: false) })
                case "anyOf", "oneOf":
                    out[key] = .array((value.arrayValue ?? []).map { convert($0, strict: strict) })
                default:
                    continue
                }
            }
            if strict, out["additionalProperties"] == nil, out["properties"] != nil || out["type"] == "object" {
                out["additionalProperties"] = false
            }
        }
        if object["nullable"]?.boolValue == true || object["x-nullable"]?.boolValue == true {
            if var e = out["enum"]?.arrayValue, out["$ref"] == nil {
                e.append(.null)
                out["enum"] = .array(e)
            }
            return ["anyOf": [.object(out), ["type": "null"]]]
        }
        return .object(out)
    }

    // MARK: filling required members

    /// `value` with every member its schema requires and it lacks filled with a value of the
    /// documented type (null where the document allows null, the first of an enum, "", 0,
    /// false, [], an object filled the same way), so that the answer is what the document
    /// describes even for members the stand-in does not model.
    func complete(_ value: JSONValue, schema raw: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 40 else { return value }
        let schema = resolve(raw)
        if let options = schema["anyOf"]?.arrayValue {
            if value == .null { return value }
            if let first = options.first(where: { $0["type"] != "null" }) { return complete(value, schema: first, depth: depth + 1) }
            return value
        }
        switch value {
        case .object(var object):
            var merged = schema
            if let parts = schema["allOf"]?.arrayValue {
                var props = JSONObject()
                var required: [JSONValue] = []
                for part in parts.map({ resolve($0) }) {
                    for (k, v) in part["properties"]?.objectValue ?? [:] { props[k] = v }
                    required += part["required"]?.arrayValue ?? []
                }
                merged = ["properties": .object(props), "required": .array(required)]
            }
            let props = merged["properties"]?.objectValue ?? [:]
            for name in (merged["required"]?.arrayValue ?? []).compactMap(\.stringValue) where object[name] == nil {
                object[name] = fabricate(props[name] ?? [:], depth: depth + 1)
            }
            for (name, member) in object {
                if let sub = props[name] { object[name] = complete(member, schema: sub, depth: depth + 1) }
            }
            return .object(object)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { complete($0, schema: itemSchema, depth: depth + 1) })
        default:
            return value
        }
    }

    func fabricate(_ raw: JSONValue, depth: Int) -> JSONValue {
        guard depth < 40 else { return .null }
        let schema = resolve(raw)
        if let options = schema["anyOf"]?.arrayValue {
            if options.contains(where: { $0["type"] == "null" }) { return .null }
            return options.first.map { fabricate($0, depth: depth + 1) } ?? .null
        }
        if let first = schema["enum"]?.arrayValue?.first { return first }
        switch schema["type"]?.stringValue ?? (schema["properties"] != nil ? "object" : "") {
        case "string": return ""
        case "integer", "number": return 0
        case "boolean": return false
        case "array": return []
        case "object": return complete(.object([:]), schema: schema, depth: depth + 1)
        default:
            if schema["allOf"] != nil { return complete(.object([:]), schema: schema, depth: depth + 1) }
            return ""
        }
    }
}

/// `%XX` decoded; nil for a malformed escape.
func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var it = Array(text.utf8)[...]
    while let b = it.popFirst() {
        if b == UInt8(ascii: "%") {
            guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            it = it.dropFirst(2)
            bytes.append(v)
        } else {
            bytes.append(b)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
