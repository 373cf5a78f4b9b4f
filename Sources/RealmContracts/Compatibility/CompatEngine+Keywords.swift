import RealmJSON
import RealmLimits

extension CompatEngine {
    // MARK: Annotations

    private static let annotationKinds: [String: ChangeKind] = [
        "title": .titleChanged, "description": .descriptionChanged, "default": .defaultChanged,
        "examples": .examplesChanged, "$comment": .commentChanged, "deprecated": .deprecatedChanged,
        "readOnly": .readOnlyChanged, "writeOnly": .writeOnlyChanged, "$id": .idChanged,
        "$schema": .schemaDialectChanged, "$anchor": .anchorChanged, "$dynamicAnchor": .anchorChanged,
        "$recursiveAnchor": .anchorChanged, "contentEncoding": .contentAnnotationChanged,
        "contentMediaType": .contentAnnotationChanged, "contentSchema": .contentAnnotationChanged,
    ]

    func compareAnnotations(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
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

    func compareTypes(_ old: CompatTypeSet?, _ new: CompatTypeSet?, _ path: JSONPointer) -> CompatFlags {
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

    func compareEnumAndConst(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
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

    func compareFormat(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
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

    func compareStrings(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
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

    func compareNumbers(_ oo: JSONObject, _ no: JSONObject, _ path: JSONPointer) -> CompatFlags {
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
}
