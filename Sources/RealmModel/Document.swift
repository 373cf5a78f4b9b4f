import RealmYAML

/// A realm file type: decodes from a YAML mapping (collecting findings) and encodes back to a
/// mapping with known fields in canonical order and unknown fields preserved.
public protocol RealmDocument: Sendable {
    /// Root fields read straight into JSON values, without their node trees (a contract's
    /// schema and value, which may be megabytes): `FieldReader.json` finds them decoded.
    static var jsonFields: Set<String> { get }
    /// Root fields a summary (`skippingJSON`) also parses without keeping, beyond `jsonFields`:
    /// lists that grow with the file's history (a contract's `evolution`).
    static var summarySkippedFields: Set<String> { get }
    init?(reading node: YAMLNode, context: DecodeContextRef)
    func encode() -> YAMLNode
}

extension RealmDocument {
    public static var jsonFields: Set<String> { [] }
    public static var summarySkippedFields: Set<String> { [] }
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
    /// With `skippingJSON`, the type's `jsonFields` are parsed (limits, syntax and duplicate
    /// keys still refused) but not read: they decode as empty collections of their kind, as do
    /// the type's `summarySkippedFields`.
    public static func decode<T: RealmDocument>(_ type: T.Type, bytes: [UInt8], path: String,
                                                skippingJSON: Bool = false) throws(ModelError) -> Decoded<T> {
        // Checked in place: the bytes are parsed as they are, never copied into a String.
        guard YAML.isValidUTF8(bytes) else {
            throw ModelError(file: path, mark: nil, "not valid UTF-8")
        }
        let document: YAMLDocument?
        do {
            document = try YAML.parse(bytes: bytes, jsonFields: skippingJSON ? T.jsonFields.union(T.summarySkippedFields) : T.jsonFields,
                                      skippingValues: skippingJSON)
        } catch {
            throw ModelError(file: path, mark: Mark(line: error.line, column: error.column), error.message)
        }
        guard let document else { throw ModelError(file: path, mark: nil, "file is empty") }
        return try decode(type, document.root, fields: document.fields, path: path)
    }

    public static func decode<T: RealmDocument>(_ type: T.Type, text: String, path: String) throws(ModelError) -> Decoded<T> {
        try decode(type, bytes: Array(text.utf8), path: path)
    }

    private static func decode<T: RealmDocument>(_ type: T.Type, _ node: YAMLNode, fields: [String: YAMLDocument.Field],
                                                 path: String) throws(ModelError) -> Decoded<T> {
        let context = DecodeContext(file: path, jsonFields: fields)
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
