import RealmJSON
import RealmLimits

extension CompatEngine {
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

    enum Coverage {
        case open
        case closed
        case partial(CompatPart)
    }

    func coverage(_ part: CompatPart?, _ doc: CompatDocument) throws(CompatibilityError) -> Coverage {
        guard let part else { return .open }
        let node = try doc.resolve(part.value, at: part.loc)
        if node.isTriviallyTrue { return .open }
        if node.isFalse { return .closed }
        return .partial(part)
    }

    func compareArrays(_ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
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
    func compareOptionalSchemas(_ keyword: String, _ o: CompatNode, _ n: CompatNode, _ path: JSONPointer) throws(CompatibilityError) -> CompatFlags {
        let a = o.object[keyword], b = n.object[keyword]
        if a == nil && b == nil { return .same }
        return try compare(CompatPart(absentAsTrue: a, loc: o.loc.appending(keyword), tokens: [keyword]),
                           CompatPart(absentAsTrue: b, loc: n.loc.appending(keyword), tokens: [keyword]),
                           path.appending(keyword))
    }
}
