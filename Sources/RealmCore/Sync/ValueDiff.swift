import RealmJSON

/// Human lines describing how a contract value changed, as the seeds print them:
/// `+ training-metrics/experiments/*` for an added list entry, `- x` for a removed one,
/// `~ /path: old -> new` for a changed scalar.
public enum ValueDiff {
    public static func lines(from old: JSONValue, to new: JSONValue) -> [String] {
        var out: [String] = []
        walk(old, new, at: .root, into: &out)
        return out
    }

    private static func walk(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPointer, into out: inout [String]) {
        let label = path.description.isEmpty ? "(value)" : path.description
        switch (old, new) {
        case let (.object(a)?, .object(b)?):
            for (key, value) in a { walk(value, b[key], at: path / key, into: &out) }
            for (key, value) in b where a[key] == nil { walk(nil, value, at: path / key, into: &out) }
        case let (.array(a)?, .array(b)?) where a.allSatisfy(isScalar) && b.allSatisfy(isScalar):
            let prefix = path.tokens.count > 1 ? label + ": " : ""
            for item in b where !a.contains(item) { out.append("+ \(prefix)\(text(item))") }
            for item in a where !b.contains(item) { out.append("- \(prefix)\(text(item))") }
        case let (a?, b?):
            if a != b { out.append("~ \(label): \(text(a)) -> \(text(b))") }
        case let (nil, b?):
            if case .array(let items) = b, items.allSatisfy(isScalar) {
                out.append("+ \(label): [\(items.map(text).joined(separator: ", "))]")
            } else {
                out.append("+ \(label): \(text(b))")
            }
        case let (a?, nil):
            out.append("- \(label): \(text(a))")
        case (nil, nil):
            break
        }
    }

    private static func isScalar(_ v: JSONValue) -> Bool {
        switch v { case .array, .object: return false; default: return true }
    }

    private static func text(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return JSONSerializer.string(v)
    }
}
