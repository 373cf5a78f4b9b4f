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
    private(set) var changes: [SchemaChange] = []
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

    // MARK: Annotations

    private static let annotationKinds: [String: ChangeKind] = [
        "title": .titleChanged, "description": .descriptionChanged, "default": .defaultChanged,
        "examples": .examplesChanged, "$comment": .commentChanged, "deprecated": .deprecatedChanged,
        "readOnly": .readOnlyChanged, "writeOnly": .writeOnlyChanged, "$id": .idChanged,
        "$schema": .schemaDialectChanged, "$anchor": .anchorChanged, "$dynamicAnchor": .anchorChanged,
        "$recursiveAnchor": .anchorChanged, "contentEncoding": .contentAnnotationChanged,
        "contentMediaType": .contentAnnotationChanged, "contentSchema": .contentAnnotationChanged,
    ]

    private func compareAnnotations(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
        func check(_ key: String) {
            let a = oo[key], b = no[key]
            if a == b { return }
            let kind = CompatEngine.annotationKinds[key] ?? .unknownKeywordChanged
            let what: String
            switch (a, b) {
            case (nil, let b?): what = "\"\(key)\" added: \(CompatEngine.show(b))"
            case (let a?, nil): what = "\"\(key)\" removed (was \(CompatEngine.show(a)))"
            case (let a?, let b?): what = "\"\(key)\" changed from \(CompatEngine.show(a)) to \(CompatEngine.show(b))"
            default: return
            }
            emit(kind, path.appending(key), .same,
                 kind == .unknownKeywordChanged ? what + " (keyword not analysed)" : what)
        }
        for key in oo.keys where !CompatKeywords.assertions.contains(key) && !isDefinitions(key) { check(key) }
        for key in no.keys where oo[key] == nil && !CompatKeywords.assertions.contains(key) && !isDefinitions(key) { check(key) }
        return .same
    }

    private func isDefinitions(_ key: String) -> Bool {
        key == "$defs" || key == "definitions" || key == "$vocabulary"
    }

    // MARK: Types, enum, const, format

    private func compareTypes(_ old: CompatTypeSet?, _ new: CompatTypeSet?, _ path: JSONPointer) -> CompatFlags {
        let o = old ?? .all, n = new ?? .all
        if o == n { return .same }
        let detail = "type \(o.text) → \(n.text)"
        let at = path.appending("type")
        if n.isSuperset(of: o) { return emit(.typeWidened, at, .widened, detail) }
        if o.isSuperset(of: n) { return emit(.typeNarrowed, at, .narrowed, detail) }
        return emit(.typeChanged, at, .incompatible, detail)
    }

    /// A hashable key that respects JSON equality (1 == 1.0, key order ignored).
    static func canonicalKey(_ value: JSONValue) -> String {
        switch value {
        case .null: return "n"
        case .bool(let b): return b ? "t" : "f"
        case .integer(let i): return "#" + String(i)
        case .number(let d):
            if d.rounded() == d, abs(d) < 9.2e18, let i = Int(exactly: d) { return "#" + String(i) }
            return "#" + String(d)
        case .string(let s):
            var out = ""
            JSONSerializer.writeString(s, into: &out)
            return out
        case .array(let a): return "[" + a.map(canonicalKey).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { key in
                var k = ""
                JSONSerializer.writeString(key, into: &k)
                return k + ":" + canonicalKey(o[key]!)
            }.joined(separator: ",") + "}"
        }
    }

    private func compareEnumAndConst(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
        func values(_ obj: JSONObject) -> (values: [JSONValue], isConst: Bool)? {
            if let c = obj["const"] {
                if case .array(let e)? = obj["enum"] {
                    // Both: the const must also be in the enum; the const is the tighter one.
                    return e.contains(c) ? ([c], true) : ([], true)
                }
                return ([c], true)
            }
            if case .array(let e)? = obj["enum"] { return (e, false) }
            return nil
        }
        let o = values(oo), n = values(no)
        switch (o, n) {
        case (nil, nil):
            return .same
        case (nil, let n?):
            let list = n.values.map(CompatEngine.show).joined(separator: ", ")
            return emit(n.isConst ? .constAdded : .enumAdded, path.appending(n.isConst ? "const" : "enum"),
                        .narrowed, n.isConst ? "value fixed to \(list)" : "values restricted to [\(list)]")
        case (let o?, nil):
            return emit(o.isConst ? .constRemoved : .enumRemoved, path.appending(o.isConst ? "const" : "enum"),
                        .widened, o.isConst ? "value no longer fixed (was \(o.values.map(CompatEngine.show).joined()))"
                                            : "value list removed")
        case (let o?, let n?):
            if o.isConst && n.isConst {
                guard let a = o.values.first, let b = n.values.first else { return .same }
                if a == b { return .same }
                return emit(.constChanged, path.appending("const"), .incompatible,
                            "const \(CompatEngine.show(a)) → \(CompatEngine.show(b))")
            }
            var flags = CompatFlags.same
            let oldKeys = Set(o.values.map(CompatEngine.canonicalKey))
            let newKeys = Set(n.values.map(CompatEngine.canonicalKey))
            let at = path.appending(n.isConst ? "const" : "enum")
            var seen = Set<String>()
            for value in n.values {
                let key = CompatEngine.canonicalKey(value)
                if !oldKeys.contains(key), seen.insert(key).inserted {
                    flags &= emit(.enumValueAdded, at, .widened, "value \(CompatEngine.show(value)) added")
                }
            }
            for value in o.values {
                let key = CompatEngine.canonicalKey(value)
                if !newKeys.contains(key), seen.insert(key).inserted {
                    flags &= emit(.enumValueRemoved, path.appending(o.isConst ? "const" : "enum"), .narrowed,
                                  "value \(CompatEngine.show(value)) removed")
                }
            }
            return flags
        }
    }

    private func compareFormat(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
        let a = oo["format"]?.stringValue, b = no["format"]?.stringValue
        if a == b { return .same }
        let at = path.appending("format")
        let note = lenient ? " (an annotation in lenient mode)" : ""
        switch (a, b) {
        case (nil, let b?): return emit(.formatAdded, at, lenient ? .same : .narrowed, "format \"\(b)\" added\(note)")
        case (let a?, nil): return emit(.formatRemoved, at, lenient ? .same : .widened, "format \"\(a)\" removed\(note)")
        case (let a?, let b?): return emit(.formatChanged, at, lenient ? .same : .incompatible, "format \"\(a)\" → \"\(b)\"\(note)")
        default: return .same
        }
    }

    // MARK: Bounds

    private static func int(_ value: JSONValue?) -> Int? {
        guard let d = value?.doubleValue else { return nil }
        return Int(exactly: d.rounded())
    }

    /// A lower bound such as minLength: absent means `absent`; larger is narrower.
    func compareLower(_ bound: ChangeKind.Bound, _ oo: JSONObject, _ no: JSONObject,
                      _ path: JSONPointer, absent: Int = 0) -> CompatFlags {
        let keyword = bound.keyword
        let a = CompatEngine.int(oo[keyword]), b = CompatEngine.int(no[keyword])
        if a == b { return .same }
        let ea = a ?? absent, eb = b ?? absent
        if ea == eb { return .same }
        let move: ChangeKind.BoundMove = a == nil ? .added : b == nil ? .removed : eb > ea ? .increased : .decreased
        return emit(.bound(bound, move), path.appending(keyword), eb > ea ? .narrowed : .widened,
                    "\(keyword) \(a.map(String.init) ?? "none") → \(b.map(String.init) ?? "none")")
    }

    /// An upper bound such as maxLength: absent means unbounded; larger is wider.
    func compareUpper(_ bound: ChangeKind.Bound, _ oo: JSONObject, _ no: JSONObject,
                      _ path: JSONPointer) -> CompatFlags {
        let keyword = bound.keyword
        let a = CompatEngine.int(oo[keyword]), b = CompatEngine.int(no[keyword])
        if a == b { return .same }
        let move: ChangeKind.BoundMove
        let wider: Bool
        switch (a, b) {
        case (nil, _): move = .added; wider = false
        case (_, nil): move = .removed; wider = true
        case let (x?, y?): move = y > x ? .increased : .decreased; wider = y > x
        }
        return emit(.bound(bound, move), path.appending(keyword), wider ? .widened : .narrowed,
                    "\(keyword) \(a.map(String.init) ?? "none") → \(b.map(String.init) ?? "none")")
    }

    // MARK: Strings

    private func compareStrings(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
        var flags = compareLower(.minLength, oo, no, path)
        flags &= compareUpper(.maxLength, oo, no, path)
        let a = oo["pattern"]?.stringValue, b = no["pattern"]?.stringValue
        if a != b {
            let at = path.appending("pattern")
            switch (a, b) {
            case (nil, let b?): flags &= emit(.patternAdded, at, .narrowed, "pattern \"\(b)\" added")
            case (let a?, nil): flags &= emit(.patternRemoved, at, .widened, "pattern \"\(a)\" removed")
            case (let a?, let b?):
                flags &= emit(.patternChanged, at, .incompatible, "pattern \"\(a)\" → \"\(b)\" (regular languages are not compared)")
            default: break
            }
        }
        return flags
    }

    // MARK: Numbers

    private struct NumericBound: Equatable {
        var value: Double
        var exclusive: Bool
    }

    /// The tighter of the `minimum`/`exclusiveMinimum` (or maximum) constraints.
    private static func effectiveBound(_ obj: JSONObject, lower: Bool) -> NumericBound? {
        let plain = lower ? "minimum" : "maximum"
        let exclusive = lower ? "exclusiveMinimum" : "exclusiveMaximum"
        var bound: NumericBound?
        if let m = obj[plain]?.doubleValue {
            bound = NumericBound(value: m, exclusive: obj[exclusive]?.boolValue == true)
        }
        if let e = obj[exclusive]?.doubleValue {
            let candidate = NumericBound(value: e, exclusive: true)
            if let b = bound {
                let tighter = lower ? (e > b.value || (e == b.value)) : (e < b.value || (e == b.value))
                if tighter { bound = candidate }
            } else {
                bound = candidate
            }
        }
        return bound
    }

    /// Flags for moving a bound from `a` to `b`.
    private static func boundFlags(_ a: NumericBound?, _ b: NumericBound?, lower: Bool) -> CompatFlags {
        if a == b { return .same }
        guard let a else { return .narrowed }
        guard let b else { return .widened }
        if a.value == b.value { return b.exclusive ? .narrowed : .widened }
        let bLooser = lower ? b.value < a.value : b.value > a.value
        return bLooser ? .widened : .narrowed
    }

    private func compareNumbers(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
        var flags = CompatFlags.same
        for lower in [true, false] {
            let effective = CompatEngine.boundFlags(CompatEngine.effectiveBound(oo, lower: lower),
                                                    CompatEngine.effectiveBound(no, lower: lower), lower: lower)
            let bounds: [ChangeKind.Bound] = lower ? [.minimum, .exclusiveMinimum] : [.maximum, .exclusiveMaximum]
            for bound in bounds {
                let keyword = bound.keyword
                // Draft 4's `exclusiveMinimum: false` is the same as leaving it out.
                let a = oo[keyword] == .bool(false) ? nil : oo[keyword]
                let b = no[keyword] == .bool(false) ? nil : no[keyword]
                if a == b { continue }
                let move: ChangeKind.BoundMove
                switch (a, b) {
                case (nil, _): move = .added
                case (_, nil): move = .removed
                case let (x?, y?):
                    // Only the exclusive bounds can be non-numbers (draft 4's booleans).
                    if let dx = x.doubleValue, let dy = y.doubleValue { move = dy > dx ? .increased : .decreased } else { move = .changed }
                }
                let note = effective == .same ? " (the effective bound is unchanged)" : ""
                flags &= emit(.bound(bound, move), path.appending(keyword), effective,
                              "\(keyword) \(a.map(CompatEngine.show) ?? "none") → \(b.map(CompatEngine.show) ?? "none")\(note)")
            }
        }
        let a = oo["multipleOf"]?.doubleValue, b = no["multipleOf"]?.doubleValue
        if a != b {
            let at = path.appending("multipleOf")
            let detail = "multipleOf \(a.map { JSONSerializer.formatNumber($0) } ?? "none") → \(b.map { JSONSerializer.formatNumber($0) } ?? "none")"
            switch (a, b) {
            case (nil, _?): flags &= emit(.multipleOfAdded, at, .narrowed, detail)
            case (_?, nil): flags &= emit(.multipleOfRemoved, at, .widened, detail)
            case let (x?, y?):
                if CompatEngine.isMultiple(x, of: y) {
                    flags &= emit(.multipleOfReduced, at, .widened, detail + " (every multiple of the old value is a multiple of the new one)")
                } else if CompatEngine.isMultiple(y, of: x) {
                    flags &= emit(.multipleOfExpanded, at, .narrowed, detail)
                } else {
                    flags &= emit(.multipleOfChanged, at, .incompatible, detail)
                }
            default: break
            }
        }
        return flags
    }

    static func isMultiple(_ x: Double, of y: Double) -> Bool {
        let q = x / y
        return abs(q - q.rounded()) <= 1e-9 * max(1, abs(q))
    }

    // MARK: Arrays

    private struct ArrayModel {
        var prefix: [CompatPart]
        var rest: CompatPart?
    }

    private func arrayModel(_ node: CompatNode) -> ArrayModel {
        let obj = node.object
        if case .array(let items)? = obj["items"] {
            let prefix = items.enumerated().map { CompatPart(value: $1, loc: node.loc.appending("items").appending($0), tokens: ["items", String($0)]) }
            let rest = obj["additionalItems"].map { CompatPart(value: $0, loc: node.loc.appending("additionalItems"), tokens: ["additionalItems"]) }
            return ArrayModel(prefix: prefix, rest: rest)
        }
        var prefix: [CompatPart] = []
        if case .array(let items)? = obj["prefixItems"] {
            prefix = items.enumerated().map { CompatPart(value: $1, loc: node.loc.appending("prefixItems").appending($0), tokens: ["prefixItems", String($0)]) }
        }
        let rest = obj["items"].map { CompatPart(value: $0, loc: node.loc.appending("items"), tokens: ["items"]) }
        return ArrayModel(prefix: prefix, rest: rest)
    }

    private enum Coverage {
        case open
        case closed
        case partial(CompatPart)
    }

    private func coverage(_ part: CompatPart?, _ doc: CompatDocument) throws(CompatibilityError) -> Coverage {
        guard let part else { return .open }
        let node = try doc.resolve(part.value, at: part.loc)
        if node.isTriviallyTrue { return .open }
        if node.isFalse { return .closed }
        return .partial(part)
    }

    private func compareArrays(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let oo = o.object, no = n.object
        var flags = CompatFlags.same
        let om = arrayModel(o), nm = arrayModel(n)
        for i in 0..<max(om.prefix.count, nm.prefix.count) {
            if i < om.prefix.count && i < nm.prefix.count {
                flags &= try compare(om.prefix[i], nm.prefix[i], CompatEngine.path(path, nm.prefix[i].tokens))
            } else if i < nm.prefix.count {
                let item = nm.prefix[i]
                let at = CompatEngine.path(path, item.tokens)
                switch try coverage(om.rest, oldDoc) {
                case .open:
                    let trivial = try newDoc.isTriviallyTrue(item.value, at: item.loc)
                    flags &= emit(.itemAddedToOpenContentModel, at, CompatFlags(trivial, true),
                                  "tuple item \(i) declared; old arrays could hold any value there")
                case .closed:
                    let none = try newDoc.isFalse(item.value, at: item.loc)
                    flags &= emit(.itemAddedToClosedContentModel, at, CompatFlags(true, none),
                                  "tuple item \(i) added; old arrays could not be that long")
                case .partial(let rest):
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(rest, item, at) }
                    adopt(p)
                    flags &= emit(.itemAddedToPartiallyOpenContentModel, at, p.flags,
                                  "tuple item \(i) added; old arrays held it under \(rest.tokens.joined(separator: "/"))" +
                                  (p.flags.backward ? " (covered)" : " (not covered)"))
                }
            } else {
                let item = om.prefix[i]
                let at = CompatEngine.path(path, item.tokens)
                switch try coverage(nm.rest, newDoc) {
                case .open:
                    let trivial = try oldDoc.isTriviallyTrue(item.value, at: item.loc)
                    flags &= emit(.itemRemovedFromOpenContentModel, at, CompatFlags(true, trivial),
                                  "tuple item \(i) no longer declared; new arrays may hold any value there")
                case .closed:
                    let none = try oldDoc.isFalse(item.value, at: item.loc)
                    flags &= emit(.itemRemovedFromClosedContentModel, at, CompatFlags(none, true),
                                  "tuple item \(i) removed; new arrays may not be that long")
                case .partial(let rest):
                    let p = try probe { () throws(CompatibilityError) -> CompatFlags in try compare(item, rest, at) }
                    adopt(p)
                    flags &= emit(.itemRemovedFromPartiallyOpenContentModel, at, p.flags,
                                  "tuple item \(i) removed; new arrays hold it under \(rest.tokens.joined(separator: "/"))" +
                                  (p.flags.forward ? " (covered)" : " (not covered)"))
                }
            }
        }
        if om.rest != nil || nm.rest != nil {
            let oldRest = om.rest ?? CompatPart(absentAsTrue: nil, loc: o.loc.appending("items"), tokens: ["items"])
            let newRest = nm.rest ?? CompatPart(absentAsTrue: nil, loc: n.loc.appending("items"), tokens: oldRest.tokens)
            flags &= try compare(oldRest, newRest, CompatEngine.path(path, newRest.tokens))
        }
        flags &= compareLower(.minItems, oo, no, path)
        flags &= compareUpper(.maxItems, oo, no, path)
        let ua = oo["uniqueItems"]?.boolValue == true, ub = no["uniqueItems"]?.boolValue == true
        if ua != ub {
            flags &= ub ? emit(.uniqueItemsAdded, path.appending("uniqueItems"), .narrowed, "items must now be unique")
                        : emit(.uniqueItemsRemoved, path.appending("uniqueItems"), .widened, "items no longer need to be unique")
        }
        switch (oo["contains"], no["contains"]) {
        case (nil, nil): break
        case (nil, _?): flags &= emit(.containsAdded, path.appending("contains"), .narrowed, "arrays must now contain a matching item")
        case (_?, nil): flags &= emit(.containsRemoved, path.appending("contains"), .widened, "arrays no longer need a matching item")
        case let (a?, b?):
            flags &= try compare(CompatPart(value: a, loc: o.loc.appending("contains"), tokens: ["contains"]),
                                 CompatPart(value: b, loc: n.loc.appending("contains"), tokens: ["contains"]),
                                 path.appending("contains"))
        }
        if oo["contains"] != nil || no["contains"] != nil {
            flags &= compareLower(.minContains, oo, no, path, absent: 1)
            flags &= compareUpper(.maxContains, oo, no, path)
        }
        flags &= try compareOptionalSchemas("unevaluatedItems", o, n, path)
        return flags
    }

    /// An applicator whose absence means `true`, compared monotonically.
    private func compareOptionalSchemas(_ keyword: String, _ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let a = o.object[keyword], b = n.object[keyword]
        if a == nil && b == nil { return .same }
        return try compare(CompatPart(absentAsTrue: a, loc: o.loc.appending(keyword), tokens: [keyword]),
                           CompatPart(absentAsTrue: b, loc: n.loc.appending(keyword), tokens: [keyword]),
                           path.appending(keyword))
    }

    // MARK: Objects

    /// What governs a property name that `properties` does not list.
    private func coverage(ofProperty name: String, in node: CompatNode, _ doc: CompatDocument) throws(CompatibilityError) -> Coverage {
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

    private func compareObjects(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
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

    // MARK: Combinators

    /// Parts of an applicator array (`allOf`...). A synthesized node adds no path tokens.
    private func parts(_ node: CompatNode, _ keyword: String) -> [CompatPart] {
        guard case .array(let items)? = node.object[keyword] else { return [] }
        return items.enumerated().map { i, item in
            node.synthetic ? CompatPart(value: item, loc: node.loc, tokens: [])
                           : CompatPart(value: item, loc: node.loc.appending(keyword).appending(i), tokens: [keyword, String(i)])
        }
    }

    /// Whether a node has no assertions besides the given applicators.
    private func isPure(_ object: JSONObject, allowing keywords: Set<String>) -> Bool {
        for key in object.keys where CompatKeywords.assertions.contains(key) && !keywords.contains(key) { return false }
        return true
    }

    /// The node itself as the single alternative of a union — or one alternative per type when
    /// it has a type array (`{type: [string, null]}` is `anyOf: [{type: string}, {type: null}]`).
    private func asAlternatives(_ node: CompatNode) -> [CompatPart] {
        let whole = asConjunct(node)
        if case .object(let stripped) = whole.value, case .array(let types)? = stripped["type"], types.count > 1,
           stripped["anyOf"] == nil, stripped["oneOf"] == nil, stripped["allOf"] == nil {
            return types.map { type in
                var copy = stripped
                copy["type"] = type
                return CompatPart(value: .object(copy), loc: node.loc, tokens: [])
            }
        }
        return [whole]
    }

    /// The node without its annotations (those were compared at the node itself).
    private func asConjunct(_ node: CompatNode) -> CompatPart {
        guard case .object(let object) = node.value else { return CompatPart(value: node.value, loc: node.loc, tokens: []) }
        var stripped = JSONObject()
        for (k, v) in object where !CompatKeywords.annotations.contains(k) || k == "$defs" || k == "definitions" {
            stripped[k] = v
        }
        return CompatPart(value: .object(stripped), loc: node.loc, tokens: [])
    }

    /// A plain schema on one side against a pure `anyOf`/`oneOf`/`allOf` on the other: the plain
    /// schema is treated as a one-element combinator, so `{type: string}` → `oneOf: [{type:
    /// string}, {type: null}]` is a widening.
    private func compareWrapped(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags? {
        let oo = o.object, no = n.object
        func union(_ obj: JSONObject) -> String? {
            switch (obj["anyOf"] != nil, obj["oneOf"] != nil) {
            case (true, false): return "anyOf"
            case (false, true): return "oneOf"
            default: return nil
            }
        }
        let oldHasUnion = oo["anyOf"] != nil || oo["oneOf"] != nil
        let newHasUnion = no["anyOf"] != nil || no["oneOf"] != nil
        if let kind = union(no), !oldHasUnion, isPure(no, allowing: [kind]) {
            return try compareUnion(asAlternatives(o), kind, parts(n, kind), kind, path)
        }
        if let kind = union(oo), !newHasUnion, isPure(oo, allowing: [kind]) {
            return try compareUnion(parts(o, kind), kind, asAlternatives(n), kind, path)
        }
        if no["allOf"] != nil, oo["allOf"] == nil, isPure(no, allowing: ["allOf"]) {
            return try compareAllOf([asConjunct(o)], parts(n, "allOf"), path)
        }
        if oo["allOf"] != nil, no["allOf"] == nil, isPure(oo, allowing: ["allOf"]) {
            return try compareAllOf(parts(o, "allOf"), [asConjunct(n)], path)
        }
        return nil
    }

    private func compareCombinators(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let oo = o.object, no = n.object
        var flags = CompatFlags.same
        switch (oo["allOf"] != nil, no["allOf"] != nil) {
        case (true, true): flags &= try compareAllOf(parts(o, "allOf"), parts(n, "allOf"), path)
        case (true, false): flags &= emit(.allOfRemoved, path.appending("allOf"), .widened, "allOf constraint removed")
        case (false, true): flags &= emit(.allOfAdded, path.appending("allOf"), .narrowed, "allOf constraint added")
        case (false, false): break
        }
        let oa = oo["anyOf"] != nil, oOne = oo["oneOf"] != nil, na = no["anyOf"] != nil, nOne = no["oneOf"] != nil
        if oa && !oOne && nOne && !na {
            flags &= try compareUnion(parts(o, "anyOf"), "anyOf", parts(n, "oneOf"), "oneOf", path)
        } else if oOne && !oa && na && !nOne {
            flags &= try compareUnion(parts(o, "oneOf"), "oneOf", parts(n, "anyOf"), "anyOf", path)
        } else {
            for (keyword, combinator) in [("anyOf", ChangeKind.Combinator.anyOf), ("oneOf", .oneOf)] {
                switch (oo[keyword] != nil, no[keyword] != nil) {
                case (true, true): flags &= try compareUnion(parts(o, keyword), keyword, parts(n, keyword), keyword, path)
                case (true, false): flags &= emit(combinator.removed, path.appending(keyword), .widened, "\(keyword) constraint removed")
                case (false, true): flags &= emit(combinator.added, path.appending(keyword), .narrowed, "\(keyword) constraint added")
                case (false, false): break
                }
            }
        }
        switch (oo["not"], no["not"]) {
        case (nil, nil): break
        case (nil, _?): flags &= emit(.notAdded, path.appending("not"), .narrowed, "\"not\" constraint added")
        case (_?, nil): flags &= emit(.notRemoved, path.appending("not"), .widened, "\"not\" constraint removed")
        case let (a?, b?):
            // `not` reverses inclusion: a wider negated schema makes a narrower schema.
            let start = changes.count
            let inner = try compare(CompatPart(value: a, loc: o.loc.appending("not"), tokens: ["not"]),
                                    CompatPart(value: b, loc: n.loc.appending("not"), tokens: ["not"]), path.appending("not"))
            for i in start..<changes.count {
                let c = changes[i]
                changes[i] = SchemaChange(kind: c.kind, path: c.path, backward: c.forward, forward: c.backward,
                                          detail: c.isAnnotation ? c.detail : c.detail + " (inside \"not\": directions reversed)",
                                          property: c.property)
            }
            flags &= inner.flipped
        }
        return flags
    }

    /// if/then/else: with an equivalent `if`, `then` and `else` are compared monotonically;
    /// a changed condition is not analysed.
    private func compareConditional(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let oo = o.object, no = n.object
        switch (oo["if"], no["if"]) {
        case (nil, nil):
            return .same
        case (nil, _?):
            return emit(.conditionalAdded, path.appending("if"), .narrowed, "if/then/else added")
        case (_?, nil):
            return emit(.conditionalRemoved, path.appending("if"), .widened, "if/then/else removed")
        case let (a?, b?):
            let oldIf = CompatPart(value: a, loc: o.loc.appending("if"), tokens: ["if"])
            let newIf = CompatPart(value: b, loc: n.loc.appending("if"), tokens: ["if"])
            let condition = try probe { () throws(CompatibilityError) -> CompatFlags in
                try compare(oldIf, newIf, path.appending("if"))
            }
            guard condition.substantialChanges == 0 else {
                return emit(.conditionalChanged, path.appending("if"), .incompatible,
                            "the \"if\" condition changed (conditions are not compared)")
            }
            adopt(condition)
            var flags = CompatFlags.same
            for keyword in ["then", "else"] where oo[keyword] != nil || no[keyword] != nil {
                flags &= try compare(CompatPart(absentAsTrue: oo[keyword], loc: o.loc.appending(keyword), tokens: [keyword]),
                                     CompatPart(absentAsTrue: no[keyword], loc: n.loc.appending(keyword), tokens: [keyword]),
                                     path.appending(keyword))
            }
            return flags
        }
    }

    /// Probes every (old, new) pair and pairs them greedily: fewest substantial changes first,
    /// then nearest positions; only pairs related in at least one direction are paired.
    private func pairUp(_ old: [CompatPart], _ new: [CompatPart], _ path: JSONPointer) throws(CompatibilityError)
        -> (probes: [[CompatProbe]], pairs: [(Int, Int)], unmatchedOld: [Int], unmatchedNew: [Int]) {
        // Alternatives that resolve to the same `$ref` pair probe alike (the memo state does not
        // change between probes): such a probe is computed once and copied with its paths moved.
        // This keeps `anyOf` of 150 `$ref`s to one definition, nested, from multiplying.
        var cache: [PairKey: (probe: CompatProbe, base: JSONPointer)] = [:]
        var probes: [[CompatProbe]] = []
        for o in old {
            let ro = try oldDoc.resolve(o.value, at: o.loc)
            var row: [CompatProbe] = []
            for n in new {
                let base = CompatEngine.path(path, n.tokens)
                let rn = try newDoc.resolve(n.value, at: n.loc)
                let key: PairKey? = cachesProbes && (ro.viaRef || rn.viaRef)
                    ? PairKey(old: Self.memoLocation(ro), new: Self.memoLocation(rn)) : nil
                if let key, let hit = cache[key] {
                    try step(base)
                    row.append(Self.rebase(hit.probe, from: hit.base, to: base))
                    continue
                }
                let result = try probe { () throws(CompatibilityError) -> CompatFlags in
                    try compare(o, n, base)
                }
                if let key { cache[key] = (result, base) }
                row.append(result)
            }
            probes.append(row)
        }
        var candidates: [(cost: Int, distance: Int, i: Int, j: Int)] = []
        for i in old.indices {
            for j in new.indices {
                let p = probes[i][j]
                if p.flags.backward || p.flags.forward {
                    candidates.append((p.substantialChanges, abs(i - j), i, j))
                }
            }
        }
        candidates.sort { ($0.cost, $0.distance, $0.i, $0.j) < ($1.cost, $1.distance, $1.i, $1.j) }
        var usedOld = Set<Int>(), usedNew = Set<Int>()
        var pairs: [(Int, Int)] = []
        for c in candidates where !usedOld.contains(c.i) && !usedNew.contains(c.j) {
            usedOld.insert(c.i)
            usedNew.insert(c.j)
            pairs.append((c.i, c.j))
        }
        pairs.sort { $0.1 < $1.1 }
        return (probes, pairs, old.indices.filter { !usedOld.contains($0) }, new.indices.filter { !usedNew.contains($0) })
    }

    /// `probe` as found at `to` instead of `from`: change paths under `from` move.
    private static func rebase(_ probe: CompatProbe, from: JSONPointer, to: JSONPointer) -> CompatProbe {
        if from == to { return probe }
        var moved = probe
        let prefix = from.tokens.count
        moved.changes = probe.changes.map { change in
            guard change.path.tokens.count >= prefix, change.path.tokens.starts(with: from.tokens) else { return change }
            return SchemaChange(kind: change.kind, path: JSONPointer(tokens: to.tokens + change.path.tokens.dropFirst(prefix)),
                                backward: change.backward, forward: change.forward, detail: change.detail,
                                property: change.property)
        }
        return moved
    }

    /// `allOf`: the new conjunction accepts at least what the old one did if each new conjunct
    /// is implied by some old conjunct.
    private func compareAllOf(_ old: [CompatPart], _ new: [CompatPart], _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let (probes, pairs, unmatchedOld, unmatchedNew) = try pairUp(old, new, path)
        var flags = CompatFlags.same
        for (i, j) in pairs {
            adopt(probes[i][j])
            flags &= probes[i][j].flags
        }
        for j in unmatchedNew {
            let backward = old.indices.contains { probes[$0][j].flags.backward }
            flags &= emit(.allOfSubschemaAdded, CompatEngine.path(path, new[j].tokens), CompatFlags(backward, true),
                          "conjunct added: \(CompatEngine.show(new[j].value))")
        }
        for i in unmatchedOld {
            let forward = new.indices.contains { probes[i][$0].flags.forward }
            flags &= emit(.allOfSubschemaRemoved, CompatEngine.path(path, old[i].tokens), CompatFlags(true, forward),
                          "conjunct removed: \(CompatEngine.show(old[i].value))")
        }
        return flags
    }

    /// The JSON types a subschema can accept, from `type`, `const` and `enum`.
    private func acceptedTypes(_ part: CompatPart, _ doc: CompatDocument) throws(CompatibilityError) -> CompatTypeSet {
        let node = try doc.resolve(part.value, at: part.loc)
        if node.isFalse { return [] }
        let obj = node.object
        var set = CompatTypeSet.of(typeKeyword: obj["type"]) ?? .all
        if let c = obj["const"] { set.formIntersection(CompatTypeSet(of: c)) }
        if case .array(let values)? = obj["enum"] {
            var e: CompatTypeSet = []
            for v in values { e.formUnion(CompatTypeSet(of: v)) }
            set.formIntersection(e)
        }
        if set.contains(.integer) || set.contains(.fraction) { set.formUnion(.number) }
        return set
    }

    /// Whether alternative `index` can never match the same instance as another alternative
    /// (judged by JSON type only).
    private func isDisjoint(_ index: Int, in parts: [CompatPart], _ doc: CompatDocument) throws(CompatibilityError) -> Bool {
        let mine = try acceptedTypes(parts[index], doc)
        for (k, other) in parts.enumerated() where k != index {
            if !mine.intersection(try acceptedTypes(other, doc)).isEmpty { return false }
        }
        return true
    }

    /// `anyOf` / `oneOf`: the new union accepts at least what the old one did if each old
    /// alternative is covered by some new alternative. `oneOf` also needs exclusivity: in strict
    /// mode an added `oneOf` alternative only widens when its JSON types overlap no sibling.
    private func compareUnion(_ old: [CompatPart], _ oldKind: String, _ new: [CompatPart], _ newKind: String,
                              _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let (probes, pairs, unmatchedOld, unmatchedNew) = try pairUp(old, new, path)
        var flags = CompatFlags.same
        if oldKind != newKind {
            let strictFlags: CompatFlags
            if newKind == "oneOf" {
                var exclusive = true
                for j in new.indices {
                    if try !isDisjoint(j, in: new, newDoc) { exclusive = false; break }
                }
                strictFlags = CompatFlags(exclusive, true)
            } else {
                var exclusive = true
                for i in old.indices {
                    if try !isDisjoint(i, in: old, oldDoc) { exclusive = false; break }
                }
                strictFlags = CompatFlags(true, exclusive)
            }
            flags &= emit(.combinatorChanged, path.appending(newKind), lenient ? .same : strictFlags,
                          "\(oldKind) became \(newKind)")
        }
        for (i, j) in pairs {
            adopt(probes[i][j])
            flags &= probes[i][j].flags
        }
        let newCombinator: ChangeKind.Combinator = newKind == "anyOf" ? .anyOf : .oneOf
        let oldCombinator: ChangeKind.Combinator = oldKind == "anyOf" ? .anyOf : .oneOf
        for j in unmatchedNew {
            var backward = true
            var note = ""
            if newKind == "oneOf" && !lenient, try !isDisjoint(j, in: new, newDoc) {
                backward = false
                note = " (it may overlap another oneOf alternative, which would then reject instances matching both)"
            }
            let forward = old.indices.contains { probes[$0][j].flags.forward }
            flags &= emit(newCombinator.subschemaAdded, CompatEngine.path(path, new[j].tokens), CompatFlags(backward, forward),
                          "alternative added: \(CompatEngine.show(new[j].value))\(note)")
        }
        for i in unmatchedOld {
            var forward = true
            var note = ""
            if oldKind == "oneOf" && !lenient, try !isDisjoint(i, in: old, oldDoc) {
                forward = false
                note = " (it may have overlapped another oneOf alternative)"
            }
            let backward = new.indices.contains { probes[i][$0].flags.backward }
            flags &= emit(oldCombinator.subschemaRemoved, CompatEngine.path(path, old[i].tokens), CompatFlags(backward, forward),
                          "alternative removed: \(CompatEngine.show(old[i].value))\(note)")
        }
        return flags
    }
}
