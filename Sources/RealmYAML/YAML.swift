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
