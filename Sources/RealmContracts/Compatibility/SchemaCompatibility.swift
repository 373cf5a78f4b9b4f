import RealmJSON

/// Compares JSON Schemas for backward / forward compatibility, in the spirit of Confluent
/// Schema Registry's JSON Schema rules. See docs/compatibility.md for every change kind.
///
/// - *backward*: readers with the NEW schema accept all data written with the OLD one.
/// - *forward*: readers with the OLD schema accept all data written with the NEW one.
///
/// Supported: draft 4 to 2020-12 keywords for types, enum/const, string, number, array and
/// object constraints, `allOf`/`anyOf`/`oneOf`/`not`, `if`/`then`/`else`, and local `$ref`s
/// (`#`, `#/json/pointer`, `#anchor`), including recursive schemas. Remote references are
/// refused. Regular expressions (`pattern`) are compared textually.
public enum SchemaCompatibility {
    /// Compares two schemas. Throws when either schema is malformed (a keyword of the wrong
    /// type, an unresolvable `$ref`...), naming the schema and the JSON pointer of the problem.
    public static func compare(old: JSONValue, new: JSONValue,
                               mode: CompatibilityMode = .strict) throws(CompatibilityError) -> CompatibilityReport {
        let engine = CompatEngine(old: old, new: new, mode: mode)
        return CompatibilityReport(mode: mode, changes: try engine.run())
    }

    /// Compares `new` with every schema in `history` (as Confluent's `*_TRANSITIVE` levels do),
    /// returning one report per historic version, in the order given.
    public static func checkTransitive(history: [(version: Version, schema: JSONValue)], new: JSONValue,
                                       mode: CompatibilityMode = .strict) throws(CompatibilityError) -> [(Version, CompatibilityReport)] {
        var results: [(Version, CompatibilityReport)] = []
        results.reserveCapacity(history.count)
        for entry in history {
            do {
                results.append((entry.version, try compare(old: entry.schema, new: new, mode: mode)))
            } catch {
                throw error.side == .old
                    ? error.prefixed(by: .root, message: "schema of version \(entry.version)")
                    : error
            }
        }
        return results
    }

    /// Whether `new` is compatible in `direction` with every schema in `history`.
    public static func isTransitivelyCompatible(history: [(version: Version, schema: JSONValue)], new: JSONValue,
                                                direction: CompatibilityDirection,
                                                mode: CompatibilityMode = .strict) throws(CompatibilityError) -> Bool {
        try checkTransitive(history: history, new: new, mode: mode).allSatisfy { $0.1.isCompatible(direction) }
    }

    /// The structural checks `compare` makes: keyword value types and `$ref` targets.
    public static func validate(_ schema: JSONValue) throws(CompatibilityError) {
        let document = CompatDocument(root: schema, side: .new)
        do {
            try document.validate()
        } catch {
            throw CompatibilityError(side: nil, location: error.location, message: error.message)
        }
    }
}
