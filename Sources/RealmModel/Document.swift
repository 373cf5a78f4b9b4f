import RealmYAML

/// A realm file type: decodes from a YAML mapping (collecting findings) and encodes back to a
/// mapping with known fields in canonical order and unknown fields preserved.
public protocol RealmDocument: Sendable {
    init?(reading node: YAMLNode, context: DecodeContextRef)
    func encode() -> YAMLNode
}

/// Opaque handle to the decode context, so `RealmDocument` can be public without exposing it.
public struct DecodeContextRef {
    let context: DecodeContext
}

/// The result of reading a realm file: the value and any warnings (unknown fields).
public struct Decoded<T: Sendable>: Sendable {
    public var value: T
    public var warnings: [Finding]
}

public enum RealmFiles {
    /// Parses and decodes one file. Errors carry `path:line:col`.
    public static func decode<T: RealmDocument>(_ type: T.Type, bytes: [UInt8], path: String) throws(ModelError) -> Decoded<T> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelError(file: path, mark: nil, "not valid UTF-8")
        }
        return try decode(type, text: text, path: path)
    }

    public static func decode<T: RealmDocument>(_ type: T.Type, text: String, path: String) throws(ModelError) -> Decoded<T> {
        let node: YAMLNode?
        do {
            node = try YAML.parse(text)
        } catch {
            throw ModelError(file: path, mark: Mark(line: error.line, column: error.column), error.message)
        }
        guard let node else { throw ModelError(file: path, mark: nil, "file is empty") }
        let context = DecodeContext(file: path)
        let value = T(reading: node, context: DecodeContextRef(context: context))
        let findings = context.diagnostics.sorted { $0.position < $1.position }
        guard let value, !context.hasErrors else { throw ModelError(findings) }
        return Decoded(value: value, warnings: findings)
    }

    /// Deterministic YAML text for a document.
    public static func encode<T: RealmDocument>(_ value: T) -> String {
        YAML.emit(value.encode())
    }

    public static func encodeBytes<T: RealmDocument>(_ value: T) -> [UInt8] {
        Array(encode(value).utf8)
    }
}
