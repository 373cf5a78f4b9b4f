/// A position in YAML text: 1-based line and 1-based column (columns count Unicode scalars,
/// as libyaml does). Nodes built in code carry the zero mark `0:0`.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The mark of nodes that were not read from text.
    public static let zero = Mark(line: 0, column: 0)

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written (when parsed) or should be written (when emitted). The emitter
/// honours a requested style whenever that style can represent the value exactly, and falls
/// back to double quotes otherwise.
public enum ScalarStyle: Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Well-known tags, in the long form libyaml reports (`!!str` is `tag:yaml.org,2002:str`).
public enum YAMLTag {
    public static let str = "tag:yaml.org,2002:str"
    public static let int = "tag:yaml.org,2002:int"
    public static let float = "tag:yaml.org,2002:float"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let null = "tag:yaml.org,2002:null"
    public static let seq = "tag:yaml.org,2002:seq"
    public static let map = "tag:yaml.org,2002:map"
}

/// A scalar: its text (after unescaping and folding), the style it was written in, its
/// explicit tag if any, and where it starts.
///
/// `tag` is nil for untagged scalars; an untagged *plain* scalar means whatever the YAML 1.2
/// core schema resolves it to (`14` is an integer, `true` a boolean), while an untagged quoted
/// or block scalar is a string. The string builder `YAMLNode.string(_:style:)` and
/// `YAMLNode(json: .string(...))` set `tag` to `YAMLTag.str`, which tells the emitter to
/// quote the text whenever a plain scalar would read back as something else.
public struct YAMLScalar: Sendable, Equatable {
    public var value: String
    public var style: ScalarStyle
    public var tag: String?
    public var mark: Mark

    public init(_ value: String, style: ScalarStyle = .plain, tag: String? = nil, mark: Mark = .zero) {
        self.value = value
        self.style = style
        self.tag = tag
        self.mark = mark
    }
}

public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A YAML node with the position where it starts. Aliases are resolved to (copies of) the
/// anchored node, so the tree never contains alias nodes.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], Mark)
    case mapping([YAMLPair], Mark)
}

extension YAMLNode {
    /// Where the node starts (for collections: the first `-`, the first key, or the `[` / `{`).
    public var mark: Mark {
        switch self {
        case .scalar(let s): return s.mark
        case .sequence(_, let m), .mapping(_, let m): return m
        }
    }

    /// The text of a scalar node; nil for collections.
    public var scalarValue: String? {
        if case .scalar(let s) = self { return s.value }
        return nil
    }

    /// The scalar itself; nil for collections.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    /// True for an untagged plain `null`, `~`, `Null`, `NULL` or empty scalar, and for a
    /// scalar tagged `!!null`.
    public var isNull: Bool {
        guard case .scalar(let s) = self else { return false }
        if s.tag == YAMLTag.null { return true }
        guard s.tag == nil, s.style == .plain else { return false }
        return CoreSchema.isNullText(s.value)
    }

    /// The value of the first pair whose key is a scalar with this text; nil when there is no
    /// such pair or the node is not a mapping. (Parsed mappings never have duplicate keys.)
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        for pair in pairs {
            if case .scalar(let k) = pair.key, k.value == key { return pair.value }
        }
        return nil
    }

    public var mappingPairs: [YAMLPair]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    public var sequenceItems: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    // MARK: Builders (marks are zero)

    /// A string scalar. It is tagged `!!str` (never printed), so the emitter quotes it whenever
    /// the requested style would not read back as this exact string.
    public static func string(_ s: String, style: ScalarStyle = .plain) -> YAMLNode {
        .scalar(YAMLScalar(s, style: style, tag: YAMLTag.str))
    }

    /// A block mapping with keys in the given order (keys are string scalars).
    public static func map(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
        .mapping(pairs.map { YAMLPair(key: .string($0.0), value: $0.1) }, .zero)
    }

    public static func seq(_ items: [YAMLNode]) -> YAMLNode {
        .sequence(items, .zero)
    }

    /// An integer scalar (`14`).
    public static func int(_ i: Int) -> YAMLNode {
        .scalar(YAMLScalar(String(i)))
    }

    /// A boolean scalar (`true` / `false`).
    public static func bool(_ b: Bool) -> YAMLNode {
        .scalar(YAMLScalar(b ? "true" : "false"))
    }

    /// A floating-point scalar in its shortest round-tripping form (`.inf`, `.nan` included).
    public static func number(_ d: Double) -> YAMLNode {
        .scalar(YAMLScalar(CoreSchema.formatDouble(d)))
    }

    /// The null scalar, written `null`.
    public static var null: YAMLNode {
        .scalar(YAMLScalar("null"))
    }
}
