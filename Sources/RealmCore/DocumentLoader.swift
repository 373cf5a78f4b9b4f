import RealmJSON
import RealmYAML

/// Reads YAML or JSON documents given on the command line or produced by export commands.
public enum DocumentLoader {
    /// Parses text as JSON when it is JSON (exact numbers), else as YAML. Errors name `origin`
    /// with line and column.
    public static func parse(_ bytes: [UInt8], origin: String) throws -> JSONValue {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{" || trimmed.first == "[" {
            do { return try JSONParser.parse(text) } catch {
                if origin.hasSuffix(".json") {
                    throw RealmError(.usage, "\(origin):\(error.line):\(error.column): invalid JSON: \(error.message)")
                }
            }
        }
        do {
            guard let node = try YAML.parse(text) else {
                throw RealmError(.usage, "\(origin): empty; expected YAML or JSON")
            }
            return try node.toJSON()
        } catch let error as YAMLError {
            throw RealmError(.usage, "\(origin):\(error.line):\(error.column): \(error.message)")
        }
    }

    /// Reads and parses a file ("-" reads standard input).
    public static func load(_ path: String) throws -> JSONValue {
        let bytes: [UInt8]
        if path == "-" {
            bytes = readStandardInput()
        } else {
            guard fileExists(path), !isDirectory(path) else { throw RealmError(.usage, "\(path): no such file") }
            bytes = try readFile(path)
        }
        return try parse(bytes, origin: path == "-" ? "<stdin>" : path)
    }
}
