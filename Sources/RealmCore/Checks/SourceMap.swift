import RealmJSON
import RealmYAML
import RealmSupport

/// Where the parts of a YAML (or JSON) document are, for findings that name `file:line:col`:
/// maps a JSON pointer into the document to the position of the node it names. The text is
/// parsed (as YAML, which covers JSON) the first time a position is asked for, so documents
/// without findings cost nothing.
public final class SourceMap: @unchecked Sendable {
    public struct Position: Sendable, Hashable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    private let bytes: [UInt8]
    private var parsed = false
    private var node: YAMLNode?

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public convenience init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// The parsed document; nil when the text does not parse. (Not thread-safe: one command
    /// uses a map at a time.)
    var root: YAMLNode? {
        if !parsed {
            node = (try? YAML.parse(bytes: bytes)) ?? nil
            parsed = true
        }
        return node
    }

    /// The position of the node at `pointer`. When the pointer ends in a mapping key whose
    /// value is a collection, the key's position (the `read:` line rather than its first
    /// item); for a scalar, the scalar's. When the pointer goes further than the document,
    /// the deepest node that exists. nil when the text did not parse.
    public func position(of pointer: JSONPointer) -> Position? {
        guard let root = self.root else { return nil }
        return Self.position(of: pointer, in: root).map { Position(line: $0.line, column: $0.column) }
    }

    static func position(of pointer: JSONPointer, in root: YAMLNode) -> Mark? {
        var node = root
        var keyMark: Mark?
        for token in pointer.tokens {
            switch node {
            case .mapping(let pairs, _):
                guard let pair = pairs.first(where: { $0.key.scalarValue == token }) else {
                    return keyMark ?? node.mark
                }
                keyMark = pair.key.mark
                node = pair.value
            case .sequence(let items, _):
                guard let index = Int(token), index >= 0, index < items.count else { return keyMark ?? node.mark }
                keyMark = nil
                node = items[index]
            case .scalar:
                return keyMark ?? node.mark
            }
        }
        if case .scalar = node { return node.mark }
        return keyMark ?? node.mark
    }
}
