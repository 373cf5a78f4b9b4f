import RealmLimits
/// An error in YAML text (or in a node being converted), at a 1-based line and column.
/// Errors about nodes built in code carry line and column 0.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public init(_ message: String, at mark: Mark) {
        self.init(line: mark.line, column: mark.column, message: message)
    }

    public var mark: Mark { Mark(line: line, column: column) }

    public var description: String { "\(line):\(column): \(message)" }
}

/// Bounds on what `YAML.parse` accepts, so hostile input costs bounded time, memory and stack.
public struct YAMLLimits: Sendable {
    /// Largest accepted input, in UTF-8 bytes; checked before parsing starts.
    public var maxBytes: Int
    /// Deepest accepted nesting of sequences and mappings (a root scalar is depth 0, `[x]` is 1).
    public var maxDepth: Int
    /// Most nodes a document may contain, counting every alias as the size of the node it
    /// refers to (so "billion laughs" documents are refused while they are still small).
    public var maxNodes: Int

    public init(maxBytes: Int = Limits.documentBytes, maxDepth: Int = Limits.documentDepth,
                maxNodes: Int = Limits.documentNodes) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// `Limits.documentBytes` (8 MiB), `.documentDepth` (128 levels), `.documentNodes` (1,000,000).
    public static let `default` = YAMLLimits()
}
