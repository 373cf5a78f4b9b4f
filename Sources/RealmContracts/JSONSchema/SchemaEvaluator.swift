import RealmJSON
import RealmLimits

/// What the applicators of a schema evaluated, for `unevaluatedItems`/`unevaluatedProperties`.
/// Collected only below schemas that have those keywords.
struct Annotations {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    /// Items below this index were evaluated (`prefixItems`).
    var itemPrefix = 0
    /// Items matched by `contains`.
    var items: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        if other.allProperties { allProperties = true } else if !allProperties { properties.formUnion(other.properties) }
        if other.allItems { allItems = true } else if !allItems {
            itemPrefix = max(itemPrefix, other.itemPrefix)
            items.formUnion(other.items)
        }
    }

    func evaluated(item index: Int) -> Bool {
        allItems || index < itemPrefix || items.contains(index)
    }

    func evaluated(property name: String) -> Bool {
        allProperties || properties.contains(name)
    }
}

private enum PathToken: Hashable {
    case key(String)
    case index(Int)
    /// A property name as the instance `propertyNames` applies to: reported as the member's
    /// location, but a different instance from the member's value (so a different memo key).
    case name(String)

    var text: String {
        switch self {
        case .key(let key), .name(let key): return key
        case .index(let index): return String(index)
        }
    }
}

/// Applies a `SchemaProgram` to one instance. In reporting mode it records every failure with
/// its instance and schema locations; otherwise it stops at the first failure.
struct SchemaEvaluator {
    /// Nesting (schema applications on the stack) beyond which evaluation gives up whatever the
    /// stack: far more than the JSON parser's own nesting limit needs.
    static let maxDepth = 100_000
    /// Nesting beyond which each level checks the room left on the stack (see `StackGuard`).
    static let stackCheckDepth = 128

    private let program: SchemaProgram
    private let reportAll: Bool
    private(set) var errors: [SchemaValidationError] = []
    private var instancePath: [PathToken] = []
    private var schemaPath: [PathToken] = []
    private var dynamicScope: [Int] = []
    private var depth = 0
    private var stackFloor: UInt = 0

    // Work bounds: every application of a node is a step; the regex engine has its own budget.
    private var steps = 0
    private let stepLimit: Int
    private var patternBudget: Int
    /// A budget ran out: the instance is reported invalid and evaluation unwinds at once.
    private(set) var exhausted = false

    // Memo of shared nodes: (node, instance location) -> result, so that a node reached through
    // many references (`anyOf` of 150 `$ref`s to the same definition, nested) is evaluated once
    // per instance location. Used when neither annotations nor the dynamic scope are involved.
    private struct MemoKey: Hashable { var node: Int; var location: Int }
    private struct MemoEntry { var valid: Bool; var reported: Bool }
    private struct LocationKey: Hashable { var parent: Int; var token: PathToken }
    private var memo: [MemoKey: MemoEntry] = [:]
    /// Interned instance locations; 0 is the root.
    private var locationIDs: [LocationKey: Int] = [:]
    /// Per level of `instancePath` (plus the root): its interned id, or -1 until needed.
    private var locationStack: [Int] = [0]
    private let tracksLocations: Bool

    init(program: SchemaProgram, report: Bool, stepLimit: Int = Limits.schemaSteps,
         patternSteps: Int = Limits.patternSteps, memoise: Bool = true) {
        self.program = program
        self.reportAll = report
        self.stepLimit = stepLimit
        self.patternBudget = patternSteps
        self.tracksLocations = memoise && program.hasShared && !program.tracksDynamicScope
    }

    mutating func run(_ instance: JSONValue) -> Bool {
        stackFloor = StackGuard.floor()
        var annotations = Annotations()
        let valid = eval(program.root, instance, report: reportAll, collect: false, &annotations)
        return valid && !exhausted
    }

    /// The interned id of the current instance location.
    private mutating func currentLocation() -> Int {
        var level = locationStack.count - 1
        while locationStack[level] < 0 { level -= 1 }
        while level < locationStack.count - 1 {
            let key = LocationKey(parent: locationStack[level], token: instancePath[level])
            let id: Int
            if let known = locationIDs[key] {
                id = known
            } else {
                id = locationIDs.count + 1
                locationIDs[key] = id
            }
            level += 1
            locationStack[level] = id
        }
        return locationStack[level]
    }

    /// Records that a budget ran out (once, whatever the reporting mode: `validate` must not
    /// come back empty) and returns false.
    @inline(never)
    private mutating func failExhausted(_ message: String, keyword: String? = nil) -> Bool {
        if !exhausted {
            if let keyword { schemaPath.append(.key(keyword)) }
            fail(message)
            if keyword != nil { schemaPath.removeLast() }
            exhausted = true
        }
        return false
    }

    @inline(never)
    private mutating func failTooManySteps() -> Bool {
        let here = instancePath.isEmpty ? "(root)" : JSONPointer(tokens: instancePath.map(\.text)).description
        return failExhausted("schema too complex: more than \(stepLimit) evaluation steps at \(here)")
    }

    /// Matches a pattern against the budget; nil (after recording why) when it runs out.
    private mutating func match(_ matcher: PatternMatcher, _ string: String, keyword: String) -> Bool? {
        if let found = matcher.matches(string, budget: &patternBudget) { return found }
        _ = failExhausted("pattern '\(matcher.source)' needs more than the \(Limits.patternSteps) regex steps allowed per validation; the value is not accepted",
                          keyword: keyword)
        return nil
    }

    // MARK: - Reporting

    private mutating func fail(_ message: String) {
        // Once a budget ran out, the failures found while unwinding say nothing.
        if exhausted { return }
        if errors.count >= Limits.validationErrors {
            // A hostile value can fail millions of times; each error costs memory.
            exhausted = true
            errors.append(SchemaValidationError(
                instanceLocation: JSONPointer(tokens: instancePath.map(\.text)),
                schemaLocation: JSONPointer(tokens: schemaPath.map(\.text)),
                message: "more than \(Limits.validationErrors) errors; validation stopped here and the rest are not reported"))
            return
        }
        errors.append(SchemaValidationError(
            instanceLocation: JSONPointer(tokens: instancePath.map(\.text)),
            schemaLocation: JSONPointer(tokens: schemaPath.map(\.text)),
            message: message))
    }

    /// `fail` with extra schema path tokens (the keyword, say) appended for this one error.
    private mutating func fail(_ message: String, schema tokens: String...) {
        for token in tokens { schemaPath.append(.key(token)) }
        fail(message)
        schemaPath.removeLast(tokens.count)
    }

    private static func preview(_ value: JSONValue) -> String {
        switch value {
        case .array(let items) where items.count > 20: return "an array of \(items.count) items"
        case .object(let members) where members.count > 20: return "an object with \(members.count) properties"
        default: break
        }
        let text = value.description
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    private static func plural(_ n: Int, _ word: String) -> String {
        n == 1 ? "1 \(word)" : "\(n) \(word)s"
    }

    // MARK: - Evaluation
    //
    // The functions on the recursive path (eval, evalKeyword, the applicators, evalChild) keep
    // few locals and leave message formatting to out-of-line functions: stack use per level of
    // nesting is what bounds the depth of instances that can be validated.

    /// Applies node `id` to `instance`. With `collect`, adds what it evaluated to `annotations`
    /// (only meaningful when it returns true).
    private mutating func eval(_ id: Int, _ instance: JSONValue, report: Bool, collect: Bool,
                               _ annotations: inout Annotations) -> Bool
    {
        if exhausted { return false }
        steps += 1
        if steps > stepLimit { return failTooManySteps() }
        guard tracksLocations && !collect && program.shared[id] else {
            return evalNode(id, instance, report: report, collect: collect, &annotations)
        }
        let key = MemoKey(node: id, location: currentLocation())
        let known = memo[key]
        if let known {
            // A failure already reported (or not to be reported now) need not be found again.
            if known.valid || !report || known.reported { return known.valid }
        }
        let valid = evalNode(id, instance, report: report, collect: false, &annotations)
        memo[key] = MemoEntry(valid: valid, reported: report || (known?.reported ?? false))
        return valid
    }

    private mutating func evalNode(_ id: Int, _ instance: JSONValue, report: Bool, collect: Bool,
                                   _ annotations: inout Annotations) -> Bool
    {
        let node = program.nodes[id]
        if node.isFalse { return failFalseSchema(report: report) }
        if node.keywords.isEmpty { return true }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.stackCheckDepth && !stackHasRoom() { return failTooDeep(report: report) }
        var pushedScope = false
        if program.tracksDynamicScope && dynamicScope.last != node.resource {
            dynamicScope.append(node.resource)
            pushedScope = true
        }
        defer { if pushedScope { dynamicScope.removeLast() } }

        if node.hasUnevaluated {
            // `unevaluated*` see only what this schema's own keywords evaluated.
            var local = Annotations()
            let valid = evalKeywords(node.keywords, instance, report: report, collect: true, &local)
            if valid && collect { annotations.merge(local) }
            return valid
        }
        return evalKeywords(node.keywords, instance, report: report, collect: collect, &annotations)
    }

    private mutating func evalKeywords(_ keywords: [SchemaKeyword], _ instance: JSONValue, report: Bool,
                                       collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        var valid = true
        for index in keywords.indices {
            if !evalKeyword(keywords[index], instance, report: report, collect: collect, &annotations) {
                valid = false
                if !report { return false }
            }
        }
        return valid
    }

    @inline(never)
    private mutating func failFalseSchema(report: Bool) -> Bool {
        if report { fail("no value is allowed here (the schema is false)") }
        return false
    }

    @inline(never)
    private mutating func failTooDeep(report: Bool) -> Bool {
        if report { fail("evaluation nests too deep (\(depth) levels) for this thread's stack; the instance is too deeply nested") }
        return false
    }

    /// Whether the stack has room for one more level (checked only when already deep).
    @inline(never)
    private func stackHasRoom() -> Bool {
        depth <= Self.maxDepth && StackGuard.currentAddress() > stackFloor
    }

    /// Applies `id` to a member or item of the current instance.
    private mutating func evalChild(_ id: Int, _ value: JSONValue, _ token: PathToken, report: Bool) -> Bool {
        var ignored = Annotations()
        guard report || tracksLocations else { return eval(id, value, report: false, collect: false, &ignored) }
        instancePath.append(token)
        if tracksLocations { locationStack.append(-1) }
        let valid = eval(id, value, report: report, collect: false, &ignored)
        instancePath.removeLast()
        if tracksLocations { locationStack.removeLast() }
        return valid
    }

    /// Applies `id` in place, with `token` (and `second`) added to the schema path.
    private mutating func evalInPlace(_ id: Int, _ instance: JSONValue, report: Bool, collect: Bool,
                                      _ annotations: inout Annotations, _ token: PathToken,
                                      _ second: PathToken? = nil) -> Bool
    {
        guard report else { return eval(id, instance, report: false, collect: collect, &annotations) }
        schemaPath.append(token)
        if let second { schemaPath.append(second) }
        let valid = eval(id, instance, report: true, collect: collect, &annotations)
        schemaPath.removeLast(second == nil ? 1 : 2)
        return valid
    }

    private mutating func evalKeyword(_ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool,
                                      collect: Bool, _ annotations: inout Annotations) -> Bool
    {
        switch keyword {
        case .items(let items):
            return evalItems(items, instance, report: report, collect: collect, &annotations)
        case .properties(let properties):
            return evalProperties(properties, instance, report: report, collect: collect, &annotations)
        case .ref(let id, let keyword):
            return evalInPlace(id, instance, report: report, collect: collect, &annotations, .key(keyword))
        case .dynamicRef(let initial, let table):
            return evalDynamicRef(initial, table, instance, report: report, collect: collect, &annotations)
        case .allOf(let ids):
            return evalAllOf(ids, instance, report: report, collect: collect, &annotations)
        case .anyOf(let ids):
            return evalAnyOf(ids, instance, report: report, collect: collect, &annotations)
        case .oneOf(let ids):
            return evalOneOf(ids, instance, report: report, collect: collect, &annotations)
        case .not(let id):
            return evalNot(id, instance, report: report)
        case .conditional(let condition, let then, let otherwise):
            return evalConditional(condition, then, otherwise, instance, report: report, collect: collect, &annotations)
        case .dependentSchemas(let dependencies, let keyword):
            return evalDependentSchemas(dependencies, keyword, instance, report: report, collect: collect, &annotations)
        case .contains(let contains):
            return evalContains(contains, instance, report: report, collect: collect, &annotations)
        case .propertyNames(let id):
            return evalPropertyNames(id, instance, report: report)
        case .unevaluatedItems(let id):
            return evalUnevaluatedItems(id, instance, report: report, &annotations)
        case .unevaluatedProperties(let id):
            return evalUnevaluatedProperties(id, instance, report: report, &annotations)
        default:
            return evalAssertion(keyword, instance, report: report)
        }
    }

    // MARK: Assertions (no subschemas)

    @inline(never)
    private mutating func evalAssertion(_ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool) -> Bool {
        switch keyword {
        case .type(let mask):
            if Self.matches(mask, instance) { return true }
            if report {
                fail("expected \(mask.names.joined(separator: " or ")), got \(instance.typeName)", schema: "type")
            }
            return false

        case .enumeration(let values, let strings):
            let found: Bool
            if let strings {
                if case .string(let s) = instance { found = strings.contains(ExactString(s)) } else { found = false }
            } else {
                found = values.contains { jsonEqual($0, instance) }
            }
            if !found && report {
                let list = values.prefix(10).map(Self.preview).joined(separator: ", ") + (values.count > 10 ? ", ..." : "")
                fail("\(Self.preview(instance)) is not one of the allowed values [\(list)]", schema: "enum")
            }
            return found

        case .const(let value):
            if jsonEqual(instance, value) { return true }
            if report { fail("must be \(Self.preview(value)), got \(Self.preview(instance))", schema: "const") }
            return false

        case .multipleOf(let divisor):
            guard instance.isNumber else { return true }
            if Self.isMultiple(instance, of: divisor) { return true }
            if report { fail("\(instance) is not a multiple of \(divisor)", schema: "multipleOf") }
            return false

        case .bound(let kind, let limit):
            guard instance.isNumber else { return true }
            let order = Self.compare(instance, limit)
            let valid: Bool
            let relation: String
            switch kind {
            case .maximum: valid = order <= 0; relation = "greater than the maximum"
            case .exclusiveMaximum: valid = order < 0; relation = "not less than the exclusive maximum"
            case .minimum: valid = order >= 0; relation = "less than the minimum"
            case .exclusiveMinimum: valid = order > 0; relation = "not greater than the exclusive minimum"
            }
            if !valid && report { fail("\(instance) is \(relation) \(limit)", schema: kind.keyword) }
            return valid

        case .count(let kind, let limit):
            return evalCount(kind, limit, instance, report: report)

        case .pattern(let matcher):
            guard case .string(let s) = instance else { return true }
            guard let found = match(matcher, s, keyword: "pattern") else { return false }
            if found { return true }
            if report { fail("\(Self.preview(instance)) does not match the pattern \(matcher.source)", schema: "pattern") }
            return false

        case .uniqueItems:
            guard case .array(let items) = instance else { return true }
            guard let (first, second) = Self.firstDuplicate(items) else { return true }
            if report { fail("items \(first) and \(second) are equal; items must be unique", schema: "uniqueItems") }
            return false

        case .required(let names):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in names where object[name] == nil {
                valid = false
                guard report else { return false }
                fail("missing required property '\(name)'", schema: "required")
            }
            return valid

        case .dependentRequired(let dependencies, let keyword):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, required) in dependencies where object[name] != nil {
                for other in required where object[other] == nil {
                    valid = false
                    guard report else { return false }
                    fail("property '\(name)' requires property '\(other)'", schema: keyword, name)
                }
            }
            return valid

        default:
            return true
        }
    }

    private mutating func evalCount(_ kind: CountKind, _ limit: Int, _ instance: JSONValue, report: Bool) -> Bool {
        let count: Int
        let noun: String
        switch (kind, instance) {
        case (.maxLength, .string(let s)):
            if s.utf8.count <= limit { return true }  // code points never outnumber UTF-8 bytes
            count = s.unicodeScalars.count
            noun = "character"
        case (.minLength, .string(let s)):
            // A code point takes 1 to 4 UTF-8 bytes.
            if s.utf8.count < limit {
                count = s.unicodeScalars.count
            } else if limit <= s.utf8.count / 4 {
                return true
            } else {
                count = s.unicodeScalars.count
            }
            noun = "character"
        case (.maxItems, .array(let a)), (.minItems, .array(let a)):
            count = a.count
            noun = "item"
        case (.maxProperties, .object(let o)), (.minProperties, .object(let o)):
            count = o.count
            noun = "property"
        default:
            return true
        }
        let isMax = kind == .maxLength || kind == .maxItems || kind == .maxProperties
        let valid = isMax ? count <= limit : count >= limit
        if !valid && report {
            let counted = noun == "property" ? (count == 1 ? "1 property" : "\(count) properties") : Self.plural(count, noun)
            fail("has \(counted), \(isMax ? "more than the maximum" : "fewer than the minimum") of \(limit)",
                 schema: kind.keyword)
        }
        return valid
    }

    // MARK: In-place applicators

    private mutating func evalDynamicRef(_ initial: Int, _ table: Int, _ instance: JSONValue, report: Bool,
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

    private mutating func evalAllOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
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

    private mutating func evalAnyOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
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

    private mutating func evalOneOf(_ ids: [Int], _ instance: JSONValue, report: Bool, collect: Bool,
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

    private mutating func evalNot(_ id: Int, _ instance: JSONValue, report: Bool) -> Bool {
        var ignored = Annotations()
        if !eval(id, instance, report: false, collect: false, &ignored) { return true }
        if report { fail("must not match the schema in not", schema: "not") }
        return false
    }

    private mutating func evalConditional(_ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue,
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

    private mutating func evalDependentSchemas(_ dependencies: [(String, Int)], _ keyword: String,
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

    private mutating func evalContains(_ contains: ContainsKeyword, _ instance: JSONValue, report: Bool,
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

    private mutating func evalItems(_ keyword: ItemsKeyword, _ instance: JSONValue, report: Bool,
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

    private mutating func evalProperties(_ keyword: PropertiesKeyword, _ instance: JSONValue, report: Bool,
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

    private mutating func evalPropertyNames(_ id: Int, _ instance: JSONValue, report: Bool) -> Bool {
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

    private mutating func evalUnevaluatedItems(_ id: Int, _ instance: JSONValue, report: Bool,
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

    private mutating func evalUnevaluatedProperties(_ id: Int, _ instance: JSONValue, report: Bool,
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

    // MARK: - Value helpers

    private static func matches(_ mask: TypeMask, _ instance: JSONValue) -> Bool {
        switch instance {
        case .null: return mask.contains(.null)
        case .bool: return mask.contains(.boolean)
        case .integer: return mask.contains(.integer) || mask.contains(.number)
        case .number(let d):
            return mask.contains(.number) || (mask.contains(.integer) && d.isFinite && d.rounded() == d)
        case .string: return mask.contains(.string)
        case .array: return mask.contains(.array)
        case .object: return mask.contains(.object)
        }
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b` (both numbers).
    private static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue!, y = b.doubleValue!
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .integer(let a) = value, case .integer(let b) = divisor { return a % b == 0 }
        let a = value.doubleValue!, b = divisor.doubleValue!
        let quotient = a / b
        guard quotient.isFinite else { return false }
        let rounded = quotient.rounded()
        return quotient == rounded || abs(quotient - rounded) < 1e-9
    }

    /// Indexes of the first two equal items, or nil when all are distinct.
    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        if items.count < 2 { return nil }
        if items.count <= 8 {
            for i in 0..<items.count {
                for j in (i + 1)..<items.count where jsonEqual(items[i], items[j]) { return (i, j) }
            }
            return nil
        }
        var seen: [HashableJSON: Int] = [:]
        seen.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            if let earlier = seen.updateValue(n, forKey: HashableJSON(value: item)) { return (earlier, n) }
        }
        return nil
    }
}

/// JSON values hashed consistently with JSON equality (`1 == 1.0`, key order ignored).
private struct HashableJSON: Hashable {
    let value: JSONValue

    static func == (a: HashableJSON, b: HashableJSON) -> Bool { jsonEqual(a.value, b.value) }

    func hash(into hasher: inout Hasher) { Self.hash(value, into: &hasher) }

    private static func hash(_ value: JSONValue, into hasher: inout Hasher) {
        switch value {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .integer(let i): hasher.combine(2); hasher.combine(Double(i))
        case .number(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(ExactString(s))
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items.count)
            for item in items { hash(item, into: &hasher) }
        case .object(let object):
            hasher.combine(5)
            hasher.combine(object.count)
            var sum = 0
            for (key, member) in object {
                var inner = Hasher()
                inner.combine(ExactString(key))
                hash(member, into: &inner)
                sum = sum &+ inner.finalize()
            }
            hasher.combine(sum)
        }
    }
}

/// A string compared by its code points, as JSON compares strings (Swift's `==` on `String` also
/// equates canonically equivalent forms such as "é" and "e\u{301}").
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (a: ExactString, b: ExactString) -> Bool { exactlyEqual(a.value, b.value) }

    func hash(into hasher: inout Hasher) {
        var value = value
        value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// String equality by code points (UTF-8 bytes), not canonical equivalence.
func exactlyEqual(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    let fast = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y in
            x.count == 0 || memoryEqual(x.baseAddress!, y.baseAddress!, x.count)
        }
    }
    if let fast, let result = fast { return result }
    return a.utf8.elementsEqual(b.utf8)
}

private func memoryEqual(_ x: UnsafePointer<UInt8>, _ y: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if UnsafeRawPointer(x + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(y + i).loadUnaligned(as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < count {
        if x[i] != y[i] { return false }
        i += 1
    }
    return true
}

/// JSON equality: numbers by value (`1 == 1.0`), strings by code points, objects regardless of
/// key order.
func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)):
        return exactlyEqual(x, y)
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        for i in x.indices where !jsonEqual(x[i], y[i]) { return false }
        return true
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for (key, value) in x {
            guard let other = y[key], jsonEqual(value, other) else { return false }
        }
        return true
    default:
        return a == b
    }
}
