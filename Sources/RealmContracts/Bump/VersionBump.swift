import RealmJSON

/// How big a version bump is (or must be).
public enum BumpLevel: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case none, patch, minor, major

    public static func < (lhs: BumpLevel, rhs: BumpLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .none: return "none"
        case .patch: return "patch"
        case .minor: return "minor"
        case .major: return "major"
        }
    }
}

/// A contract's `compatibility` block, with the seeds' meaning (RFC 0001):
/// `backwards: true` — "new version readable by old importers": importers built against an
/// older version accept every value of the new one, i.e. the schema change is *forward*
/// compatible in schema-registry terms (old readers, new data);
/// `forwards: true` — "old version readable by new importers": the change is *backward*
/// compatible (new readers, old data). See docs/compatibility.md.
public struct ContractCompatibility: Sendable, Hashable {
    /// Old importers can read new versions (schema change must be forward compatible).
    public var backwards: Bool
    /// New importers can read old versions (schema change must be backward compatible).
    public var forwards: Bool

    public init(backwards: Bool = true, forwards: Bool = false) {
        self.backwards = backwards
        self.forwards = forwards
    }

    /// The directions a schema change must keep. With neither flag set, a change that keeps
    /// *some* direction is accepted; one that keeps neither is still breaking.
    public var requiredDirections: [CompatibilityDirection] {
        var result: [CompatibilityDirection] = []
        if backwards { result.append(.forward) }
        if forwards { result.append(.backward) }
        return result
    }

    /// Whether `change` breaks this declaration.
    public func isBroken(by change: SchemaChange) -> Bool {
        if !backwards && !forwards { return !change.backward && !change.forward }
        return (backwards && !change.forward) || (forwards && !change.backward)
    }

    public var text: String {
        switch (backwards, forwards) {
        case (true, true): return "backwards and forwards"
        case (true, false): return "backwards (old importers read new versions)"
        case (false, true): return "forwards (new importers read old versions)"
        case (false, false): return "either direction"
        }
    }
}

/// What a contract change requires.
public struct BumpAnalysis: Sendable, Hashable {
    /// The smallest bump the change needs.
    public let required: BumpLevel
    /// The compatibility the old contract promised (the promise the change is held to).
    public let declared: ContractCompatibility
    /// Old schema against new schema.
    public let schemaReport: CompatibilityReport
    /// The schema changes that break `declared`.
    public let breakingChanges: [SchemaChange]
    /// Whether the contract's `value` changed.
    public let valueChanged: Bool
    /// One line per reason, most important first.
    public let reasons: [String]
}

/// Version bump rules for contracts. See docs/semver.md.
///
/// - `major`: a schema change breaks a direction the old contract declares
///   (`compatibility.backwards` => the change must be forward compatible: old importers read
///   new values; `compatibility.forwards` => backward compatible: new importers read old
///   values), or the contract is renamed.
/// - `minor`: any other schema change that affects validation, any change of `value`, or a
///   change of the `compatibility` block.
/// - `patch`: metadata only — schema annotations (title, description, default...), `owner`,
///   `validation`, `evolution` or other keys.
/// - `none`: nothing but `version` changed.
///
/// At 0.x the caret convention applies (as Cargo and npm read `^0.y.z`): a breaking change
/// needs a minor bump (0.3.1 → 0.4.0), a compatible change a patch bump (0.3.1 → 0.3.2); at
/// 0.0.z every bump counts as breaking. A pre-release promises nothing, so any higher version
/// may follow it.
public enum VersionBump {
    /// Compares two contracts (JSON objects with name, version, owner, compatibility, schema,
    /// value, validation, evolution). Errors carry the contract side and a pointer such as
    /// `/schema/properties/x/type`.
    public static func analyze(old: JSONValue, new: JSONValue,
                               mode: CompatibilityMode = .lenient) throws(CompatibilityError) -> BumpAnalysis {
        guard case .object(let o) = old else {
            throw CompatibilityError(side: .old, location: .root, message: "a contract must be a JSON object, found \(old.typeName)")
        }
        guard case .object(let n) = new else {
            throw CompatibilityError(side: .new, location: .root, message: "a contract must be a JSON object, found \(new.typeName)")
        }
        let declared = try compatibility(of: o, side: .old)
        _ = try compatibility(of: n, side: .new)

        let report: CompatibilityReport
        do {
            report = try SchemaCompatibility.compare(old: o["schema"] ?? .bool(true), new: n["schema"] ?? .bool(true), mode: mode)
        } catch {
            throw error.prefixed(by: JSONPointer(tokens: ["schema"]))
        }
        let breaking = report.changes.filter(declared.isBroken)
        var level = BumpLevel.none
        var reasons: [String] = []
        func need(_ l: BumpLevel, _ reason: String) {
            level = max(level, l)
            reasons.append(reason)
        }

        if let a = o["name"]?.stringValue, let b = n["name"]?.stringValue, a != b {
            need(.major, "contract renamed from \"\(a)\" to \"\(b)\"")
        }
        for change in breaking {
            need(.major, "\(change.path.tokens.isEmpty ? "/" : change.path.description): \(change.kind) breaks \(declared.text) compatibility (\(change.detail))")
        }
        let substantial = report.changes.filter { !$0.isAnnotation && !declared.isBroken(by: $0) }
        if !substantial.isEmpty {
            let kinds = CompatibilityReport(mode: mode, changes: substantial).kinds.map(\.rawValue).joined(separator: ", ")
            need(.minor, "compatible schema change\(substantial.count == 1 ? "" : "s"): \(kinds)")
        }
        let valueChanged = o["value"] != n["value"]
        if valueChanged { need(.minor, "value changed") }
        if o["compatibility"] != n["compatibility"] { need(.minor, "compatibility declaration changed") }
        let annotations = report.changes.filter(\.isAnnotation)
        if !annotations.isEmpty {
            let kinds = CompatibilityReport(mode: mode, changes: annotations).kinds.map(\.rawValue).joined(separator: ", ")
            need(.patch, "schema metadata changed: \(kinds)")
        } else if report.changes.isEmpty && o["schema"] != n["schema"] {
            need(.patch, "schema text changed without changing validation")
        }
        let handled: Set<String> = ["version", "name", "schema", "value", "compatibility"]
        var metadata: [String] = []
        for key in o.keys where !handled.contains(key) && o[key] != n[key] { metadata.append(key) }
        for key in n.keys where !handled.contains(key) && o[key] == nil { metadata.append(key) }
        if !metadata.isEmpty { need(.patch, "metadata changed: \(metadata.joined(separator: ", "))") }

        return BumpAnalysis(required: level, declared: declared, schemaReport: report, breakingChanges: breaking,
                            valueChanged: valueChanged, reasons: reasons)
    }

    /// The smallest bump from `old` to `new` contract.
    public static func required(old: JSONValue, new: JSONValue,
                                mode: CompatibilityMode = .lenient) throws(CompatibilityError) -> BumpLevel {
        try analyze(old: old, new: new, mode: mode).required
    }

    private static func compatibility(of contract: JSONObject, side: CompatibilityError.Side) throws(CompatibilityError) -> ContractCompatibility {
        guard let block = contract["compatibility"] else { return ContractCompatibility() }
        guard case .object(let c) = block else {
            throw CompatibilityError(side: side, location: JSONPointer(tokens: ["compatibility"]),
                                     message: "\"compatibility\" must be an object with \"backwards\" and \"forwards\" booleans")
        }
        var result = ContractCompatibility()
        for key in ["backwards", "forwards"] {
            guard let value = c[key] else { continue }
            guard case .bool(let b) = value else {
                throw CompatibilityError(side: side, location: JSONPointer(tokens: ["compatibility", key]),
                                         message: "\"\(key)\" must be a boolean, found \(value)")
            }
            if key == "backwards" { result.backwards = b } else { result.forwards = b }
        }
        return result
    }

    // MARK: Versions

    /// What a move from `old` to `new` may carry under the caret convention: `major` for a
    /// major bump (or a minor bump at 0.y, any bump at 0.0.z), `minor` for a minor bump (a
    /// patch bump at 0.y), `patch` for a patch bump, `none` when the version did not increase.
    /// A pre-release `old` promises nothing, so any increase counts as `major`.
    public static func effectiveBump(from old: Version, to new: Version) -> BumpLevel {
        guard old < new else { return .none }
        if old.isPrerelease { return .major }
        if old.major == 0 {
            if old.minor == 0 { return .major }
            if new.major > 0 || new.minor > old.minor { return .major }
            return .minor
        }
        if new.major > old.major { return .major }
        if new.minor > old.minor { return .minor }
        return .patch
    }

    /// The bump as written (which version part increased), without the 0.x convention.
    public static func literalBump(from old: Version, to new: Version) -> BumpLevel {
        guard old < new else { return .none }
        if new.major != old.major { return .major }
        if new.minor != old.minor { return .minor }
        if new.patch != old.patch { return .patch }
        return .none
    }

    /// The lowest release that satisfies `required` after `old` (0.x-aware).
    public static func minimumVersion(after old: Version, for required: BumpLevel) -> Version {
        if required == .none { return old }
        if old.isPrerelease { return old.release }
        switch required {
        case .none: return old
        case .patch: return Version(old.major, old.minor, successor(old.patch))
        case .minor:
            if old.major == 0 { return Version(0, old.minor, successor(old.patch)) }
            return Version(old.major, successor(old.minor), 0)
        case .major:
            if old.major == 0 {
                return old.minor == 0 ? Version(0, 0, successor(old.patch)) : Version(0, successor(old.minor), 0)
            }
            return Version(successor(old.major), 0, 0)
        }
    }

    /// Whether going from `oldVersion` to `newVersion` is enough for changes that require
    /// `required`. A bigger bump is always fine; the version may never go down.
    public static func check(oldVersion: Version, newVersion: Version, required: BumpLevel) -> (ok: Bool, message: String) {
        let move = "\(oldVersion) → \(newVersion)"
        if newVersion < oldVersion {
            return (false, "\(move): the version went down")
        }
        if newVersion == oldVersion {
            if required == .none { return (true, "\(oldVersion): unchanged, and nothing requires a bump") }
            return (false, "\(oldVersion) was not bumped, but the changes require a \(required) bump (\(minimumVersion(after: oldVersion, for: required)) or later)")
        }
        if oldVersion.isPrerelease {
            return (true, "\(move): \(oldVersion) is a pre-release, which promises no compatibility, so any higher version will do")
        }
        let literal = literalBump(from: oldVersion, to: newVersion)
        let effective = effectiveBump(from: oldVersion, to: newVersion)
        var what = "a \(literal) bump"
        if effective != literal {
            what += oldVersion.minor == 0 && oldVersion.major == 0
                ? " (at 0.0.x every bump counts as breaking)"
                : " (at 0.x it counts as \(effective == .major ? "breaking" : "a compatible change"))"
        }
        if effective >= required {
            let need = required == .none ? "no bump was required" : "a \(required) change is allowed"
            return (true, "\(move) is \(what); \(need)")
        }
        let minimum = minimumVersion(after: oldVersion, for: required)
        var why = "the changes require a \(required) bump"
        if oldVersion.major == 0 && required >= .minor {
            why = required == .major ? "the changes are breaking, which at 0.x needs a minor bump"
                                     : "the changes need a patch bump at 0.x"
        }
        return (false, "\(move) is \(what), but \(why): use \(minimum) or later")
    }

    /// Checks the `version` fields of two contracts against `analyze`.
    public static func verify(old: JSONValue, new: JSONValue,
                              mode: CompatibilityMode = .lenient) throws(CompatibilityError) -> (analysis: BumpAnalysis, ok: Bool, message: String) {
        let analysis = try analyze(old: old, new: new, mode: mode)
        let oldVersion = try version(of: old, side: .old)
        let newVersion = try version(of: new, side: .new)
        let verdict = check(oldVersion: oldVersion, newVersion: newVersion, required: analysis.required)
        return (analysis, verdict.ok, verdict.message)
    }

    static func version(of contract: JSONValue, side: CompatibilityError.Side) throws(CompatibilityError) -> Version {
        let location = JSONPointer(tokens: ["version"])
        guard case .string(let text)? = contract["version"] else {
            throw CompatibilityError(side: side, location: location, message: "\"version\" must be a SemVer string")
        }
        do {
            return try Version(text)
        } catch {
            throw CompatibilityError(side: side, location: location, message: error.description)
        }
    }
}
