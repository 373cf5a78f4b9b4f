import CYAML
import RealmJSON

/// Owns one libyaml parser; frees it on deinit. The input is either a copy owned here or a
/// buffer the caller keeps alive (and unchanged) for the parser's lifetime.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeBufferPointer<UInt8>
    /// The copy made by `init(bytes:)`, freed on deinit; nil for a borrowed buffer.
    private let owned: UnsafeMutableBufferPointer<UInt8>?

    convenience init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(YAMLError) {
        // Copy the input so its address is stable (libyaml keeps a pointer to it) and owned here.
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(bytes.count, 1))
        let count = copy.initialize(fromContentsOf: bytes)
        try self.init(input: UnsafeBufferPointer(start: copy.baseAddress, count: count), owned: copy)
    }

    /// Reads `buffer` in place, without a copy: the caller keeps it alive and unchanged until
    /// the parser is gone. An empty buffer is copied (libyaml wants an address).
    convenience init(borrowing buffer: UnsafeBufferPointer<UInt8>) throws(YAMLError) {
        if buffer.baseAddress == nil {
            try self.init(bytes: buffer)
        } else {
            try self.init(input: buffer, owned: nil)
        }
    }

    private init(input: UnsafeBufferPointer<UInt8>, owned: UnsafeMutableBufferPointer<UInt8>?) throws(YAMLError) {
        self.input = input
        self.owned = owned
        parser = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            owned?.deallocate()
            throw YAMLError(line: 1, column: 1, message: "libyaml could not allocate a parser")
        }
        if let base = input.baseAddress {
            yaml_parser_set_input_string(parser, base, input.count)
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        owned?.deallocate()
    }

    /// Reads the next event and hands it to `body`; the event is freed afterwards, so `body`
    /// must copy out whatever it keeps.
    func nextEvent<R>(_ body: (borrowing yaml_event_t) throws(YAMLError) -> R) throws(YAMLError) -> R {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        return try body(event)
    }

    /// libyaml's description of why parsing stopped, with its (1-based) position.
    private func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(line: 1, column: 1, message: "libyaml ran out of memory")
        case YAML_READER_ERROR:
            var message = problem
            if p.problem_value != -1 {
                let hex = String(UInt32(bitPattern: p.problem_value), radix: 16, uppercase: true)
                message += " (#x\(hex))"
            }
            return YAMLError(message, at: markOfOffset(p.problem_offset))
        default:
            var message = problem
            if let context = p.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(Mark(p.context_mark)))"
            }
            return YAMLError(message, at: Mark(p.problem_mark))
        }
    }

    /// Line and column of a byte offset in the input (columns count scalars, like libyaml).
    private func markOfOffset(_ offset: Int) -> Mark {
        var line = 1
        var column = 1
        for byte in input.prefix(Swift.min(offset, input.count)) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

extension Mark {
    /// libyaml marks are 0-based.
    init(_ m: yaml_mark_t) {
        self.init(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }
}

/// Builds nodes from libyaml events, enforcing the depth and node-count limits and rejecting
/// duplicate keys, undefined aliases and additional documents.
///
/// What a caller wants as a JSON value (the whole document, or named fields of the root
/// mapping) is built straight into `JSONValue`, without a node tree: the tree of a large value
/// costs several times the JSON. The result is exactly `toJSON()` of the tree: conversion
/// errors (a scalar that does not fit its tag, a collection used as a key) are kept until the
/// document has parsed, the first in document order is reported, and parse errors come first.
/// Inside such a value, a collection with an anchor or in key position is built as a node (an
/// alias must be able to stand anywhere, and a key's error names its position), then converted.
struct TreeBuilder {
    /// What the builder makes of the document.
    enum Target {
        /// A node tree (`YAML.parse`).
        case tree
        /// One JSON value (`YAML.parseJSON`).
        case json
        /// A node tree in which the values of these root mapping keys are JSON (`YAML.parse(bytes:jsonFields:)`).
        case fields(Set<String>)
        /// As `fields`, the values parsed (and refused, by the limits) but not kept: each is an
        /// empty collection of its kind, and its conversion errors are not looked for.
        case skippedFields(Set<String>)
        /// Nothing kept: only whether the document parses within the limits (`YAML.check`).
        case check
    }

    private enum Kind { case sequence, mapping, array, object }

    private struct Frame {
        var kind: Kind
        var mark: Mark
        var anchor: String?
        /// This collection's node count, including expanded aliases.
        var count = 1
        // Node collections.
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Index of scalar keys, built once a mapping is large enough that scanning is slow.
        var keyIndex: [String: Int]?
        // JSON collections: items (or an object's values) and an object's keys, made into an
        // array or object of exactly their size when the collection ends.
        var values: ContiguousArray<JSONValue> = []
        var keys: ContiguousArray<String> = []
        /// The line of each of `keys`, for the duplicate-key message.
        var keyLines: [Int] = []
        /// The key read, waiting for its value: its text, or nil for a key that is not a scalar.
        var jsonKey: (text: String, line: Int)?
        var hasKey = false
        /// The root-mapping field whose value this JSON collection is.
        var field: String?

        init(kind: Kind, mark: Mark, anchor: String?) {
            self.kind = kind
            self.mark = mark
            self.anchor = anchor
        }

        var isMapping: Bool { kind == .mapping || kind == .object }
        var isJSON: Bool { kind == .array || kind == .object }
    }

    private struct Anchor {
        var node: YAMLNode
        var count: Int
        /// The node's JSON, made on its first use as a JSON value and shared by later ones.
        var json: Result<JSONValue, YAMLError>?
    }

    let limits: YAMLLimits
    let target: Target
    private var stack: [Frame] = []
    private var anchors: [String: Anchor] = [:]
    private var total = 0
    private var documents = 0
    private(set) var root: YAMLNode?
    private(set) var rootJSON: JSONValue?
    /// The JSON fields of the root mapping (`Target.fields`) met so far.
    private(set) var fields: [String: YAMLDocument.Field] = [:]
    /// The first conversion error of the JSON value being built.
    private(set) var conversionError: YAMLError?

    /// `Target.check`, and inside a skipped field: collections keep their keys (for
    /// duplicates) and no values, and nothing is converted.
    private var checking: Bool
    private let skipsFields: Bool

    init(limits: YAMLLimits, target: Target = .tree) {
        self.limits = limits
        self.target = target
        if case .check = target { checking = true } else { checking = false }
        if case .skippedFields = target { skipsFields = true } else { skipsFields = false }
    }

    /// Consumes one event; returns false after the end of the stream.
    mutating func handle(_ event: borrowing yaml_event_t) throws(YAMLError) -> Bool {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
            break
        case YAML_STREAM_END_EVENT:
            return false
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError("expected a single document, found a second one", at: mark)
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            // A value nothing keeps (`check`, a skipped field): counted, never made a String.
            if checking, data.anchor == nil, intoJSON,
               let top = stack.indices.last, !(stack[top].kind == .object && !stack[top].hasKey) {
                try count(1, at: mark)
                try addJSON(.null, count: 1)
                return true
            }
            let value: String
            if let pointer = data.value {
                value = String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
            } else {
                value = ""
            }
            let scalar = YAMLScalar(value, style: ScalarStyle(data.style), tag: cString(data.tag), mark: mark)
            try count(1, at: mark)
            if let anchor = cString(data.anchor) { anchors[anchor] = Anchor(node: .scalar(scalar), count: 1) }
            try addScalar(scalar)
        case YAML_ALIAS_EVENT:
            let name = cString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError("undefined alias *\(name)", at: mark)
            }
            try count(target.count, at: mark)
            try addAlias(name, target)
        case YAML_SEQUENCE_START_EVENT:
            try open(isMapping: false, anchor: cString(event.data.sequence_start.anchor), at: mark)
        case YAML_MAPPING_START_EVENT:
            try open(isMapping: true, anchor: cString(event.data.mapping_start.anchor), at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else {
                throw YAMLError("unbalanced collection end", at: mark)
            }
            try close(frame)
        default:
            break
        }
        return true
    }

    // MARK: Where a node goes

    /// Whether a collection starting now is built as JSON, and for which root field.
    private func opensJSON(anchor: String?) -> (json: Bool, field: String?) {
        guard let last = stack.indices.last else {
            if case .json = target { return (anchor == nil, nil) }
            if case .check = target { return (anchor == nil, nil) }
            return (false, nil)
        }
        if stack[last].isJSON {
            // Keys and anchored collections are nodes (see the type's comment).
            return (anchor == nil && !(stack[last].kind == .object && !stack[last].hasKey), nil)
        }
        let names: Set<String>
        switch target {
        case .fields(let fields), .skippedFields(let fields): names = fields
        default: return (false, nil)
        }
        if last == 0, stack[0].kind == .mapping, anchor == nil,
           case .scalar(let key)? = stack[0].pendingKey, names.contains(key.value) {
            return (true, key.value)
        }
        return (false, nil)
    }

    /// Whether the next value goes into a JSON collection (or is the JSON root).
    private var intoJSON: Bool {
        guard let top = stack.indices.last else {
            if case .tree = target { return false }
            if case .fields = target { return false }
            if case .skippedFields = target { return false }
            return true
        }
        return stack[top].isJSON
    }

    private mutating func open(isMapping: Bool, anchor: String?, at mark: Mark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError("nesting is deeper than the limit of \(limits.maxDepth) levels", at: mark)
        }
        try count(1, at: mark)
        let (json, field) = opensJSON(anchor: anchor)
        if field != nil {
            conversionError = nil
            if skipsFields { checking = true }
        }
        var frame = Frame(kind: json ? (isMapping ? .object : .array) : (isMapping ? .mapping : .sequence),
                          mark: mark, anchor: anchor)
        frame.field = field
        stack.append(frame)
    }

    private mutating func close(_ frame: Frame) throws(YAMLError) {
        switch frame.kind {
        case .sequence, .mapping:
            let node: YAMLNode = frame.kind == .mapping
                ? .mapping(frame.pairs, frame.mark) : .sequence(frame.items, frame.mark)
            if let anchor = frame.anchor { anchors[anchor] = Anchor(node: node, count: frame.count) }
            if intoJSON {
                try addConverted(node, count: frame.count)
            } else {
                try add(node, count: frame.count)
            }
        case .array, .object:
            // Appending leaves up to half of a buffer unused; a value kept for the command's
            // life gets buffers of its size.
            let value: JSONValue = checking ? .null : frame.kind == .object
                ? .object(JSONObject(uncheckedUniqueKeys: Self.exact(frame.keys), values: Self.exact(frame.values)))
                : .array(Array(Self.exact(frame.values)))
            if let field = frame.field {
                let kept: JSONValue = skipsFields ? (frame.kind == .object ? .object([:]) : .array([])) : value
                checking = false
                fields[field] = YAMLDocument.Field(mark: frame.mark, value: conversionError.map { .failure($0) } ?? .success(kept))
                conversionError = nil
                // The tree keeps an empty collection of the same kind where the value was.
                try add(frame.kind == .object ? .mapping([], frame.mark) : .sequence([], frame.mark), count: frame.count)
            } else {
                try addJSON(value, count: frame.count)
            }
        }
    }

    private mutating func addScalar(_ scalar: YAMLScalar) throws(YAMLError) {
        guard intoJSON else { return try add(.scalar(scalar), count: 1) }
        if let top = stack.indices.last, stack[top].kind == .object, !stack[top].hasKey {
            return try setKey(scalar.value, at: scalar.mark, in: top)
        }
        try addJSON(convert { () throws(YAMLError) in try scalar.jsonValue() }, count: 1)
    }

    private mutating func addAlias(_ name: String, _ target: Anchor) throws(YAMLError) {
        guard intoJSON else { return try add(target.node, count: target.count) }
        if let top = stack.indices.last, stack[top].kind == .object, !stack[top].hasKey {
            guard case .scalar(let key) = target.node else {
                return invalidKey(at: target.node.mark, in: top, count: target.count)
            }
            return try setKey(key.value, at: key.mark, in: top)
        }
        if checking { return try addJSON(.null, count: target.count) }
        let json: Result<JSONValue, YAMLError>
        if let made = target.json {
            json = made
        } else {
            json = Result { () throws(YAMLError) in try target.node.toJSON() }
            anchors[name]?.json = json
        }
        try addJSON(convert { () throws(YAMLError) in try json.get() }, count: target.count)
    }

    /// A collection built as a node inside a JSON value: an error when it is a key, else its JSON.
    private mutating func addConverted(_ node: YAMLNode, count: Int) throws(YAMLError) {
        if let top = stack.indices.last, stack[top].kind == .object, !stack[top].hasKey {
            return invalidKey(at: node.mark, in: top, count: count)
        }
        try addJSON(convert { () throws(YAMLError) in try node.toJSON() }, count: count)
    }

    /// The value, or null once the value has an error (the first one is reported).
    private mutating func convert(_ body: () throws(YAMLError) -> JSONValue) -> JSONValue {
        if checking { return .null }
        do {
            return try body()
        } catch {
            if conversionError == nil { conversionError = error }
            return .null
        }
    }

    private static func exact<T>(_ items: ContiguousArray<T>) -> ContiguousArray<T> {
        if items.capacity == items.count { return items }
        var copy = ContiguousArray<T>()
        copy.reserveCapacity(items.count)
        copy.append(contentsOf: items)
        return copy
    }

    private mutating func setKey(_ key: String, at mark: Mark, in top: Int) throws(YAMLError) {
        if let first = firstJSONKey(key, in: top) {
            throw YAMLError("duplicate key \"\(key)\" (first defined at line \(stack[top].keyLines[first]))", at: mark)
        }
        stack[top].jsonKey = (key, mark.line)
        stack[top].hasKey = true
        stack[top].count += 1
    }

    private mutating func invalidKey(at mark: Mark, in top: Int, count: Int) {
        if conversionError == nil && !checking {
            conversionError = YAMLError("mapping keys must be scalars to convert to JSON", at: mark)
        }
        stack[top].jsonKey = nil
        stack[top].hasKey = true
        stack[top].count += count
    }

    private mutating func addJSON(_ value: JSONValue, count: Int) throws(YAMLError) {
        guard let top = stack.indices.last else {
            rootJSON = value
            return
        }
        stack[top].count += count
        if stack[top].kind == .array {
            stack[top].values.append(value)
            return
        }
        // A key that was not a scalar has no entry: the value is dropped (its error is kept).
        if let key = stack[top].jsonKey {
            let position = stack[top].keys.count
            if stack[top].keyIndex != nil { stack[top].keyIndex?[key.text] = position }
            stack[top].keys.append(key.text)
            stack[top].values.append(value)
            stack[top].keyLines.append(key.line)
        }
        stack[top].jsonKey = nil
        stack[top].hasKey = false
    }

    private mutating func count(_ n: Int, at mark: Mark) throws(YAMLError) {
        // `total` never exceeds maxNodes, so this cannot overflow.
        if n > limits.maxNodes - total {
            throw YAMLError(
                "document has more than \(limits.maxNodes) nodes (counting each alias as the size of its target)",
                at: mark)
        }
        total += n
    }

    private mutating func add(_ node: YAMLNode, count: Int) throws(YAMLError) {
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].count += count
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            if case .scalar(let k) = node {
                if let first = firstPair(withKey: k.value, in: top) {
                    throw YAMLError(
                        "duplicate key \"\(k.value)\" (first defined at line \(stack[top].pairs[first].key.mark.line))",
                        at: k.mark)
                }
                let position = stack[top].pairs.count
                if stack[top].keyIndex != nil {
                    stack[top].keyIndex?[k.value] = position
                }
            }
            stack[top].pendingKey = node
        }
    }

    /// The index of a key among a JSON object's keys so far.
    private mutating func firstJSONKey(_ key: String, in top: Int) -> Int? {
        if let index = stack[top].keyIndex { return index[key] }
        let keys = stack[top].keys
        if keys.count < 16 { return keys.firstIndex(of: key) }
        var index: [String: Int] = [:]
        for (i, k) in keys.enumerated() where index[k] == nil { index[k] = i }
        stack[top].keyIndex = index
        return index[key]
    }

    private mutating func firstPair(withKey key: String, in top: Int) -> Int? {
        let pairs = stack[top].pairs
        if let index = stack[top].keyIndex { return index[key] }
        if pairs.count < 16 {
            for (i, pair) in pairs.enumerated() {
                if case .scalar(let s) = pair.key, s.value == key { return i }
            }
            return nil
        }
        var index: [String: Int] = [:]
        for (i, pair) in pairs.enumerated() {
            if case .scalar(let s) = pair.key, index[s.value] == nil { index[s.value] = i }
        }
        stack[top].keyIndex = index
        return index[key]
    }

    private func cString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension ScalarStyle {
    init(_ style: yaml_scalar_style_t) {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: self = .literal
        case YAML_FOLDED_SCALAR_STYLE: self = .folded
        default: self = .plain
        }
    }
}

extension YAML {
    /// Runs libyaml over the bytes (read in place when they are contiguous, as arrays and
    /// native strings are) and hands every event to a builder.
    static func build<Bytes: Collection<UInt8>>(_ bytes: Bytes, limits: YAMLLimits,
                                                target: TreeBuilder.Target) throws(YAMLError) -> TreeBuilder {
        if bytes.count > limits.maxBytes {
            throw YAMLError(line: 1, column: 1,
                            message: "document is \(bytes.count) bytes, larger than the limit of \(limits.maxBytes)")
        }
        var builder = TreeBuilder(limits: limits, target: target)
        func run(_ parser: LibYAMLParser) throws(YAMLError) {
            while try parser.nextEvent({ (event) throws(YAMLError) -> Bool in try builder.handle(event) }) {}
        }
        // libyaml counts a leading byte-order mark as a column; editors do not.
        let skip = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let read: Result<Void, YAMLError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(YAMLError) in
                try run(LibYAMLParser(borrowing: UnsafeBufferPointer(rebasing: buffer[skip...])))
            }
        }
        if let read {
            try read.get()
        } else {
            try run(LibYAMLParser(bytes: bytes.dropFirst(skip)))
        }
        return builder
    }

    static func parseBytes<Bytes: Collection<UInt8>>(_ bytes: Bytes, limits: YAMLLimits) throws(YAMLError) -> YAMLNode? {
        try build(bytes, limits: limits, target: .tree).root
    }
}
