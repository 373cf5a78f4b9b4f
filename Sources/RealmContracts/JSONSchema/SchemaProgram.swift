import RealmJSON

/// The compiled form of a schema: a flat table of nodes, one per schema object reached, that
/// refer to each other by index. `$ref`s are resolved to indexes once, at compile time.
struct SchemaProgram: Sendable {
    var nodes: [SchemaNode]
    /// For each dynamic `$dynamicRef`: schema resource index -> node of the `$dynamicAnchor` of
    /// that name in that resource.
    var dynamicTables: [[Int: Int]]
    var root: Int
    var rootDraft: JSONSchemaDraft
    /// False when no `$dynamicRef` needs the dynamic scope, so evaluation need not track it.
    var tracksDynamicScope: Bool
    /// Per node: whether more than one keyword applies it, so that evaluation may reach it
    /// again at the same instance location (its results are then memoised).
    var shared: [Bool] = []
    /// Whether any node is shared (evaluation then tracks instance locations).
    var hasShared = false

    init(nodes: [SchemaNode], dynamicTables: [[Int: Int]], root: Int, rootDraft: JSONSchemaDraft,
         tracksDynamicScope: Bool) {
        self.nodes = nodes
        self.dynamicTables = dynamicTables
        self.root = root
        self.rootDraft = rootDraft
        self.tracksDynamicScope = tracksDynamicScope
        var uses = [UInt8](repeating: 0, count: nodes.count)
        func use(_ id: Int) { if uses[id] < 2 { uses[id] += 1 } }
        for node in nodes {
            for keyword in node.keywords { keyword.forEachChild(use) }
        }
        for table in dynamicTables { for id in table.values { use(id) } }
        shared = nodes.indices.map { uses[$0] > 1 && !nodes[$0].keywords.isEmpty && !nodes[$0].isFalse }
        hasShared = shared.contains(true)
    }
}

struct SchemaNode: Sendable {
    /// A `false` schema: nothing is valid.
    var isFalse = false
    var keywords: [SchemaKeyword] = []
    /// Whether evaluation must collect annotations for `unevaluatedItems`/`unevaluatedProperties`.
    var hasUnevaluated = false
    /// Index of the schema resource (`$id` scope) the node belongs to.
    var resource = 0
}

/// JSON types as a bit set, for `type`.
struct TypeMask: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeMask(rawValue: 1)
    static let boolean = TypeMask(rawValue: 2)
    static let object = TypeMask(rawValue: 4)
    static let array = TypeMask(rawValue: 8)
    static let number = TypeMask(rawValue: 16)
    static let string = TypeMask(rawValue: 32)
    static let integer = TypeMask(rawValue: 64)

    static let names: [(String, TypeMask)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("string", .string), ("integer", .integer),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        guard let found = Self.names.first(where: { $0.0 == name }) else { return nil }
        self = found.1
    }

    var names: [String] { Self.names.filter { contains($0.1) }.map(\.0) }
}

enum BoundKind: Sendable {
    case maximum, exclusiveMaximum, minimum, exclusiveMinimum

    var keyword: String {
        switch self {
        case .maximum: return "maximum"
        case .exclusiveMaximum: return "exclusiveMaximum"
        case .minimum: return "minimum"
        case .exclusiveMinimum: return "exclusiveMinimum"
        }
    }
}

enum CountKind: Sendable {
    case maxLength, minLength, maxItems, minItems, maxProperties, minProperties

    var keyword: String {
        switch self {
        case .maxLength: return "maxLength"
        case .minLength: return "minLength"
        case .maxItems: return "maxItems"
        case .minItems: return "minItems"
        case .maxProperties: return "maxProperties"
        case .minProperties: return "minProperties"
        }
    }
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema object, applied in
/// one pass over the instance's members.
struct PropertiesKeyword: Sendable {
    var properties: [String: Int] = [:]
    var patterns: [(PatternMatcher, Int)] = []
    var additional: Int?
    /// `additional` is a `false` schema (for a friendlier message).
    var additionalIsFalse = false
}

/// `prefixItems` + `items` (2020-12), or array-form `items` + `additionalItems` (draft-07, 2019-09).
struct ItemsKeyword: Sendable {
    var prefix: [Int] = []
    var prefixKeyword = "prefixItems"
    var rest: Int?
    var restKeyword = "items"
    var restIsFalse = false
}

struct ContainsKeyword: Sendable {
    var node: Int
    var min: Int
    var max: Int?
    /// Draft-07 has no annotation to record; 2019-09 and later record the matched indexes.
    var annotates: Bool
}

/// Indirect: evaluation copies keywords constantly, and a boxed case copies as one retain.
indirect enum SchemaKeyword: Sendable {
    case type(TypeMask)
    case enumeration([JSONValue], strings: Set<ExactString>?)
    case const(JSONValue)
    case multipleOf(JSONValue)
    case bound(BoundKind, JSONValue)
    case count(CountKind, Int)
    case pattern(PatternMatcher)
    case uniqueItems
    case contains(ContainsKeyword)
    case required([String])
    case dependentRequired([(String, [String])], keyword: String)
    case items(ItemsKeyword)
    case properties(PropertiesKeyword)
    case propertyNames(Int)
    case dependentSchemas([(String, Int)], keyword: String)
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case ref(Int, keyword: String)
    /// `table` indexes `SchemaProgram.dynamicTables`; -1 when the reference is static.
    case dynamicRef(Int, table: Int)
    case unevaluatedItems(Int)
    case unevaluatedProperties(Int)

    /// Calls `body` with every node this keyword applies.
    func forEachChild(_ body: (Int) -> Void) {
        switch self {
        case .contains(let c): body(c.node)
        case .items(let items):
            items.prefix.forEach(body)
            if let rest = items.rest { body(rest) }
        case .properties(let p):
            p.properties.values.forEach(body)
            p.patterns.forEach { body($0.1) }
            if let additional = p.additional { body(additional) }
        case .propertyNames(let id), .not(let id), .ref(let id, _), .dynamicRef(let id, _),
             .unevaluatedItems(let id), .unevaluatedProperties(let id):
            body(id)
        case .dependentSchemas(let list, _): list.forEach { body($0.1) }
        case .allOf(let ids), .anyOf(let ids), .oneOf(let ids): ids.forEach(body)
        case .conditional(let condition, let then, let otherwise):
            body(condition)
            if let then { body(then) }
            if let otherwise { body(otherwise) }
        default: break
        }
    }
}
