/// What a `SchemaChange` is. The raw value is the stable kebab-case identifier shown in text
/// output, in `--json` and in docs/compatibility.md; `allCases` is every kind
/// `SchemaCompatibility.compare` can report, by family.
public enum ChangeKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // Annotations
    case titleChanged = "title-changed"
    case descriptionChanged = "description-changed"
    case defaultChanged = "default-changed"
    case examplesChanged = "examples-changed"
    case commentChanged = "comment-changed"
    case deprecatedChanged = "deprecated-changed"
    case readOnlyChanged = "read-only-changed"
    case writeOnlyChanged = "write-only-changed"
    case idChanged = "id-changed"
    case schemaDialectChanged = "schema-dialect-changed"
    case anchorChanged = "anchor-changed"
    case contentAnnotationChanged = "content-annotation-changed"
    case unknownKeywordChanged = "unknown-keyword-changed"
    // Whole schemas
    case falseSchemaAdded = "false-schema-added"
    case falseSchemaRemoved = "false-schema-removed"
    // Types
    case typeWidened = "type-widened"
    case typeNarrowed = "type-narrowed"
    case typeChanged = "type-changed"
    // Enum / const
    case enumAdded = "enum-added"
    case enumRemoved = "enum-removed"
    case enumValueAdded = "enum-value-added"
    case enumValueRemoved = "enum-value-removed"
    case constAdded = "const-added"
    case constRemoved = "const-removed"
    case constChanged = "const-changed"
    // Strings
    case patternAdded = "pattern-added"
    case patternRemoved = "pattern-removed"
    case patternChanged = "pattern-changed"
    case formatAdded = "format-added"
    case formatRemoved = "format-removed"
    case formatChanged = "format-changed"
    // Numbers
    case exclusiveMinimumChanged = "exclusive-minimum-changed"
    case exclusiveMaximumChanged = "exclusive-maximum-changed"
    case multipleOfAdded = "multiple-of-added"
    case multipleOfRemoved = "multiple-of-removed"
    case multipleOfReduced = "multiple-of-reduced"
    case multipleOfExpanded = "multiple-of-expanded"
    case multipleOfChanged = "multiple-of-changed"
    // Arrays
    case uniqueItemsAdded = "unique-items-added"
    case uniqueItemsRemoved = "unique-items-removed"
    case containsAdded = "contains-added"
    case containsRemoved = "contains-removed"
    case itemAddedToOpenContentModel = "item-added-to-open-content-model"
    case itemAddedToClosedContentModel = "item-added-to-closed-content-model"
    case itemAddedToPartiallyOpenContentModel = "item-added-to-partially-open-content-model"
    case itemRemovedFromOpenContentModel = "item-removed-from-open-content-model"
    case itemRemovedFromClosedContentModel = "item-removed-from-closed-content-model"
    case itemRemovedFromPartiallyOpenContentModel = "item-removed-from-partially-open-content-model"
    // Objects
    case propertyAddedToOpenContentModel = "property-added-to-open-content-model"
    case propertyAddedToClosedContentModel = "property-added-to-closed-content-model"
    case propertyAddedToPartiallyOpenContentModel = "property-added-to-partially-open-content-model"
    case propertyRemovedFromOpenContentModel = "property-removed-from-open-content-model"
    case propertyRemovedFromClosedContentModel = "property-removed-from-closed-content-model"
    case propertyRemovedFromPartiallyOpenContentModel = "property-removed-from-partially-open-content-model"
    case requiredAdded = "required-added"
    case requiredWithDefaultAdded = "required-with-default-added"
    case requiredRemoved = "required-removed"
    case requiredWithDefaultRemoved = "required-with-default-removed"
    case additionalPropertiesClosed = "additional-properties-closed"
    case additionalPropertiesOpened = "additional-properties-opened"
    case additionalPropertiesConstrained = "additional-properties-constrained"
    case additionalPropertiesUnconstrained = "additional-properties-unconstrained"
    case additionalPropertiesAllowed = "additional-properties-allowed"
    case additionalPropertiesDisallowed = "additional-properties-disallowed"
    case patternPropertyAdded = "pattern-property-added"
    case patternPropertyRemoved = "pattern-property-removed"
    case dependencyArrayAdded = "dependency-array-added"
    case dependencyArrayRemoved = "dependency-array-removed"
    case dependencyArrayExtended = "dependency-array-extended"
    case dependencyArrayNarrowed = "dependency-array-narrowed"
    case dependencyArrayChanged = "dependency-array-changed"
    case dependencySchemaAdded = "dependency-schema-added"
    case dependencySchemaRemoved = "dependency-schema-removed"
    // Combinators
    case allOfAdded = "all-of-added"
    case allOfRemoved = "all-of-removed"
    case allOfSubschemaAdded = "all-of-subschema-added"
    case allOfSubschemaRemoved = "all-of-subschema-removed"
    case anyOfAdded = "any-of-added"
    case anyOfRemoved = "any-of-removed"
    case anyOfSubschemaAdded = "any-of-subschema-added"
    case anyOfSubschemaRemoved = "any-of-subschema-removed"
    case oneOfAdded = "one-of-added"
    case oneOfRemoved = "one-of-removed"
    case oneOfSubschemaAdded = "one-of-subschema-added"
    case oneOfSubschemaRemoved = "one-of-subschema-removed"
    case combinatorChanged = "combinator-changed"
    case notAdded = "not-added"
    case notRemoved = "not-removed"
    case conditionalAdded = "conditional-added"
    case conditionalRemoved = "conditional-removed"
    case conditionalChanged = "conditional-changed"
    // Bounds: `<bound>-added`, `-removed`, `-increased`, `-decreased` (see `bound(_:_:)`)
    case minLengthAdded = "min-length-added"
    case minLengthRemoved = "min-length-removed"
    case minLengthIncreased = "min-length-increased"
    case minLengthDecreased = "min-length-decreased"
    case maxLengthAdded = "max-length-added"
    case maxLengthRemoved = "max-length-removed"
    case maxLengthIncreased = "max-length-increased"
    case maxLengthDecreased = "max-length-decreased"
    case minimumAdded = "minimum-added"
    case minimumRemoved = "minimum-removed"
    case minimumIncreased = "minimum-increased"
    case minimumDecreased = "minimum-decreased"
    case maximumAdded = "maximum-added"
    case maximumRemoved = "maximum-removed"
    case maximumIncreased = "maximum-increased"
    case maximumDecreased = "maximum-decreased"
    case exclusiveMinimumAdded = "exclusive-minimum-added"
    case exclusiveMinimumRemoved = "exclusive-minimum-removed"
    case exclusiveMinimumIncreased = "exclusive-minimum-increased"
    case exclusiveMinimumDecreased = "exclusive-minimum-decreased"
    case exclusiveMaximumAdded = "exclusive-maximum-added"
    case exclusiveMaximumRemoved = "exclusive-maximum-removed"
    case exclusiveMaximumIncreased = "exclusive-maximum-increased"
    case exclusiveMaximumDecreased = "exclusive-maximum-decreased"
    case minItemsAdded = "min-items-added"
    case minItemsRemoved = "min-items-removed"
    case minItemsIncreased = "min-items-increased"
    case minItemsDecreased = "min-items-decreased"
    case maxItemsAdded = "max-items-added"
    case maxItemsRemoved = "max-items-removed"
    case maxItemsIncreased = "max-items-increased"
    case maxItemsDecreased = "max-items-decreased"
    case minContainsAdded = "min-contains-added"
    case minContainsRemoved = "min-contains-removed"
    case minContainsIncreased = "min-contains-increased"
    case minContainsDecreased = "min-contains-decreased"
    case maxContainsAdded = "max-contains-added"
    case maxContainsRemoved = "max-contains-removed"
    case maxContainsIncreased = "max-contains-increased"
    case maxContainsDecreased = "max-contains-decreased"
    case minPropertiesAdded = "min-properties-added"
    case minPropertiesRemoved = "min-properties-removed"
    case minPropertiesIncreased = "min-properties-increased"
    case minPropertiesDecreased = "min-properties-decreased"
    case maxPropertiesAdded = "max-properties-added"
    case maxPropertiesRemoved = "max-properties-removed"
    case maxPropertiesIncreased = "max-properties-increased"
    case maxPropertiesDecreased = "max-properties-decreased"

    /// The identifier, so that interpolating a kind prints `max-length-added`.
    public var description: String { rawValue }

    /// Metadata-only kinds (title, description, default, examples...): they never affect which
    /// instances validate.
    public var isAnnotation: Bool {
        switch self {
        case .titleChanged, .descriptionChanged, .defaultChanged, .examplesChanged, .commentChanged,
             .deprecatedChanged, .readOnlyChanged, .writeOnlyChanged, .idChanged, .schemaDialectChanged,
             .anchorChanged, .contentAnnotationChanged, .unknownKeywordChanged:
            return true
        default:
            return false
        }
    }

    /// A keyword that bounds a length, a count or a number.
    public enum Bound: String, Sendable, CaseIterable {
        case minLength = "min-length"
        case maxLength = "max-length"
        case minimum = "minimum"
        case maximum = "maximum"
        case exclusiveMinimum = "exclusive-minimum"
        case exclusiveMaximum = "exclusive-maximum"
        case minItems = "min-items"
        case maxItems = "max-items"
        case minContains = "min-contains"
        case maxContains = "max-contains"
        case minProperties = "min-properties"
        case maxProperties = "max-properties"

        /// The JSON Schema keyword (`minLength` for `min-length`).
        public var keyword: String {
            let parts = rawValue.split(separator: "-")
            return parts.dropFirst().reduce(String(parts[0])) { $0 + $1.prefix(1).uppercased() + $1.dropFirst() }
        }
    }

    /// How a bound moved between the old and the new schema.
    public enum BoundMove: String, Sendable, CaseIterable {
        case added, removed, increased, decreased
        /// Between values that cannot be ordered (draft 4's boolean `exclusiveMinimum` and a
        /// number): only `exclusive-minimum` and `exclusive-maximum` have this kind.
        case changed
    }

    /// `<bound>-<move>`, e.g. `.bound(.maxLength, .added)` is `.maxLengthAdded`.
    public static func bound(_ bound: Bound, _ move: BoundMove) -> ChangeKind {
        guard let kind = ChangeKind(rawValue: "\(bound.rawValue)-\(move.rawValue)") else {
            preconditionFailure("no change kind \(bound.rawValue)-\(move.rawValue)")
        }
        return kind
    }

    /// The kinds of an `allOf`, `anyOf` or `oneOf` keyword.
    public enum Combinator: String, Sendable, CaseIterable {
        case allOf = "all-of", anyOf = "any-of", oneOf = "one-of"

        public var added: ChangeKind { switch self { case .allOf: .allOfAdded; case .anyOf: .anyOfAdded; case .oneOf: .oneOfAdded } }
        public var removed: ChangeKind { switch self { case .allOf: .allOfRemoved; case .anyOf: .anyOfRemoved; case .oneOf: .oneOfRemoved } }
        public var subschemaAdded: ChangeKind {
            switch self { case .allOf: .allOfSubschemaAdded; case .anyOf: .anyOfSubschemaAdded; case .oneOf: .oneOfSubschemaAdded }
        }
        public var subschemaRemoved: ChangeKind {
            switch self { case .allOf: .allOfSubschemaRemoved; case .anyOf: .anyOfSubschemaRemoved; case .oneOf: .oneOfSubschemaRemoved }
        }
    }
}
