import RealmJSON
import RealmLimits

/// Backward/forward verdict of a subtree.
struct CompatFlags: Equatable {
    var backward: Bool
    var forward: Bool

    init(_ backward: Bool, _ forward: Bool) {
        self.backward = backward
        self.forward = forward
    }

    static let same = CompatFlags(true, true)
    /// The new schema accepts more.
    static let widened = CompatFlags(true, false)
    /// The new schema accepts less.
    static let narrowed = CompatFlags(false, true)
    static let incompatible = CompatFlags(false, false)

    static func & (a: CompatFlags, b: CompatFlags) -> CompatFlags {
        CompatFlags(a.backward && b.backward, a.forward && b.forward)
    }
    static func &= (a: inout CompatFlags, b: CompatFlags) { a = a & b }

    var flipped: CompatFlags { CompatFlags(forward, backward) }
}

/// JSON types as a bit set; `integer` and `fraction` together make `number`.
struct CompatTypeSet: OptionSet, Hashable {
    let rawValue: UInt8
    static let null = CompatTypeSet(rawValue: 1)
    static let boolean = CompatTypeSet(rawValue: 2)
    static let integer = CompatTypeSet(rawValue: 4)
    static let fraction = CompatTypeSet(rawValue: 8)
    static let string = CompatTypeSet(rawValue: 16)
    static let array = CompatTypeSet(rawValue: 32)
    static let object = CompatTypeSet(rawValue: 64)
    static let number: CompatTypeSet = [.integer, .fraction]
    static let all: CompatTypeSet = [.null, .boolean, .integer, .fraction, .string, .array, .object]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = .number
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: self = []
        }
    }

    /// The JSON type of a value (integral numbers are integers, as JSON Schema counts them).
    init(of value: JSONValue) {
        switch value.typeName {
        case "number": self = .fraction
        default: self.init(name: value.typeName)
        }
    }

    static func of(typeKeyword value: JSONValue?) -> CompatTypeSet? {
        switch value {
        case .string(let name)?: return CompatTypeSet(name: name)
        case .array(let names)?:
            var set: CompatTypeSet = []
            for case .string(let name) in names { set.formUnion(CompatTypeSet(name: name)) }
            return set
        default: return nil
        }
    }

    var names: [String] {
        var out: [String] = []
        if contains(.null) { out.append("null") }
        if contains(.boolean) { out.append("boolean") }
        if isSuperset(of: .number) { out.append("number") } else if contains(.integer) { out.append("integer") } else if contains(.fraction) { out.append("non-integer number") }
        if contains(.string) { out.append("string") }
        if contains(.array) { out.append("array") }
        if contains(.object) { out.append("object") }
        return out
    }

    var text: String { self == .all ? "any type" : names.joined(separator: " | ") }
}

/// A finished probe: a comparison run on the side, whose changes may or may not be kept.
struct CompatProbe {
    var flags: CompatFlags
    var changes: [SchemaChange]
    /// Per change: the innermost `$ref` pair being compared when it was found.
    var origins: [CompatEngine.PairKey?]
    var visited: [(CompatEngine.PairKey, CompatFlags)]
    var substantialChanges: Int { changes.count(where: { !$0.isAnnotation }) }
}

/// Walks an old and a new schema side by side and records `SchemaChange`s.
///
/// Each pair of subschemas is compared once: keywords pairwise, properties by name (a hash
/// lookup, so objects cost linear time), combinator alternatives by a matrix of side
/// comparisons ("probes"). Pairs reached through `$ref` are memoized by their (old, new)
/// locations; a pair met again while it is still being compared is assumed compatible
/// (co-induction), which makes recursive schemas terminate.
final class CompatEngine {
    struct PairKey: Hashable {
        var old: JSONPointer
        var new: JSONPointer
    }

    enum VisitState {
        case inProgress
        case done(CompatFlags)
    }

    let mode: CompatibilityMode
    let oldDoc: CompatDocument
    let newDoc: CompatDocument
    var changes: [SchemaChange] = []
    /// Parallel to `changes`: the innermost `$ref` pair in progress when each was emitted, so
    /// that adopting a second probe through an already reported pair does not repeat it.
    private var origins: [PairKey?] = []
    /// `$ref` pairs being compared, innermost last.
    private var refStack: [PairKey] = []
    /// Work bound: pairs compared (fresh or from a probe cache).
    private var steps = 0
    let stepLimit: Int
    /// Nesting of `compare` calls, and the lowest stack address they may reach.
    private var depth = 0
    private var stackFloor: UInt = 0
    private var visited: [PairKey: VisitState] = [:]
    /// Keys in insertion order, so that a probe can undo its insertions.
    private var visitLog: [PairKey] = []

    var lenient: Bool { mode == .lenient }

    /// Whether `pairUp` copies probes of a `$ref` pair already probed (off only in tests).
    let cachesProbes: Bool

    init(old: JSONValue, new: JSONValue, mode: CompatibilityMode, stepLimit: Int = Limits.compatibilitySteps,
         cachesProbes: Bool = true) {
        self.mode = mode
        self.stepLimit = stepLimit
        self.cachesProbes = cachesProbes
        self.oldDoc = CompatDocument(root: old, side: .old)
        self.newDoc = CompatDocument(root: new, side: .new)
    }

    func run() throws(CompatibilityError) -> [SchemaChange] {
        stackFloor = StackGuard.floor()
        try oldDoc.validate()
        try newDoc.validate()
        if oldDoc.root == newDoc.root { return [] }
        // `$ref: "#"` leads back to the roots, which are being compared.
        let rootKey = PairKey(old: .root, new: .root)
        visited[rootKey] = .inProgress
        visitLog.append(rootKey)
        _ = try compare(CompatPart(value: oldDoc.root, loc: .root, tokens: []),
                        CompatPart(value: newDoc.root, loc: .root, tokens: []), .root)
        return changes
    }

    // MARK: Recording

    @discardableResult
    func emit(_ kind: ChangeKind, _ path: JSONPointer, _ flags: CompatFlags, _ detail: String,
              property: String? = nil) -> CompatFlags {
        changes.append(SchemaChange(kind: kind, path: path, backward: flags.backward,
                                    forward: flags.forward, detail: detail, property: property))
        origins.append(refStack.last)
        return flags
    }

    /// Runs `body` on the side: its changes and memo entries are returned, not kept.
    func probe(_ body: () throws(CompatibilityError) -> CompatFlags) throws(CompatibilityError) -> CompatProbe {
        var saved: [SchemaChange] = []
        var savedOrigins: [PairKey?] = []
        swap(&saved, &changes)
        swap(&savedOrigins, &origins)
        defer {
            swap(&saved, &changes)
            swap(&savedOrigins, &origins)
        }
        let mark = visitLog.count
        let flags = try body()
        var entries: [(PairKey, CompatFlags)] = []
        for key in visitLog[mark...] {
            if case .done(let f)? = visited[key] { entries.append((key, f)) }
            visited.removeValue(forKey: key)
        }
        visitLog.removeSubrange(mark...)
        return CompatProbe(flags: flags, changes: changes, origins: origins, visited: entries)
    }

    /// Keeps a probe's changes (and its memo, so they are not reported twice).
    func adopt(_ probe: CompatProbe) {
        for n in probe.changes.indices {
            // Found inside a pair an earlier route already compared and reported: skip.
            if let origin = probe.origins[n], case .done? = visited[origin] { continue }
            changes.append(probe.changes[n])
            origins.append(probe.origins[n])
        }
        for (key, flags) in probe.visited where visited[key] == nil {
            visited[key] = .done(flags)
            visitLog.append(key)
        }
    }

    static func path(_ base: JSONPointer, _ tokens: [String]) -> JSONPointer {
        tokens.isEmpty ? base : JSONPointer(tokens: base.tokens + tokens)
    }

    static func show(_ value: JSONValue) -> String {
        let text = JSONSerializer.string(value)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    // MARK: Entry for a pair of subschemas

    /// Counts one step of work; past `stepLimit` the comparison is abandoned.
    func step(_ path: JSONPointer) throws(CompatibilityError) {
        steps += 1
        if steps > stepLimit {
            throw CompatibilityError(side: nil, location: path,
                                     message: "schema too complex: more than \(stepLimit) comparison steps at \(Self.short(path))")
        }
    }

    /// The identity of a resolved node for the memo. A `$ref` with sibling assertions becomes a
    /// synthesized `allOf` at the location of the object, and its siblings part has that same
    /// location: the synthesized node gets a location of its own (a NUL token no document has).
    static func memoLocation(_ node: CompatNode) -> JSONPointer {
        node.synthetic ? node.loc.appending("\u{0}allOf") : node.loc
    }

    /// A path for a one-line message: long ones keep their first and last tokens.
    static func short(_ path: JSONPointer) -> String {
        if path.tokens.isEmpty { return "/" }
        guard path.tokens.count > 12 else { return path.description }
        let head = JSONPointer(tokens: Array(path.tokens.prefix(6))).description
        let tail = JSONPointer(tokens: Array(path.tokens.suffix(3))).description
        return "\(head)/...(\(path.tokens.count - 9) more)...\(tail)"
    }

    func compare(_ old: CompatPart, _ new: CompatPart, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        try step(path)
        depth += 1
        defer { depth -= 1 }
        if depth > Limits.compatibilityDepth || (depth > 32 && StackGuard.currentAddress() < stackFloor) {
            throw CompatibilityError(side: nil, location: path,
                                     message: "schema too complex: the comparison nests deeper than \(min(depth, Limits.compatibilityDepth)) levels at \(Self.short(path))")
        }
        let o = try oldDoc.resolve(old.value, at: old.loc)
        let n = try newDoc.resolve(new.value, at: new.loc)
        // Only pairs reached through `$ref` can be met again (the root pair is registered by run()).
        guard o.viaRef || n.viaRef else { return try compareNodes(o, n, path) }
        let key = PairKey(old: Self.memoLocation(o), new: Self.memoLocation(n))
        switch visited[key] {
        case .inProgress?: return .same
        case .done(let flags)?: return flags
        case nil: break
        }
        visited[key] = .inProgress
        visitLog.append(key)
        refStack.append(key)
        defer { refStack.removeLast() }
        let flags = try compareNodes(o, n, path)
        visited[key] = .done(flags)
        return flags
    }

    private func compareNodes(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        if o.isFalse && n.isFalse { return .same }
        if n.isFalse {
            return emit(.falseSchemaAdded, path, .narrowed, "the schema became false: nothing validates any more")
        }
        if o.isFalse {
            return emit(.falseSchemaRemoved, path, .widened, "the schema was false (nothing validated) and now accepts instances")
        }
        let oo = o.object, no = n.object
        var flags = compareAnnotations(oo, no, path)
        if let wrapped = try compareWrapped(o, n, path) { return flags & wrapped }
        flags &= try compareCombinators(o, n, path)
        flags &= try compareConditional(o, n, path)
        flags &= compareEnumAndConst(oo, no, path)
        flags &= compareFormat(oo, no, path)

        let oldTypes = CompatTypeSet.of(typeKeyword: oo["type"])
        let newTypes = CompatTypeSet.of(typeKeyword: no["type"])
        flags &= compareTypes(oldTypes, newTypes, path)
        let common = (oldTypes ?? .all).intersection(newTypes ?? .all)
        if common.contains(.string) { flags &= compareStrings(oo, no, path) }
        if !common.intersection(.number).isEmpty { flags &= compareNumbers(oo, no, path) }
        if common.contains(.array) { flags &= try compareArrays(o, n, path) }
        if common.contains(.object) { flags &= try compareObjects(o, n, path) }
        return flags
    }
}
