#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RealmJSON
import RealmLimits
import RealmYAML
import RealmSupport

/// How to read a document.
public enum DocumentFormat: String, Sendable, CaseIterable {
    /// JSON for a file named `.json`; otherwise JSON when the text parses as JSON, else YAML.
    case auto
    /// RFC 8259 JSON through `JSONParser` (every escape, surrogate pairs included).
    case json
    /// YAML 1.2 (which also reads most JSON, but not `\ud83d\udca9`-style escapes).
    case yaml
}

/// Reads YAML or JSON documents given on the command line or produced by export commands.
public enum DocumentLoader {
    /// Parses text as JSON when it is JSON (exact numbers), else as YAML. A file named `.json`
    /// (or `format: .json`) is read as JSON only. Errors name `origin` with line and column.
    /// Both parsers apply `Limits.documentBytes` and `Limits.documentDepth`.
    public static func parse(_ bytes: [UInt8], origin: String, format: DocumentFormat = .auto) throws -> JSONValue {
        if bytes.count > Limits.documentBytes {
            throw RealmError(.usage, "\(origin): larger than the \(Limits.documentBytes) bytes a document may have")
        }
        let resolved: DocumentFormat = format == .auto && origin.hasSuffix(".json") ? .json : format
        switch resolved {
        case .json:
            return try parseJSON(String(decoding: bytes, as: UTF8.self), origin: origin)
        case .auto:
            // JSON's own white space before the first character; other text is not JSON.
            let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\""),
               let value = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self), maxDepth: Limits.documentDepth) {
                return value
            }
        case .yaml:
            break
        }
        do {
            // Straight to the value: no node tree (several times the JSON's size) in between.
            // Invalid UTF-8 is read as String(decoding:) repairs it, as it always was.
            let parsed = YAML.isValidUTF8(bytes) ? try YAML.parseJSON(bytes: bytes)
                                                 : try YAML.parseJSON(String(decoding: bytes, as: UTF8.self))
            guard let value = parsed else {
                throw RealmError(.usage, "\(origin): empty; expected YAML or JSON")
            }
            return value
        } catch let error as YAMLError {
            throw RealmError(.usage, "\(origin):\(error.line):\(error.column): \(error.message)")
        }
    }

    private static func parseJSON(_ text: String, origin: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text, maxDepth: Limits.documentDepth)
        } catch {
            throw RealmError(.usage, "\(origin):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
    }

    /// Reads and parses a file ("-" reads standard input). Reading stops one byte past
    /// `Limits.documentBytes`, so an endless input costs bounded memory.
    public static func load(_ path: String, format: DocumentFormat = .auto) throws -> JSONValue {
        let bytes: [UInt8]
        if path == "-" {
            bytes = readBounded(fd: 0)
        } else {
            guard fileExists(path), !isDirectory(path) else { throw RealmError(.usage, "\(path): no such file") }
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw RealmError(.usage, "\(path): cannot read: \(errorText(errno))")
            }
            defer { close(fd) }
            bytes = readBounded(fd: fd)
        }
        return try parse(bytes, origin: path == "-" ? "<stdin>" : path, format: format)
    }

    /// At most `Limits.documentBytes + 1` bytes of `fd`.
    private static func readBounded(fd: Int32) -> [UInt8] {
        readAll(fd: fd, upTo: Limits.documentBytes + 1).bytes
    }
}
