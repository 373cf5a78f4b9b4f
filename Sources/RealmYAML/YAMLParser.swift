import CYAML

/// Owns one libyaml parser and the copy of the input it reads; frees both on deinit.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>

    init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(YAMLError) {
        // Copy the input so its address is stable (libyaml keeps a pointer to it) and owned here.
        input = .allocate(capacity: Swift.max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            input.deallocate()
            throw YAMLError(line: 1, column: 1, message: "libyaml could not allocate a parser")
        }
        if let base = input.baseAddress {
            yaml_parser_set_input_string(parser, base, bytes.count)
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
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
struct TreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var mark: Mark
        var anchor: String?
        /// This collection's node count, including expanded aliases.
        var count = 1
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Index of scalar keys, built once a mapping is large enough that scanning is slow.
        var keyIndex: [String: Int]?
    }

    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, count: Int)] = [:]
    private var total = 0
    private var documents = 0
    private(set) var root: YAMLNode?

    init(limits: YAMLLimits) {
        self.limits = limits
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
            let value: String
            if let pointer = data.value {
                value = String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
            } else {
                value = ""
            }
            let scalar = YAMLScalar(value, style: ScalarStyle(data.style), tag: cString(data.tag), mark: mark)
            let node = YAMLNode.scalar(scalar)
            try count(1, at: mark)
            if let anchor = cString(data.anchor) { anchors[anchor] = (node, 1) }
            try add(node, count: 1)
        case YAML_ALIAS_EVENT:
            let name = cString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError("undefined alias *\(name)", at: mark)
            }
            try count(target.count, at: mark)
            try add(target.node, count: target.count)
        case YAML_SEQUENCE_START_EVENT:
            try open(isMapping: false, anchor: cString(event.data.sequence_start.anchor), at: mark)
        case YAML_MAPPING_START_EVENT:
            try open(isMapping: true, anchor: cString(event.data.mapping_start.anchor), at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else {
                throw YAMLError("unbalanced collection end", at: mark)
            }
            let node: YAMLNode = frame.isMapping
                ? .mapping(frame.pairs, frame.mark) : .sequence(frame.items, frame.mark)
            if let anchor = frame.anchor { anchors[anchor] = (node, frame.count) }
            try add(node, count: frame.count)
        default:
            break
        }
        return true
    }

    private mutating func open(isMapping: Bool, anchor: String?, at mark: Mark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError("nesting is deeper than the limit of \(limits.maxDepth) levels", at: mark)
        }
        try count(1, at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark, anchor: anchor))
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
    static func parseBytes<Bytes: Collection<UInt8>>(_ bytes: Bytes, limits: YAMLLimits) throws(YAMLError) -> YAMLNode? {
        if bytes.count > limits.maxBytes {
            throw YAMLError(line: 1, column: 1,
                            message: "document is \(bytes.count) bytes, larger than the limit of \(limits.maxBytes)")
        }
        // libyaml counts a leading byte-order mark as a column; editors do not.
        let parser = bytes.starts(with: [0xEF, 0xBB, 0xBF])
            ? try LibYAMLParser(bytes: bytes.dropFirst(3)) : try LibYAMLParser(bytes: bytes)
        var builder = TreeBuilder(limits: limits)
        while try parser.nextEvent({ (event) throws(YAMLError) -> Bool in try builder.handle(event) }) {}
        return builder.root
    }
}
