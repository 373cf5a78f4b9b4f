import RealmJSON

/// Reading and writing YAML for realm files. See docs/yaml.md for what this layer guarantees.
public enum YAML {
    /// Parses exactly one document (an empty stream gives nil; a second document is an error).
    ///
    /// Every node keeps its 1-based start line and column. Aliases are replaced by the anchored
    /// node. Input larger than `limits.maxBytes`, nesting deeper than `limits.maxDepth` and
    /// documents whose alias expansion exceeds `limits.maxNodes` are refused, as are duplicate
    /// scalar keys within one mapping.
    public static func parse(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        try parseBytes(text.utf8, limits: limits)
    }

    /// Parses UTF-8 bytes, which need not be valid: invalid sequences are reported by libyaml
    /// with their position.
    public static func parse(bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        try parseBytes(bytes, limits: limits)
    }

    /// Parses exactly one document into its JSON value (see `YAMLNode.toJSON()`), without
    /// building the node tree: for callers that want only the value. The result and the errors
    /// are those of `parse(_:limits:)` followed by `toJSON()`: parse errors first, then the
    /// first conversion error in document order. nil for an empty stream.
    public static func parseJSON(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> JSONValue? {
        try jsonOf(YAML.build(text.utf8, limits: limits, target: .json))
    }

    public static func parseJSON(bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> JSONValue? {
        try jsonOf(YAML.build(bytes, limits: limits, target: .json))
    }

    private static func jsonOf(_ builder: TreeBuilder) throws(YAMLError) -> JSONValue? {
        if let error = builder.conversionError { throw error }
        return builder.rootJSON
    }

    /// Whether `parse(bytes:limits:)` would accept the bytes (the same errors, thrown), in
    /// memory for the keys of the open collections only: nothing of the document is kept.
    public static func check(bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) {
        _ = try YAML.build(bytes, limits: limits, target: .check)
    }

    /// Parses exactly one document into a node tree in which the values of the root mapping's
    /// keys named in `jsonFields` are JSON values instead (`YAMLDocument.fields`), built without
    /// their node trees. Where such a value is a collection, the tree holds an empty collection
    /// of the same kind at the same position. Scalar values and aliases stay in the tree, as
    /// does a value with an anchor. Parse errors (limits, syntax, duplicate keys) are thrown as
    /// by `parse`; conversion errors are the fields' own (`Field.value`), as `toJSON()` of the
    /// field's node would give them.
    ///
    /// With `skippingValues`, the fields' collections are parsed (within the limits, duplicate
    /// keys refused) but not kept: each field is an empty collection of its kind, without
    /// conversion errors. For readers that want the rest of the document only.
    public static func parse(bytes: [UInt8], limits: YAMLLimits = .default,
                             jsonFields: Set<String>, skippingValues: Bool = false) throws(YAMLError) -> YAMLDocument? {
        let builder = try YAML.build(bytes, limits: limits,
                                     target: skippingValues ? .skippedFields(jsonFields) : .fields(jsonFields))
        return builder.root.map { YAMLDocument(root: $0, fields: builder.fields) }
    }

    /// Whether the bytes are UTF-8 (as `String(validating:)` judges), checked without a copy.
    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            let n = buffer.count
            while i < n {
                if buffer[i] < 0x80 {
                    i += 1
                    continue
                }
                // One scalar from here: a valid one, or the input is not UTF-8.
                var parser = Unicode.UTF8.ForwardParser()
                var iterator = UnsafeBufferPointer(rebasing: buffer[i..<Swift.min(i + 4, n)]).makeIterator()
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar): i += scalar.count
                case .error, .emptyInput: return false
                }
            }
            return true
        }
    }

    /// Deterministic block-style emission, ending with a newline.
    public static func emit(_ node: YAMLNode) -> String {
        var emitter = YAMLEmitter()
        emitter.emitDocument(node)
        return String(decoding: emitter.out, as: UTF8.self)
    }

    public static func emit(json: JSONValue) -> String {
        emit(YAMLNode(json: json))
    }
}

/// A document whose named root fields were read as JSON (`YAML.parse(bytes:limits:jsonFields:)`).
public struct YAMLDocument: Sendable {
    public struct Field: Sendable {
        /// Where the value starts (the mark of its placeholder in `root`).
        public var mark: Mark
        /// The value, or its first conversion error.
        public var value: Result<JSONValue, YAMLError>
    }

    public var root: YAMLNode
    /// The fields read as JSON, by key; a field whose value is a scalar, an alias or anchored
    /// is not here: its node is in `root`.
    public var fields: [String: Field]
}
