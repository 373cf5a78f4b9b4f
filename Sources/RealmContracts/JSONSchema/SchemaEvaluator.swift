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

enum PathToken: Hashable {
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

    let program: SchemaProgram
    private let reportAll: Bool
    private(set) var errors: [SchemaValidationError] = []
    var instancePath: [PathToken] = []
    var schemaPath: [PathToken] = []
    var dynamicScope: [Int] = []
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
    let tracksLocations: Bool

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
    mutating func match(_ matcher: PatternMatcher, _ string: String, keyword: String) -> Bool? {
        if let found = matcher.matches(string, budget: &patternBudget) { return found }
        _ = failExhausted("pattern '\(matcher.source)' needs more than the \(Limits.patternSteps) regex steps allowed per validation; the value is not accepted",
                          keyword: keyword)
        return nil
    }

    // MARK: - Reporting

    mutating func fail(_ message: String) {
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
    mutating func fail(_ message: String, schema tokens: String...) {
        for token in tokens { schemaPath.append(.key(token)) }
        fail(message)
        schemaPath.removeLast(tokens.count)
    }

    static func preview(_ value: JSONValue) -> String {
        switch value {
        case .array(let items) where items.count > 20: return "an array of \(items.count) items"
        case .object(let members) where members.count > 20: return "an object with \(members.count) properties"
        default: break
        }
        let text = value.description
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    static func plural(_ n: Int, _ word: String) -> String {
        n == 1 ? "1 \(word)" : "\(n) \(word)s"
    }

    // MARK: - Evaluation
    //
    // The functions on the recursive path (eval, evalKeyword, the applicators, evalChild) keep
    // few locals and leave message formatting to out-of-line functions: stack use per level of
    // nesting is what bounds the depth of instances that can be validated.

    /// Applies node `id` to `instance`. With `collect`, adds what it evaluated to `annotations`
    /// (only meaningful when it returns true).
    mutating func eval(_ id: Int, _ instance: JSONValue, report: Bool, collect: Bool,
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
    mutating func evalChild(_ id: Int, _ value: JSONValue, _ token: PathToken, report: Bool) -> Bool {
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
    mutating func evalInPlace(_ id: Int, _ instance: JSONValue, report: Bool, collect: Bool,
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
}
