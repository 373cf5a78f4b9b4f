/// Writes JSON text. Output is deterministic: object keys in their stored order (or sorted when
/// asked), numbers in their shortest round-tripping form.
public struct JSONSerializer {
    public enum Style: Sendable { case compact, pretty }

    public static func string(_ value: JSONValue, style: Style = .compact, sortKeys: Bool = false) -> String {
        var out = ""
        write(value, into: &out, style: style, sortKeys: sortKeys, indent: 0)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, style: Style, sortKeys: Bool, indent: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let d): out += formatNumber(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                if style == .pretty { newline(&out, indent + 1) }
                write(item, into: &out, style: style, sortKeys: sortKeys, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{"
            let keys = sortKeys ? object.keys.sorted() : Array(object.keys)
            for (n, key) in keys.enumerated() {
                if n > 0 { out += "," }
                if style == .pretty { newline(&out, indent + 1) }
                writeString(key, into: &out)
                out += style == .pretty ? ": " : ":"
                write(object[key]!, into: &out, style: style, sortKeys: sortKeys, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Integral doubles print without a fraction when they fit an Int, so `1.0` round-trips as `1`.
    public static func formatNumber(_ d: Double) -> String {
        if !d.isFinite { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Nothing to escape (the common case): the whole string at once.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONSerializer.string(self) }
}
