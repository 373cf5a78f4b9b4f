import RealmJSON
import RealmLimits

extension CompatEngine {
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
    func compareWrapped(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags? {
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

    func compareCombinators(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
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
    func compareConditional(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
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
