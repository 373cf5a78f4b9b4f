import RealmJSON
import RealmYAML

/// Collects the findings of one decode, so that a file with several problems reports them all.
final class DecodeContext {
    let file: String
    var diagnostics: [Finding] = []
    /// Root fields the parser read straight into JSON (`RealmDocument.jsonFields`).
    let jsonFields: [String: YAMLDocument.Field]

    init(file: String, jsonFields: [String: YAMLDocument.Field] = [:]) {
        self.file = file
        self.jsonFields = jsonFields
    }

    func error(_ mark: Mark?, _ message: String) {
        diagnostics.append(Finding(.error, file: file, mark: mark, message))
    }

    func warning(_ mark: Mark?, _ message: String) {
        diagnostics.append(Finding(.warning, file: file, mark: mark, message))
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads the fields of one YAML mapping, reporting missing, mistyped and unknown fields with
/// their positions. Unknown fields are warned about and handed back so they survive a rewrite.
struct FieldReader {
    let context: DecodeContext
    let node: YAMLNode
    let prefix: String
    private var pairs: [YAMLPair]
    private var used: Set<String> = []

    init?(_ node: YAMLNode, context: DecodeContext, prefix: String = "") {
        self.context = context
        self.node = node
        self.prefix = prefix
        guard let pairs = node.mappingPairs else {
            context.error(node.mark, "\(prefix.isEmpty ? "document" : "'\(prefix.dropLast())'") must be a mapping")
            return nil
        }
        self.pairs = pairs
    }

    private func name(_ key: String) -> String { "'\(prefix)\(key)'" }

    private mutating func lookup(_ key: String, required: Bool) -> YAMLNode? {
        used.insert(key)
        guard let pair = pairs.first(where: { $0.key.scalarValue == key }) else {
            if required { context.error(node.mark, "missing required field \(name(key))") }
            return nil
        }
        if pair.value.isNull {
            if required { context.error(pair.value.mark, "field \(name(key)) must not be null") }
            return nil
        }
        return pair.value
    }

    /// The mark of a field's value, for findings raised after decoding.
    func mark(of key: String) -> Mark {
        pairs.first(where: { $0.key.scalarValue == key })?.value.mark ?? node.mark
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = lookup(key, required: required) else { return nil }
        guard let text = value.scalarValue else {
            context.error(value.mark, "field \(name(key)) must be a string")
            return nil
        }
        return text
    }

    /// A name field: kebab-case, no path separators (see `Names`).
    mutating func name(_ key: String, required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        if let problem = Names.problem(with: text) {
            context.error(mark(of: key), "field \(name(key)): name '\(text)' \(problem)")
        }
        return text
    }

    mutating func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let value = lookup(key, required: required) else { return nil }
        guard case .bool(let b)? = try? value.toJSON() else {
            context.error(value.mark, "field \(name(key)) must be true or false")
            return nil
        }
        return b
    }

    mutating func int(_ key: String, required: Bool = false) -> Int? {
        guard let value = lookup(key, required: required) else { return nil }
        guard case .integer(let i)? = try? value.toJSON() else {
            context.error(value.mark, "field \(name(key)) must be an integer")
            return nil
        }
        return i
    }

    mutating func oneOf(_ key: String, _ allowed: [String], required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        if !allowed.contains(text) {
            context.error(mark(of: key), "field \(name(key)) must be one of \(allowed.joined(separator: ", ")), not '\(text)'")
        }
        return text
    }

    mutating func stringList(_ key: String, required: Bool = false) -> [String]? {
        guard let value = lookup(key, required: required) else { return nil }
        guard let items = value.sequenceItems else {
            context.error(value.mark, "field \(name(key)) must be a list of strings")
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let text = item.scalarValue, !item.isNull else {
                context.error(item.mark, "entries of \(name(key)) must be strings")
                continue
            }
            result.append(text)
        }
        return result
    }

    mutating func json(_ key: String, required: Bool = false) -> JSONValue? {
        guard let value = lookup(key, required: required) else { return nil }
        do {
            // A root field the parser read as JSON: the tree holds an empty placeholder there.
            if prefix.isEmpty, let field = context.jsonFields[key], field.mark == value.mark {
                return try field.value.get()
            }
            return try value.toJSON()
        } catch {
            context.diagnostics.append(Finding(.error, file: context.file,
                                                  mark: Mark(line: error.line, column: error.column), error.message))
            return nil
        }
    }

    mutating func mapping(_ key: String, required: Bool = false) -> FieldReader? {
        guard let value = lookup(key, required: required) else { return nil }
        return FieldReader(value, context: context, prefix: "\(prefix)\(key).")
    }

    mutating func list(_ key: String, required: Bool = false) -> [YAMLNode]? {
        guard let value = lookup(key, required: required) else { return nil }
        guard let items = value.sequenceItems else {
            context.error(value.mark, "field \(name(key)) must be a list")
            return nil
        }
        return items
    }

    /// The fields no one asked for: warned about and returned so a rewrite keeps them.
    func unknownFields() -> [YAMLPair] {
        var unknown: [YAMLPair] = []
        var seen: Set<String> = []
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            if !seen.insert(key).inserted {
                context.error(pair.key.mark, "duplicate field '\(prefix)\(key)'")
            }
            if !used.contains(key) {
                context.warning(pair.key.mark, "unknown field '\(prefix)\(key)' (kept as is)")
                unknown.append(pair)
            }
        }
        return unknown
    }
}

/// Builds a mapping node with known fields in their canonical order, skipping absent optional
/// fields, followed by unknown fields in the order they were read.
struct MappingBuilder {
    private(set) var pairs: [YAMLPair] = []

    mutating func add(_ key: String, _ value: YAMLNode?) {
        guard let value else { return }
        pairs.append(YAMLPair(key: .string(key), value: value))
    }

    mutating func add(_ key: String, _ value: String?, quoted: Bool = false) {
        guard let value else { return }
        add(key, .string(value, style: quoted ? .doubleQuoted : .plain))
    }

    mutating func add(_ key: String, _ value: Bool?) {
        guard let value else { return }
        add(key, YAMLNode(json: .bool(value)))
    }

    mutating func add(_ key: String, _ value: Int?) {
        guard let value else { return }
        add(key, YAMLNode(json: .integer(value)))
    }

    mutating func add(_ key: String, strings: [String]?) {
        guard let strings else { return }
        add(key, YAMLNode.seq(strings.map { .string($0) }))
    }

    mutating func add(_ key: String, json: JSONValue?) {
        guard let json else { return }
        add(key, YAMLNode(json: json))
    }

    mutating func append(_ extra: [YAMLPair]) {
        let known = Set(pairs.compactMap { $0.key.scalarValue })
        pairs.append(contentsOf: extra.filter { !known.contains($0.key.scalarValue ?? "") })
    }

    var node: YAMLNode { .mapping(pairs, Mark(line: 0, column: 0)) }
}
