import RealmJSON
import RealmLimits

/// Keyword classes used by the comparison. (Prefixed names: the JSONSchema validator lives in
/// the same module.)
enum CompatKeywords {
    /// Keywords that never change which instances validate.
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$comment", "deprecated", "readOnly",
        "writeOnly", "$id", "$schema", "$anchor", "$dynamicAnchor", "$recursiveAnchor",
        "$vocabulary", "contentEncoding", "contentMediaType", "contentSchema", "$defs", "definitions",
    ]

    /// Keywords the comparison understands as assertions or applicators.
    static let assertions: Set<String> = [
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "format", "items", "prefixItems",
        "additionalItems", "contains", "minContains", "maxContains", "maxItems", "minItems",
        "uniqueItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties",
        "propertyNames", "required", "dependentRequired", "dependentSchemas", "dependencies",
        "maxProperties", "minProperties", "unevaluatedProperties", "allOf", "anyOf", "oneOf", "not",
        "if", "then", "else", "$ref", "$dynamicRef", "$recursiveRef",
    ]

    static let typeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    static let nonNegativeIntegers: Set<String> = [
        "maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties",
        "minContains", "maxContains",
    ]
    static let singleSchemas: Set<String> = [
        "additionalItems", "contains", "additionalProperties", "propertyNames", "not", "if", "then",
        "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    static let schemaArrays: Set<String> = ["prefixItems", "allOf", "anyOf", "oneOf"]
    static let schemaMaps: Set<String> = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]
    static let strings: Set<String> = [
        "pattern", "format", "$id", "$schema", "$anchor", "$dynamicAnchor", "$comment", "title",
        "description", "contentEncoding", "contentMediaType", "$dynamicRef", "$recursiveRef",
    ]
    static let booleans: Set<String> = ["uniqueItems", "deprecated", "readOnly", "writeOnly"]

    /// Whether an object schema constrains nothing (like `{}` or `true`), ignoring annotations
    /// and keywords the comparison does not know.
    static func hasNoAssertions(_ object: JSONObject) -> Bool {
        for key in object.keys where assertions.contains(key) { return false }
        return true
    }
}

/// A subschema together with where it lives in its document and how it extends the path.
struct CompatPart {
    var value: JSONValue
    /// Its location in its own document (for `$ref` identity and error messages).
    var loc: JSONPointer
    /// Tokens to append to the reported path (empty for synthesized parts).
    var tokens: [String]

    init(value: JSONValue, loc: JSONPointer, tokens: [String]) {
        self.value = value
        self.loc = loc
        self.tokens = tokens
    }

    /// `value`, or `true` for an absent keyword. Every absent schema has the same location
    /// (`absent`), so that a `$ref` pair memoised against it closes a recursion such as
    /// `{}` against `{"unevaluatedProperties": {"$ref": "#"}}` instead of nesting forever.
    init(absentAsTrue value: JSONValue?, loc: JSONPointer, tokens: [String]) {
        self.value = value ?? .bool(true)
        self.loc = value == nil ? Self.absent : loc
        self.tokens = tokens
    }

    /// A pointer no schema document has (its first token is empty, its second a NUL).
    static let absent = JSONPointer(tokens: ["", "\u{0}absent"])
}

/// A schema after following `$ref`s.
struct CompatNode {
    var value: JSONValue
    var loc: JSONPointer
    /// Reached through at least one `$ref`.
    var viaRef: Bool
    /// An `allOf` synthesized from a `$ref` with sibling assertions; its parts add no path tokens.
    var synthetic: Bool

    var object: JSONObject {
        if case .object(let o) = value { return o }
        return JSONObject()
    }

    var isFalse: Bool {
        if case .bool(false) = value { return true }
        return false
    }

    var isTriviallyTrue: Bool {
        switch value {
        case .bool(let b): return b
        case .object(let o): return !synthetic && CompatKeywords.hasNoAssertions(o)
        default: return false
        }
    }
}

/// One side (old or new) of a comparison: resolves local `$ref`s and validates keywords.
final class CompatDocument {
    let root: JSONValue
    let side: CompatibilityError.Side
    private var refCache: [String: (JSONValue, JSONPointer)] = [:]
    private var anchors: [String: JSONPointer]?
    private var regexCache: [String: PatternMatcher] = [:]
    /// Steps of the regex engine left for this document's patterns (`Limits.patternSteps`).
    private var patternBudget = Limits.patternSteps

    init(root: JSONValue, side: CompatibilityError.Side) {
        self.root = root
        self.side = side
    }

    func error(_ loc: JSONPointer, _ message: String) -> CompatibilityError {
        CompatibilityError(side: side, location: loc, message: message)
    }

    private var rootID: String? {
        guard case .string(let id)? = root["$id"] else { return nil }
        if let hash = id.firstIndex(of: "#") { return String(id[..<hash]) }
        return id
    }

    /// Resolves a local reference: `#`, `#/json/pointer` (percent-decoded), `#anchor`, or the
    /// root's own `$id` followed by one of those.
    func resolveRef(_ ref: String, at loc: JSONPointer) throws(CompatibilityError) -> (JSONValue, JSONPointer) {
        if let cached = refCache[ref] { return cached }
        let fragment: Substring
        if let hash = ref.firstIndex(of: "#") {
            let base = ref[..<hash]
            if !base.isEmpty && String(base) != rootID {
                throw error(loc, "unsupported $ref \"\(ref)\": only local references (\"#...\") can be resolved")
            }
            fragment = ref[ref.index(after: hash)...]
        } else if ref.isEmpty || ref == rootID {
            fragment = ""
        } else {
            throw error(loc, "unsupported $ref \"\(ref)\": only local references (\"#...\") can be resolved")
        }
        guard let decoded = Self.percentDecode(fragment) else {
            throw error(loc, "invalid percent-encoding in $ref \"\(ref)\"")
        }
        let result: (JSONValue, JSONPointer)
        if decoded.isEmpty {
            result = (root, .root)
        } else if decoded.hasPrefix("/") {
            guard let pointer = JSONPointer(decoded), let target = pointer.resolve(in: root) else {
                throw error(loc, "unknown $ref target \"\(ref)\"")
            }
            result = (target, pointer)
        } else {
            if anchors == nil { anchors = collectAnchors() }
            guard let pointer = anchors?[decoded], let target = pointer.resolve(in: root) else {
                throw error(loc, "unknown $ref target \"\(ref)\": no $anchor \"\(decoded)\"")
            }
            result = (target, pointer)
        }
        switch result.0 {
        case .object, .bool: break
        default: throw error(loc, "$ref \"\(ref)\" points at a \(result.0.typeName), not a schema")
        }
        refCache[ref] = result
        return result
    }

    private func collectAnchors() -> [String: JSONPointer] {
        var found: [String: JSONPointer] = [:]
        func walk(_ value: JSONValue, _ loc: JSONPointer) {
            switch value {
            case .object(let o):
                if case .string(let a)? = o["$anchor"], found[a] == nil { found[a] = loc }
                if case .string(let a)? = o["$dynamicAnchor"], found[a] == nil { found[a] = loc }
                if case .string(let id)? = o["$id"], id.hasPrefix("#"), found[String(id.dropFirst())] == nil {
                    found[String(id.dropFirst())] = loc
                }
                for (k, v) in o where k != "enum" && k != "const" && k != "default" && k != "examples" {
                    walk(v, loc.appending(k))
                }
            case .array(let a):
                for (i, v) in a.enumerated() { walk(v, loc.appending(i)) }
            default: break
            }
        }
        walk(root, .root)
        return found
    }

    private static func percentDecode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.first {
            utf8 = utf8.dropFirst()
            if b == UInt8(ascii: "%") {
                guard utf8.count >= 2, let hi = hex(utf8[utf8.startIndex]), let lo = hex(utf8[utf8.startIndex + 1]) else { return nil }
                bytes.append(hi << 4 | lo)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// Follows a chain of `$ref`s. A `$ref` with sibling assertions becomes the conjunction
    /// `allOf: [{$ref}, siblings]` (draft 2019-09 semantics).
    func resolve(_ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) -> CompatNode {
        var current = value
        var currentLoc = loc
        var viaRef = false
        var seen: Set<JSONPointer> = []
        while case .object(let object) = current, case .string(let ref)? = object["$ref"] {
            var siblings = object
            siblings.removeValue(forKey: "$ref")
            if !CompatKeywords.hasNoAssertions(siblings) {
                let synthesized: JSONValue = .object(["allOf": .array([.object(["$ref": .string(ref)]), .object(siblings)])])
                return CompatNode(value: synthesized, loc: currentLoc, viaRef: viaRef, synthetic: true)
            }
            let (target, targetLoc) = try resolveRef(ref, at: currentLoc.appending("$ref"))
            if !seen.insert(targetLoc).inserted || targetLoc == currentLoc {
                throw error(currentLoc.appending("$ref"), "circular $ref \"\(ref)\" never reaches a schema")
            }
            current = target
            currentLoc = targetLoc
            viaRef = true
        }
        switch current {
        case .object, .bool: break
        default: throw error(currentLoc, "a schema must be an object or a boolean, found \(current.typeName)")
        }
        return CompatNode(value: current, loc: currentLoc, viaRef: viaRef, synthetic: false)
    }

    func isTriviallyTrue(_ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) -> Bool {
        try resolve(value, at: loc).isTriviallyTrue
    }

    func isFalse(_ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) -> Bool {
        try resolve(value, at: loc).isFalse
    }

    /// The `default` of a (property) schema, looking through `$ref`s.
    func defaultValue(_ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) -> JSONValue? {
        if let d = value["default"] { return d }
        let node = try resolve(value, at: loc)
        if let d = node.value["default"] { return d }
        if node.synthetic, case .array(let parts)? = node.value["allOf"] {
            for part in parts { if let d = part["default"] { return d } }
        }
        return nil
    }

    /// Whether a `patternProperties` pattern matches a property name (ECMA-262 `test`, i.e.
    /// unanchored search).
    func pattern(_ pattern: String, matches name: String, at loc: JSONPointer) throws(CompatibilityError) -> Bool {
        let matcher: PatternMatcher
        if let cached = regexCache[pattern] {
            matcher = cached
        } else {
            do { matcher = try PatternMatcher(pattern) } catch {
                throw self.error(loc, "invalid regular expression \"\(pattern)\": \(error.message)")
            }
            regexCache[pattern] = matcher
        }
        guard let found = matcher.matches(name, budget: &patternBudget) else {
            throw self.error(loc, "pattern \"\(pattern)\" needs more than the \(Limits.patternSteps) regex steps allowed per comparison")
        }
        return found
    }

    // MARK: Validation

    /// Checks keyword types throughout the document and that every `$ref` resolves.
    func validate() throws(CompatibilityError) {
        try validateSchema(root, at: .root)
    }

    private func validateSchema(_ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) {
        guard case .object(let object) = value else {
            if case .bool = value { return }
            throw error(loc, "a schema must be an object or a boolean, found \(value.typeName)")
        }
        for (key, keywordValue) in object {
            try validateKeyword(key, keywordValue, at: loc.appending(key))
        }
    }

    private func validateKeyword(_ key: String, _ value: JSONValue, at loc: JSONPointer) throws(CompatibilityError) {
        func describe(_ v: JSONValue) -> String {
            let text = JSONSerializer.string(v)
            return text.count > 40 ? String(text.prefix(37)) + "..." : text
        }
        switch key {
        case "type":
            switch value {
            case .string(let name):
                guard CompatKeywords.typeNames.contains(name) else {
                    throw error(loc, "unknown type name \"\(name)\"")
                }
            case .array(let names):
                guard !names.isEmpty else { throw error(loc, "\"type\" must not be an empty array") }
                var seen = Set<String>()
                for (i, n) in names.enumerated() {
                    guard case .string(let name) = n else {
                        throw error(loc.appending(i), "\"type\" entries must be strings, found \(describe(n))")
                    }
                    guard CompatKeywords.typeNames.contains(name) else {
                        throw error(loc.appending(i), "unknown type name \"\(name)\"")
                    }
                    guard seen.insert(name).inserted else {
                        throw error(loc.appending(i), "duplicate type name \"\(name)\"")
                    }
                }
            default:
                throw error(loc, "\"type\" must be a string or an array of strings, found \(describe(value))")
            }
        case "enum":
            guard case .array = value else { throw error(loc, "\"enum\" must be an array, found \(describe(value))") }
        case "multipleOf":
            guard let d = value.doubleValue, d > 0 else {
                throw error(loc, "\"multipleOf\" must be a number greater than 0, found \(describe(value))")
            }
        case "maximum", "minimum":
            guard value.isNumber else { throw error(loc, "\"\(key)\" must be a number, found \(describe(value))") }
        case "exclusiveMaximum", "exclusiveMinimum":
            guard value.isNumber || value.boolValue != nil else {
                throw error(loc, "\"\(key)\" must be a number (or a boolean in draft 4), found \(describe(value))")
            }
        case _ where CompatKeywords.nonNegativeIntegers.contains(key):
            guard let d = value.doubleValue, d >= 0, d.rounded() == d, d < 9.007e15 else {
                throw error(loc, "\"\(key)\" must be a non-negative integer, found \(describe(value))")
            }
        case _ where CompatKeywords.strings.contains(key):
            guard case .string = value else { throw error(loc, "\"\(key)\" must be a string, found \(describe(value))") }
        case _ where CompatKeywords.booleans.contains(key):
            guard case .bool = value else { throw error(loc, "\"\(key)\" must be a boolean, found \(describe(value))") }
        case "$ref":
            guard case .string(let ref) = value else { throw error(loc, "\"$ref\" must be a string, found \(describe(value))") }
            _ = try resolveRef(ref, at: loc)
        case "items":
            if case .array(let items) = value {
                for (i, item) in items.enumerated() { try validateSchema(item, at: loc.appending(i)) }
            } else {
                try validateSchema(value, at: loc)
            }
        case _ where CompatKeywords.schemaArrays.contains(key):
            guard case .array(let items) = value, !items.isEmpty else {
                throw error(loc, "\"\(key)\" must be a non-empty array of schemas, found \(describe(value))")
            }
            for (i, item) in items.enumerated() { try validateSchema(item, at: loc.appending(i)) }
        case _ where CompatKeywords.singleSchemas.contains(key):
            try validateSchema(value, at: loc)
        case _ where CompatKeywords.schemaMaps.contains(key):
            guard case .object(let map) = value else {
                throw error(loc, "\"\(key)\" must be an object of schemas, found \(describe(value))")
            }
            for (name, schema) in map { try validateSchema(schema, at: loc.appending(name)) }
        case "required":
            guard case .array(let names) = value else {
                throw error(loc, "\"required\" must be an array of property names, found \(describe(value)) (draft-03 boolean \"required\" is not supported)")
            }
            for (i, n) in names.enumerated() {
                guard case .string = n else {
                    throw error(loc.appending(i), "\"required\" entries must be strings, found \(describe(n))")
                }
            }
        case "dependentRequired", "dependencies":
            guard case .object(let map) = value else {
                throw error(loc, "\"\(key)\" must be an object, found \(describe(value))")
            }
            for (name, entry) in map {
                if case .array(let names) = entry {
                    for (i, n) in names.enumerated() {
                        guard case .string = n else {
                            throw error(loc.appending(name).appending(i), "dependency entries must be strings, found \(describe(n))")
                        }
                    }
                } else if key == "dependencies" {
                    try validateSchema(entry, at: loc.appending(name))
                } else {
                    throw error(loc.appending(name), "\"dependentRequired\" values must be arrays of property names, found \(describe(entry))")
                }
            }
        default:
            break // const, default, examples and unknown keywords: any value
        }
    }
}
