import RealmJSON
import RealmLimits

extension CompatEngine {
    // MARK: Objects

    /// What governs a property name that `properties` does not list.
    func coverage(ofProperty name: String, in node: CompatNode, _ doc: CompatDocument) throws(CompatibilityError) -> Coverage {
        let obj = node.object
        var matching: [CompatPart] = []
        if case .object(let patterns)? = obj["patternProperties"] {
            for (pattern, schema) in patterns {
                let loc = node.loc.appending("patternProperties").appending(pattern)
                if try doc.pattern(pattern, matches: name, at: loc) {
                    matching.append(CompatPart(value: schema, loc: loc, tokens: ["patternProperties", pattern]))
                }
            }
        }
        if matching.isEmpty {
            guard let ap = obj["additionalProperties"] else { return .open }
            return try coverage(CompatPart(value: ap, loc: node.loc.appending("additionalProperties"), tokens: ["additionalProperties"]), doc)
        }
        if matching.count == 1 { return try coverage(matching[0], doc) }
        // Several patterns apply at once: their conjunction.
        var allFalse = false
        var allTrue = true
        for m in matching {
            let r = try doc.resolve(m.value, at: m.loc)
            if r.isFalse { allFalse = true }
            if !r.isTriviallyTrue { allTrue = false }
        }
        if allFalse { return .closed }
        if allTrue { return .open }
        return .partial(CompatPart(value: .object(["allOf": .array(matching.map(\.value))]),
                                   loc: node.loc.appending("patternProperties"), tokens: ["patternProperties"]))
    }

    private func describeOptional(_ required: Bool, _ defaultValue: JSONValue?) -> String {
        var parts = [required ? "required" : "optional"]
        if let d = defaultValue { parts.append("default \(CompatEngine.show(d))") }
        return parts.joined(separator: ", ")
    }

    func compareObjects(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let oo = o.object, no = n.object
        var flags = CompatFlags.same
        let oldProps = oo["properties"]?.objectValue ?? JSONObject()
        let newProps = no["properties"]?.objectValue ?? JSONObject()
        let oldRequired = (oo["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        let newRequired = (no["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        let oldRequiredSet = Set(oldRequired), newRequiredSet = Set(newRequired)

        for (name, oldSchema) in oldProps {
            let oldPart = CompatPart(value: oldSchema, loc: o.loc.appending("properties").appending(name), tokens: [])
            let at = path.appending("properties").appending(name)
            if let newSchema = newProps[name] {
                let newPart = CompatPart(value: newSchema, loc: n.loc.appending("properties").appending(name), tokens: [])
                flags &= try compare(oldPart, newPart, at)
                continue
            }
            let how = describeOptional(oldRequiredSet.contains(name), try oldDoc.defaultValue(oldSchema, at: oldPart.loc))
            switch try coverage(ofProperty: name, in: n, newDoc) {
            case .open:
                let trivial = try oldDoc.isTriviallyTrue(oldSchema, at: oldPart.loc)
                flags &= emit(.propertyRemovedFromOpenContentModel, at, CompatFlags(true, lenient || trivial),
                              "property \"\(name)\" (\(how)) removed; the new schema allows any value under that name", property: name)
            case .closed:
                let none = try oldDoc.isFalse(oldSchema, at: oldPart.loc)
                flags &= emit(.propertyRemovedFromClosedContentModel, at, CompatFlags(none, true),
                              "property \"\(name)\" (\(how)) removed; the new schema rejects it", property: name)
            case .partial(let governing):
                let where_ = governing.tokens.joined(separator: "/")
                if lenient {
                    flags &= emit(.propertyRemovedFromPartiallyOpenContentModel, at, .same,
                                  "property \"\(name)\" (\(how)) removed; now governed by \(where_)", property: name)
                } else {
                    let newGoverning = CompatPart(value: governing.value, loc: governing.loc, tokens: [])
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(oldPart, newGoverning, at) }
                    adopt(p)
                    flags &= emit(.propertyRemovedFromPartiallyOpenContentModel, at, p.flags,
                                  "property \"\(name)\" (\(how)) removed; now governed by \(where_)" +
                                  (p.flags.backward ? " (covered)" : " (not covered)"), property: name)
                }
            }
        }
        for (name, newSchema) in newProps where oldProps[name] == nil {
            let newPart = CompatPart(value: newSchema, loc: n.loc.appending("properties").appending(name), tokens: [])
            let at = path.appending("properties").appending(name)
            let how = describeOptional(newRequiredSet.contains(name), try newDoc.defaultValue(newSchema, at: newPart.loc))
            switch try coverage(ofProperty: name, in: o, oldDoc) {
            case .open:
                let trivial = try newDoc.isTriviallyTrue(newSchema, at: newPart.loc)
                flags &= emit(.propertyAddedToOpenContentModel, at, CompatFlags(lenient || trivial, true),
                              "property \"\(name)\" (\(how)) added; the old schema allowed any value under that name", property: name)
            case .closed:
                let none = try newDoc.isFalse(newSchema, at: newPart.loc)
                flags &= emit(.propertyAddedToClosedContentModel, at, CompatFlags(true, none),
                              "property \"\(name)\" (\(how)) added; the old schema rejected it", property: name)
            case .partial(let governing):
                let where_ = governing.tokens.joined(separator: "/")
                if lenient {
                    flags &= emit(.propertyAddedToPartiallyOpenContentModel, at, .same,
                                  "property \"\(name)\" (\(how)) added; was governed by \(where_)", property: name)
                } else {
                    let oldGoverning = CompatPart(value: governing.value, loc: governing.loc, tokens: [])
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(oldGoverning, newPart, at) }
                    adopt(p)
                    flags &= emit(.propertyAddedToPartiallyOpenContentModel, at, p.flags,
                                  "property \"\(name)\" (\(how)) added; was governed by \(where_)" +
                                  (p.flags.backward ? " (covered)" : " (not covered)"), property: name)
                }
            }
        }

        let requiredAt = path.appending("required")
        for name in newRequired where !oldRequiredSet.contains(name) {
            var defaultValue: JSONValue?
            if let schema = newProps[name] {
                defaultValue = try newDoc.defaultValue(schema, at: n.loc.appending("properties").appending(name))
            }
            if let d = defaultValue {
                flags &= emit(.requiredWithDefaultAdded, requiredAt, lenient ? .same : .narrowed,
                              "property \"\(name)\" is now required (default \(CompatEngine.show(d)))", property: name)
            } else {
                flags &= emit(.requiredAdded, requiredAt, .narrowed, "property \"\(name)\" is now required", property: name)
            }
        }
        for name in oldRequired where !newRequiredSet.contains(name) {
            var defaultValue: JSONValue?
            if let schema = oldProps[name] {
                defaultValue = try oldDoc.defaultValue(schema, at: o.loc.appending("properties").appending(name))
            }
            if let d = defaultValue {
                flags &= emit(.requiredWithDefaultRemoved, requiredAt, lenient ? .same : .widened,
                              "property \"\(name)\" is no longer required (default \(CompatEngine.show(d)))", property: name)
            } else {
                flags &= emit(.requiredRemoved, requiredAt, .widened, "property \"\(name)\" is no longer required", property: name)
            }
        }

        flags &= try compareAdditionalProperties(o, n, path)
        flags &= try comparePatternProperties(o, n, path)
        flags &= try compareOptionalSchemas("propertyNames", o, n, path)
        flags &= compareLower(.minProperties, oo, no, path)
        flags &= compareUpper(.maxProperties, oo, no, path)
        flags &= try compareDependencies(o, n, path)
        flags &= try compareOptionalSchemas("unevaluatedProperties", o, n, path)
        return flags
    }

    private func compareAdditionalProperties(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let a = o.object["additionalProperties"], b = n.object["additionalProperties"]
        if a == nil && b == nil { return .same }
        let oldPart = CompatPart(absentAsTrue: a, loc: o.loc.appending("additionalProperties"), tokens: ["additionalProperties"])
        let newPart = CompatPart(absentAsTrue: b, loc: n.loc.appending("additionalProperties"), tokens: ["additionalProperties"])
        let at = path.appending("additionalProperties")
        let before = try coverage(oldPart, oldDoc), after = try coverage(newPart, newDoc)
        switch (before, after) {
        case (.open, .open), (.closed, .closed):
            return .same
        case (.open, .closed):
            return emit(.additionalPropertiesClosed, at, lenient ? .same : .narrowed,
                        "undeclared properties are no longer allowed")
        case (.closed, .open):
            return emit(.additionalPropertiesOpened, at, lenient ? .same : .widened,
                        "undeclared properties are now allowed")
        case (.open, .partial):
            return emit(.additionalPropertiesConstrained, at, lenient ? .same : .narrowed,
                        "undeclared properties must now match \(CompatEngine.show(newPart.value))")
        case (.partial, .open):
            return emit(.additionalPropertiesUnconstrained, at, lenient ? .same : .widened,
                        "undeclared properties no longer need to match \(CompatEngine.show(oldPart.value))")
        case (.closed, .partial):
            return emit(.additionalPropertiesAllowed, at, .widened,
                        "undeclared properties matching \(CompatEngine.show(newPart.value)) are now allowed")
        case (.partial, .closed):
            return emit(.additionalPropertiesDisallowed, at, .narrowed,
                        "undeclared properties (were \(CompatEngine.show(oldPart.value))) are no longer allowed")
        case (.partial, .partial):
            return try compare(oldPart, newPart, at)
        }
    }

    private func comparePatternProperties(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let a = o.object["patternProperties"]?.objectValue ?? JSONObject()
        let b = n.object["patternProperties"]?.objectValue ?? JSONObject()
        if a.isEmpty && b.isEmpty { return .same }
        var flags = CompatFlags.same
        let oldAP = CompatPart(absentAsTrue: o.object["additionalProperties"], loc: o.loc.appending("additionalProperties"), tokens: [])
        let newAP = CompatPart(absentAsTrue: n.object["additionalProperties"], loc: n.loc.appending("additionalProperties"), tokens: [])
        for (pattern, schema) in a {
            let oldPart = CompatPart(value: schema, loc: o.loc.appending("patternProperties").appending(pattern), tokens: [])
            let at = path.appending("patternProperties").appending(pattern)
            if let other = b[pattern] {
                flags &= try compare(oldPart, CompatPart(value: other, loc: n.loc.appending("patternProperties").appending(pattern), tokens: []), at)
                continue
            }
            let result: CompatFlags
            switch try coverage(newAP, newDoc) {
            case .open:
                let trivial = try oldDoc.isTriviallyTrue(schema, at: oldPart.loc)
                result = CompatFlags(true, lenient || trivial)
            case .closed: result = CompatFlags(try oldDoc.isFalse(schema, at: oldPart.loc), true)
            case .partial:
                if lenient { result = .same } else {
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(oldPart, newAP, at) }
                    adopt(p)
                    result = p.flags
                }
            }
            flags &= emit(.patternPropertyRemoved, at, result,
                          "names matching \"\(pattern)\" fall back to additionalProperties")
        }
        for (pattern, schema) in b where a[pattern] == nil {
            let newPart = CompatPart(value: schema, loc: n.loc.appending("patternProperties").appending(pattern), tokens: [])
            let at = path.appending("patternProperties").appending(pattern)
            let result: CompatFlags
            switch try coverage(oldAP, oldDoc) {
            case .open:
                let trivial = try newDoc.isTriviallyTrue(schema, at: newPart.loc)
                result = CompatFlags(lenient || trivial, true)
            case .closed: result = CompatFlags(true, try newDoc.isFalse(schema, at: newPart.loc))
            case .partial:
                if lenient { result = .same } else {
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(oldAP, newPart, at) }
                    adopt(p)
                    result = p.flags
                }
            }
            flags &= emit(.patternPropertyAdded, at, result,
                          "names matching \"\(pattern)\" get their own schema instead of additionalProperties")
        }
        return flags
    }

    private func compareDependencies(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        func split(_ node: CompatNode) -> (arrays: [String: (names: [String], tokens: [String])], schemas: [String: CompatPart]) {
            var arrays: [String: ([String], [String])] = [:]
            var schemas: [String: CompatPart] = [:]
            for keyword in ["dependencies", "dependentRequired", "dependentSchemas"] {
                guard case .object(let map)? = node.object[keyword] else { continue }
                for (name, entry) in map {
                    if case .array(let list) = entry, keyword != "dependentSchemas" {
                        arrays[name] = (list.compactMap(\.stringValue), [keyword, name])
                    } else {
                        schemas[name] = CompatPart(value: entry, loc: node.loc.appending(keyword).appending(name), tokens: [keyword, name])
                    }
                }
            }
            return (arrays, schemas)
        }
        let a = split(o), b = split(n)
        if a.arrays.isEmpty && a.schemas.isEmpty && b.arrays.isEmpty && b.schemas.isEmpty { return .same }
        var flags = CompatFlags.same
        for name in (a.arrays.keys + b.arrays.keys.filter { a.arrays[$0] == nil }).sorted() {
            let old = a.arrays[name], new = b.arrays[name]
            let at = CompatEngine.path(path, (new ?? old)!.tokens)
            switch (old, new) {
            case (nil, let new?):
                if !new.names.isEmpty {
                    flags &= emit(.dependencyArrayAdded, at, .narrowed, "\"\(name)\" now requires \(new.names)", property: name)
                }
            case (let old?, nil):
                if !old.names.isEmpty {
                    flags &= emit(.dependencyArrayRemoved, at, .widened, "\"\(name)\" no longer requires \(old.names)", property: name)
                }
            case (let old?, let new?):
                let x = Set(old.names), y = Set(new.names)
                if x == y { break }
                if y.isSuperset(of: x) {
                    flags &= emit(.dependencyArrayExtended, at, .narrowed, "\"\(name)\" requires \(old.names) → \(new.names)", property: name)
                } else if x.isSuperset(of: y) {
                    flags &= emit(.dependencyArrayNarrowed, at, .widened, "\"\(name)\" requires \(old.names) → \(new.names)", property: name)
                } else {
                    flags &= emit(.dependencyArrayChanged, at, .incompatible, "\"\(name)\" requires \(old.names) → \(new.names)", property: name)
                }
            default: break
            }
        }
        for name in (a.schemas.keys + b.schemas.keys.filter { a.schemas[$0] == nil }).sorted() {
            let old = a.schemas[name], new = b.schemas[name]
            switch (old, new) {
            case (nil, let new?):
                if try !newDoc.isTriviallyTrue(new.value, at: new.loc) {
                    flags &= emit(.dependencySchemaAdded, CompatEngine.path(path, new.tokens), .narrowed,
                                  "objects with \"\(name)\" must now match a schema", property: name)
                }
            case (let old?, nil):
                if try !oldDoc.isTriviallyTrue(old.value, at: old.loc) {
                    flags &= emit(.dependencySchemaRemoved, CompatEngine.path(path, old.tokens), .widened,
                                  "objects with \"\(name)\" no longer need to match a schema", property: name)
                }
            case (let old?, let new?):
                flags &= try compare(old, new, CompatEngine.path(path, new.tokens))
            default: break
            }
        }
        return flags
    }
}
