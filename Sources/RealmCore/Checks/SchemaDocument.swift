import RealmContracts
import RealmJSON
import RealmModel
import RealmSupport

/// A schema given on the command line (`schema diff`, `check --mode=compatibility
/// --from-file`): a JSON Schema file, or a whole contract file whose `schema` is used. Keeps
/// the text's positions so that every problem names `file:line:col`.
public struct SchemaDocument: Sendable {
    /// As given ("-" is standard input).
    public let path: String
    /// The whole document.
    public let document: JSONValue
    /// Whether the document is a contract (an object with `schema` and contract fields).
    public let isContract: Bool
    public let map: SourceMap

    /// The schema: the document itself, or a contract's `schema`.
    public var schema: JSONValue { isContract ? (document["schema"] ?? .bool(true)) : document }

    /// Where the schema sits in the document.
    public var schemaPrefix: JSONPointer { isContract ? JSONPointer(tokens: ["schema"]) : .root }

    public var displayName: String { path == "-" ? "<stdin>" : path }

    public init(path: String, bytes: [UInt8]) throws {
        self.path = path
        let origin = path == "-" ? "<stdin>" : path
        document = try DocumentLoader.parse(bytes, origin: origin)
        map = SourceMap(bytes: bytes)
        isContract = Self.looksLikeContract(document)
    }

    /// Reads a file ("-" for standard input).
    public static func load(_ path: String) throws -> SchemaDocument {
        let bytes: [UInt8]
        if path == "-" {
            bytes = readStandardInput()
        } else {
            guard fileExists(path), !isDirectory(path) else { throw RealmError(.usage, "\(path): no such file") }
            bytes = try readFile(path)
        }
        return try SchemaDocument(path: path, bytes: bytes)
    }

    /// A contract has a `schema` next to contract fields; `schema` is no JSON Schema keyword,
    /// so a schema never looks like one.
    static func looksLikeContract(_ value: JSONValue) -> Bool {
        guard case .object(let o) = value, let schema = o["schema"] else { return false }
        switch schema {
        case .object, .bool: break
        default: return false
        }
        return ["name", "version", "owner", "value", "compatibility", "evolution"].contains { o[$0] != nil }
    }

    /// `file:line:col` of a place inside the schema (`file` alone when positions are unknown).
    public func location(inSchema pointer: JSONPointer) -> String {
        location(JSONPointer(tokens: schemaPrefix.tokens + pointer.tokens))
    }

    /// `file:line:col` of a place in the document.
    public func location(_ pointer: JSONPointer) -> String {
        guard let p = map.position(of: pointer) else { return displayName }
        return "\(displayName):\(p.line):\(p.column)"
    }

    /// Checks that the schema is an object or a boolean. Comparing it (`SchemaCompatibility`)
    /// checks the rest that a comparison relies on — keyword types, `$ref` targets — up front;
    /// regular expressions and dialects are not compiled (`schema validate` does that).
    public func checkShape() throws {
        switch schema {
        case .object, .bool: return
        default:
            throw RealmError(.usage, "\(location(schemaPrefix)): not a JSON Schema: a schema is an object or a boolean, found \(schema.typeName)")
        }
    }

    /// A usage error for a problem at `pointer` in the schema.
    public func invalid(at pointer: JSONPointer, _ message: String) -> RealmError {
        let at = pointer.tokens.isEmpty ? "" : " (at #\(pointer))"
        return RealmError(.usage, "\(location(inSchema: pointer)): not a valid schema\(at): \(message)")
    }
}
