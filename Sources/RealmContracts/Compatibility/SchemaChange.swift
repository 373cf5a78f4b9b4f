import RealmJSON

/// How strictly schema changes are judged. See docs/compatibility.md.
public enum CompatibilityMode: String, Sendable, Hashable, CaseIterable {
    /// Set semantics: a change is backward compatible only if every instance the old schema
    /// accepts is accepted by the new one (and forward the other way round). An open content
    /// model already accepts any value under an undeclared name, so declaring that property
    /// narrows the schema.
    case strict
    /// What users expect: writers only emit properties their schema declares (by `properties`,
    /// `patternProperties` or a schema-valued `additionalProperties`), readers fill in `default`
    /// for a missing property, and `format` is an annotation. Adding an optional property to an
    /// open content model is then compatible both ways.
    case lenient
}

/// A compatibility direction between an old and a new schema version.
public enum CompatibilityDirection: String, Sendable, Hashable, CaseIterable {
    /// Readers using the NEW schema accept all data written with the OLD one (new ⊇ old).
    case backward
    /// Readers using the OLD schema accept all data written with the NEW one (old ⊇ new).
    case forward
}

/// The overall verdict of a comparison.
public enum CompatibilityLevel: String, Sendable, Hashable, CaseIterable {
    case full, backward, forward, none
}

/// One difference between two schemas, with its effect in both directions.
public struct SchemaChange: Sendable, Hashable, CustomStringConvertible {
    /// What changed, e.g. `.propertyAddedToOpenContentModel` (`property-added-to-open-content-model`).
    public let kind: ChangeKind
    /// Where the change is: the route of keywords from the schema root down to the changed
    /// keyword or subschema, e.g. `/properties/read/items/maxLength` or `/properties/delete`.
    /// `$ref` indirections are transparent (the route goes through them as if the target were
    /// written in place), so one path names the change in the old and the new schema alike and
    /// a recursive schema reports a change once, at its first route. A removed element is named
    /// by its place in the old schema, anything else by its place in the new one.
    public let path: JSONPointer
    /// Whether this change keeps readers with the new schema able to read old data.
    public let backward: Bool
    /// Whether this change keeps readers with the old schema able to read new data.
    public let forward: Bool
    /// Human-readable explanation.
    public let detail: String
    /// The object property the change is about, for property-, required- and dependency-kinds.
    public let property: String?

    public init(kind: ChangeKind, path: JSONPointer, backward: Bool, forward: Bool, detail: String,
                property: String? = nil) {
        self.kind = kind
        self.path = path
        self.backward = backward
        self.forward = forward
        self.detail = detail
        self.property = property
    }

    public var full: Bool { backward && forward }

    /// Metadata-only changes (title, description, default, examples...). They never affect
    /// which instances validate and always have `backward == forward == true`.
    public var isAnnotation: Bool { kind.isAnnotation }

    public func isCompatible(_ direction: CompatibilityDirection) -> Bool {
        direction == .backward ? backward : forward
    }

    public var description: String {
        let where_ = path.tokens.isEmpty ? "/" : path.description
        return "\(where_): \(kind) [backward \(backward ? "✓" : "✗"), forward \(forward ? "✓" : "✗")] \(detail)"
    }
}

/// The outcome of comparing two schemas.
public struct CompatibilityReport: Sendable, Hashable {
    public let mode: CompatibilityMode
    /// Every difference found, in schema order.
    public let changes: [SchemaChange]

    public init(mode: CompatibilityMode, changes: [SchemaChange]) {
        self.mode = mode
        self.changes = changes
    }

    /// Readers with the new schema accept everything written with the old one.
    public var backward: Bool { changes.allSatisfy(\.backward) }
    /// Readers with the old schema accept everything written with the new one.
    public var forward: Bool { changes.allSatisfy(\.forward) }
    public var full: Bool { backward && forward }

    public var level: CompatibilityLevel {
        switch (backward, forward) {
        case (true, true): return .full
        case (true, false): return .backward
        case (false, true): return .forward
        case (false, false): return .none
        }
    }

    public func isCompatible(_ direction: CompatibilityDirection) -> Bool {
        direction == .backward ? backward : forward
    }

    /// The changes that break `direction`.
    public func breaking(_ direction: CompatibilityDirection) -> [SchemaChange] {
        changes.filter { !$0.isCompatible(direction) }
    }

    /// No differences at all.
    public var isUnchanged: Bool { changes.isEmpty }

    /// Only annotation (metadata) differences.
    public var hasOnlyAnnotationChanges: Bool { !changes.isEmpty && changes.allSatisfy(\.isAnnotation) }

    /// The distinct change kinds, in order of first appearance.
    public var kinds: [ChangeKind] {
        var seen = Set<ChangeKind>()
        return changes.compactMap { seen.insert($0.kind).inserted ? $0.kind : nil }
    }
}

/// A schema that cannot be compared: a keyword of the wrong type, an unknown `$ref` target...
public struct CompatibilityError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Side: String, Sendable, Hashable { case old, new }

    /// Which schema is at fault, when known.
    public let side: Side?
    /// Where in that schema (or contract, for `VersionBump`).
    public let location: JSONPointer
    public let message: String

    public init(side: Side?, location: JSONPointer, message: String) {
        self.side = side
        self.location = location
        self.message = message
    }

    public var description: String {
        let place = location.tokens.isEmpty ? "/" : location.description
        if let side { return "\(side.rawValue) schema at \(place): \(message)" }
        return "at \(place): \(message)"
    }

    /// The same error, located under `prefix` (e.g. `/schema` inside a contract).
    public func prefixed(by prefix: JSONPointer, message extra: String? = nil) -> CompatibilityError {
        CompatibilityError(side: side, location: JSONPointer(tokens: prefix.tokens + location.tokens),
                           message: extra.map { "\($0): \(message)" } ?? message)
    }
}
