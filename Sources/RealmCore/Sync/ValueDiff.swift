import RealmJSON
import RealmLimits
import RealmSupport

/// Human lines describing how a contract value changed, as the seeds print them:
/// `+ training-metrics/experiments/*` for an added list entry, `- x` for a removed one,
/// `~ /path: old -> new` for a changed scalar.
///
/// Linear in the size of both values: list entries are compared through a hash set, so
/// renaming every entry of a 20,000-entry list costs milliseconds, not a quadratic scan. At
/// most `Limits.valueDiffLines` lines are returned; a last line says how many were left out.
public enum ValueDiff {
    public static func lines(from old: JSONValue, to new: JSONValue) -> [String] {
        var out: [String] = []
        walk(old, new, at: .root, into: &out)
        return capped(out)
    }

    /// Whether `new` removes or changes anything of `old` (a list entry gone, a key gone, a
    /// scalar changed): what a grace period protects importers from. Additions alone do not narrow.
    public static func narrows(from old: JSONValue, to new: JSONValue) -> Bool {
        // Every line, not the capped list: a removal after the first 200 additions still counts.
        var out: [String] = []
        walk(old, new, at: .root, into: &out)
        return out.contains { $0.hasPrefix("- ") || $0.hasPrefix("~ ") }
    }

    static func capped(_ lines: [String], limit: Int = Limits.valueDiffLines) -> [String] {
        guard lines.count > limit else { return lines }
        return Array(lines.prefix(limit)) + ["... and \(lines.count - limit) more"]
    }

    private static func walk(_ old: JSONValue?, _ new: JSONValue?, at path: JSONPointer, into out: inout [String]) {
        let label = path.description.isEmpty ? "(value)" : path.description
        switch (old, new) {
        case let (.object(a)?, .object(b)?):
            for (key, value) in a { walk(value, b[key], at: path / key, into: &out) }
            for (key, value) in b where a[key] == nil { walk(nil, value, at: path / key, into: &out) }
        case let (.array(a)?, .array(b)?) where a.allSatisfy(isScalar) && b.allSatisfy(isScalar):
            let prefix = path.tokens.count > 1 ? label + ": " : ""
            // Entries of one list missing from the other, in order (duplicates included), as
            // `contains` would find them, through a set.
            let inA = Set(a.map(ScalarKey.init)), inB = Set(b.map(ScalarKey.init))
            for item in b where !inA.contains(ScalarKey(item)) { out.append("+ \(prefix)\(text(item))") }
            for item in a where !inB.contains(ScalarKey(item)) { out.append("- \(prefix)\(text(item))") }
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

/// A scalar hashed consistently with `JSONValue.==` (`1 == 1.0`; strings by Swift equality).
private struct ScalarKey: Hashable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    static func == (a: ScalarKey, b: ScalarKey) -> Bool { a.value == b.value }

    func hash(into hasher: inout Hasher) {
        switch value {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .integer(let i): hasher.combine(2); hasher.combine(Double(i))
        case .number(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .array, .object: hasher.combine(4)
        }
    }
}
