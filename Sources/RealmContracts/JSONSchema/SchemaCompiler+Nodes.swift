import RealmJSON

extension SchemaCompiler {
    // MARK: - Compiling nodes

    /// The node for the schema at `location`: existing, or reserved and queued for
    /// `buildPendingNodes` (a worklist rather than recursion, so that deeply nested schemas cost
    /// heap, not stack).
    mutating func compileNode(at location: SchemaLocation) throws(SchemaError) -> Int {
        if let existing = nodeByLocation[location] { return existing }
        let id = nodes.count
        nodes.append(SchemaNode())
        nodeLocations.append(location)
        nodeByLocation[location] = id
        pendingNodes.append(id)
        return id
    }

    mutating func buildPendingNodes() throws(SchemaError) {
        while let id = pendingNodes.popLast() {
            try buildNode(id)
        }
    }

    private mutating func buildNode(_ id: Int) throws(SchemaError) {
        let location = nodeLocations[id]
        guard let value = value(at: location) else {
            throw error(location, "no schema here")
        }
        let info = try self.info(for: location, value: value)
        var node = SchemaNode()
        node.resource = info.resource
        switch value {
        case .bool(let accept):
            node.isFalse = !accept
        case .object(let object):
            node.keywords = try compileKeywords(object, at: location, info: info)
            node.hasUnevaluated = node.keywords.contains {
                switch $0 {
                case .unevaluatedItems, .unevaluatedProperties: return true
                default: return false
                }
            }
        default:
            throw error(location, "a schema must be an object or a boolean, got \(value.typeName)")
        }
        nodes[id] = node
    }

    private mutating func compileKeywords(_ object: JSONObject, at location: SchemaLocation,
                                          info: Info) throws(SchemaError) -> [SchemaKeyword]
    {
        let dialect = info.dialect
        let draft = dialect.draft
        var keywords: [SchemaKeyword] = []

        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if draft == .draft7, let ref = object["$ref"] {
            // Draft-07: `$ref` replaces every sibling keyword.
            return [.ref(try compileReference(ref, keyword: "$ref", at: location, info: info), keyword: "$ref")]
        }

        // Core.
        for keyword in ["$comment"] where object[keyword] != nil {
            guard case .string = object[keyword]! else { throw error(at(keyword), "\(keyword) must be a string") }
        }
        if let vocabulary = object["$vocabulary"] {
            guard case .object(let members) = vocabulary, members.values.allSatisfy({ $0.boolValue != nil }) else {
                throw error(at("$vocabulary"), "$vocabulary must be an object of booleans")
            }
        }
        if draft != .draft7, let defs = object["$defs"] {
            for name in try objectValue(defs, keyword: "$defs", at: location).keys {
                _ = try compileNode(at: at("$defs").appending(name))
            }
        }
        if let defs = object["definitions"] {
            if draft == .draft7 {
                for name in try objectValue(defs, keyword: "definitions", at: location).keys {
                    _ = try compileNode(at: at("definitions").appending(name))
                }
            } else if case .object(let members) = defs {
                // Not a 2020-12 keyword, but widely used for the same purpose.
                for (name, member) in members where member.boolValue != nil || member.objectValue != nil {
                    _ = try compileNode(at: at("definitions").appending(name))
                }
            }
        }
        if let ref = object["$ref"] {
            keywords.append(.ref(try compileReference(ref, keyword: "$ref", at: location, info: info), keyword: "$ref"))
        }
        if draft == .draft2019_09, let ref = object["$recursiveRef"] {
            // Without `$recursiveAnchor` support this is a plain reference.
            keywords.append(.ref(try compileReference(ref, keyword: "$recursiveRef", at: location, info: info),
                                 keyword: "$recursiveRef"))
        }
        if draft == .draft2020_12, let ref = object["$dynamicRef"] {
            keywords.append(try compileDynamicReference(ref, at: location, info: info))
        }
        if let format = object["format"] {
            guard case .string = format else { throw error(at("format"), "format must be a string") }
        }

        // Validation vocabulary.
        if dialect.validation {
            try compileValidation(object, at: location, draft: draft, into: &keywords)
        }

        // Applicators.
        if dialect.applicator {
            try compileApplicators(object, at: location, info: info, into: &keywords)
        }

        // Unevaluated: last, so that they see every sibling's annotations.
        if dialect.unevaluated && draft != .draft7 {
            if let items = object["unevaluatedItems"] {
                keywords.append(.unevaluatedItems(try compileSubschema(items, at: at("unevaluatedItems"))))
            }
            if let properties = object["unevaluatedProperties"] {
                keywords.append(.unevaluatedProperties(try compileSubschema(properties, at: at("unevaluatedProperties"))))
            }
        }
        return keywords
    }

    mutating func compileSubschema(_ value: JSONValue, at location: SchemaLocation) throws(SchemaError) -> Int {
        switch value {
        case .object, .bool: return try compileNode(at: location)
        default: throw error(location, "must be a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    mutating func compileSchemaArray(_ value: JSONValue, keyword: String, at location: SchemaLocation,
                                     allowEmpty: Bool = false) throws(SchemaError) -> [Int]
    {
        guard case .array(let elements) = value, allowEmpty || !elements.isEmpty else {
            throw error(location.appending(keyword), "\(keyword) must be a non-empty array of schemas")
        }
        var ids: [Int] = []
        ids.reserveCapacity(elements.count)
        for (n, element) in elements.enumerated() {
            ids.append(try compileSubschema(element, at: location.appending(keyword).appending(String(n))))
        }
        return ids
    }

    func objectValue(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> JSONObject {
        guard case .object(let members) = value else {
            throw error(location.appending(keyword), "\(keyword) must be an object, got \(value.typeName)")
        }
        return members
    }

    func nonNegativeInteger(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> Int {
        switch value {
        case .integer(let n) where n >= 0:
            return n
        case .number(let d) where d >= 0 && d.rounded() == d && d < 9.2e18:
            return Int(d)
        case .number(let d) where d >= 9.2e18:
            return Int.max
        default:
            throw error(location.appending(keyword), "\(keyword) must be a non-negative integer, got \(value)")
        }
    }

    func stringArray(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> [String] {
        guard case .array(let elements) = value else {
            throw error(location.appending(keyword), "\(keyword) must be an array of strings, got \(value.typeName)")
        }
        var strings: [String] = []
        var seen = Set<String>()
        for (n, element) in elements.enumerated() {
            guard case .string(let s) = element else {
                throw error(location.appending(keyword).appending(String(n)), "\(keyword) must contain only strings, got \(element.typeName)")
            }
            guard seen.insert(s).inserted else {
                throw error(location.appending(keyword).appending(String(n)), "\(keyword) lists '\(s)' twice")
            }
            strings.append(s)
        }
        return strings
    }

    func pattern(_ value: JSONValue, at location: SchemaLocation) throws(SchemaError) -> PatternMatcher {
        guard case .string(let source) = value else {
            throw error(location, "pattern must be a string (a regular expression), got \(value.typeName)")
        }
        return try pattern(source, at: location)
    }

    func pattern(_ source: String, at location: SchemaLocation) throws(SchemaError) -> PatternMatcher {
        do {
            return try PatternMatcher(source)
        } catch {
            throw self.error(location, "invalid regular expression '\(source)': \(error.message)")
        }
    }

    // MARK: - Cycle check

    /// Rejects a cycle of in-place applicators: evaluating it would revisit the same schema at
    /// the same instance location forever.
    func checkInPlaceCycles(tables: [[Int: Int]]) throws(SchemaError) {
        func edges(_ node: Int) -> [Int] {
            var out: [Int] = []
            for keyword in nodes[node].keywords {
                switch keyword {
                case .allOf(let ids), .anyOf(let ids), .oneOf(let ids): out += ids
                case .not(let id): out.append(id)
                case .conditional(let i, let t, let e):
                    out.append(i)
                    if let t { out.append(t) }
                    if let e { out.append(e) }
                case .ref(let id, _): out.append(id)
                case .dynamicRef(let id, let table):
                    out.append(id)
                    if table >= 0 { out += tables[table].values.sorted() }
                case .dependentSchemas(let list, _): out += list.map(\.1)
                default: break
                }
            }
            return out
        }
        // Iterative depth-first search; 1 = on the stack, 2 = finished.
        var state = [UInt8](repeating: 0, count: nodes.count)
        for start in nodes.indices where state[start] == 0 {
            var stack: [(node: Int, edges: [Int], next: Int)] = [(start, edges(start), 0)]
            state[start] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next < stack[top].edges.count {
                    let target = stack[top].edges[stack[top].next]
                    stack[top].next += 1
                    if state[target] == 1 {
                        let cycleStart = stack.firstIndex { $0.node == target }!
                        let path = stack[cycleStart...].map { describe(nodeLocations[$0.node]) } + [describe(nodeLocations[target])]
                        throw error(nodeLocations[target],
                                    "reference cycle that never moves into the instance: \(path.joined(separator: " -> "))")
                    }
                    if state[target] == 0 {
                        state[target] = 1
                        stack.append((target, edges(target), 0))
                    }
                } else {
                    state[stack[top].node] = 2
                    stack.removeLast()
                }
            }
        }
    }

    private func describe(_ location: SchemaLocation) -> String {
        let document = documents[location.document]
        return (document.isMain ? "" : document.uri) + "#" + location.pointer.description
    }
}
