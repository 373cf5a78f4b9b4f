import RealmJSON

extension SchemaCompiler {
    // MARK: - Keywords: assertions, then applicators and references

    mutating func compileValidation(_ object: JSONObject, at location: SchemaLocation, draft: JSONSchemaDraft,
                                    into keywords: inout [SchemaKeyword]) throws(SchemaError)
    {
        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if let type = object["type"] {
            var mask = TypeMask()
            switch type {
            case .string(let name):
                guard let t = TypeMask(name: name) else { throw error(at("type"), "unknown type '\(name)'") }
                mask = t
            case .array(let names) where !names.isEmpty:
                for (n, element) in names.enumerated() {
                    guard case .string(let name) = element, let t = TypeMask(name: name) else {
                        throw error(at("type").appending(String(n)), "type must name a JSON type, got \(element)")
                    }
                    guard !mask.contains(t) else { throw error(at("type").appending(String(n)), "type lists '\(name)' twice") }
                    mask.insert(t)
                }
            default:
                throw error(at("type"), "type must be a type name or a non-empty array of them, got \(type)")
            }
            keywords.append(.type(mask))
        }
        if let values = object["enum"] {
            guard case .array(let elements) = values else {
                throw error(at("enum"), "enum must be an array, got \(values.typeName)")
            }
            var strings: Set<ExactString>? = Set()
            for element in elements {
                if case .string(let s) = element { strings?.insert(ExactString(s)) } else { strings = nil; break }
            }
            keywords.append(.enumeration(elements, strings: strings))
        }
        if let value = object["const"] {
            keywords.append(.const(value))
        }
        if let value = object["multipleOf"] {
            guard let d = value.doubleValue, d > 0 else {
                throw error(at("multipleOf"), "multipleOf must be a number greater than 0, got \(value)")
            }
            keywords.append(.multipleOf(value))
        }
        for kind in [BoundKind.maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum] {
            guard let value = object[kind.keyword] else { continue }
            if draft == .draft7, case .bool(let exclusive) = value,
               kind == .exclusiveMaximum || kind == .exclusiveMinimum
            {
                // Draft-04 form: a boolean that makes maximum/minimum exclusive.
                let base = kind == .exclusiveMaximum ? "maximum" : "minimum"
                if exclusive, let limit = object[base], limit.isNumber {
                    keywords.append(.bound(kind, limit))
                }
                continue
            }
            guard value.isNumber, value.doubleValue!.isFinite else {
                throw error(at(kind.keyword), "\(kind.keyword) must be a number, got \(value)")
            }
            if draft == .draft7, kind == .maximum || kind == .minimum,
               object[kind == .maximum ? "exclusiveMaximum" : "exclusiveMinimum"] == .bool(true)
            {
                continue
            }
            keywords.append(.bound(kind, value))
        }
        for kind in [CountKind.maxLength, .minLength, .maxItems, .minItems, .maxProperties, .minProperties] {
            guard let value = object[kind.keyword] else { continue }
            let n = try nonNegativeInteger(value, keyword: kind.keyword, at: location)
            keywords.append(.count(kind, n))
        }
        if let value = object["pattern"] {
            keywords.append(.pattern(try pattern(value, at: at("pattern"))))
        }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else {
                throw error(at("uniqueItems"), "uniqueItems must be a boolean, got \(value)")
            }
            if unique { keywords.append(.uniqueItems) }
        }
        if let value = object["required"] {
            let names = try stringArray(value, keyword: "required", at: location)
            if !names.isEmpty { keywords.append(.required(names)) }
        }
        if draft != .draft7, let value = object["dependentRequired"] {
            let members = try objectValue(value, keyword: "dependentRequired", at: location)
            var list: [(String, [String])] = []
            for (name, required) in members {
                list.append((name, try stringArray(required, keyword: name, at: at("dependentRequired"))))
            }
            if !list.isEmpty { keywords.append(.dependentRequired(list, keyword: "dependentRequired")) }
        }
        if draft != .draft7 {
            // minContains/maxContains are checked here; they act through `contains`.
            for keyword in ["minContains", "maxContains"] {
                if let value = object[keyword] { _ = try nonNegativeInteger(value, keyword: keyword, at: location) }
            }
        }
    }

    mutating func compileApplicators(_ object: JSONObject, at location: SchemaLocation, info: Info,
                                     into keywords: inout [SchemaKeyword]) throws(SchemaError)
    {
        let draft = info.dialect.draft
        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if let value = object["allOf"] {
            keywords.append(.allOf(try compileSchemaArray(value, keyword: "allOf", at: location)))
        }
        if let value = object["anyOf"] {
            keywords.append(.anyOf(try compileSchemaArray(value, keyword: "anyOf", at: location)))
        }
        if let value = object["oneOf"] {
            keywords.append(.oneOf(try compileSchemaArray(value, keyword: "oneOf", at: location)))
        }
        if let value = object["not"] {
            keywords.append(.not(try compileSubschema(value, at: at("not"))))
        }
        let thenNode = try object["then"].map { v throws(SchemaError) in try compileSubschema(v, at: at("then")) }
        let elseNode = try object["else"].map { v throws(SchemaError) in try compileSubschema(v, at: at("else")) }
        if let value = object["if"] {
            let ifNode = try compileSubschema(value, at: at("if"))
            // Kept even without then/else: `if` contributes annotations to unevaluated*.
            keywords.append(.conditional(if: ifNode, then: thenNode, else: elseNode))
        }
        // dependentSchemas / dependencies
        if draft != .draft7, let value = object["dependentSchemas"] {
            let members = try objectValue(value, keyword: "dependentSchemas", at: location)
            var list: [(String, Int)] = []
            for (name, schema) in members {
                list.append((name, try compileSubschema(schema, at: at("dependentSchemas").appending(name))))
            }
            if !list.isEmpty { keywords.append(.dependentSchemas(list, keyword: "dependentSchemas")) }
        }
        if draft == .draft7, let value = object["dependencies"] {
            let members = try objectValue(value, keyword: "dependencies", at: location)
            var schemas: [(String, Int)] = []
            var required: [(String, [String])] = []
            for (name, dependency) in members {
                if case .array = dependency {
                    if info.dialect.validation {
                        required.append((name, try stringArray(dependency, keyword: name, at: at("dependencies"))))
                    }
                } else {
                    schemas.append((name, try compileSubschema(dependency, at: at("dependencies").appending(name))))
                }
            }
            if !required.isEmpty { keywords.append(.dependentRequired(required, keyword: "dependencies")) }
            if !schemas.isEmpty { keywords.append(.dependentSchemas(schemas, keyword: "dependencies")) }
        }

        // Arrays.
        var items = ItemsKeyword()
        var hasItems = false
        if draft == .draft2020_12 {
            if let value = object["prefixItems"] {
                items.prefix = try compileSchemaArray(value, keyword: "prefixItems", at: location)
                hasItems = true
            }
            if let value = object["items"] {
                if case .array = value {
                    throw error(at("items"), "items must be a schema in draft 2020-12 (use prefixItems for a tuple)")
                }
                items.rest = try compileSubschema(value, at: at("items"))
                items.restIsFalse = value == .bool(false)
                hasItems = true
            }
        } else if let value = object["items"] {
            hasItems = true
            if case .array = value {
                items.prefix = try compileSchemaArray(value, keyword: "items", at: location, allowEmpty: true)
                items.prefixKeyword = "items"
                if let additional = object["additionalItems"] {
                    items.rest = try compileSubschema(additional, at: at("additionalItems"))
                    items.restKeyword = "additionalItems"
                    items.restIsFalse = additional == .bool(false)
                }
            } else {
                items.rest = try compileSubschema(value, at: at("items"))
                items.restIsFalse = value == .bool(false)
            }
        }
        if draft != .draft2020_12, object["items"].map({ if case .array = $0 { false } else { true } }) ?? true,
           let additional = object["additionalItems"]
        {
            _ = try compileSubschema(additional, at: at("additionalItems"))  // checked, but it does not apply
        }
        if hasItems { keywords.append(.items(items)) }
        if let value = object["contains"] {
            let node = try compileSubschema(value, at: at("contains"))
            var minimum = 1
            var maximum: Int?
            if draft != .draft7 && info.dialect.validation {
                if let v = object["minContains"] { minimum = try nonNegativeInteger(v, keyword: "minContains", at: location) }
                if let v = object["maxContains"] { maximum = try nonNegativeInteger(v, keyword: "maxContains", at: location) }
            }
            keywords.append(.contains(ContainsKeyword(node: node, min: minimum, max: maximum, annotates: draft != .draft7)))
        }

        // Objects.
        var properties = PropertiesKeyword()
        var hasProperties = false
        if let value = object["properties"] {
            let members = try objectValue(value, keyword: "properties", at: location)
            for (name, schema) in members {
                properties.properties[name] = try compileSubschema(schema, at: at("properties").appending(name))
            }
            hasProperties = true
        }
        if let value = object["patternProperties"] {
            let members = try objectValue(value, keyword: "patternProperties", at: location)
            for (source, schema) in members {
                let matcher = try pattern(source, at: at("patternProperties").appending(source))
                properties.patterns.append((matcher, try compileSubschema(schema, at: at("patternProperties").appending(source))))
            }
            hasProperties = true
        }
        if let value = object["additionalProperties"] {
            properties.additional = try compileSubschema(value, at: at("additionalProperties"))
            properties.additionalIsFalse = value == .bool(false)
            hasProperties = true
        }
        if hasProperties { keywords.append(.properties(properties)) }
        if let value = object["propertyNames"] {
            keywords.append(.propertyNames(try compileSubschema(value, at: at("propertyNames"))))
        }
    }

    mutating func compileReference(_ value: JSONValue, keyword: String, at location: SchemaLocation,
                                   info: Info) throws(SchemaError) -> Int
    {
        guard case .string(let text) = value else {
            throw error(location.appending(keyword), "\(keyword) must be a string (a URI reference), got \(value.typeName)")
        }
        let target = try resolveReference(text, base: info.base, dialect: info.dialect, at: location.appending(keyword))
        return try compileNode(at: target)
    }

    mutating func compileDynamicReference(_ reference: JSONValue, at location: SchemaLocation,
                                          info: Info) throws(SchemaError) -> SchemaKeyword
    {
        guard case .string(let text) = reference else {
            throw error(location.appending("$dynamicRef"), "$dynamicRef must be a string (a URI reference), got \(reference.typeName)")
        }
        let target = try resolveReference(text, base: info.base, dialect: info.dialect,
                                          at: location.appending("$dynamicRef"))
        let node = try compileNode(at: target)
        // Dynamic only when the fragment is a plain name and the initial target has a
        // `$dynamicAnchor` of that name (the "bookend"); otherwise it is a plain `$ref`.
        let fragment = SchemaURI(text).fragment.flatMap(percentDecode) ?? ""
        guard !fragment.isEmpty, !fragment.hasPrefix("/"),
              case .string(let anchor)? = value(at: target)?["$dynamicAnchor"], anchor == fragment
        else {
            return .dynamicRef(node, table: -1)
        }
        let table = dynamicTableNames.count
        dynamicTableNames.append(fragment)
        return .dynamicRef(node, table: table)
    }

    /// Compiles every `$dynamicAnchor` a `$dynamicRef` may land on (in resources that evaluation
    /// can enter) and builds the per-reference tables.
    mutating func compileDynamicCandidates() throws(SchemaError) -> [[Int: Int]] {
        guard !dynamicTableNames.isEmpty else { return [] }
        var done = Set<SchemaLocation>()
        while true {
            let names = Set(dynamicTableNames)
            let entered = Set(nodes.map(\.resource))
            var progressed = false
            for name in names {
                for candidate in dynamicAnchors[name] ?? [] where entered.contains(candidate.resource) {
                    if done.insert(candidate.location).inserted {
                        _ = try compileNode(at: candidate.location)
                        progressed = true
                    }
                }
            }
            try buildPendingNodes()
            if !progressed { break }
        }
        return dynamicTableNames.map { name in
            var table: [Int: Int] = [:]
            for candidate in dynamicAnchors[name] ?? [] {
                if let node = nodeByLocation[candidate.location], table[candidate.resource] == nil {
                    table[candidate.resource] = node
                }
            }
            return table
        }
    }
}
