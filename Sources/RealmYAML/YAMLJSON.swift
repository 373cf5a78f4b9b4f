import RealmJSON

extension YAMLNode {
    /// The JSON value of this node under the YAML 1.2 core schema.
    ///
    /// - Untagged plain scalars resolve to null, booleans, integers (decimal, `0o`, `0x`),
    ///   floats (`1.5`, `1e3`, `.inf`, `.nan`) or strings; quoted and block scalars are strings.
    /// - Explicit `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` tags are honoured (a value
    ///   that does not fit its tag is an error); `!` and unknown tags give strings.
    /// - Mapping keys must be scalars; the key is the scalar's text (so `1: x` has key "1").
    ///   Duplicate keys are an error naming both lines.
    public func toJSON() throws(YAMLError) -> JSONValue {
        switch self {
        case .scalar(let s):
            return try s.jsonValue()
        case .sequence(let items, _):
            var array: [JSONValue] = []
            array.reserveCapacity(items.count)
            for item in items { array.append(try item.toJSON()) }
            return .array(array)
        case .mapping(let pairs, _):
            var object = JSONObject()
            object.reserveCapacity(pairs.count)
            for pair in pairs {
                guard case .scalar(let key) = pair.key else {
                    throw YAMLError("mapping keys must be scalars to convert to JSON", at: pair.key.mark)
                }
                if object[key.value] != nil {
                    let first = pairs.first { $0.key.scalarValue == key.value }?.key.mark ?? key.mark
                    throw YAMLError("duplicate key \"\(key.value)\" (first defined at line \(first.line))",
                                    at: key.mark)
                }
                object[key.value] = try pair.value.toJSON()
            }
            return .object(object)
        }
    }

    /// The YAML form of a JSON value. Strings are tagged `!!str` so that the emitter quotes
    /// them whenever they would otherwise read back as another type; numbers, booleans and
    /// null are untagged plain scalars. Marks are zero.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .int(i)
        case .number(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .sequence(items.map(YAMLNode.init(json:)), .zero)
        case .object(let object):
            self = .mapping(object.map { YAMLPair(key: .string($0.key), value: YAMLNode(json: $0.value)) }, .zero)
        }
    }
}

extension YAMLScalar {
    /// The scalar's JSON value (see `YAMLNode.toJSON()`).
    public func jsonValue() throws(YAMLError) -> JSONValue {
        guard let tag else {
            return style == .plain ? CoreSchema.resolvePlain(value) : .string(value)
        }
        switch tag {
        case YAMLTag.null:
            guard CoreSchema.isNullText(value) else { throw invalid("!!null") }
            return .null
        case YAMLTag.bool:
            guard let b = CoreSchema.boolValue(value) else { throw invalid("!!bool") }
            return .bool(b)
        case YAMLTag.int:
            guard let i = CoreSchema.intValue(value) else { throw invalid("!!int") }
            return i
        case YAMLTag.float:
            if let d = CoreSchema.floatValue(value) { return .number(d) }
            if let i = CoreSchema.intValue(value) { return .number(i.doubleValue ?? 0) }
            throw invalid("!!float")
        default:
            // !!str, the non-specific "!", and tags this layer does not know.
            return .string(value)
        }
    }

    private func invalid(_ tag: String) -> YAMLError {
        YAMLError("\"\(value)\" is not a valid \(tag) value", at: mark)
    }
}
