import RealmJSON
import RealmLimits

extension SchemaEvaluator {
    // MARK: In-place applicators

    mutating func evalDynamicRef(_ initial: Int, _ table: Int, _ instance: JSONValue, report: Bool,
                                 collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        let target = table < 0 ? initial : dynamicTarget(initial, table)
        return evalInPlace(target, instance, report: report, collect: collect, &annotations, .key("$dynamicRef"))
    }

    /// The outermost resource in the dynamic scope with the anchor wins.
    private func dynamicTarget(_ initial: Int, _ table: Int) -> Int {
        let candidates = program.dynamicTables[table]
        for resource in dynamicScope {
            if let found = candidates[resource] { return found }
        }
        return initial
    }

    mutating func evalAllOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
                            _ annotations: inout Annotations) -> Bool
    {
        var valid = true
        for n in ids.indices {
            if !evalInPlace(ids[n], instance, report: report, collect: collect, &annotations, .key("allOf"), .index(n)) {
                valid = false
                if !report { return false }
            }
        }
        return valid
    }

    mutating func evalAnyOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
                            _ annotations: inout Annotations) -> Bool
    {
        var matched = false
        var local = Annotations()
        for id in ids {
            if collect { local = Annotations() }
            if eval(id, instance, report: false, collect: collect, &local) {
                matched = true
                guard collect else { break }
                annotations.merge(local)
            }
        }
        if !matched && report { failApplicator("anyOf", count: ids.count, matches: []) }
        return matched
    }

    mutating func evalOneOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
                            _ annotations: inout Annotations) -> Bool
    {
        var first = -1
        var second = -1
        var kept = Annotations()
        var local = Annotations()
        for n in ids.indices {
            if collect { local = Annotations() }
            if eval(ids[n], instance, report: false, collect: collect, &local) {
                if first < 0 {
                    first = n
                    if collect { kept = local }
                } else {
                    second = n
                    break
                }
            }
        }
        if first >= 0 && second < 0 {
            if collect { annotations.merge(kept) }
            return true
        }
        if report { failApplicator("oneOf", count: ids.count, matches: first < 0 ? [] : [first, second]) }
        return false
    }

    @inline(never)
    private mutating func failApplicator(_ keyword: String, count: Int, matches: [Int]) {
        if matches.isEmpty {
            fail("does not match any of the \(count) schemas in \(keyword)", schema: keyword)
        } else {
            fail("matches more than one schema in \(keyword) (\(matches[0]) and \(matches[1]))", schema: keyword)
        }
    }

    mutating func evalNot(_ id: Int, _ instance: JSONValue, report: Bool) -> Bool {
        var ignored = Annotations()
        if !eval(id, instance, report: false, collect: false, &ignored) { return true }
        if report { fail("must not match the schema in not", schema: "not") }
        return false
    }

    mutating func evalConditional(_ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue,
                                  report: Bool, collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        if then == nil && otherwise == nil && !collect { return true }
        var local = Annotations()
        if eval(condition, instance, report: false, collect: collect, &local) {
            if collect { annotations.merge(local) }
            guard let then else { return true }
            return evalInPlace(then, instance, report: report, collect: collect, &annotations, .key("then"))
        }
        guard let otherwise else { return true }
        return evalInPlace(otherwise, instance, report: report, collect: collect, &annotations, .key("else"))
    }

    mutating func evalDependentSchemas(_ dependencies: [(String, Int)], _ keyword: String,
                                       _ instance: JSONValue, report: Bool, collect: Bool,
                                       _ annotations: inout Annotations) -> Bool
    {
        guard case .object(let object) = instance else { return true }
        var valid = true
        for n in dependencies.indices where object[dependencies[n].0] != nil {
            if !evalInPlace(dependencies[n].1, instance, report: report, collect: collect, &annotations,
                            .key(keyword), .key(dependencies[n].0))
            {
                valid = false
                if !report { return false }
            }
        }
        return valid
    }

    // MARK: Applicators to items and members

    mutating func evalContains(_ contains: ContainsKeyword, _ instance: JSONValue, report: Bool,
                               collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        guard case .array(let items) = instance else { return true }
        let recordAll = collect && contains.annotates
        var matches = 0
        var ignored = Annotations()
        for n in items.indices {
            // Through evalChild when locations are tracked: the item is another instance.
            let matched = tracksLocations ? evalChild(contains.node, items[n], .index(n), report: false)
                                          : eval(contains.node, items[n], report: false, collect: false, &ignored)
            if matched {
                matches += 1
                if recordAll {
                    annotations.items.insert(n)
                } else if contains.max == nil && matches >= contains.min {
                    break
                } else if let max = contains.max, matches > max {
                    break
                }
            }
        }
        if matches < contains.min || (contains.max.map { matches > $0 } ?? false) {
            if report { failContains(contains, matches: matches) }
            return false
        }
        return true
    }

    @inline(never)
    private mutating func failContains(_ contains: ContainsKeyword, matches: Int) {
        if matches < contains.min {
            fail("contains \(matches) matching item\(matches == 1 ? "" : "s"); at least \(contains.min) required",
                 schema: contains.min == 1 ? "contains" : "minContains")
        } else if let max = contains.max {
            fail("contains more than \(max) matching item\(max == 1 ? "" : "s")", schema: "maxContains")
        }
    }

    mutating func evalItems(_ keyword: ItemsKeyword, _ instance: JSONValue, report: Bool,
                            collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        guard case .array(let items) = instance else { return true }
        var valid = true
        let prefixCount = min(keyword.prefix.count, items.count)
        for n in 0..<prefixCount {
            if report { schemaPath.append(.key(keyword.prefixKeyword)); schemaPath.append(.index(n)) }
            let ok = evalChild(keyword.prefix[n], items[n], .index(n), report: report)
            if report { schemaPath.removeLast(2) }
            if !ok {
                valid = false
                if !report { return false }
            }
        }
        if collect { annotations.itemPrefix = max(annotations.itemPrefix, prefixCount) }
        guard let rest = keyword.rest, items.count > keyword.prefix.count else { return valid }
        if keyword.restIsFalse {
            if report { failTooManyItems(keyword, count: items.count) }
            return false
        }
        if report { schemaPath.append(.key(keyword.restKeyword)) }
        for n in keyword.prefix.count..<items.count {
            if !evalChild(rest, items[n], .index(n), report: report) {
                valid = false
                if !report { break }
            }
        }
        if report { schemaPath.removeLast() }
        if collect { annotations.allItems = true }
        return valid
    }

    @inline(never)
    private mutating func failTooManyItems(_ keyword: ItemsKeyword, count: Int) {
        fail("has \(Self.plural(count, "item")); at most \(keyword.prefix.count) allowed", schema: keyword.restKeyword)
    }

    mutating func evalProperties(_ keyword: PropertiesKeyword, _ instance: JSONValue, report: Bool,
                                 collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        guard case .object(let object) = instance else { return true }
        var valid = true
        for member in object {
            var matched = false
            if let id = keyword.properties[member.key] {
                matched = true
                if report { schemaPath.append(.key("properties")); schemaPath.append(.key(member.key)) }
                let ok = evalChild(id, member.value, .key(member.key), report: report)
                if report { schemaPath.removeLast(2) }
                if !ok {
                    valid = false
                    if !report { return false }
                }
            }
            for n in keyword.patterns.indices {
                guard let found = match(keyword.patterns[n].0, member.key, keyword: "patternProperties") else { return false }
                if !found { continue }
                matched = true
                if report {
                    schemaPath.append(.key("patternProperties"))
                    schemaPath.append(.key(keyword.patterns[n].0.source))
                }
                let ok = evalChild(keyword.patterns[n].1, member.value, .key(member.key), report: report)
                if report { schemaPath.removeLast(2) }
                if !ok {
                    valid = false
                    if !report { return false }
                }
            }
            if !matched, let id = keyword.additional {
                matched = true
                if keyword.additionalIsFalse {
                    valid = false
                    guard report else { return false }
                    failMember(member.key, "is not allowed (additionalProperties is false)", schema: "additionalProperties")
                } else {
                    if report { schemaPath.append(.key("additionalProperties")) }
                    let ok = evalChild(id, member.value, .key(member.key), report: report)
                    if report { schemaPath.removeLast() }
                    if !ok {
                        valid = false
                        if !report { return false }
                    }
                }
            }
            if collect && matched { annotations.properties.insert(member.key) }
        }
        return valid
    }

    /// A failure located at a member (or, with an integer name, an item) of the current instance.
    @inline(never)
    private mutating func failMember(_ name: String, _ text: String, schema keyword: String, item: Int? = nil) {
        instancePath.append(item.map { .index($0) } ?? .key(name))
        fail("\(item.map { "item \($0)" } ?? "property '\(name)'") \(text)", schema: keyword)
        instancePath.removeLast()
    }

    mutating func evalPropertyNames(_ id: Int, _ instance: JSONValue, report: Bool) -> Bool {
        guard case .object(let object) = instance else { return true }
        var valid = true
        if report { schemaPath.append(.key("propertyNames")) }
        for name in object.keys {
            if !evalChild(id, .string(name), .name(name), report: report) {
                valid = false
                if !report { break }
            }
        }
        if report { schemaPath.removeLast() }
        return valid
    }

    mutating func evalUnevaluatedItems(_ id: Int, _ instance: JSONValue, report: Bool,
                                       _ annotations: inout Annotations) -> Bool
    {
        guard case .array(let items) = instance else { return true }
        var valid = true
        let isFalse = program.nodes[id].isFalse
        for n in items.indices where !annotations.evaluated(item: n) {
            if isFalse {
                valid = false
                guard report else { break }
                failMember("", "is not allowed (unevaluatedItems is false)", schema: "unevaluatedItems", item: n)
                continue
            }
            if report { schemaPath.append(.key("unevaluatedItems")) }
            let ok = evalChild(id, items[n], .index(n), report: report)
            if report { schemaPath.removeLast() }
            if !ok {
                valid = false
                if !report { break }
            }
        }
        if valid { annotations.allItems = true }
        return valid
    }

    mutating func evalUnevaluatedProperties(_ id: Int, _ instance: JSONValue, report: Bool,
                                            _ annotations: inout Annotations) -> Bool
    {
        guard case .object(let object) = instance else { return true }
        var valid = true
        let isFalse = program.nodes[id].isFalse
        for member in object where !annotations.evaluated(property: member.key) {
            if isFalse {
                valid = false
                guard report else { break }
                failMember(member.key, "is not allowed (unevaluatedProperties is false)", schema: "unevaluatedProperties")
                continue
            }
            if report { schemaPath.append(.key("unevaluatedProperties")) }
            let ok = evalChild(id, member.value, .key(member.key), report: report)
            if report { schemaPath.removeLast() }
            if !ok {
                valid = false
                if !report { break }
            }
        }
        if valid { annotations.allProperties = true }
        return valid
    }
}
